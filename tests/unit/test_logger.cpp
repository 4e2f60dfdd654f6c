// The Logger end to end, against real files in a temp dir: formatting and order with 1 and 3
// workers, level filtering, the log_dropped line and its counts, reopen after logrotate moved the
// file, nothing lost at stop, concurrent producers, and clean failure on an unusable directory.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/log/logger.h"
#include "common/log/record.h"
#include "tests/support/sanitizers.h"

namespace {

using namespace sb::log;
namespace fs = std::filesystem;

// The threaded tests keep to a few seconds under ThreadSanitizer.
constexpr int kScale = sb::test::kThreadSanitizer ? 20 : 1;

constexpr const char* kStamp = "2026-11-27T10:15:30.123456Z";
uint64_t fixed_clock() { return 1795774530123456789ull; }

class LoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sb_log_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  LoggerOptions options(unsigned workers, size_t capacity = 4096) const {
    LoggerOptions o;
    o.dir = dir_;
    o.file_name = "test.log";
    o.level = Level::debug;
    o.workers = workers;
    o.queue_capacity = capacity;
    o.clock = fixed_clock;
    return o;
  }
  std::vector<std::string> lines(const std::string& name = "test.log") const {
    std::ifstream in(dir_ + "/" + name);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  static std::string record_line(int i) {
    return std::string(kStamp) + " level=info event=tick i=" + std::to_string(i) + " node=a";
  }
  // The log file holds exactly the records 0..n-1 that write_range() wrote, in order.
  void expect_records_in_order(int n) const {
    const auto got = lines();
    ASSERT_EQ(got.size(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) ASSERT_EQ(got[i], record_line(i)) << "line " << i;
  }
  std::string dir_;
};

// Writes records [from, to), flushing every `chunk` so a queue of twice that never overflows.
void write_range(Logger& log, int from, int to, int chunk) {
  for (int i = from; i < to; ++i) {
    SB_LOG(log, info, "tick", {"i", i}, {"node", "a"});
    if ((i - from + 1) % chunk == 0) log.flush();
  }
}

TEST_F(LoggerTest, RecordsAppearFormattedAndInOrderOneWorker) {
  Logger log;
  std::string error;
  ASSERT_TRUE(log.start(options(1), &error)) << error;
  const int n = 10000 / kScale;
  write_range(log, 0, n, 2048);
  log.flush();
  ASSERT_NO_FATAL_FAILURE(expect_records_in_order(n));
  EXPECT_EQ(log.written(), static_cast<uint64_t>(n));
  EXPECT_EQ(log.dropped(), 0u);
}

TEST_F(LoggerTest, SingleProducerModeKeepsEveryRecordInOrder) {
  Logger log;
  std::string error;
  LoggerOptions o = options(1);
  o.single_producer = true;
  ASSERT_TRUE(log.start(o, &error)) << error;
  const int n = 10000 / kScale;
  write_range(log, 0, n, 2048);
  log.stop();
  expect_records_in_order(n);
}

// A record with a few fields and short ids, the usual kind (the server's route record), fits in
// the first cache line of its ring slot, after the slot's 8-byte sequence number: the site
// pointer stands for event and keys, and the values are packed back to back.
TEST(LogRecord, AUsualRecordFillsOneCacheLine) {
  const std::initializer_list<sb::log::Field> fields = {{"from", "node-0042"}, {"to", "node-0043"}, {"bytes", 64u}};
  sb::log::CallSite site;
  site.bind(Level::debug, "route", fields);
  sb::log::Record r;
  const size_t used = r.fill(1, site, fields);
  EXPECT_LE(8 + used, 64u);
  EXPECT_EQ(r.site, &site);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.data), 20), "\x09node-0042\x09node-0043");
}

// A site is filled by its first call only: later calls of the statement reuse it as it is.
TEST(LogRecord, ACallSiteKeepsItsFirstCall) {
  sb::log::CallSite site;
  site.bind(Level::warn, "first", {{"a", 1}, {"b", "x"}});
  site.bind(Level::warn, "first", {{"a", 2}, {"b", "y"}});
  EXPECT_STREQ(site.event(), "first");
  ASSERT_EQ(site.count(), 2u);
  EXPECT_STREQ(site.key(1), "b");
  EXPECT_EQ(site.kind(0), sb::log::Field::Kind::i64);
  EXPECT_EQ(site.kind(1), sb::log::Field::Kind::str);
  EXPECT_FALSE(site.fields_truncated());
}

