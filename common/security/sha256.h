// SHA-256 exactly as FIPS 180-4 specifies it (sections 4.1.2, 4.2.2, 5.1.1, 5.3.3, 6.2), written
// here because the platform offers no crypto library (no OpenSSL, no AF_ALG). Checked against the
// published NIST vectors in tests/unit/test_sha256.cpp. Used to store and compare auth tokens.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb::security {

inline constexpr size_t kSha256DigestSize = 32;
using Sha256Digest = std::array<uint8_t, kSha256DigestSize>;

// Incremental hasher: any sequence of update() calls over the same bytes gives the same digest
// as one call over all of them. Messages up to 2^64 - 1 bits, as the standard allows.
class Sha256 {
 public:
  static constexpr size_t kBlockSize = 64;

  Sha256() { reset(); }

  void reset();
  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Pads, returns the digest and resets the object, so it can hash the next message.
  Sha256Digest final();

 private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> h_;
  std::array<uint8_t, kBlockSize> buf_;
  size_t buf_len_;
  uint64_t total_bytes_;  // mod 2^64; the bit length is this times 8, mod 2^64 as the spec pads
};

Sha256Digest sha256(std::string_view message);

// Lower-case hex, two characters per byte (the form sha256sum prints).
std::string to_hex(const uint8_t* data, size_t len);
inline std::string to_hex(const Sha256Digest& d) { return to_hex(d.data(), d.size()); }

// Parses exactly 64 hex digits (either case) into a digest; false on any other input.
bool parse_hex_digest(std::string_view hex, Sha256Digest* out);

}  // namespace sb::security
