// The x86-64 vector kernels behind chacha20_encrypt: RFC 8439's block function over 4 (SSE2) or
// 8 (AVX2) consecutive block counters at once, one 32-bit state word of every block per register.
// Internal to common/crypto; chacha20.cpp chooses between them and the portable code.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sb::crypto::detail {

inline constexpr size_t kSse2Blocks = 4;
inline constexpr size_t kAvx2Blocks = 8;

bool cpu_has_sse2();
bool cpu_has_avx2();

// state: the 16 input words of the first block (word 12 is its counter; the kernel adds 1, 2, ...
// for the following blocks, wrapping mod 2^32 as the portable code does). out = in XOR the
// keystream of those blocks; in == out is allowed. Only call a kernel its cpu_has_* approves.
void chacha20_xor_blocks_sse2(const uint32_t state[16], const uint8_t* in, uint8_t* out);
void chacha20_xor_blocks_avx2(const uint32_t state[16], const uint8_t* in, uint8_t* out);

}  // namespace sb::crypto::detail
