// Puts formatted batches into the log file in queue order even when several workers format in
// parallel: a batch covering positions [first, first+count) is written only when every earlier
// position has been (a ticket, like a bakery's). It also writes the log_dropped and reopen lines.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "common/log/format.h"
#include "common/log/log_file.h"
#include "common/log/logger.h"

namespace sb::log {

class OrderedSink {
 public:
  using Clock = uint64_t (*)();

  // `dropped` is the producers' drop counter; the sink reports its growth in log_dropped lines.
  bool open(const LoggerOptions& options, Clock clock, const std::atomic<uint64_t>* dropped,
            std::string* error);
  // Only sets a flag: the next commit (or idle check) reopens. Safe from the loop, cheap.
  void request_reopen() noexcept { reopen_requested_.store(true, std::memory_order_release); }

  // Waits for this batch's turn, writes it in one write(2), then any log_dropped line.
  void commit(uint64_t first, uint64_t count, const std::string& lines);
  // Called by idle workers: handles a pending reopen or drop report, but only when no batch is
  // between claim and commit (claimed == written), so the drop line is not put before records
  // that were enqueued ahead of the drops.
  void idle_check(uint64_t claimed);
  // Blocks until every position before `end` has been written. With workers running only.
  void wait_written(uint64_t end);
  // Writes a final drop line if needed, fsyncs and closes.
  void close();

  uint64_t written() const noexcept { return written_.load(std::memory_order_acquire); }
  bool has_pending_work() const noexcept;

 private:
  // With mu_ held: act on a reopen request; write a log_dropped line for drops not yet reported.
  void reopen_locked();
  void report_drops_locked();
  void service_locked() {
    reopen_locked();
    report_drops_locked();
  }
  void write_event_locked(CallSite& site, Level level, const char* event, std::initializer_list<Field> fields);

  std::mutex mu_;
  std::condition_variable turn_;  // signalled whenever written_ advances
  std::atomic<uint64_t> written_{0};  // next position to write == records written so far
  std::atomic<uint64_t> reported_drops_{0};  // written under mu_, peeked at without it
  std::atomic<bool> reopen_requested_{false};
  const std::atomic<uint64_t>* dropped_ = nullptr;
  Clock clock_ = nullptr;
  LogFile file_;
  LineFormatter formatter_;  // for the sink's own lines; guarded by mu_
  std::string scratch_;
  bool write_failed_ = false;
};

}  // namespace sb::log
