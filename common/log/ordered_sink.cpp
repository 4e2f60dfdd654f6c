// The commit side of the worker pool: in-order writes, drop reports, reopen on request, and the
// final fsync. Holding mu_ across write(2) is deliberate: writes must be serialized to keep order,
// and only workers ever wait here, never the event loop.
#include "common/log/ordered_sink.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log/record.h"

namespace sb::log {

bool OrderedSink::open(const LoggerOptions& options, Clock clock,
                       const std::atomic<uint64_t>* dropped, std::string* error) {
  clock_ = clock;
  dropped_ = dropped;
  reported_drops_.store(dropped->load(std::memory_order_relaxed), std::memory_order_relaxed);
  written_.store(0, std::memory_order_relaxed);
  write_failed_ = false;
  return file_.open(options.dir, options.file_name, options.mirror_stderr, error);
}

void OrderedSink::commit(uint64_t first, uint64_t count, const std::string& lines) {
  std::unique_lock<std::mutex> lock(mu_);
  // Earlier batches are being formatted by other workers right now; the wait is short.
  turn_.wait(lock, [&] { return written_.load(std::memory_order_relaxed) == first; });
  reopen_locked();
  if (!file_.write(lines.data(), lines.size()) && !write_failed_) {
    // Nowhere to log this but stderr; say it once rather than once per batch.
    write_failed_ = true;
    std::string msg = "switchboard: cannot write " + file_.path() + ": " + std::strerror(errno) + "\n";
    ssize_t ignored = ::write(STDERR_FILENO, msg.data(), msg.size());
    (void)ignored;
  }
  written_.store(first + count, std::memory_order_release);
  report_drops_locked();
  lock.unlock();
  turn_.notify_all();
}

bool OrderedSink::has_pending_work() const noexcept {
  return reopen_requested_.load(std::memory_order_acquire) ||
         dropped_->load(std::memory_order_relaxed) !=
             reported_drops_.load(std::memory_order_relaxed);
}

void OrderedSink::idle_check(uint64_t claimed) {
  std::lock_guard<std::mutex> lock(mu_);
  if (written_.load(std::memory_order_relaxed) == claimed) service_locked();
}

void OrderedSink::wait_written(uint64_t end) {
  std::unique_lock<std::mutex> lock(mu_);
  turn_.wait(lock, [&] { return written_.load(std::memory_order_relaxed) >= end; });
  service_locked();
}

void OrderedSink::close() {
  std::lock_guard<std::mutex> lock(mu_);
  service_locked();
  file_.sync();
  file_.close();
}

void OrderedSink::reopen_locked() {
  if (reopen_requested_.load(std::memory_order_acquire) &&
      reopen_requested_.exchange(false, std::memory_order_acq_rel)) {
    std::string error;
    if (file_.reopen(&error)) {
      write_failed_ = false;
    } else {
      static CallSite site;
      write_event_locked(site, Level::error, "log_reopen_failed", {{"error", error}});
    }
  }
}

void OrderedSink::report_drops_locked() {
  // The count since the last report; the running total is what Logger::dropped() returns.
  const uint64_t dropped = dropped_->load(std::memory_order_relaxed);
  const uint64_t reported = reported_drops_.load(std::memory_order_relaxed);
  if (dropped != reported) {
    static CallSite site;
    write_event_locked(site, Level::warn, "log_dropped", {{"count", dropped - reported}});
    reported_drops_.store(dropped, std::memory_order_relaxed);
  }
}

void OrderedSink::write_event_locked(CallSite& site, Level level, const char* event,
                                     std::initializer_list<Field> fields) {
  site.bind(level, event, fields);
  Record record;
  record.fill(clock_(), site, fields);
  scratch_.clear();
  formatter_.append_record(record, &scratch_);
  file_.write(scratch_.data(), scratch_.size());
}

}  // namespace sb::log
