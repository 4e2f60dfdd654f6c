// The one monotonic clock reader for durations (uptime, latency, deadlines measured in time
// rather than ticks). CLOCK_MONOTONIC never jumps with the wall clock and is served by the vDSO.
#pragma once

#include <time.h>

#include <cstdint>

namespace sb {

inline uint64_t monotonic_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace sb
