// The real switchboard-bench against the real switchboard-server on port 0: short runs of each
// pattern must deliver everything exactly once and in order and print one sane JSON object.
// This checks correctness only; the numbers are never asserted (benchmarks belong in bench/).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "common/net/socket.h"
#include "tests/support/server_process.h"

using namespace sb::test;

namespace {

ExitResult run_bench(const std::vector<std::string>& flags, milliseconds timeout = milliseconds(60000)) {
  std::vector<std::string> argv{binary("switchboard-bench")};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return run_to_exit(argv, timeout);
}

// The value after "key": in a flat JSON object, as text ("" when absent).
std::string json_field(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return "";
  size_t start = at + key.size() + 3, end = json.find_first_of(",}", start);
  return json.substr(start, end - start);
}

double json_number(const std::string& json, const std::string& key) {
  std::string v = json_field(json, key);
  EXPECT_FALSE(v.empty()) << key << " missing from " << json;
  return std::strtod(v.c_str(), nullptr);
}

class BenchE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    raise_fd_limit();
    ASSERT_TRUE(server_.ok()) << server_.error();
  }

  // Runs the bench against the server with `flags` plus --json, and checks the universal
  // invariants: exit 0, one JSON object, everything sent was delivered once and in order.
  std::string run_clean(std::vector<std::string> flags) {
    flags.insert(flags.end(), {"--host", "127.0.0.1", "--port", std::to_string(server_.port()), "--json",
                               "--server-pid", std::to_string(server_.pid())});
    ExitResult r = run_bench(flags);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    const std::string& j = r.out;
    EXPECT_EQ(j.find('{'), 0u) << j;
    EXPECT_EQ(j.find('\n'), j.size() - 1) << "exactly one line of JSON on stdout: " << j;
    EXPECT_EQ(json_field(j, "ok"), "true") << j;
    EXPECT_EQ(json_number(j, "lost"), 0) << j;
    EXPECT_EQ(json_number(j, "duplicated"), 0) << j;
    EXPECT_EQ(json_number(j, "reordered"), 0) << j;
    EXPECT_EQ(json_number(j, "corrupt"), 0) << j;
    EXPECT_GT(json_number(j, "sent"), 0) << j;
    EXPECT_EQ(json_number(j, "delivered"), json_number(j, "expected")) << j;
    EXPECT_GT(json_number(j, "msgs_per_s"), 0) << j;
    double p50 = json_number(j, "p50_us"), p99 = json_number(j, "p99_us"), max = json_number(j, "max_us");
    EXPECT_GT(p50, 0) << j;
    EXPECT_LE(p50, p99) << j;
    EXPECT_LE(p99, max) << j;
    EXPECT_GT(json_number(j, "connect_s"), 0) << j;
    EXPECT_GT(json_number(j, "server_rss_kb"), 0) << j;
    // The human table still goes somewhere a person can see it.
    EXPECT_NE(r.err.find("latency us"), std::string::npos) << r.err;
    return j;
  }

  ServerProcess server_;
};

}  // namespace

TEST_F(BenchE2E, RandomThreeHundredNodesOneSecond) {
  std::string j = run_clean({"--nodes", "300", "--duration", "1", "--warmup", "0.2"});
  EXPECT_EQ(json_number(j, "nodes"), 300);
  EXPECT_EQ(json_number(j, "senders"), 300);
  EXPECT_EQ(json_field(j, "pattern"), "\"random\"");
  EXPECT_EQ(json_number(j, "server_errors"), 0);
}

TEST_F(BenchE2E, OpenLoopRingCountsFromIntendedTimes) {
  std::string j = run_clean({"--nodes", "100", "--pattern", "ring", "--window", "1", "--rate", "2000",
                             "--duration", "1", "--warmup", "0.2", "--size", "16-300"});
  // 2000 msgs/s for 1.2 s; the generator stops issuing at the end of the measured phase.
  EXPECT_NEAR(json_number(j, "sent"), 2400, 200) << j;
  EXPECT_EQ(json_number(j, "rate"), 2000);
}

TEST_F(BenchE2E, FaninBroadcastAndPairs) {
  run_clean({"--nodes", "50", "--pattern", "fanin", "--duration", "0.5", "--warmup", "0"});
  std::string b = run_clean({"--nodes", "30", "--pattern", "broadcast", "--senders", "3", "--window", "4",
                             "--duration", "0.5", "--warmup", "0"});
  EXPECT_EQ(json_number(b, "expected"), json_number(b, "sent") * 29) << b;
  run_clean({"--nodes", "51", "--pattern", "pairs", "--duration", "0.5", "--warmup", "0"});
}

