// A cache prefetch hint that always reaches the binary. GCC 12 silently dropped __builtin_prefetch
// calls guarded by an unrelated flag in some inlining contexts (the bench driver's prefetches were
// missing from its binary), so on x86-64 the instruction is spelled out. It never faults, whatever
// the address.
#pragma once

namespace sb {

inline void prefetch(const void* p) {
#if defined(__x86_64__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

}  // namespace sb
