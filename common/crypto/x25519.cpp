// X25519 (RFC 7748 section 5): arithmetic mod p = 2^255 - 19 on five 51-bit limbs with 128-bit
// products, and the section's Montgomery ladder step by step with the same variable names.
// Nothing here branches on or indexes by a secret; cswap uses a mask.
#include "common/crypto/x25519.h"

#include "common/crypto/bytes.h"
#include "common/security/constant_time.h"

namespace sb::crypto {
namespace {

using detail::load64_le;
using detail::store64_le;
using detail::wipe;
using u128 = unsigned __int128;

constexpr uint64_t kMask51 = (uint64_t{1} << 51) - 1;

// A field element: value = f[0] + f[1] 2^51 + f[2] 2^102 + f[3] 2^153 + f[4] 2^204, not
// necessarily reduced. Bounds the code relies on: fe_mul, fe_sq and fe_mul121665 return limbs
// below 2^51 (limb 1 below 2^51 + 2^18); fe_add of two such is below 2^53, fe_sub below 2^53; and
// every multiplication input below 2^54 keeps each column sum below 2^115.
struct Fe {
  uint64_t v[5];
};

void fe_zero(Fe& h) { h = Fe{{0, 0, 0, 0, 0}}; }
void fe_one(Fe& h) { h = Fe{{1, 0, 0, 0, 0}}; }

void fe_add(Fe& h, const Fe& f, const Fe& g) {
  for (int i = 0; i < 5; ++i) h.v[i] = f.v[i] + g.v[i];
}

// f - g computed as f + 2p - g so no limb goes negative: g's limbs are below 2^52 - 38 (2p's).
void fe_sub(Fe& h, const Fe& f, const Fe& g) {
  constexpr uint64_t k2p0 = 2 * ((uint64_t{1} << 51) - 19);
  constexpr uint64_t k2p = 2 * ((uint64_t{1} << 51) - 1);
  h.v[0] = f.v[0] + k2p0 - g.v[0];
  for (int i = 1; i < 5; ++i) h.v[i] = f.v[i] + k2p - g.v[i];
}

// Brings five column sums back to 51-bit limbs. 2^255 = 19 (mod p), so what carries out of the
// top limb comes back into the bottom one times 19; that product needs 128 bits.
void fe_carry(Fe& h, u128 t0, u128 t1, u128 t2, u128 t3, u128 t4) {
  t1 += static_cast<uint64_t>(t0 >> 51);
  t2 += static_cast<uint64_t>(t1 >> 51);
  t3 += static_cast<uint64_t>(t2 >> 51);
  t4 += static_cast<uint64_t>(t3 >> 51);
  const u128 x = u128{static_cast<uint64_t>(t4 >> 51)} * 19 + (static_cast<uint64_t>(t0) & kMask51);
  h.v[0] = static_cast<uint64_t>(x) & kMask51;
  h.v[1] = (static_cast<uint64_t>(t1) & kMask51) + static_cast<uint64_t>(x >> 51);
  h.v[2] = static_cast<uint64_t>(t2) & kMask51;
  h.v[3] = static_cast<uint64_t>(t3) & kMask51;
  h.v[4] = static_cast<uint64_t>(t4) & kMask51;
}

// Schoolbook product; a limb pair whose weights add to 2^255 or more comes back times 19.
void fe_mul(Fe& h, const Fe& f, const Fe& g) {
  const uint64_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
  const uint64_t g0 = g.v[0], g1 = g.v[1], g2 = g.v[2], g3 = g.v[3], g4 = g.v[4];
  const uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
  const u128 t0 = u128{f0} * g0 + u128{f1} * g4_19 + u128{f2} * g3_19 + u128{f3} * g2_19 +
                  u128{f4} * g1_19;
  const u128 t1 = u128{f0} * g1 + u128{f1} * g0 + u128{f2} * g4_19 + u128{f3} * g3_19 +
                  u128{f4} * g2_19;
  const u128 t2 = u128{f0} * g2 + u128{f1} * g1 + u128{f2} * g0 + u128{f3} * g4_19 +
                  u128{f4} * g3_19;
  const u128 t3 = u128{f0} * g3 + u128{f1} * g2 + u128{f2} * g1 + u128{f3} * g0 +
                  u128{f4} * g4_19;
  const u128 t4 = u128{f0} * g4 + u128{f1} * g3 + u128{f2} * g2 + u128{f3} * g1 + u128{f4} * g0;
  fe_carry(h, t0, t1, t2, t3, t4);
}

// fe_mul(h, f, f) with the symmetric products counted once and doubled: 15 multiplies, not 25.
void fe_sq(Fe& h, const Fe& f) {
  const uint64_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
  const uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1;
  const uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4, f3_38 = 38 * f3, f4_38 = 38 * f4;
  const u128 t0 = u128{f0} * f0 + u128{f1} * f4_38 + u128{f2} * f3_38;
  const u128 t1 = u128{f0_2} * f1 + u128{f2} * f4_38 + u128{f3} * f3_19;
  const u128 t2 = u128{f0_2} * f2 + u128{f1} * f1 + u128{f3} * f4_38;
  const u128 t3 = u128{f0_2} * f3 + u128{f1_2} * f2 + u128{f4} * f4_19;
  const u128 t4 = u128{f0_2} * f4 + u128{f1_2} * f3 + u128{f2} * f2;
  fe_carry(h, t0, t1, t2, t3, t4);
}

// h = f^(2^n).
void fe_sq_n(Fe& h, const Fe& f, int n) {
  fe_sq(h, f);
  for (int i = 1; i < n; ++i) fe_sq(h, h);
}

// Section 5's a24 = 121665 times f.
void fe_mul121665(Fe& h, const Fe& f) {
  constexpr uint64_t kA24 = 121665;
  fe_carry(h, u128{f.v[0]} * kA24, u128{f.v[1]} * kA24, u128{f.v[2]} * kA24, u128{f.v[3]} * kA24,
           u128{f.v[4]} * kA24);
}

// z^(p - 2) = 1/z (Fermat), by a fixed chain of squarings and multiplications. p - 2 = 2^255 - 21
// = (2^250 - 1) * 2^5 + 11, and 2^250 - 1 is built from z^(2^k - 1) for k = 5, 10, 20, 40, 50,
// 100, 200, 250. The chain is the same for every z, so its timing says nothing about z.
void fe_invert(Fe& out, const Fe& z) {
  Fe z2, z9, z11, t, z_5_0, z_10_0, z_20_0, z_50_0, z_100_0;
  fe_sq(z2, z);                 // z^2
  fe_sq_n(t, z2, 2);            // z^8
  fe_mul(z9, t, z);             // z^9
  fe_mul(z11, z9, z2);          // z^11
  fe_sq(t, z11);                // z^22
  fe_mul(z_5_0, t, z9);         // z^31 = z^(2^5 - 1)
  fe_sq_n(t, z_5_0, 5);
  fe_mul(z_10_0, t, z_5_0);     // z^(2^10 - 1)
  fe_sq_n(t, z_10_0, 10);
  fe_mul(z_20_0, t, z_10_0);    // z^(2^20 - 1)
  fe_sq_n(t, z_20_0, 20);
  fe_mul(t, t, z_20_0);         // z^(2^40 - 1)
  fe_sq_n(t, t, 10);
  fe_mul(z_50_0, t, z_10_0);    // z^(2^50 - 1)
  fe_sq_n(t, z_50_0, 50);
  fe_mul(z_100_0, t, z_50_0);   // z^(2^100 - 1)
  fe_sq_n(t, z_100_0, 100);
  fe_mul(t, t, z_100_0);        // z^(2^200 - 1)
  fe_sq_n(t, t, 50);
  fe_mul(t, t, z_50_0);         // z^(2^250 - 1)
  fe_sq_n(t, t, 5);             // z^(2^255 - 32)
  fe_mul(out, t, z11);          // z^(2^255 - 21)
  for (Fe* p : {&z2, &z9, &z11, &t, &z_5_0, &z_10_0, &z_20_0, &z_50_0, &z_100_0})
    wipe(p, sizeof *p);
}

// Section 5's decodeUCoordinate: little-endian, the top bit masked off. A value of p or more is
// kept as it is; the arithmetic is mod p, which is the reduction the section asks for.
void fe_frombytes(Fe& h, const uint8_t s[32]) {
  const uint64_t w0 = load64_le(s), w1 = load64_le(s + 8), w2 = load64_le(s + 16),
                 w3 = load64_le(s + 24);
  h.v[0] = w0 & kMask51;
  h.v[1] = (w0 >> 51 | w1 << 13) & kMask51;
  h.v[2] = (w1 >> 38 | w2 << 26) & kMask51;
  h.v[3] = (w2 >> 25 | w3 << 39) & kMask51;
  h.v[4] = (w3 >> 12) & kMask51;  // drops bit 255
}

// Section 5's encodeUCoordinate: the unique value in [0, p), little-endian.
void fe_tobytes(uint8_t s[32], const Fe& f) {
  uint64_t h[5] = {f.v[0], f.v[1], f.v[2], f.v[3], f.v[4]};
  // Two carry passes: every limb below 2^51 except h[0] (below 2^51 + 19), so h < 2^255 + 19 < 2p.
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < 4; ++i) {
      h[i + 1] += h[i] >> 51;
      h[i] &= kMask51;
    }
    h[0] += 19 * (h[4] >> 51);
    h[4] &= kMask51;
  }
  // q = 1 exactly when h >= p, i.e. when h + 19 reaches 2^255. Then h - p = h + 19 - 2^255: add
  // 19 q, carry through, and drop bit 255.
  uint64_t q = (h[0] + 19) >> 51;
  for (int i = 1; i < 5; ++i) q = (h[i] + q) >> 51;
  h[0] += 19 * q;
  for (int i = 0; i < 4; ++i) {
    h[i + 1] += h[i] >> 51;
    h[i] &= kMask51;
  }
  h[4] &= kMask51;
  store64_le(s, h[0] | h[1] << 51);
  store64_le(s + 8, h[1] >> 13 | h[2] << 38);
  store64_le(s + 16, h[2] >> 26 | h[3] << 25);
  store64_le(s + 24, h[3] >> 39 | h[4] << 12);
  wipe(h, sizeof h);
}