// Threads meeting an empty site at once: one fills it, the others wait for it, and every one
// comes back with the site filled (run under TSan by make test-tsan).
TEST(LogRecord, ACallSiteFirstUsedByManyThreadsAtOnce) {
  for (int round = 0; round < 50; ++round) {
    sb::log::CallSite site;
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    std::atomic<int> filled{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        while (!go.load(std::memory_order_acquire)) {
        }
        site.bind(Level::info, "race", {{"k", 1}});
        if (site.count() == 1 && std::string(site.key(0)) == "k") filled.fetch_add(1);
      });
    }
    go.store(true, std::memory_order_release);
    for (auto& t : threads) t.join();
    ASSERT_EQ(filled.load(), 4) << "round " << round;
  }
}

TEST_F(LoggerTest, ThreeWorkersKeepQueueOrder) {
  Logger log;
  std::string error;
  const int n = 200000 / kScale;
  ASSERT_TRUE(log.start(options(3), &error)) << error;
  // Bursts of half the queue: the three workers each claim 512-record batches of a burst, format
  // them in parallel and must still commit them in order. Flushing between bursts rules out drops.
  write_range(log, 0, n, 2048);
  log.stop();
  expect_records_in_order(n);
}

TEST_F(LoggerTest, NothingLostAtStop) {
  for (unsigned workers : {0u, 1u, 3u}) {
    Logger log;
    std::string error;
    ASSERT_TRUE(log.start(options(workers), &error)) << error;
    const int n = 4000 / kScale;  // fits the queue: stop() alone must write all of it
    write_range(log, 0, n, n + 1);
    log.stop();
    SCOPED_TRACE(std::to_string(workers) + " workers");
    ASSERT_NO_FATAL_FAILURE(expect_records_in_order(n));
    fs::remove(dir_ + "/test.log");
  }
}

TEST_F(LoggerTest, LevelFilteringHappensBeforeEnqueue) {
  Logger log;
  std::string error;
  LoggerOptions o = options(1);
  o.level = Level::warn;
  ASSERT_TRUE(log.start(o, &error)) << error;
  EXPECT_FALSE(log.enabled(Level::debug));
  EXPECT_FALSE(log.enabled(Level::info));
  EXPECT_TRUE(log.enabled(Level::warn));
  EXPECT_TRUE(log.enabled(Level::error));
  SB_LOG(log, debug, "d");
  SB_LOG(log, info, "i");
  SB_LOG(log, warn, "w", {"reason", "slow consumer"});
  SB_LOG(log, error, "e");
  static sb::log::CallSite site;
  log.write(site, Level::info, "direct", {});  // write() filters too
  log.stop();
  EXPECT_EQ(lines(), (std::vector<std::string>{
                         std::string(kStamp) + " level=warn event=w reason=\"slow consumer\"",
                         std::string(kStamp) + " level=error event=e"}));
  EXPECT_EQ(log.written(), 2u);
}

TEST_F(LoggerTest, SetLevelChangesTheFilterWhileRunning) {
  Logger log;
  log.set_level(Level::debug);  // before start: nothing to change, nothing enabled
  EXPECT_FALSE(log.enabled(Level::error));
  std::string error;
  LoggerOptions o = options(1);
  o.level = Level::warn;
  ASSERT_TRUE(log.start(o, &error)) << error;
  SB_LOG(log, info, "before");
  log.set_level(Level::debug);
  EXPECT_TRUE(log.enabled(Level::debug));
  SB_LOG(log, debug, "after");
  log.set_level(Level::error);
  SB_LOG(log, warn, "filtered");
  log.stop();
  log.set_level(Level::debug);  // after stop: stays off
  EXPECT_FALSE(log.enabled(Level::error));
  EXPECT_EQ(lines(), (std::vector<std::string>{std::string(kStamp) + " level=debug event=after"}));
}

