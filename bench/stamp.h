// The first 16 bytes of every bench payload: send time, sending node, per-(sender,target) sequence.
// Little-endian fixed layout; the rest of the payload is filler. Both ends run on one host, so the
// CLOCK_MONOTONIC times are directly comparable, even across worker processes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sb::bench {

struct Stamp {
  uint64_t sent_ns = 0;  // CLOCK_MONOTONIC; in open loop, the *intended* send time
  uint32_t sender = 0;   // global node index
  uint32_t seq = 0;      // per (sender, target); broadcast: per (sender, "*")
};

inline constexpr size_t kStampSize = 16;

// Writes the stamp and `len - kStampSize` filler bytes to `out` (len >= kStampSize).
void write_payload(char* out, size_t len, const Stamp& s);
// False when the payload is too short to hold a stamp.
bool read_stamp(std::string_view payload, Stamp* out);

}  // namespace sb::bench
