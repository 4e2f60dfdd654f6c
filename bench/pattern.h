// Who sends to whom. Nodes are split into contiguous per-process partitions; every target is
// chosen inside the sender's own partition, so the process that sends a message also receives it
// and can retire it from the sender's window without any cross-process signalling.
#pragma once

#include <cstdint>

#include "bench/options.h"

namespace sb::bench {

// One worker process's share of the nodes (global indexes [lo, hi)) and of the senders.
struct Partition {
  uint32_t lo = 0;
  uint32_t hi = 0;
  uint32_t first_sender = 0;  // global index of the first sending node
  uint32_t senders = 0;       // sending nodes: [first_sender, first_sender + senders)
  uint32_t size() const { return hi - lo; }
};

// Worker `w` of `o.procs`. fanin: the partition's first node is its sink and never sends.
Partition partition_for(const Options& o, uint32_t w);

// Picks the target of each message as a local index (0 .. n-1 within the partition), or kAll for
// broadcast. Deterministic for a seed: the same run sends the same sequence of targets.
class TargetPicker {
 public:
  static constexpr uint32_t kAll = UINT32_MAX;
  static constexpr uint32_t kRow = UINT32_MAX - 1;  // group, anycast, subject: the sender's own row

  // `row`: --group-size, for the members pattern.
  TargetPicker(Pattern pattern, uint32_t n, uint64_t seed, uint32_t row = 0);
  uint32_t pick(uint32_t sender_local);
  // Uniform in [lo, hi] (payload sizes share the generator).
  uint32_t uniform(uint32_t lo, uint32_t hi);

 private:
  uint64_t next();  // xorshift64*: fast, and plenty random for choosing targets

  Pattern pattern_;
  uint32_t n_;
  uint32_t row_;
  uint64_t state_;
};

}  // namespace sb::bench
