// Poly1305 (RFC 8439 section 2.5) in radix 2^44: h and r are three limbs of 44, 44 and 42 bits,
// products go through unsigned __int128, and the reduction mod 2^130 - 5 folds the part above bit
// 130 back in multiplied by 5. The final "subtract p if h >= p" is a mask, not a branch.
#include "common/crypto/poly1305.h"

#include "common/crypto/bytes.h"

namespace sb::crypto {
namespace {

using detail::load64_le;
using detail::store64_le;
using u128 = unsigned __int128;

constexpr uint64_t kMask44 = (uint64_t{1} << 44) - 1;
constexpr uint64_t kMask42 = (uint64_t{1} << 42) - 1;

}  // namespace

Poly1305::Poly1305(const Poly1305Key& key) {
  // r is clamped as section 2.5 says (r &= 0x0ffffffc0ffffffc0ffffffc0fffffff), then split.
  const uint64_t t0 = load64_le(key.data()) & 0x0ffffffc0fffffffULL;
  const uint64_t t1 = load64_le(key.data() + 8) & 0x0ffffffc0ffffffcULL;
  r_[0] = t0 & kMask44;
  r_[1] = (t0 >> 44 | t1 << 20) & kMask44;
  r_[2] = t1 >> 24;  // at most 36 bits after clamping
  s_[0] = load64_le(key.data() + 16);
  s_[1] = load64_le(key.data() + 24);
}

Poly1305::~Poly1305() {
  detail::wipe(r_, sizeof r_);
  detail::wipe(h_, sizeof h_);
  detail::wipe(s_, sizeof s_);
  detail::wipe(buf_, sizeof buf_);
}

void Poly1305::blocks(const uint8_t* m, size_t count, uint64_t hibit) {
  const uint64_t r0 = r_[0], r1 = r_[1], r2 = r_[2];
  // Limb products that land at or above 2^132 come back multiplied by 20: 2^130 = 5 (mod p), so
  // 2^132 = 4 * 5. r1 * 20 < 2^49 and r2 * 20 < 2^41 keep every sum below 2^96.
  const uint64_t s1 = r1 * 20, s2 = r2 * 20;
  uint64_t h0 = h_[0], h1 = h_[1], h2 = h_[2];
  for (; count > 0; --count, m += kBlockSize) {
    const uint64_t t0 = load64_le(m), t1 = load64_le(m + 8);
    h0 += t0 & kMask44;
    h1 += (t0 >> 44 | t1 << 20) & kMask44;
    h2 += t1 >> 24 | hibit;

    const u128 d0 = u128{h0} * r0 + u128{h1} * s2 + u128{h2} * s1;
    u128 d1 = u128{h0} * r1 + u128{h1} * r0 + u128{h2} * s2;
    u128 d2 = u128{h0} * r2 + u128{h1} * r1 + u128{h2} * r0;

    // Partial reduction: the limbs end below 2^44, 2^44 + 2^14 and 2^42, which is all the next
    // block's additions and products need.
    h0 = static_cast<uint64_t>(d0) & kMask44;
    d1 += static_cast<uint64_t>(d0 >> 44);
    h1 = static_cast<uint64_t>(d1) & kMask44;
    d2 += static_cast<uint64_t>(d1 >> 44);
    h2 = static_cast<uint64_t>(d2) & kMask42;
    h0 += static_cast<uint64_t>(d2 >> 42) * 5;
    h1 += h0 >> 44;
    h0 &= kMask44;
  }
  h_[0] = h0;
  h_[1] = h1;
  h_[2] = h2;
}

void Poly1305::update(const uint8_t* data, size_t len) {
  if (buf_len_ > 0) {
    const size_t take = len < kBlockSize - buf_len_ ? len : kBlockSize - buf_len_;
    for (size_t i = 0; i < take; ++i) buf_[buf_len_ + i] = data[i];
    buf_len_ += take;
    data += take;
    len -= take;
    if (buf_len_ < kBlockSize) return;
    blocks(buf_, 1, uint64_t{1} << 40);
    buf_len_ = 0;
  }
  const size_t whole = len / kBlockSize;
  blocks(data, whole, uint64_t{1} << 40);  // 2^128 is bit 40 of the top limb
  data += whole * kBlockSize;
  len -= whole * kBlockSize;
  for (size_t i = 0; i < len; ++i) buf_[i] = data[i];
  buf_len_ = len;
}

Poly1305Tag Poly1305::finish() {
  if (buf_len_ > 0) {
    // A short last block gets its 0x01 byte right after the data, not at 2^128 (section 2.5).
    buf_[buf_len_] = 1;
    for (size_t i = buf_len_ + 1; i < kBlockSize; ++i) buf_[i] = 0;
    blocks(buf_, 1, 0);
  }

  // Carry fully: h0, h1 < 2^44, h2 < 2^42, so h < 2^130.
  uint64_t h0 = h_[0], h1 = h_[1], h2 = h_[2];
  h2 += h1 >> 44; h1 &= kMask44;
  h0 += (h2 >> 42) * 5; h2 &= kMask42;
  h1 += h0 >> 44; h0 &= kMask44;
  h2 += h1 >> 44; h1 &= kMask44;
  h0 += (h2 >> 42) * 5; h2 &= kMask42;
  h1 += h0 >> 44; h0 &= kMask44;

  // g = h + 5 - 2^130 = h - p. If that did not go negative, h >= p and g is the reduced value.
  uint64_t g0 = h0 + 5;
  uint64_t g1 = h1 + (g0 >> 44);
  g0 &= kMask44;
  uint64_t g2 = h2 + (g1 >> 44) - (uint64_t{1} << 42);
  g1 &= kMask44;
  const uint64_t use_g = (g2 >> 63) - 1;  // all ones when g2 did not borrow
  g2 &= kMask42;
  h0 = (h0 & ~use_g) | (g0 & use_g);
  h1 = (h1 & ~use_g) | (g1 & use_g);
  h2 = (h2 & ~use_g) | (g2 & use_g);

  // tag = (h + s) mod 2^128.
  const uint64_t lo = h0 | h1 << 44;
  const uint64_t hi = h1 >> 20 | h2 << 24;
  const u128 sum_lo = u128{lo} + s_[0];
  const uint64_t tag_hi = hi + s_[1] + static_cast<uint64_t>(sum_lo >> 64);
  Poly1305Tag tag;
  store64_le(tag.data(), static_cast<uint64_t>(sum_lo));
  store64_le(tag.data() + 8, tag_hi);
  return tag;
}

Poly1305Tag poly1305(const Poly1305Key& key, const uint8_t* msg, size_t len) {
  Poly1305 mac(key);
  mac.update(msg, len);
  return mac.finish();
}

}  // namespace sb::crypto
