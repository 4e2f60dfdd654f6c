// RoutingTable: node id -> connection slot, the map every SEND/MSG looks up.
// Open addressing with Robin Hood probing over a small index array; the {id, slot} entries live in
// a dense vector so broadcast and WHO are a linear scan and insert never allocates per key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>


namespace sb {

class RoutingTable {
 public:
  // Protocol ids are 1..64 bytes; the key is stored inline, so this is also a storage limit.
  static constexpr size_t kMaxIdLen = 64;

  // One dense entry. Iteration yields these in insertion order, perturbed by erase (which moves
  // the last entry into the hole).
  struct Entry {
    uint32_t slot;
    std::string_view id() const { return {key_, len_}; }

   private:
    friend class RoutingTable;
    uint8_t len_;
    char key_[kMaxIdLen];
  };
  using const_iterator = std::vector<Entry>::const_iterator;

  // Node ids come from clients, so a fixed hash would let one client pick ids that all collide
  // (hash flooding). The default seed is random per process; pass a seed for reproducible tests.
  RoutingTable();
  explicit RoutingTable(uint64_t seed);

  // False, map unchanged, if the id is present or longer than kMaxIdLen (callers validate ids
  // with proto::is_valid_node_id first; this only refuses what it cannot store).
  bool insert(std::string_view id, uint32_t slot);
  const uint32_t* find(std::string_view id) const;
  uint32_t* find(std::string_view id) {
    return const_cast<uint32_t*>(static_cast<const RoutingTable*>(this)->find(id));
  }
  bool erase(std::string_view id);

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  size_t bucket_count() const { return buckets_.size(); }
  // After reserve(n), inserting up to n ids in total does not rehash or reallocate.
  void reserve(size_t n);
  // Keeps the allocated capacity: a server that drains and refills should not reallocate.
  void clear();

  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }

  // The hash used for placement; exposed so tests can build colliding keys on purpose.
  static uint64_t hash(std::string_view id, uint64_t seed);
  uint64_t seed() const { return seed_; }
  // O(n) structural check for tests: Robin Hood order, distances, index <-> entry bijection.
  bool check_invariants() const;

 private:
  // dist_fp: (probe distance + 1) << 8 | fingerprint, 0 = empty. One compare against this word
  // rejects almost every non-matching bucket without touching the 72-byte entry; the Robin Hood
  // rule ("stop when the resident is closer to home than we are") is a plain integer compare too.
  // 24 bits of distance would take 16M colliding keys to overflow, which the seeded hash rules out.
  struct Bucket {
    uint32_t dist_fp;
    uint32_t index;  // into entries_
  };
  static constexpr uint32_t kDistOne = 1u << 8;
  static constexpr size_t kMinBuckets = 16;

  uint32_t dist_fp_of(uint64_t h) const { return kDistOne | static_cast<uint32_t>(h & 0xff); }
  // High bits pick the bucket, low bits the fingerprint, so the two are independent.
  size_t home_of(uint64_t h) const { return static_cast<size_t>(h >> shift_); }
  size_t next(size_t b) const { return (b + 1) & (buckets_.size() - 1); }
  static bool same_key(const Entry& e, std::string_view id) {
    return e.len_ == id.size() && std::memcmp(e.key_, id.data(), id.size()) == 0;
  }
  // Bucket position holding `id`, or SIZE_MAX.
  size_t find_bucket(std::string_view id, uint64_t h) const;
  void place(Bucket b, size_t pos);
  void rehash(size_t bucket_count);

  std::vector<Entry> entries_;
  std::vector<Bucket> buckets_;  // power-of-two size, or empty before the first insert
  size_t max_load_ = 0;          // 0.8 * buckets_.size()
  unsigned shift_ = 64;          // 64 - log2(buckets_.size())
  uint64_t seed_;
};

// --- hot path, inline ---

