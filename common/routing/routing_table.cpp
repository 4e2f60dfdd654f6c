// RoutingTable's cold and less frequent paths: seeding, growth, erase with backward shift, and
// the invariant check the tests lean on. Lookup and insert are inline in the header.
#include "common/routing/routing_table.h"

#include <algorithm>

#include "common/security/random_seed.h"

namespace sb {

RoutingTable::RoutingTable() : RoutingTable(security::process_random_seed()) {}
RoutingTable::RoutingTable(uint64_t seed) : seed_(seed) {}

void RoutingTable::rehash(size_t bucket_count) {
  buckets_.assign(bucket_count, Bucket{0, 0});
  shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(bucket_count));
  max_load_ = bucket_count * 4 / 5;
  // Re-hashing the inline keys costs a few ns each and saves 8 bytes per entry of stored hash.
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    uint64_t h = hash(entries_[i].id(), seed_);
    uint32_t dist_fp = dist_fp_of(h);
    size_t pos = home_of(h);
    while (dist_fp <= buckets_[pos].dist_fp) {
      dist_fp += kDistOne;
      pos = next(pos);
    }
    place(Bucket{dist_fp, i}, pos);
  }
}

void RoutingTable::reserve(size_t n) {
  entries_.reserve(n);
  size_t want = kMinBuckets;
  while (want * 4 / 5 < n) want *= 2;
  if (want > buckets_.size()) rehash(want);
}

void RoutingTable::clear() {
  entries_.clear();
  std::fill(buckets_.begin(), buckets_.end(), Bucket{0, 0});
}

bool RoutingTable::erase(std::string_view id) {
  if (entries_.empty()) return false;
  size_t pos = find_bucket(id, hash(id, seed_));
  if (pos == SIZE_MAX) return false;
  uint32_t hole = buckets_[pos].index;

  // Backward shift: pull the rest of the run one step towards home until an empty bucket or a
  // resident already at home. No tombstones, so lookups never slow down under churn.
  size_t nxt = next(pos);
  while (buckets_[nxt].dist_fp >= 2 * kDistOne) {
    buckets_[pos] = Bucket{buckets_[nxt].dist_fp - kDistOne, buckets_[nxt].index};
    pos = nxt;
    nxt = next(nxt);
  }
  buckets_[pos] = Bucket{0, 0};

  // Keep entries_ dense: the last entry moves into the hole and its bucket is repointed.
  uint32_t last = static_cast<uint32_t>(entries_.size() - 1);
  if (hole != last) {
    const Entry& moved = entries_[last];
    uint64_t h = hash(moved.id(), seed_);
    size_t p = home_of(h);
    while (buckets_[p].index != last || buckets_[p].dist_fp == 0) p = next(p);
    buckets_[p].index = hole;
    entries_[hole] = moved;
  }
  entries_.pop_back();
  return true;
}

bool RoutingTable::check_invariants() const {
  if (buckets_.empty()) return entries_.empty();
  if (entries_.size() > max_load_) return false;
  std::vector<uint8_t> seen(entries_.size(), 0);
  size_t mask = buckets_.size() - 1;
  size_t used = 0;
  for (size_t pos = 0; pos < buckets_.size(); ++pos) {
    const Bucket& b = buckets_[pos];
    if (b.dist_fp == 0) continue;
    ++used;
    if (b.index >= entries_.size() || seen[b.index]++) return false;
    uint64_t h = hash(entries_[b.index].id(), seed_);
    size_t dist = ((pos - home_of(h)) & mask) + 1;
    if (b.dist_fp != ((dist << 8) | (h & 0xff))) return false;
    // Local Robin Hood order: enough for every lookup to reach its key before stopping.
    uint32_t prev = buckets_[(pos - 1) & mask].dist_fp;
    if (b.dist_fp > prev + kDistOne && !(prev == 0 && dist == 1)) return false;
  }
  return used == entries_.size();
}

}  // namespace sb
