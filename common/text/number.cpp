// Strict number parsing: the grammar is checked by hand (from_chars alone would take "1e3",
// "inf" and, for doubles, a leading '-'), then from_chars does the conversion and the overflow
// check.
#include "common/text/number.h"

#include <charconv>
#include <cmath>

namespace sb::text {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

size_t count_digits(std::string_view text, size_t from) {
  size_t i = from;
  while (i < text.size() && is_digit(text[i])) ++i;
  return i - from;
}

}  // namespace

bool parse_uint(std::string_view text, uint64_t min, uint64_t max, uint64_t* out) {
  if (text.empty() || count_digits(text, 0) != text.size()) return false;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) return false;
  *out = v;
  return true;
}

bool parse_decimal(std::string_view text, double min, double max, double* out) {
  size_t whole = count_digits(text, 0);
  if (whole == 0) return false;  // also refuses "", ".5", "-1", "+1", " 1", "inf", "nan"
  if (whole < text.size()) {
    if (text[whole] != '.') return false;  // "5x", "1e3", "1,5"
    size_t fraction = count_digits(text, whole + 1);
    if (fraction == 0 || whole + 1 + fraction != text.size()) return false;  // "5.", "1.2.3"
  }
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  // ERANGE: more digits than a double holds in range (only absurdly long inputs get here).
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v < min || v > max)
    return false;
  *out = v;
  return true;
}

}  // namespace sb::text
