// The wall clock the hot path reads once per record. CLOCK_REALTIME_COARSE is served from the vDSO
// (a few ns, no syscall, no rdtsc), at the price of the kernel tick's resolution (1-4 ms).
#pragma once

#include <time.h>

#include <cstdint>

namespace sb::log {

inline uint64_t coarse_now_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace sb::log
