// The Logger: the hot path (claim a ring slot, copy the record, publish) and the worker pool that
// drains the ring in batches, formats each batch into its own buffer, and hands it to the
// OrderedSink, which writes batches strictly in queue order. See docs/LOGGING.md for the design.
#include "common/log/logger.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/log/clock.h"
#include "common/log/format.h"
#include "common/log/ordered_sink.h"
#include "common/log/record.h"
#include "common/log/record_queue.h"

namespace sb::log {
namespace {

// Records per batch: big enough that a busy worker issues ~150 KiB write(2) calls (the kernel's
// cost per call is then spread over ~2000 lines), small enough that N workers share a burst of
// the server's 65,536-record ring instead of one of them taking all of it.
constexpr size_t kMaxBatch = 2048;
// An idle worker sleeps at most this long. It bounds the time from write() to the file when the
// loop is quiet (a trickle of records is written within this delay), at a cost of 20 wakeups per
// second per idle worker, instead of the constant wakeups of a short poll on the core the event
// loop shares (docs/LOGGING.md has the measurement).
constexpr auto kIdleWait = std::chrono::milliseconds(50);
// A burst does not wait for the timeout: every this many records (a power of two) the producer
// looks at how full the ring is, and wakes a sleeping worker once a quarter of it is waiting.
// Waking at every check instead would cost a futex call and, where the worker shares the loop's
// core, two context switches per few hundred records; a quarter leaves three quarters of the
// ring to absorb the time the woken worker takes to get a core.
constexpr uint64_t kWakeCheckEvery = 256;
constexpr uint64_t kWakeFillDivisor = 4;

// How many records ahead of the one just written the producer prefetches its ring slot.
constexpr uint64_t kPrefetchAhead = 8;

uint64_t default_clock() { return coarse_now_ns(); }

}  // namespace

struct Logger::Impl {
  // Drop counter on its own line: producers bump it only when the ring is full.
  alignas(64) std::atomic<uint64_t> dropped{0};
  alignas(64) std::unique_ptr<RecordQueue<Record>> queue;
  uint64_t (*clock)() = default_clock;
  bool clock_injected = false;
  bool single_producer = false;
  Level level = Level::info;
  unsigned worker_count = 0;
  bool running = false;
  std::atomic<bool> stopping{false};
  std::vector<std::thread> workers;
  OrderedSink sink;
  // Idle workers wait here. The producer only looks at `sleepers` (a load of a line that rarely
  // changes) and signals when it is non-zero; a signal it misses in a race costs at most kIdleWait.
  std::mutex idle_mu;
  std::condition_variable idle_cv;
  std::atomic<unsigned> sleepers{0};

  void wake_one() noexcept {
    if (sleepers.load(std::memory_order_relaxed) != 0) idle_cv.notify_one();
  }
  // For stop, flush and reopen: taking the lock first means a worker that has just found nothing
  // to do is either still before its wait (and will see the new state) or already waiting.
  void wake_all() {
    { std::lock_guard<std::mutex> lock(idle_mu); }
    idle_cv.notify_all();
  }

  // One batch: claim, format into buf, give the slots back, commit in order. False if empty.
  bool drain_batch(LineFormatter* formatter, std::string* buf) {
    uint64_t first;
    const size_t n = queue->claim_batch(kMaxBatch, &first);
    if (n == 0) return false;
    buf->clear();
    for (size_t i = 0; i < n; ++i) formatter->append_record(queue->at(first + i), buf);
    // Free the slots before waiting for our turn to write, so producers get the room back early.
    queue->release(first, n);
    sink.commit(first, n, *buf);
    return true;
  }

  void drain_all() {
    LineFormatter formatter;
    std::string buf;
    while (drain_batch(&formatter, &buf)) {
    }
  }

