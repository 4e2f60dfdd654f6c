// A cache prefetch hint that always reaches the binary: on x86-64 the instruction is spelled out,
// because the compiler may drop a __builtin_prefetch it considers useless in some inlining
// contexts (docs/PERFORMANCE.md). It never faults, whatever the address (null or past the end of
// an object included).
#pragma once

namespace sb {

inline void prefetch(const void* p) {
#if defined(__x86_64__)
  // The address goes in a register: no C++ dereference, so sanitizers see nothing to check.
  asm volatile("prefetcht0 (%0)" : : "r"(p));
#else
  __builtin_prefetch(p);
#endif
}

}  // namespace sb
