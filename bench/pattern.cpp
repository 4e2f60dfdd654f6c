// Partitioning and per-pattern target choice; see pattern.h for why targets stay in-partition.
#include "bench/pattern.h"

namespace sb::bench {

Partition partition_for(const Options& o, uint32_t w) {
  Partition p;
  uint64_t n = o.nodes, procs = o.procs, k = effective_senders(o);
  p.lo = static_cast<uint32_t>(n * w / procs);
  p.hi = static_cast<uint32_t>(n * (w + 1) / procs);
  uint32_t share = static_cast<uint32_t>(k * (w + 1) / procs - k * w / procs);
  uint32_t first = o.pattern == Pattern::fanin ? p.lo + 1 : p.lo;
  if (share > p.hi - first) share = p.hi - first;
  p.first_sender = first;
  p.senders = share;
  return p;
}

TargetPicker::TargetPicker(Pattern pattern, uint32_t n, uint64_t seed, uint32_t row)
    : pattern_(pattern), n_(n), row_(row), state_(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {
  if (state_ == 0) state_ = 1;
}

uint64_t TargetPicker::next() {
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return state_ * 0x2545F4914F6CDD1Dull;
}

uint32_t TargetPicker::uniform(uint32_t lo, uint32_t hi) {
  if (lo >= hi) return lo;
  uint64_t span = uint64_t{hi} - lo + 1;
  return lo + static_cast<uint32_t>(((next() >> 32) * span) >> 32);
}

uint32_t TargetPicker::pick(uint32_t s) {
  switch (pattern_) {
    case Pattern::random: {
      // Uniform over the other n-1 nodes: draw from n-1 and skip over the sender itself.
      uint32_t t = uniform(0, n_ - 2);
      return t >= s ? t + 1 : t;
    }
    case Pattern::ring:
      return s + 1 == n_ ? 0 : s + 1;
    case Pattern::pairs: {
      uint32_t t = s ^ 1u;
      return t < n_ ? t : s - 1;  // odd n: the last node pairs with its left neighbour
    }
    case Pattern::fanin:
      return 0;
    case Pattern::broadcast:
      return kAll;
    case Pattern::group:
    case Pattern::anycast:
    case Pattern::subject:
      return kRow;
    case Pattern::members: {  // uniform over the other row_ - 1 members of the sender's row
      const uint32_t first = s - s % row_, t = uniform(0, row_ - 2);
      return first + (t >= s % row_ ? t + 1 : t);
    }
  }
  return 0;
}

}  // namespace sb::bench
