// Little-endian loads and stores and secret wiping, shared by the crypto primitives. The RFCs
// define every word as little-endian; shifts instead of memcpy keep that true on any host, and
// GCC turns them into single moves on x86-64.
#pragma once

#include <string.h>  // explicit_bzero (glibc)

#include <cstddef>
#include <cstdint>

namespace sb::crypto::detail {

inline uint32_t load32_le(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

inline uint64_t load64_le(const uint8_t* p) {
  return static_cast<uint64_t>(load32_le(p)) | static_cast<uint64_t>(load32_le(p + 4)) << 32;
}

inline void store32_le(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

inline void store64_le(uint8_t* p, uint64_t v) {
  store32_le(p, static_cast<uint32_t>(v));
  store32_le(p + 4, static_cast<uint32_t>(v >> 32));
}

// memset on a buffer that is about to go out of scope is a dead store the optimiser may drop;
// explicit_bzero is never dropped, so key material does not linger on the stack.
inline void wipe(void* p, size_t n) { explicit_bzero(p, n); }

}  // namespace sb::crypto::detail
