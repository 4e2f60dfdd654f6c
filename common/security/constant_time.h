// Comparison of secrets (token digests) in time that does not depend on their contents.
// An early-exit memcmp returns sooner the earlier the first differing byte is, and over many
// tries that timing tells an attacker how much of a guess is right.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sb::security {

// True iff a[0..n) == b[0..n). Every byte is read and XOR-accumulated with no branch on the data,
// so the running time depends on n only. n is public (callers compare fixed-size digests: the
// length of the secret itself never reaches this function). n == 0 compares equal.
//
// Why the empty asm: the loop as written has no early exit, but an optimiser may legally turn
// "acc |= x; ... return acc == 0" into "stop as soon as acc != 0" (clang has done such things for
// boolean reductions). Passing acc through an opaque asm each iteration makes its value unknown to
// the compiler, so no exit can be derived from it. The cost is irrelevant at 32 bytes.
inline bool constant_time_equal(const uint8_t* a, const uint8_t* b, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; ++i) {
    acc |= static_cast<uint8_t>(a[i] ^ b[i]);
#if defined(__GNUC__) || defined(__clang__)
    __asm__ volatile("" : "+r"(acc));
#endif
  }
  return acc == 0;
}

}  // namespace sb::security