// Section 5's cswap: exchanges a and b when swap is 1, with the same instructions either way.
void fe_cswap(uint64_t swap, Fe& a, Fe& b) {
  const uint64_t mask = 0 - swap;
  for (int i = 0; i < 5; ++i) {
    const uint64_t x = mask & (a.v[i] ^ b.v[i]);
    a.v[i] ^= x;
    b.v[i] ^= x;
  }
}

}  // namespace

void x25519(const X25519Key& scalar, const X25519Key& u, X25519Key& out) {
  // decodeScalar25519: clear the 3 low bits and bit 255, set bit 254.
  uint8_t k[32];
  for (int i = 0; i < 32; ++i) k[i] = scalar[i];
  k[0] &= 248;
  k[31] &= 127;
  k[31] |= 64;

  Fe x_1, x_2, z_2, x_3, z_3;
  fe_frombytes(x_1, u.data());
  fe_one(x_2);
  fe_zero(z_2);
  x_3 = x_1;
  fe_one(z_3);
  uint64_t swap = 0;

  Fe A, AA, B, BB, E, C, D, DA, CB, t;
  for (int i = 254; i >= 0; --i) {
    const uint64_t k_t = (k[i >> 3] >> (i & 7)) & 1;
    swap ^= k_t;
    fe_cswap(swap, x_2, x_3);
    fe_cswap(swap, z_2, z_3);
    swap = k_t;

    fe_add(A, x_2, z_2);
    fe_sq(AA, A);
    fe_sub(B, x_2, z_2);
    fe_sq(BB, B);
    fe_sub(E, AA, BB);
    fe_add(C, x_3, z_3);
    fe_sub(D, x_3, z_3);
    fe_mul(DA, D, A);
    fe_mul(CB, C, B);
    fe_add(t, DA, CB);
    fe_sq(x_3, t);               // x_3 = (DA + CB)^2
    fe_sub(t, DA, CB);
    fe_sq(t, t);
    fe_mul(z_3, x_1, t);         // z_3 = x_1 * (DA - CB)^2
    fe_mul(x_2, AA, BB);         // x_2 = AA * BB
    fe_mul121665(t, E);
    fe_add(t, AA, t);
    fe_mul(z_2, E, t);           // z_2 = E * (AA + a24 * E)
  }
  fe_cswap(swap, x_2, x_3);
  fe_cswap(swap, z_2, z_3);

  // x_2 * z_2^(p - 2). z_2 = 0 (a low-order u) gives 0, as the section's formula does.
  fe_invert(z_2, z_2);
  fe_mul(x_2, x_2, z_2);
  fe_tobytes(out.data(), x_2);

  wipe(k, sizeof k);
  for (Fe* p : {&x_1, &x_2, &z_2, &x_3, &z_3, &A, &AA, &B, &BB, &E, &C, &D, &DA, &CB, &t})
    wipe(p, sizeof *p);
}

void x25519_public_key(const X25519Key& private_key, X25519Key& public_key) {
  static constexpr X25519Key kBasePoint = {9};
  x25519(private_key, kBasePoint, public_key);
}

bool x25519_shared_secret(const X25519Key& private_key, const X25519Key& peer_public,
                          X25519Key& shared) {
  x25519(private_key, peer_public, shared);
  // The check is itself constant time: it reveals only "all zero or not", which depends on the
  // peer's key, not ours. The caller branches on the result.
  static constexpr X25519Key kZero = {};
  return !security::constant_time_equal(shared.data(), kZero.data(), kZero.size());
}

}  // namespace sb::crypto
