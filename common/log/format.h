// Turns records into logfmt lines (`<RFC 3339 UTC, us> level=.. event=.. key=value ...\n`). Runs on
// the worker threads only. Values are quoted and escaped so no id or payload excerpt can forge a
// line: every byte that could break a line or a parser becomes \n, \", \\ or \xNN.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/log/record.h"

namespace sb::log {

// Appends a logfmt value: bare when it is non-empty printable ASCII/UTF-8 without space, '"', '='
// or '\\'; otherwise in double quotes with escapes. A truncated value is always quoted and ends
// in "..." inside the quotes; a multi-byte character split by the cut is dropped, not escaped.
void append_value(std::string* out, std::string_view value, bool truncated = false);

// Appends "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (UTC). Pure arithmetic, no gmtime/locale/TZ lookups.
void append_timestamp(std::string* out, uint64_t time_ns);

// Formats whole lines. Records come in runs that share a timestamp (the producer reads a coarse
// clock) and a call site (the same event, level and keys), so the formatter keeps the text of the
// last timestamp and of the fixed parts of a few call sites, and a line is mostly copies of
// ready-made text plus its values.
class LineFormatter {
 public:
  void append_record(const Record& record, std::string* out);

 private:
  // " level=<level> event=<event>" and each field's " <key>=" of one call site.
  struct Shape {
    const CallSite* site = nullptr;
    std::string text;                  // the head, then every " key=" back to back
    uint16_t ends[kMaxFields + 1] = {};  // ends[0]: end of the head; ends[i + 1]: of key i
  };
  static constexpr size_t kShapes = 16;  // direct-mapped by site address

  const char* timestamp(uint64_t time_ns);  // "YYYY-MM-DDTHH:MM:SS.uuuuuuZ", 27 bytes
  const Shape& shape_of(const Record& r);

  uint64_t cached_ns_ = UINT64_MAX;
  uint64_t cached_second_ = UINT64_MAX;
  char cached_text_[28] = {};
  Shape shapes_[kShapes];
};

}  // namespace sb::log