// Protocol v2 workloads: every member gets each group or subject message once and in order, and
// every anycast message reaches exactly one member.
TEST_F(BenchE2E, GroupAnycastAndSubject) {
  std::string g = run_clean({"--nodes", "60", "--groups", "6", "--pattern", "group", "--duration", "0.5", "--warmup", "0"});
  EXPECT_EQ(json_number(g, "expected"), json_number(g, "sent") * 9) << g;
  std::string a = run_clean({"--nodes", "40", "--group-size", "4", "--procs", "2", "--pattern", "anycast",
                             "--duration", "0.5", "--warmup", "0"});
  EXPECT_EQ(json_number(a, "expected"), json_number(a, "sent")) << a;
  std::string s = run_clean({"--nodes", "50", "--group-size", "5", "--pattern", "subject", "--duration", "0.5",
                             "--warmup", "0"});
  EXPECT_EQ(json_number(s, "expected"), json_number(s, "sent") * 4) << s;
}

TEST_F(BenchE2E, WorkerProcessesShareTheNodes) {
  std::string j = run_clean({"--nodes", "200", "--procs", "2", "--duration", "0.5", "--warmup", "0.1"});
  EXPECT_EQ(json_number(j, "procs"), 2);
  std::string b = run_clean({"--nodes", "40", "--procs", "2", "--pattern", "broadcast", "--senders", "2",
                             "--window", "2", "--duration", "0.5", "--warmup", "0"});
  EXPECT_EQ(json_number(b, "expected"), json_number(b, "sent") * 39) << b;
}

TEST(BenchCli, BadFlagsExitTwoWithAReason) {
  ExitResult r = run_bench({"--pattern", "star"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--pattern"), std::string::npos) << r.err;
  r = run_bench({"--size", "4"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("16"), std::string::npos) << r.err;
  r = run_bench({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--window"), std::string::npos);
}

// The latency-floor relay: a short run delivers every message it sent and reports percentiles;
// a bad flag is a usage error.
TEST(RelayFloor, ShortRunReportsEveryMessage) {
  const std::string floor_bin = binary("switchboard-relay-floor");
  ExitResult r = run_to_exit({floor_bin, "--conns", "10", "--rate", "2000", "--duration", "0.5", "--warmup", "0.1"},
                             milliseconds(30000));
  EXPECT_FALSE(r.timed_out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("conns 10 rate 2000 samples 1000 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("p99_us"), std::string::npos) << r.out;
  r = run_to_exit({floor_bin, "--conns", "1"}, milliseconds(10000));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("usage"), std::string::npos) << r.err;
  r = run_to_exit({floor_bin, "--rate", "5x"}, milliseconds(10000));  // trailing junk is not a number
  EXPECT_EQ(r.exit_code, 2);
}

// The random-target throughput floor: a short run over a few connections moves frames (a positive
// rate), loses none, and names each side's CPU; bad flags are usage errors.
TEST(RelayFloor, RandomModeDeliversEveryFrame) {
  const std::string floor_bin = bin_dir() + "/switchboard-relay-floor";
  ExitResult r = run_to_exit({floor_bin, "--mode", "random", "--conns", "50", "--window", "4", "--size", "64",
                              "--duration", "0.5", "--warmup", "0.2"},
                             milliseconds(30000));
  EXPECT_FALSE(r.timed_out);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  ASSERT_EQ(r.out.find("mode random conns 50 window 4 size 64 msgs_per_s "), 0u) << r.out;
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one line: " << r.out;
  const size_t rate_at = r.out.find("msgs_per_s ") + 11;
  EXPECT_GT(std::strtod(r.out.c_str() + rate_at, nullptr), 0) << r.out;
  EXPECT_NE(r.out.find(" lost 0 relay_cpu_s "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" driver_cpu_s "), std::string::npos) << r.out;
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--mode", "random", "--size", "8"},  // shorter than the frame header
        {"--mode", "random", "--rate", "2000"},                        // a latency-mode flag
        {"--mode", "fastest"},
        {"--mode"}}) {
    std::vector<std::string> argv{floor_bin};
    argv.insert(argv.end(), bad.begin(), bad.end());
    r = run_to_exit(argv, milliseconds(10000));
    EXPECT_EQ(r.exit_code, 2) << bad.back();
    EXPECT_NE(r.err.find("usage"), std::string::npos) << r.err;
  }
}

TEST(BenchCli, NoServerIsALoudFailure) {
  // Find a port nobody listens on: bind one, note it, close it.
  sb::net::Endpoint ep;
  std::string error;
  ASSERT_TRUE(sb::net::resolve("127.0.0.1", 0, &ep, &error));
  int fd = sb::net::listen_tcp(ep, 1, &error);
  ASSERT_GE(fd, 0) << error;
  uint16_t port = sb::net::local_port(fd);
  ::close(fd);
  ExitResult r = run_bench({"--port", std::to_string(port), "--nodes", "10", "--duration", "0.2", "--json"},
                           milliseconds(20000));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("\"ok\":false"), std::string::npos) << r.out;
}
