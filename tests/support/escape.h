// Printable form of arbitrary bytes, for failure messages and the event summaries tests compare:
// "\n", "\r" and "\\" spelled out, every other byte outside printable ASCII as "\xNN". A backslash
// is escaped too, so two different inputs never print the same (a comparison of escaped forms is
// a comparison of the bytes). No GoogleTest here: the fuzz targets use it as well.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace sb::test {

inline std::string escaped(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// The first `max` bytes escaped, and the size of the whole when there is more.
inline std::string escape_bytes(std::string_view s, size_t max = 200) {
  if (s.size() <= max) return escaped(s);
  return escaped(s.substr(0, max)) + "...(" + std::to_string(s.size()) + " bytes)";
}

}  // namespace sb::test
