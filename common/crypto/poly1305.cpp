// Poly1305 (RFC 8439 section 2.5) in radix 2^44: h and r are three limbs of 44, 44 and 42 bits,
// products go through unsigned __int128, and the reduction mod 2^130 - 5 folds the part above bit
// 130 back in multiplied by 5. Whole blocks go two at a time with r^2. The final "subtract p if
// h >= p" is a mask, not a branch.
#include "common/crypto/poly1305.h"

#include "common/crypto/bytes.h"

namespace sb::crypto {
namespace {

using detail::load64_le;
using detail::store64_le;
using u128 = unsigned __int128;

constexpr uint64_t kMask44 = (uint64_t{1} << 44) - 1;
constexpr uint64_t kMask42 = (uint64_t{1} << 42) - 1;
constexpr uint64_t kHibit = uint64_t{1} << 40;  // 2^128 is bit 40 of the top limb

// A block's 16 bytes as limbs, plus 2^128 (hibit) for a whole block.
inline void load_block(const uint8_t* m, uint64_t hibit, uint64_t out[3]) {
  const uint64_t t0 = load64_le(m), t1 = load64_le(m + 8);
  out[0] = t0 & kMask44;
  out[1] = (t0 >> 44 | t1 << 20) & kMask44;
  out[2] = t1 >> 24 | hibit;
}

// d += a * x as three column sums. Limb products at or above 2^132 come back multiplied by 20
// (2^130 = 5 mod p, so 2^132 = 4 * 5): x20 holds x1 * 20 and x2 * 20. With a below 2^45 and
// x20 below 2^49, six such products still sum below 2^96.
inline void mul_add(u128 d[3], const uint64_t a[3], const uint64_t x[3], const uint64_t x20[3]) {
  d[0] += u128{a[0]} * x[0] + u128{a[1]} * x20[2] + u128{a[2]} * x20[1];
  d[1] += u128{a[0]} * x[1] + u128{a[1]} * x[0] + u128{a[2]} * x20[2];
  d[2] += u128{a[0]} * x[2] + u128{a[1]} * x[1] + u128{a[2]} * x[0];
}

// Partial reduction of the column sums: limbs below 2^44, 2^44 + 2^14 and 2^42, which is all the
// next additions and products need.
inline void carry(u128 d[3], uint64_t h[3]) {
  h[0] = static_cast<uint64_t>(d[0]) & kMask44;
  d[1] += static_cast<uint64_t>(d[0] >> 44);
  h[1] = static_cast<uint64_t>(d[1]) & kMask44;
  d[2] += static_cast<uint64_t>(d[1] >> 44);
  h[2] = static_cast<uint64_t>(d[2]) & kMask42;
  h[0] += static_cast<uint64_t>(d[2] >> 42) * 5;
  h[1] += h[0] >> 44;
  h[0] &= kMask44;
}

}  // namespace

Poly1305::Poly1305(const Poly1305Key& key) {
  // r is clamped as section 2.5 says (r &= 0x0ffffffc0ffffffc0ffffffc0fffffff), then split.
  const uint64_t t0 = load64_le(key.data()) & 0x0ffffffc0fffffffULL;
  const uint64_t t1 = load64_le(key.data() + 8) & 0x0ffffffc0ffffffcULL;
  r_[0] = t0 & kMask44;
  r_[1] = (t0 >> 44 | t1 << 20) & kMask44;
  r_[2] = t1 >> 24;  // at most 36 bits after clamping
  r20_[0] = 0;
  r20_[1] = r_[1] * 20;
  r20_[2] = r_[2] * 20;
  // r^2 mod p, for two blocks per step (see blocks()).
  u128 d[3] = {0, 0, 0};
  mul_add(d, r_, r_, r20_);
  carry(d, rr_);
  rr20_[0] = 0;
  rr20_[1] = rr_[1] * 20;
  rr20_[2] = rr_[2] * 20;
  s_[0] = load64_le(key.data() + 16);
  s_[1] = load64_le(key.data() + 24);
}

Poly1305::~Poly1305() {
  detail::wipe(r_, sizeof r_);
  detail::wipe(r20_, sizeof r20_);
  detail::wipe(rr_, sizeof rr_);
  detail::wipe(rr20_, sizeof rr20_);
  detail::wipe(h_, sizeof h_);
  detail::wipe(s_, sizeof s_);
  detail::wipe(buf_, sizeof buf_);
}

void Poly1305::blocks(const uint8_t* m, size_t count, uint64_t hibit) {
  uint64_t h[3] = {h_[0], h_[1], h_[2]};
  uint64_t a[3], b[3];
  // Two blocks per step: ((h + m1) r + m2) r = (h + m1) r^2 + m2 r. The two products are
  // independent, so the multiplier works on both while the carries of the last step settle;
  // one block at a time, every step waits for the previous one's carry chain.
  for (; count >= 2; count -= 2, m += 2 * kBlockSize) {
    load_block(m, hibit, a);
    load_block(m + kBlockSize, hibit, b);
    for (int i = 0; i < 3; ++i) a[i] += h[i];
    u128 d[3] = {0, 0, 0};
    mul_add(d, a, rr_, rr20_);
    mul_add(d, b, r_, r20_);
    carry(d, h);
  }
  if (count == 1) {
    load_block(m, hibit, a);
    for (int i = 0; i < 3; ++i) a[i] += h[i];
    u128 d[3] = {0, 0, 0};
    mul_add(d, a, r_, r20_);
    carry(d, h);
  }
  for (int i = 0; i < 3; ++i) h_[i] = h[i];
}

void Poly1305::update(const uint8_t* data, size_t len) {
  if (buf_len_ > 0) {
    const size_t take = len < kBlockSize - buf_len_ ? len : kBlockSize - buf_len_;
    for (size_t i = 0; i < take; ++i) buf_[buf_len_ + i] = data[i];
    buf_len_ += take;
    data += take;
    len -= take;
    if (buf_len_ < kBlockSize) return;
    blocks(buf_, 1, kHibit);
    buf_len_ = 0;
  }
  const size_t whole = len / kBlockSize;
  blocks(data, whole, kHibit);
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
