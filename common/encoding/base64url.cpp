// Base64url (RFC 4648 section 5) without padding: 3 bytes <-> 4 characters of 6 bits each, a
// short last group of 1 or 2 bytes as 2 or 3 characters.
#include "common/encoding/base64url.h"

#include <array>

namespace sb::encoding {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Character -> 6-bit value, or -1 for anything outside the alphabet ('=' included).
constexpr std::array<int8_t, 256> kValues = [] {
  std::array<int8_t, 256> v{};
  v.fill(-1);
  for (int i = 0; i < 64; ++i) v[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return v;
}();

int value_of(char c) { return kValues[static_cast<uint8_t>(c)]; }

}  // namespace

std::string base64url_encode(const uint8_t* data, size_t len) {
  std::string out;
  out.reserve(base64url_encoded_size(len));
  size_t i = 0;
  for (; i + 3 <= len; i += 3) {
    const uint32_t v = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8 | data[i + 2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += kAlphabet[v & 63];
  }
  if (len - i == 1) {
    const uint32_t v = uint32_t{data[i]} << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[v >> 12 & 63];
  } else if (len - i == 2) {
    const uint32_t v = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
  }
  return out;
}

bool base64url_decode(std::string_view text, std::vector<uint8_t>* out) {
  out->clear();
  const size_t tail = text.size() % 4;
  if (tail == 1) return false;
  out->reserve(text.size() / 4 * 3 + (tail == 0 ? 0 : tail - 1));
  size_t i = 0;
  for (; i + 4 <= text.size(); i += 4) {
    const int a = value_of(text[i]), b = value_of(text[i + 1]), c = value_of(text[i + 2]),
              d = value_of(text[i + 3]);
    if ((a | b | c | d) < 0) return out->clear(), false;
    const uint32_t v = uint32_t(a) << 18 | uint32_t(b) << 12 | uint32_t(c) << 6 | uint32_t(d);
    out->push_back(static_cast<uint8_t>(v >> 16));
    out->push_back(static_cast<uint8_t>(v >> 8));
    out->push_back(static_cast<uint8_t>(v));
  }
  if (tail == 2) {
    const int a = value_of(text[i]), b = value_of(text[i + 1]);
    // 12 bits carry one byte; the last character's low 4 bits must be zero.
    if ((a | b) < 0 || (b & 15) != 0) return out->clear(), false;
    out->push_back(static_cast<uint8_t>(a << 2 | b >> 4));
  } else if (tail == 3) {
    const int a = value_of(text[i]), b = value_of(text[i + 1]), c = value_of(text[i + 2]);
    // 18 bits carry two bytes; the last character's low 2 bits must be zero.
    if ((a | b | c) < 0 || (c & 3) != 0) return out->clear(), false;
    const uint32_t v = uint32_t(a) << 12 | uint32_t(b) << 6 | uint32_t(c);
    out->push_back(static_cast<uint8_t>(v >> 10));
    out->push_back(static_cast<uint8_t>(v >> 2));
  }
  return true;
}

bool base64url_decode_exact(std::string_view text, uint8_t* out, size_t n) {
  if (text.size() != base64url_encoded_size(n)) return false;
  std::vector<uint8_t> bytes;
  if (!base64url_decode(text, &bytes) || bytes.size() != n) return false;
  for (size_t i = 0; i < n; ++i) out[i] = bytes[i];
  return true;
}

}  // namespace sb::encoding
