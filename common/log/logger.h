// The asynchronous logger's public face. The event loop calls write(): it copies a fixed-size record
// (timestamp, level, static event name, raw field values) into a lock-free ring and returns; worker
// threads format logfmt lines and write server.log / client.log. The loop never formats or blocks.
#pragma once

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
  unsigned workers = 1;
  bool mirror_stderr = false;
};

class Logger {
 public:
  Logger();
  ~Logger();  // stops (drains, fsyncs) if still running
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Opens the file and starts the workers. False with *error set if the file cannot be opened.
  bool start(const LoggerOptions& options, std::string* error);
  // Writes everything enqueued so far, fsyncs, joins the workers. Idempotent.
  void stop();

  bool enabled(Level level) const noexcept;
  // The hot path: no allocation, no lock, no syscall, no formatting. Drops (and counts) when full.
  void write(Level level, const char* event, std::initializer_list<Field> fields) noexcept;
  // Reopens the file by name (SIGHUP after logrotate moved it). Safe to call from the loop thread.
  void reopen() noexcept;
  // Records dropped because the queue was full, since start.
  uint64_t dropped() const noexcept;

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace sb::log

// Checks the level before building the field list, so a filtered record costs one compare.
#define SB_LOG(logger, lvl, event, ...)                                   \
  do {                                                                    \
    if ((logger).enabled(::sb::log::Level::lvl))                          \
      (logger).write(::sb::log::Level::lvl, event, {__VA_ARGS__});        \
  } while (0)
