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

// Formats whole lines. Keeps the text of the last second seen, since consecutive records almost
// always share it and only the microseconds then need formatting.
class LineFormatter {
 public:
  void append_record(const Record& record, std::string* out);

 private:
  void append_time(uint64_t time_ns, std::string* out);
  uint64_t cached_second_ = UINT64_MAX;
  char cached_text_[20] = {};  // "YYYY-MM-DDTHH:MM:SS"
};

}  // namespace sb::log
