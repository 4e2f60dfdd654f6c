// Hex <-> bytes for the crypto tests, whose vectors (RFCs, Wycheproof) are printed in hex.
// Strict: an odd length or a non-hex character throws, so a mistyped vector fails its test.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/security/sha256.h"

namespace sb::test {

inline int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline std::vector<uint8_t> unhex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd-length hex: " + std::string(hex));
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) throw std::invalid_argument("not hex: " + std::string(hex));
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

template <size_t N>
std::array<uint8_t, N> unhex_array(std::string_view hex) {
  const std::vector<uint8_t> v = unhex(hex);
  if (v.size() != N)
    throw std::invalid_argument("expected " + std::to_string(N) + " bytes: " + std::string(hex));
  std::array<uint8_t, N> out;
  for (size_t i = 0; i < N; ++i) out[i] = v[i];
  return out;
}

inline std::string hex(const uint8_t* data, size_t len) { return security::to_hex(data, len); }
template <typename Bytes>
std::string hex(const Bytes& b) {
  return security::to_hex(b.data(), b.size());
}

}  // namespace sb::test
