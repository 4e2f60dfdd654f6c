// RFC 8439's ChaCha20 block function on several blocks at once: register i holds state word i of
// 4 (SSE2) or 8 (AVX2) consecutive blocks, so each quarter round runs on all of them with the same
// instructions; a transpose at the end puts each block's words back in order.
// The AVX2 functions carry target("avx2") so the rest of the build needs no -mavx2; chacha20.cpp
// calls them only when the CPU reports AVX2.
#include "common/crypto/chacha20_x86.h"

#include <cstdlib>

#if defined(__x86_64__)
#include <immintrin.h>

namespace sb::crypto::detail {
namespace {

// --- SSE2: 4 blocks -------------------------------------------------------------------------

template <int N>
inline __m128i rotl_sse2(__m128i v) {
  return _mm_or_si128(_mm_slli_epi32(v, N), _mm_srli_epi32(v, 32 - N));
}

// A 16-bit rotation swaps the halves of each word: two 16-bit shuffles, no shifts.
template <>
inline __m128i rotl_sse2<16>(__m128i v) {
  return _mm_shufflehi_epi16(_mm_shufflelo_epi16(v, 0xB1), 0xB1);
}

inline void quarter_round_sse2(__m128i& a, __m128i& b, __m128i& c, __m128i& d) {
  a = _mm_add_epi32(a, b); d = rotl_sse2<16>(_mm_xor_si128(d, a));
  c = _mm_add_epi32(c, d); b = rotl_sse2<12>(_mm_xor_si128(b, c));
  a = _mm_add_epi32(a, b); d = rotl_sse2<8>(_mm_xor_si128(d, a));
  c = _mm_add_epi32(c, d); b = rotl_sse2<7>(_mm_xor_si128(b, c));
}

// --- AVX2: 8 blocks -------------------------------------------------------------------------

#define SB_AVX2 __attribute__((target("avx2")))

template <int N>
SB_AVX2 inline __m256i rotl_avx2(__m256i v) {
  return _mm256_or_si256(_mm256_slli_epi32(v, N), _mm256_srli_epi32(v, 32 - N));
}

// Rotations by whole bytes are one byte shuffle: a word's bytes b0 b1 b2 b3 become b2 b3 b0 b1
// (16) or b3 b0 b1 b2 (8).
template <>
SB_AVX2 inline __m256i rotl_avx2<16>(__m256i v) {
  const __m256i k = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
                                     2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
  return _mm256_shuffle_epi8(v, k);
}

template <>
SB_AVX2 inline __m256i rotl_avx2<8>(__m256i v) {
  const __m256i k = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14,
                                     3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
  return _mm256_shuffle_epi8(v, k);
}

SB_AVX2 inline void quarter_round_avx2(__m256i& a, __m256i& b, __m256i& c, __m256i& d) {
  a = _mm256_add_epi32(a, b); d = rotl_avx2<16>(_mm256_xor_si256(d, a));
  c = _mm256_add_epi32(c, d); b = rotl_avx2<12>(_mm256_xor_si256(b, c));
  a = _mm256_add_epi32(a, b); d = rotl_avx2<8>(_mm256_xor_si256(d, a));
  c = _mm256_add_epi32(c, d); b = rotl_avx2<7>(_mm256_xor_si256(b, c));
}

// Section 2.3's column round then diagonal round, as in the portable code. Written out once per
// register type: a template shared by both would not carry the AVX2 target, and GCC refuses to
// inline AVX2 code into a function without it.
inline void double_round_sse2(__m128i x[16]) {
  quarter_round_sse2(x[0], x[4], x[8], x[12]);
  quarter_round_sse2(x[1], x[5], x[9], x[13]);
  quarter_round_sse2(x[2], x[6], x[10], x[14]);
  quarter_round_sse2(x[3], x[7], x[11], x[15]);
  quarter_round_sse2(x[0], x[5], x[10], x[15]);
  quarter_round_sse2(x[1], x[6], x[11], x[12]);
  quarter_round_sse2(x[2], x[7], x[8], x[13]);
  quarter_round_sse2(x[3], x[4], x[9], x[14]);
}

SB_AVX2 inline void double_round_avx2(__m256i x[16]) {
  quarter_round_avx2(x[0], x[4], x[8], x[12]);
  quarter_round_avx2(x[1], x[5], x[9], x[13]);
  quarter_round_avx2(x[2], x[6], x[10], x[14]);
  quarter_round_avx2(x[3], x[7], x[11], x[15]);
  quarter_round_avx2(x[0], x[5], x[10], x[15]);
  quarter_round_avx2(x[1], x[6], x[11], x[12]);
  quarter_round_avx2(x[2], x[7], x[8], x[13]);
  quarter_round_avx2(x[3], x[4], x[9], x[14]);
}

// XORs 16 bytes of keystream into 16 bytes of input.
inline void xor16(const uint8_t* in, uint8_t* out, __m128i ks) {
  const __m128i m = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_xor_si128(m, ks));
}

SB_AVX2 inline void xor32(const uint8_t* in, uint8_t* out, __m256i ks) {
  const __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_xor_si256(m, ks));
}

}  // namespace

bool cpu_has_sse2() { return true; }  // part of the x86-64 baseline

bool cpu_has_avx2() {
  __builtin_cpu_init();  // harmless if already done; required if we run before libgcc's constructor
  return __builtin_cpu_supports("avx2");
}

