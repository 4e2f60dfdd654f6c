// Per-(sender, receiver) sequence numbers on both ends, and the receiver's verdict on each arrival:
// in order, ahead of a gap, late (filling a gap: reordered) or a duplicate. Gaps are remembered
// exactly, so a late message is never mistaken for a duplicate or the other way round.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <tuple>
#include <vector>

#include "bench/huge_array.h"

namespace sb::bench {

class SequenceTracker {
 public:
  enum class Arrival : uint8_t { in_order, ahead, late, duplicate };

  // Senders of arrivals are global node indexes < `nodes`; receivers are this process's [lo, lo + n).
  SequenceTracker(uint32_t nodes, uint32_t lo, uint32_t n);

  // Sequence number for the next message from `sender` to `receiver`, both this process's nodes
  // (senders only ever send to their own partition). Broadcast
  // passes receiver == sender: a node never receives its own broadcast, so that pair is free to
  // stand for (sender, "*").
  uint32_t next_send(uint32_t sender, uint32_t receiver) {
    if (dense_) return dense_send_[send_index(sender, receiver)]++;
    return slot(sender, receiver).send_next++;
  }

  Arrival on_receive(uint32_t sender, uint32_t receiver, uint32_t seq);

  // Hints that next_send / on_receive for this pair comes soon: callers that know a batch of
  // pairs ahead (a sender's window refill, a read's arrivals) overlap the cache misses.
  void prefetch_send(uint32_t sender, uint32_t receiver) const {
    dense_send_.prefetch(send_index(sender, receiver));  // empty unless dense
  }
  void prefetch_receive(uint32_t sender, uint32_t receiver) const {
    dense_recv_.prefetch(recv_index(sender, receiver));
  }

  uint64_t received() const { return received_; }
  uint64_t duplicates() const { return duplicates_; }
  uint64_t late() const { return late_; }          // arrived after a later one of the same pair
  uint64_t gap_events() const { return gap_events_; }
  uint64_t outstanding_gaps() const { return missing_.size() + huge_gap_msgs_; }
  uint64_t unique() const { return received_ - duplicates_; }

 private:
  struct Pair {
    uint32_t send_next = 0;
    uint32_t recv_next = 0;
  };
  // Positions in the dense tables (see dense_send_ / dense_recv_ below).
  uint64_t send_index(uint32_t sender, uint32_t receiver) const {
    return uint64_t{sender - lo_} * n_ + (receiver - lo_);
  }
  uint64_t recv_index(uint32_t sender, uint32_t receiver) const {
    return uint64_t{receiver - lo_} * nodes_ + sender;
  }
  Pair& slot(uint32_t sender, uint32_t receiver);
  uint32_t& recv_next(uint32_t sender, uint32_t receiver);
  Pair& hashed(uint64_t key);
  void grow();

  uint32_t lo_, n_, nodes_;
  // Dense tables while they fit in a few MiB; otherwise an open-addressing table keyed by
  // (sender, receiver) holding only the pairs the run really uses (random at 10k nodes).
  // The dense tables are split by direction and laid out so that one sender filling its window
  // walks one row of send_next, and one receiver's read walks one row of recv_next; a combined
  // [sender][receiver] table would make every arrival a cache and TLB miss. They live in huge
  // pages where the kernel allows it, for the same reason.
  bool dense_;
  HugeArray<uint32_t> dense_send_;  // [sender - lo][receiver - lo]
  HugeArray<uint32_t> dense_recv_;  // [receiver - lo][sender]
  std::vector<uint64_t> keys_;  // key + 1; 0 = empty
  std::vector<Pair> values_;
  size_t used_ = 0;

  std::set<std::tuple<uint32_t, uint32_t, uint32_t>> missing_;  // (sender, receiver, seq): rare
  uint64_t huge_gap_msgs_ = 0;  // gaps too large to list one by one (corruption, not just loss)
  uint64_t received_ = 0, duplicates_ = 0, late_ = 0, gap_events_ = 0;
};

}  // namespace sb::bench
