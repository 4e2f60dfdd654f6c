// The asynchronous logger's public face. The event loop calls write(): it copies a fixed-size record
// (timestamp, level, static event name, raw field values) into a lock-free ring and returns; worker
// threads format logfmt lines and write server.log / client.log. The loop never formats or blocks.
// Design (ring, ordering with N workers, drops, clock, reopen, shutdown): docs/LOGGING.md;
// the ring itself: record_queue.h (Vyukov bounded MPMC, per-slot sequence numbers).
#pragma once

#include <array>
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

inline constexpr unsigned kMaxFields = 8;  // extra fields beyond this are dropped (and marked)

// What never changes between the records of one SB_LOG statement: level, event, keys, and the
// kind of each value (fixed by the argument's C++ type). SB_LOG keeps one in a static, filled by
// the statement's first record, so a record carries a pointer to it instead of the event and a
// pointer per key: the usual record then fits in one cache line of the ring. Never destroyed or
// moved while a logger may still format a record pointing at it (a static is neither).
class CallSite {
 public:
  // Fills the site from the first call, once; later calls only check that it is filled (one
  // acquire load). The event and keys must be the same at every call (string literals of one
  // statement). Two threads meeting an empty site: one fills it, the other waits the few
  // stores that takes (only ever on a statement's first use).
  void bind(Level level, const char* event, std::initializer_list<Field> fields) noexcept {
    if (state_.load(std::memory_order_acquire) != kReady) fill_once(level, event, fields);
  }
  Level level() const noexcept { return level_; }
  const char* event() const noexcept { return event_; }
  unsigned count() const noexcept { return count_; }
  bool fields_truncated() const noexcept { return fields_truncated_; }  // more than kMaxFields
  const char* key(unsigned i) const noexcept { return keys_[i]; }
  Field::Kind kind(unsigned i) const noexcept { return kinds_[i]; }

 private:
  static constexpr uint8_t kEmpty = 0, kFilling = 1, kReady = 2;
  void fill_once(Level level, const char* event, std::initializer_list<Field> fields) noexcept;

  std::atomic<uint8_t> state_{kEmpty};
  Level level_ = Level::info;
  uint8_t count_ = 0;
  bool fields_truncated_ = false;
  const char* event_ = nullptr;
  std::array<const char*, kMaxFields> keys_{};
  std::array<Field::Kind, kMaxFields> kinds_{};
};

struct LoggerOptions {
  std::string dir = ".";
  std::string file_name = "server.log";
  Level level = Level::info;
  // Formatting/writing threads. Lines keep queue order whatever the count. 0 = no threads: records
  // are written only by flush() and stop() on the caller's thread (tests, one-shot tools).
  unsigned workers = 1;
  bool mirror_stderr = false;
  // Records the queue holds (rounded up to a power of two; 320 bytes each, touched at start so the
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
  // `site` is the statement's own (SB_LOG passes a static): see CallSite.
  void write(CallSite& site, Level level, const char* event, std::initializer_list<Field> fields) noexcept;
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

// Checks the level before building the field list, so a filtered record costs one compare. The
// event and keys must be string literals, the same at every execution of the statement.
#define SB_LOG(logger, lvl, event, ...)                                                  \
  do {                                                                                   \
    if ((logger).enabled(::sb::log::Level::lvl)) {                                       \
      static ::sb::log::CallSite sb_log_site_;                                           \
      (logger).write(sb_log_site_, ::sb::log::Level::lvl, event, {__VA_ARGS__});         \
    }                                                                                    \
  } while (0)