namespace detail {
inline uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
// 64x64 -> 128 multiply folded to 64 bits: every output bit depends on every input bit, at the
// cost of one mul (the construction wyhash and rapidhash use; constants and layout are ours).
inline uint64_t fold_mul(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
}  // namespace detail

inline uint64_t RoutingTable::hash(std::string_view id, uint64_t seed) {
  constexpr uint64_t k1 = 0x9e3779b97f4a7c15ull;  // odd constants with balanced bits
  constexpr uint64_t k2 = 0xd6e8feb86659fd93ull;
  constexpr uint64_t k3 = 0xa0761d6478bd642full;
  const char* p = id.data();
  size_t n = id.size();
  uint64_t s = seed ^ k3;
  uint64_t a = 0, b = 0;
  if (n <= 16) {
    // Two possibly overlapping reads cover every byte; the length, mixed in below, tells apart
    // inputs whose overlapping reads coincide ("aa" vs "a").
    if (n >= 8) {
      a = detail::load64(p);
      b = detail::load64(p + n - 8);
    } else if (n >= 4) {
      a = detail::load32(p);
      b = detail::load32(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t{static_cast<uint8_t>(p[0])} << 16) |
          (uint64_t{static_cast<uint8_t>(p[n >> 1])} << 8) | static_cast<uint8_t>(p[n - 1]);
    }
  } else {
    // Both operands carry the secret state, so no chosen block can zero a product and erase
    // the seed (which would make collisions seed-independent).
    while (n > 16) {
      s = detail::fold_mul(detail::load64(p) ^ s ^ k1, detail::load64(p + 8) ^ s ^ k2);
      p += 16;
      n -= 16;
    }
    a = detail::load64(p + n - 16);  // the last 16 bytes, overlapping the previous block
    b = detail::load64(p + n - 8);
  }
  uint64_t h = detail::fold_mul(a ^ s ^ k1, b ^ s ^ k2 ^ id.size());
  return detail::fold_mul(h ^ k3, s ^ k1);  // second round: full avalanche for short keys
}

inline size_t RoutingTable::find_bucket(std::string_view id, uint64_t h) const {
  uint32_t dist_fp = dist_fp_of(h);
  size_t pos = home_of(h);
  for (;;) {
    const Bucket& b = buckets_[pos];
    if (b.dist_fp == dist_fp && same_key(entries_[b.index], id)) return pos;
    // The resident is closer to its home than we would be: by the Robin Hood invariant the key
    // would have displaced it, so the key is absent. An empty bucket (0) also ends here.
    if (b.dist_fp < dist_fp) return SIZE_MAX;
    dist_fp += kDistOne;
    pos = next(pos);
  }
}

inline const uint32_t* RoutingTable::find(std::string_view id) const {
  if (entries_.empty()) return nullptr;  // also covers "no buckets allocated yet"
  size_t pos = find_bucket(id, hash(id, seed_));
  return pos == SIZE_MAX ? nullptr : &entries_[buckets_[pos].index].slot;
}

inline void RoutingTable::place(Bucket in, size_t pos) {
  // Robin Hood shift-up: everything from pos to the next empty bucket moves one step further
  // from home, which keeps the run sorted by distance.
  while (buckets_[pos].dist_fp != 0) {
    Bucket tmp = buckets_[pos];
    buckets_[pos] = in;
    in = tmp;
    in.dist_fp += kDistOne;
    pos = next(pos);
  }
  buckets_[pos] = in;
}

inline bool RoutingTable::insert(std::string_view id, uint32_t slot) {
  if (id.size() > kMaxIdLen) return false;
  uint64_t h = hash(id, seed_);
  if (!entries_.empty() && find_bucket(id, h) != SIZE_MAX) return false;
  if (entries_.size() >= max_load_) rehash(buckets_.empty() ? kMinBuckets : buckets_.size() * 2);

  // Walk past residents at least as far from home as we are; the first poorer one is our spot.
  uint32_t dist_fp = dist_fp_of(h);
  size_t pos = home_of(h);
  while (dist_fp <= buckets_[pos].dist_fp) {
    dist_fp += kDistOne;
    pos = next(pos);
  }
  Entry& e = entries_.emplace_back();
  e.slot = slot;
  e.len_ = static_cast<uint8_t>(id.size());
  std::memcpy(e.key_, id.data(), id.size());
  place(Bucket{dist_fp, static_cast<uint32_t>(entries_.size() - 1)}, pos);
  return true;
}

}  // namespace sb
