// Poly1305 as RFC 8439 section 2.5 specifies it: a one-time authenticator, the tag of a message
// under a 32-byte key (r, s) used for that message only. Constant time: no branch and no memory
// index depends on the key or the message. Vectors: tests/unit/test_crypto_poly1305.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sb::crypto {

inline constexpr size_t kPoly1305KeySize = 32;
inline constexpr size_t kPoly1305TagSize = 16;

using Poly1305Key = std::array<uint8_t, kPoly1305KeySize>;
using Poly1305Tag = std::array<uint8_t, kPoly1305TagSize>;

// Incremental form: any split of the message over update() calls gives the same tag. The
// accumulator is held in three limbs of 44, 44 and 42 bits, so each product of two limbs fits a
// 64x64->128-bit multiply with room for the sums (section 2.5's "not a generic bignum" advice).
class Poly1305 {
 public:
  static constexpr size_t kBlockSize = 16;

  explicit Poly1305(const Poly1305Key& key);
  ~Poly1305();  // wipes the key and the accumulator
  Poly1305(const Poly1305&) = delete;
  Poly1305& operator=(const Poly1305&) = delete;

  void update(const uint8_t* data, size_t len);
  // Ends the message. The object must not be used afterwards.
  Poly1305Tag finish();

 private:
  // Adds each 16-byte block (with 2^128 set for a whole block, `hibit`) and multiplies by r.
  void blocks(const uint8_t* m, size_t count, uint64_t hibit);

  uint64_t r_[3];
  uint64_t r20_[3];  // 0, r1 * 20, r2 * 20: see mul_add in poly1305.cpp
  uint64_t rr_[3];   // r^2 mod p, partially reduced
  uint64_t rr20_[3];
  uint64_t h_[3] = {0, 0, 0};
  uint64_t s_[2];
  uint8_t buf_[kBlockSize];
  size_t buf_len_ = 0;
};

// One shot: the tag of msg[0..len) under key.
Poly1305Tag poly1305(const Poly1305Key& key, const uint8_t* msg, size_t len);

}  // namespace sb::crypto
