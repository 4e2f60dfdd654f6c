// The control line of a delivered message, "FROM <source> <len>\n", built on the stack: the
// server writes one per routed message, so it never allocates.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <string_view>

#include "common/protocol/frame.h"

namespace sb::proto {

// "FROM <source> <len>\n": at most 5 + 64 + 1 + 20 + 1 bytes.
struct FromHeader {
  char bytes[96];
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
  std::string_view view() const { return {bytes, size}; }
};

}  // namespace sb::proto
