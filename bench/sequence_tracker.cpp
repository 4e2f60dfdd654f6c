// Sequence accounting. The common case (in order) is one table lookup and an increment; every
// anomaly goes through the ordered `missing_` set, which stays empty while the server is correct.
#include "bench/sequence_tracker.h"

namespace sb::bench {

namespace {
constexpr uint64_t kDenseLimit = uint64_t{1} << 22;  // pairs; 8 bytes each (two tables) = 32 MiB
constexpr uint32_t kMaxListedGap = 1u << 16;

uint64_t mix(uint64_t k) {  // splitmix64 finalizer
  k ^= k >> 30;
  k *= 0xbf58476d1ce4e5b9ull;
  k ^= k >> 27;
  k *= 0x94d049bb133111ebull;
  return k ^ (k >> 31);
}
}  // namespace

SequenceTracker::SequenceTracker(uint32_t nodes, uint32_t lo, uint32_t n)
    : lo_(lo), n_(n), nodes_(nodes), dense_(uint64_t{nodes} * n <= kDenseLimit) {
  if (dense_) {
    dense_send_.reset(uint64_t{n} * n);
    dense_recv_.reset(uint64_t{n} * nodes);
  } else {
    keys_.assign(1u << 16, 0);
    values_.resize(1u << 16);
  }
}

SequenceTracker::Pair& SequenceTracker::slot(uint32_t sender, uint32_t receiver) {
  return hashed((uint64_t{sender} << 32) | (receiver - lo_));
}

uint32_t& SequenceTracker::recv_next(uint32_t sender, uint32_t receiver) {
  if (dense_) return dense_recv_[recv_index(sender, receiver)];
  return slot(sender, receiver).recv_next;
}

SequenceTracker::Pair& SequenceTracker::hashed(uint64_t key) {
  if ((used_ + 1) * 2 > keys_.size()) grow();
  size_t mask = keys_.size() - 1;
  for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
    if (keys_[i] == key + 1) return values_[i];
    if (keys_[i] == 0) {
      keys_[i] = key + 1;
      ++used_;
      return values_[i];
    }
  }
}

void SequenceTracker::grow() {
  std::vector<uint64_t> old_keys(keys_.size() * 2, 0);  // swapped below: ends up holding the old table
  std::vector<Pair> old_values(values_.size() * 2);
  old_keys.swap(keys_);
  old_values.swap(values_);
  size_t mask = keys_.size() - 1;
  for (size_t j = 0; j < old_keys.size(); ++j) {
    if (old_keys[j] == 0) continue;
    size_t i = mix(old_keys[j] - 1) & mask;
    while (keys_[i] != 0) i = (i + 1) & mask;
    keys_[i] = old_keys[j];
    values_[i] = old_values[j];
  }
}

SequenceTracker::Arrival SequenceTracker::on_receive(uint32_t sender, uint32_t receiver, uint32_t seq) {
  ++received_;
  uint32_t& next = recv_next(sender, receiver);
  if (seq == next) {
    ++next;
    return Arrival::in_order;
  }
  if (seq > next) {
    // Everything between was skipped: remember each so a late arrival is recognised as such.
    ++gap_events_;
    uint32_t gap = seq - next;
    if (gap <= kMaxListedGap) {
      for (uint32_t s = next; s < seq; ++s) missing_.emplace(sender, receiver, s);
    } else {
      huge_gap_msgs_ += gap;
    }
    next = seq + 1;
    return Arrival::ahead;
  }
  auto it = missing_.find({sender, receiver, seq});
  if (it != missing_.end()) {
    missing_.erase(it);
    ++late_;
    return Arrival::late;
  }
  ++duplicates_;
  return Arrival::duplicate;
}

}  // namespace sb::bench
