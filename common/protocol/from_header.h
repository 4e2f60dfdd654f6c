// The control line of a delivered message, "FROM <source> <len>\n" or, for a message that came
// through a group or a pattern, "FROM <source> <len> <via>\n", built on the stack: the server
// writes one per routed message, so it never allocates.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <string_view>

#include "common/protocol/frame.h"

namespace sb::proto {

// At most 5 + 64 + 1 + 20 + 1 + 65 + 1 bytes (a via is a pattern or a sigil and a group name).
struct FromHeader {
  static constexpr size_t kMaxVia = kMaxIdLen + 1;
  char bytes[160];
  size_t size;
  FromHeader(std::string_view source, size_t payload_len) {
    // Registered ids are at most kMaxIdLen bytes; the clamp also lets the compiler see the bound.
    const size_t id_len = std::min(source.size(), kMaxIdLen);
    std::memcpy(bytes, "FROM ", 5);
    std::memcpy(bytes + 5, source.data(), id_len);
    size_t n = 5 + id_len;
    bytes[n++] = ' ';
    char digits[20];  // a size_t has at most 20 decimal digits
    const size_t digit_count = static_cast<size_t>(std::to_chars(digits, digits + sizeof digits, payload_len).ptr - digits);
    std::memcpy(bytes + n, digits, digit_count);
    n += digit_count;
    bytes[n++] = '\n';
    size = n;
  }
  FromHeader(std::string_view source, size_t payload_len, std::string_view via) : FromHeader(source, payload_len) {
    const size_t via_len = std::min(via.size(), kMaxVia);
    bytes[size - 1] = ' ';
    std::memcpy(bytes + size, via.data(), via_len);
    size += via_len;
    bytes[size++] = '\n';
  }
  std::string_view view() const { return {bytes, size}; }
};

}  // namespace sb::proto