TEST_F(LoggerTest, DropLineCarriesTheCountSinceTheLastOne) {
  Logger log;
  std::string error;
  // No worker threads: the queue fills deterministically and only flush()/stop() drain it.
  ASSERT_TRUE(log.start(options(0, 8), &error)) << error;
  for (int i = 0; i < 20; ++i) SB_LOG(log, info, "tick", {"i", i}, {"node", "a"});
  EXPECT_EQ(log.dropped(), 12u);
  log.flush();
  for (int i = 20; i < 23; ++i) SB_LOG(log, info, "tick", {"i", i}, {"node", "a"});
  log.flush();
  for (int i = 23; i < 36; ++i) SB_LOG(log, info, "tick", {"i", i}, {"node", "a"});
  EXPECT_EQ(log.dropped(), 17u);
  log.stop();

  std::vector<std::string> want;
  for (int i = 0; i < 8; ++i) want.push_back(record_line(i));
  want.push_back(std::string(kStamp) + " level=warn event=log_dropped count=12");
  for (int i = 20; i < 23; ++i) want.push_back(record_line(i));
  for (int i = 23; i < 31; ++i) want.push_back(record_line(i));
  want.push_back(std::string(kStamp) + " level=warn event=log_dropped count=5");
  EXPECT_EQ(lines(), want);
  EXPECT_EQ(log.written(), 19u);
}

// With a worker racing the producer the split between written and dropped varies, but the
// accounting must be exact: every attempt is either a line or counted in a log_dropped line.
TEST_F(LoggerTest, DropAccountingIsExactWithAWorkerRunning) {
  Logger log;
  std::string error;
  ASSERT_TRUE(log.start(options(1, 16), &error)) << error;
  const int n = 200000 / kScale;
  for (int i = 0; i < n; ++i) SB_LOG(log, info, "tick", {"i", i}, {"node", "a"});
  log.stop();
  uint64_t records = 0, reported = 0;
  int last = -1;
  for (const auto& l : lines()) {
    const std::string drop_prefix = std::string(kStamp) + " level=warn event=log_dropped count=";
    if (l.rfind(drop_prefix, 0) == 0) {
      const uint64_t c = std::stoull(l.substr(drop_prefix.size()));
      EXPECT_GT(c, 0u);
      reported += c;
      continue;
    }
    const int i = std::stoi(l.substr(l.find("i=") + 2));
    EXPECT_GT(i, last);
    last = i;
    ++records;
  }
  EXPECT_EQ(records, log.written());
  EXPECT_EQ(reported, log.dropped());
  EXPECT_EQ(records + reported, static_cast<uint64_t>(n));
  EXPECT_GT(log.dropped(), 0u) << "a 16-slot queue should overflow";
}

TEST_F(LoggerTest, ReopenAfterRenameWritesToANewFile) {
  for (unsigned workers : {0u, 2u}) {
    Logger log;
    std::string error;
    ASSERT_TRUE(log.start(options(workers), &error)) << error;
    SB_LOG(log, info, "tick", {"i", 1}, {"node", "a"});
    log.flush();
    fs::rename(dir_ + "/test.log", dir_ + "/test.log.1");  // what logrotate does
    SB_LOG(log, info, "tick", {"i", 2}, {"node", "a"});
    log.reopen();
    SB_LOG(log, info, "tick", {"i", 3}, {"node", "a"});
    log.stop();
    // Records are written by the workers after they see the request; the one enqueued before
    // reopen() may land in either file, the one after must be in the new file.
    const auto old_lines = lines("test.log.1");
    const auto new_lines = lines("test.log");
    ASSERT_FALSE(old_lines.empty());
    EXPECT_EQ(old_lines[0], record_line(1));
    ASSERT_FALSE(new_lines.empty());
    EXPECT_EQ(new_lines.back(), record_line(3));
    EXPECT_EQ(old_lines.size() + new_lines.size(), 3u);
    fs::remove(dir_ + "/test.log");
    fs::remove(dir_ + "/test.log.1");
  }
}

TEST_F(LoggerTest, ConcurrentProducersEachInOrder) {
  Logger log;
  std::string error;
  const int per = 100000 / kScale;
  ASSERT_TRUE(log.start(options(2), &error)) << error;
  std::vector<std::thread> producers;
  for (int p = 0; p < 3; ++p) {
    producers.emplace_back([&log, p, per] {
      for (int i = 0; i < per; ++i) SB_LOG(log, info, "tick", {"p", p}, {"i", i});
    });
  }
  for (auto& t : producers) t.join();
  log.stop();
  // Producers outrun the workers, so some records may be dropped; the rest keep per-producer
  // order, and the accounting is exact.
  std::vector<int> last(3, -1);
  uint64_t count = 0, reported = 0;
  const std::string drop_prefix = std::string(kStamp) + " level=warn event=log_dropped count=";
  for (const auto& l : lines()) {
    if (l.rfind(drop_prefix, 0) == 0) {
      reported += std::stoull(l.substr(drop_prefix.size()));
      continue;
    }
    const size_t pp = l.find(" p=");
    const size_t ip = l.find(" i=");
    ASSERT_NE(pp, std::string::npos) << l;
    const int p = std::stoi(l.substr(pp + 3));
    const int i = std::stoi(l.substr(ip + 3));
    ASSERT_GT(i, last[p]) << "producer " << p;
    last[p] = i;
    ++count;
  }
  EXPECT_EQ(reported, log.dropped());
  EXPECT_EQ(count + reported, 3ull * per);
}