void chacha20_xor_blocks_sse2(const uint32_t state[16], const uint8_t* in, uint8_t* out) {
  __m128i input[16], x[16];
  for (int i = 0; i < 16; ++i) input[i] = _mm_set1_epi32(static_cast<int>(state[i]));
  input[12] = _mm_add_epi32(input[12], _mm_setr_epi32(0, 1, 2, 3));
  for (int i = 0; i < 16; ++i) x[i] = input[i];
  for (int i = 0; i < 10; ++i) double_round_sse2(x);
  for (int i = 0; i < 16; ++i) x[i] = _mm_add_epi32(x[i], input[i]);

  // Words 4g..4g+3 of the four blocks, transposed, are bytes 16g..16g+15 of each block.
  for (int g = 0; g < 4; ++g) {
    const __m128i* w = x + 4 * g;
    const __m128i t0 = _mm_unpacklo_epi32(w[0], w[1]);  // w0b0 w1b0 w0b1 w1b1
    const __m128i t1 = _mm_unpackhi_epi32(w[0], w[1]);  // w0b2 w1b2 w0b3 w1b3
    const __m128i t2 = _mm_unpacklo_epi32(w[2], w[3]);
    const __m128i t3 = _mm_unpackhi_epi32(w[2], w[3]);
    const size_t off = 16 * static_cast<size_t>(g);
    xor16(in + 0 * 64 + off, out + 0 * 64 + off, _mm_unpacklo_epi64(t0, t2));
    xor16(in + 1 * 64 + off, out + 1 * 64 + off, _mm_unpackhi_epi64(t0, t2));
    xor16(in + 2 * 64 + off, out + 2 * 64 + off, _mm_unpacklo_epi64(t1, t3));
    xor16(in + 3 * 64 + off, out + 3 * 64 + off, _mm_unpackhi_epi64(t1, t3));
  }
}

SB_AVX2 void chacha20_xor_blocks_avx2(const uint32_t state[16], const uint8_t* in, uint8_t* out) {
  __m256i input[16], x[16];
  for (int i = 0; i < 16; ++i) input[i] = _mm256_set1_epi32(static_cast<int>(state[i]));
  input[12] = _mm256_add_epi32(input[12], _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  for (int i = 0; i < 16; ++i) x[i] = input[i];
  for (int i = 0; i < 10; ++i) double_round_avx2(x);
  for (int i = 0; i < 16; ++i) x[i] = _mm256_add_epi32(x[i], input[i]);

  // Words 8h..8h+7 of the eight blocks, transposed (an 8x8 transpose of 32-bit words), are bytes
  // 32h..32h+31 of each block.
  for (int h = 0; h < 2; ++h) {
    const __m256i* w = x + 8 * h;
    // Pairs of words: within each 128-bit half, t0 = w0b0 w1b0 w0b1 w1b1 | w0b4 w1b4 w0b5 w1b5.
    const __m256i t0 = _mm256_unpacklo_epi32(w[0], w[1]);
    const __m256i t1 = _mm256_unpackhi_epi32(w[0], w[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(w[2], w[3]);
    const __m256i t3 = _mm256_unpackhi_epi32(w[2], w[3]);
    const __m256i t4 = _mm256_unpacklo_epi32(w[4], w[5]);
    const __m256i t5 = _mm256_unpackhi_epi32(w[4], w[5]);
    const __m256i t6 = _mm256_unpacklo_epi32(w[6], w[7]);
    const __m256i t7 = _mm256_unpackhi_epi32(w[6], w[7]);
    // Quads: u0 = w0..w3 of block 0 | w0..w3 of block 4, u1 blocks 1|5, u2 2|6, u3 3|7; u4..u7
    // the same for w4..w7.
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2);
    const __m256i u1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3);
    const __m256i u3 = _mm256_unpackhi_epi64(t1, t3);
    const __m256i u4 = _mm256_unpacklo_epi64(t4, t6);
    const __m256i u5 = _mm256_unpackhi_epi64(t4, t6);
    const __m256i u6 = _mm256_unpacklo_epi64(t5, t7);
    const __m256i u7 = _mm256_unpackhi_epi64(t5, t7);
    const size_t off = 32 * static_cast<size_t>(h);
    xor32(in + 0 * 64 + off, out + 0 * 64 + off, _mm256_permute2x128_si256(u0, u4, 0x20));
    xor32(in + 1 * 64 + off, out + 1 * 64 + off, _mm256_permute2x128_si256(u1, u5, 0x20));
    xor32(in + 2 * 64 + off, out + 2 * 64 + off, _mm256_permute2x128_si256(u2, u6, 0x20));
    xor32(in + 3 * 64 + off, out + 3 * 64 + off, _mm256_permute2x128_si256(u3, u7, 0x20));
    xor32(in + 4 * 64 + off, out + 4 * 64 + off, _mm256_permute2x128_si256(u0, u4, 0x31));
    xor32(in + 5 * 64 + off, out + 5 * 64 + off, _mm256_permute2x128_si256(u1, u5, 0x31));
    xor32(in + 6 * 64 + off, out + 6 * 64 + off, _mm256_permute2x128_si256(u2, u6, 0x31));
    xor32(in + 7 * 64 + off, out + 7 * 64 + off, _mm256_permute2x128_si256(u3, u7, 0x31));
  }
}

}  // namespace sb::crypto::detail

#else  // not x86-64: only the portable code exists, and chacha20.cpp never selects these.

namespace sb::crypto::detail {
bool cpu_has_sse2() { return false; }
bool cpu_has_avx2() { return false; }
void chacha20_xor_blocks_sse2(const uint32_t*, const uint8_t*, uint8_t*) { std::abort(); }
void chacha20_xor_blocks_avx2(const uint32_t*, const uint8_t*, uint8_t*) { std::abort(); }
}  // namespace sb::crypto::detail

#endif