  void worker_main() {
    LineFormatter formatter;
    std::string buf;
    buf.reserve(kMaxBatch * 128);
    for (;;) {
      // Read the flag before looking at the ring: a record published before stop() set it is
      // then guaranteed to be seen by the claim below.
      const bool stop = stopping.load(std::memory_order_acquire);
      if (drain_batch(&formatter, &buf)) continue;
      if (stop) return;
      if (sink.has_pending_work()) sink.idle_check(queue->claimed());
      std::unique_lock<std::mutex> lock(idle_mu);
      sleepers.fetch_add(1, std::memory_order_relaxed);
      idle_cv.wait_for(lock, kIdleWait, [&] {
        return stopping.load(std::memory_order_acquire) || queue->enqueued() != queue->claimed() ||
               sink.has_pending_work();
      });
      sleepers.fetch_sub(1, std::memory_order_relaxed);
    }
  }
};

Logger::Logger() : impl_(new Impl) {}

Logger::~Logger() {
  stop();
  delete impl_;
}

bool Logger::start(const LoggerOptions& options, std::string* error) {
  Impl& im = *impl_;
  if (im.running) {
    if (error != nullptr) *error = "logger already started";
    return false;
  }
  im.clock = options.clock != nullptr ? options.clock : default_clock;
  im.clock_injected = options.clock != nullptr;
  im.single_producer = options.single_producer;
  im.level = options.level;
  im.worker_count = options.workers;
  im.dropped.store(0, std::memory_order_relaxed);
  im.queue = std::make_unique<RecordQueue<Record>>(options.queue_capacity);
  if (!im.sink.open(options, im.clock, &im.dropped, error)) return false;
  im.stopping.store(false, std::memory_order_relaxed);
  try {
    for (unsigned i = 0; i < options.workers; ++i) im.workers.emplace_back([&im] { im.worker_main(); });
  } catch (const std::system_error& e) {
    im.stopping.store(true, std::memory_order_release);
    for (auto& t : im.workers) t.join();
    im.workers.clear();
    im.sink.close();
    if (error != nullptr) *error = std::string("starting log workers: ") + e.what();
    return false;
  }
  im.running = true;
  threshold_.store(static_cast<uint8_t>(options.level), std::memory_order_release);
  return true;
}

void Logger::set_level(Level level) noexcept {
  Impl& im = *impl_;
  if (!im.running) return;
  im.level = level;
  threshold_.store(static_cast<uint8_t>(level), std::memory_order_relaxed);
}

void Logger::stop() {
  Impl& im = *impl_;
  if (!im.running) return;
  threshold_.store(kOff, std::memory_order_relaxed);
  im.stopping.store(true, std::memory_order_release);
  im.wake_all();
  for (auto& t : im.workers) t.join();
  im.workers.clear();
  im.drain_all();  // workers == 0, or a record published after the last worker looked
  im.sink.close();
  im.running = false;
}

void Logger::flush() {
  Impl& im = *impl_;
  if (!im.running) return;
  const uint64_t end = im.queue->enqueued();
  if (im.worker_count == 0) im.drain_all();
  im.wake_all();
  im.sink.wait_written(end);
}

void CallSite::fill_once(Level level, const char* event, std::initializer_list<Field> fields) noexcept {
  uint8_t expected = kEmpty;
  if (!state_.compare_exchange_strong(expected, kFilling, std::memory_order_acquire)) {
    while (state_.load(std::memory_order_acquire) != kReady) std::this_thread::yield();
    return;
  }
  level_ = level;
  event_ = event;
  fields_truncated_ = fields.size() > kMaxFields;
  count_ = static_cast<uint8_t>(fields_truncated_ ? kMaxFields : fields.size());
  const Field* f = fields.begin();
  for (unsigned i = 0; i < count_; ++i, ++f) {
    keys_[i] = f->key;
    kinds_[i] = f->kind;
  }
  state_.store(kReady, std::memory_order_release);
}

void Logger::write(CallSite& site, Level level, const char* event, std::initializer_list<Field> fields) noexcept {
  if (!enabled(level)) return;
  site.bind(level, event, fields);
  Impl& im = *impl_;
  uint64_t pos;
  Record* slot = im.single_producer ? im.queue->try_claim_single(&pos) : im.queue->try_claim(&pos);
  if (slot == nullptr) {
    im.dropped.fetch_add(1, std::memory_order_relaxed);
    im.wake_one();
    return;
  }
  // The clock is read after the claim, so the (rare) drop path skips it and timestamps of one
  // producer never go backwards relative to queue order.
  const uint64_t now = im.clock_injected ? im.clock() : coarse_now_ns();
  slot->fill(now, site, fields);
  im.queue->publish(pos);
  // The line a usual record fills (record.h), some records ahead: the loop logs its records a
  // few hundred ns apart, and a prefetch of the very next slot had not arrived by then.
  im.queue->prefetch(pos + kPrefetchAhead);
  if ((pos & (kWakeCheckEvery - 1)) == kWakeCheckEvery - 1 &&
      pos - im.queue->claimed() >= im.queue->capacity() / kWakeFillDivisor)
    im.wake_one();
}

void Logger::reopen() noexcept {
  impl_->sink.request_reopen();
  impl_->wake_one();
}

uint64_t Logger::dropped() const noexcept {
  return impl_->dropped.load(std::memory_order_relaxed);
}

uint64_t Logger::written() const noexcept {
  return impl_->sink.written();
}

}  // namespace sb::log
