// The asynchronous logger's public face. The event loop calls write(): it copies a fixed-size record
// (timestamp, level, static event name, raw field values) into a lock-free ring and returns; worker
// threads format logfmt lines and write server.log / client.log. The loop never formats or blocks.
// Design (ring, ordering with N workers, drops, clock, reopen, shutdown): docs/LOGGING.md;
// the ring itself: record_queue.h (Vyukov bounded MPMC, per-slot sequence numbers).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace sb::log {

enum class Level : uint8_t { debug = 0, info = 1, warn = 2, error = 3 };

// Parses "debug|info|warn|error"; false on anything else.
bool parse_level(std::string_view text, Level* out);
std::string_view level_name(Level level);

// One key=value pair of a record. The key must be a string literal (only its pointer is stored);
// string values are copied into the record and truncated to a fixed size.
struct Field {
  enum class Kind : uint8_t { i64, u64, str };
  const char* key;
  Kind kind;
  int64_t i = 0;
  uint64_t u = 0;
  std::string_view s;

  constexpr Field(const char* k, std::string_view v) : key(k), kind(Kind::str), s(v) {}
  constexpr Field(const char* k, const char* v) : key(k), kind(Kind::str), s(v) {}
  constexpr Field(const char* k, int v) : key(k), kind(Kind::i64), i(v) {}
  constexpr Field(const char* k, long v) : key(k), kind(Kind::i64), i(v) {}
  constexpr Field(const char* k, long long v) : key(k), kind(Kind::i64), i(v) {}
  constexpr Field(const char* k, unsigned v) : key(k), kind(Kind::u64), u(v) {}
  constexpr Field(const char* k, unsigned long v) : key(k), kind(Kind::u64), u(v) {}
  constexpr Field(const char* k, unsigned long long v) : key(k), kind(Kind::u64), u(v) {}
};

struct LoggerOptions {
  std::string dir = ".";
  std::string file_name = "server.log";
  Level level = Level::info;
  // Formatting/writing threads. Lines keep queue order whatever the count. 0 = no threads: records
  // are written only by flush() and stop() on the caller's thread (tests, one-shot tools).
  unsigned workers = 1;
  bool mirror_stderr = false;
  // Records the queue holds (rounded up to a power of two; 384 bytes each, touched at start so the
  // loop never page-faults on them). At 2M records/s the default absorbs ~8 ms of worker stall.
  size_t queue_capacity = 16384;
  // Only one thread ever calls write() (the server's loop): claims skip the atomic
  // read-modify-write a multi-producer ring needs. Threads that log through the same Logger
  // otherwise would corrupt the queue; leave it false unless that is certain.
  bool single_producer = false;
  // Wall clock in ns since the Unix epoch, read once per record. nullptr = CLOCK_REALTIME_COARSE
  // (vDSO, no syscall, kernel-tick resolution). Tests inject a fixed clock to compare whole lines.
  uint64_t (*clock)() = nullptr;
};

class Logger {
 public:
  Logger();
  ~Logger();  // stops (drains, fsyncs) if still running
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Opens the file and starts the workers. False with *error set if the file cannot be opened.
  bool start(const LoggerOptions& options, std::string* error);
  // Writes everything enqueued so far, fsyncs, joins the workers. Idempotent. Calls to write()
  // racing with stop() from other threads may or may not be written.
  void stop();
  // Blocks until every record enqueued before the call (and any pending log_dropped line) is in
  // the file (write(2) done, not fsync'ed). Not for the event loop: it waits for the workers.
  void flush();

  // False before start() and after stop(), so nothing is enqueued into a logger nobody drains.
  bool enabled(Level level) const noexcept {
    return static_cast<uint8_t>(level) >= threshold_.load(std::memory_order_relaxed);
  }
  // The hot path: no allocation, no lock, no syscall, no formatting. Drops (and counts) when full.
  void write(Level level, const char* event, std::initializer_list<Field> fields) noexcept;
  // Reopens the file by name (SIGHUP after logrotate moved it). Safe to call from the loop thread.
  void reopen() noexcept;
  // Changes the level filter from now on (a SIGHUP reload of --log-level). Records already queued
  // are written whatever their level. Does nothing before start() or after stop().
  void set_level(Level level) noexcept;
  // Records dropped because the queue was full, since start.
  uint64_t dropped() const noexcept;
  // Records written to the file so far (log_dropped and other lines of the logger's own excluded).
  uint64_t written() const noexcept;

 private:
  static constexpr uint8_t kOff = 0xFF;  // threshold that no level reaches
  struct Impl;
  Impl* impl_;
  // Kept here, not in Impl, so the SB_LOG level check inlines to one load and a compare.
  std::atomic<uint8_t> threshold_{kOff};
};

}  // namespace sb::log

// Checks the level before building the field list, so a filtered record costs one compare.
#define SB_LOG(logger, lvl, event, ...)                                   \
  do {                                                                    \
    if ((logger).enabled(::sb::log::Level::lvl))                          \
      (logger).write(::sb::log::Level::lvl, event, {__VA_ARGS__});        \
  } while (0)
