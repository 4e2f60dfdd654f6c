// A cache prefetch hint that always reaches the binary. GCC 12 silently dropped __builtin_prefetch
// calls guarded by an unrelated flag in some inlining contexts (the bench driver's prefetches were
// missing from its binary), so on x86-64 the instruction is spelled out. It never faults, whatever
// the address (null or past the end of an object included).
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
