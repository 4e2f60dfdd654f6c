// The one set of rules for numbers given as text (flags, the config file) by the server, the client
// and the bench: the whole string must be the number, in plain decimal, inside an explicit range.
// "5x", " 5", "+5", "0x10", "1e3", "inf" and values past the range or the type are all refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace sb::text {

// One or more ASCII digits and nothing else (leading zeros are fine), with min <= value <= max.
// No sign: none of our counts, sizes or ports can be negative, so a '-' is a typo worth refusing.
// False (and *out untouched) otherwise, including on overflow of uint64_t.
bool parse_uint(std::string_view text, uint64_t min, uint64_t max, uint64_t* out);

// A length or a count on the wire: 1 to max_digits ASCII digits and nothing else, so a value of at
// most 18 digits cannot overflow. The protocol parsers read theirs with it; inline, since one runs
// per SEND.
inline bool parse_digits(std::string_view text, size_t max_digits, size_t* out) {
  if (text.empty() || text.size() > max_digits) return false;
  size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<size_t>(c - '0');
  }
  *out = value;
  return true;
}

// The same into a narrower unsigned type (uint32_t, uint16_t, size_t where it differs from uint64_t).
template <typename T>
bool parse_uint(std::string_view text, std::type_identity_t<T> min, std::type_identity_t<T> max, T* out) {
  static_assert(std::is_unsigned_v<T>);
  uint64_t v = 0;
  if (!parse_uint(text, uint64_t{min}, uint64_t{max}, &v)) return false;
  *out = static_cast<T>(v);
  return true;
}

// A non-negative decimal with an optional fraction: digits, then optionally '.' and digits
// ("5", "0.25", "604800"). No sign, no exponent, no "inf"/"nan", nothing before or after, and
// min <= value <= max. Seconds and rates are read this way.
bool parse_decimal(std::string_view text, double min, double max, double* out);

// Seconds are decimals; the name says at the call site what the number means.
inline bool parse_seconds(std::string_view text, double min, double max, double* out) {
  return parse_decimal(text, min, max, out);
}

}  // namespace sb::text