TEST_F(LoggerTest, MirrorsToStderr) {
  Logger log;
  std::string error;
  LoggerOptions o = options(1);
  o.mirror_stderr = true;
  ASSERT_TRUE(log.start(o, &error)) << error;
  testing::internal::CaptureStderr();
  SB_LOG(log, info, "tick", {"i", 7}, {"node", "a"});
  log.flush();
  const std::string captured = testing::internal::GetCapturedStderr();
  log.stop();
  EXPECT_EQ(captured, record_line(7) + "\n");
  EXPECT_EQ(lines(), std::vector<std::string>{record_line(7)});
}

TEST_F(LoggerTest, StartFailsCleanlyOnUnusableDirectory) {
  Logger log;
  std::string error;
  LoggerOptions o = options(1);
  o.dir = dir_ + "/missing/deeper";
  EXPECT_FALSE(log.start(o, &error));
  EXPECT_NE(error.find(o.dir), std::string::npos) << error;
  EXPECT_FALSE(log.enabled(Level::error));
  SB_LOG(log, error, "ignored");  // harmless on a logger that did not start
  log.flush();
  log.stop();

  // A path component that is a regular file (works even when the tests run as root).
  std::ofstream(dir_ + "/plainfile") << "x";
  o.dir = dir_ + "/plainfile";
  error.clear();
  EXPECT_FALSE(log.start(o, &error));
  EXPECT_FALSE(error.empty());

  // The same Logger can still start on a good directory afterwards.
  ASSERT_TRUE(log.start(options(1), &error)) << error;
  SB_LOG(log, info, "tick", {"i", 1}, {"node", "a"});
  log.stop();
  EXPECT_EQ(lines(), std::vector<std::string>{record_line(1)});
}

TEST_F(LoggerTest, StartTwiceFailsAndRestartAppends) {
  Logger log;
  std::string error;
  ASSERT_TRUE(log.start(options(1), &error)) << error;
  EXPECT_FALSE(log.start(options(1), &error));
  SB_LOG(log, info, "tick", {"i", 0}, {"node", "a"});
  log.stop();
  log.stop();  // idempotent
  SB_LOG(log, info, "tick", {"i", 99}, {"node", "a"});  // after stop: ignored
  ASSERT_TRUE(log.start(options(1), &error)) << error;
  SB_LOG(log, info, "tick", {"i", 1}, {"node", "a"});
  log.stop();
  EXPECT_EQ(lines(), (std::vector<std::string>{record_line(0), record_line(1)}));
}

TEST_F(LoggerTest, DestructorStopsAndFlushes) {
  {
    Logger log;
    std::string error;
    ASSERT_TRUE(log.start(options(2), &error)) << error;
    for (int i = 0; i < 100; ++i) SB_LOG(log, info, "tick", {"i", i}, {"node", "a"});
  }
  EXPECT_EQ(lines().size(), 100u);
}

TEST_F(LoggerTest, RealClockProducesACurrentTimestamp) {
  Logger log;
  std::string error;
  LoggerOptions o = options(1);
  o.clock = nullptr;
  ASSERT_TRUE(log.start(o, &error)) << error;
  const auto before = std::chrono::system_clock::now();
  SB_LOG(log, info, "tick", {"i", 1}, {"node", "a"});
  log.stop();
  const auto got = lines();
  ASSERT_EQ(got.size(), 1u);
  // Only the date and hour are compared: the coarse clock is a tick behind at most.
  const std::time_t t = std::chrono::system_clock::to_time_t(before);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char prefix[32];
  std::strftime(prefix, sizeof prefix, "%Y-%m-%dT", &tm);
  EXPECT_EQ(got[0].rfind(prefix, 0), 0u) << got[0];
  EXPECT_NE(got[0].find("Z level=info event=tick i=1 node=a"), std::string::npos) << got[0];
}

}  // namespace
