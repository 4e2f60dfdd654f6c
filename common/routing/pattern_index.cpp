// PatternIndex's maintenance: insert and erase along a token path, the edge table (linear
// probing with backward-shift deletion, so churn leaves no tombstones), the token arena and the
// invariant check the tests lean on. Matching is inline in the header.
#include "common/routing/pattern_index.h"

#include "common/routing/free_slots.h"
#include "common/security/random_seed.h"

namespace sb {

namespace {
constexpr size_t kMinBuckets = 16;
}  // namespace

PatternIndex::PatternIndex() : PatternIndex(security::process_random_seed()) {}

PatternIndex::PatternIndex(uint64_t seed) : seed_(seed) {
  nodes_.push_back(Node{kNone, kNone, kNone, kNone, kNone, 0, 0});
  live_nodes_ = 1;
  rehash(kMinBuckets);
}

void PatternIndex::split(std::string_view s, Tokens* out) {
  out->n = 0;
  size_t start = 0;
  for (;;) {
    const size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) {
      out->t[out->n++] = s.substr(start);
      return;
    }
    out->t[out->n++] = s.substr(start, dot - start);
    start = dot + 1;
  }
}

bool PatternIndex::insert(std::string_view id, uint32_t value) {
  if (id.size() > kMaxLen) return false;
  Tokens t;
  split(id, &t);
  uint32_t node = kRoot;
  bool fresh = false;  // below a node made here, there is nothing to look up
  for (size_t i = 0; i < t.n; ++i) {
    const uint32_t next = fresh ? kNone : child(node, t.t[i]);
    fresh = next == kNone;
    node = fresh ? add_child(node, t.t[i]) : next;
  }
  if (nodes_[node].value != kNone) return false;  // the path existed, so nothing was added
  nodes_[node].value = value;
  ++ids_;
  return true;
}

uint32_t PatternIndex::find(std::string_view id) const {
  if (id.size() > kMaxLen) return kNone;
  Tokens t;
  split(id, &t);
  uint32_t node = kRoot;
  for (size_t i = 0; i < t.n && node != kNone; ++i) node = child(node, t.t[i]);
  return node == kNone ? kNone : nodes_[node].value;
}

bool PatternIndex::erase(std::string_view id) {
  if (id.size() > kMaxLen) return false;
  Tokens t;
  split(id, &t);
  uint32_t node = kRoot;
  for (size_t i = 0; i < t.n && node != kNone; ++i) node = child(node, t.t[i]);
  if (node == kNone || nodes_[node].value == kNone) return false;
  nodes_[node].value = kNone;
  --ids_;
  // Prune the path's tail that now leads to no id.
  while (node != kRoot && nodes_[node].value == kNone && nodes_[node].first_child == kNone) {
    const uint32_t parent = nodes_[node].parent;
    remove_leaf(node);
    node = parent;
  }
  return true;
}

uint32_t PatternIndex::store_text(std::string_view token) {
  if (token.empty()) return 0;
  std::vector<uint32_t>& slots = free_text_[token.size()];
  uint32_t at;
  if (!take_free_slot(slots, &at)) {
    at = static_cast<uint32_t>(text_.size());
    text_.resize(text_.size() + token.size());
  }
  std::memcpy(text_.data() + at, token.data(), token.size());
  return at;
}

uint32_t PatternIndex::add_child(uint32_t parent, std::string_view token) {
  uint32_t n;
  if (free_node_ != kNone) {
    n = free_node_;
    free_node_ = nodes_[n].next_sibling;
  } else {
    n = static_cast<uint32_t>(nodes_.size());
    nodes_.emplace_back();
  }
  const uint32_t first = nodes_[parent].first_child;
  nodes_[n] = Node{parent, kNone, first, kNone, kNone, store_text(token), static_cast<uint8_t>(token.size())};
  if (first != kNone) nodes_[first].prev_sibling = n;
  nodes_[parent].first_child = n;
  ++live_nodes_;
  if ((live_nodes_ - 1) * 4 > buckets_.size() * 3) rehash(buckets_.size() * 2);  // load <= 3/4
  place(n, hash(parent, token));
  return n;
}

void PatternIndex::remove_leaf(uint32_t n) {
  erase_bucket(bucket_of(n));
  Node& node = nodes_[n];
  if (node.prev_sibling != kNone) nodes_[node.prev_sibling].next_sibling = node.next_sibling;
  else nodes_[node.parent].first_child = node.next_sibling;
  if (node.next_sibling != kNone) nodes_[node.next_sibling].prev_sibling = node.prev_sibling;
  if (node.text_len > 0) free_text_[node.text_len].push_back(node.text);
  node.parent = kFree;
  node.next_sibling = free_node_;
  free_node_ = n;
  --live_nodes_;
}

size_t PatternIndex::bucket_of(uint32_t n) const {
  const uint32_t h = hash(nodes_[n].parent, token_of(nodes_[n]));
  size_t pos = h & mask_;
  while (buckets_[pos].node_plus1 != n + 1) pos = (pos + 1) & mask_;
  return pos;
}

void PatternIndex::erase_bucket(size_t hole) {
  // Backward shift: an entry after the hole moves into it unless its home lies cyclically in
  // (hole, j], where it is still reachable without crossing the hole.
  for (size_t j = (hole + 1) & mask_;; j = (j + 1) & mask_) {
    const Bucket b = buckets_[j];
    if (b.node_plus1 == 0) break;
    const size_t home = b.hash & mask_;
    const bool reachable = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (reachable) continue;
    buckets_[hole] = b;
    hole = j;
  }
  buckets_[hole] = Bucket{0, 0};
}

void PatternIndex::place(uint32_t n, uint32_t h) {
  size_t pos = h & mask_;
  while (buckets_[pos].node_plus1 != 0) pos = (pos + 1) & mask_;
  buckets_[pos] = Bucket{n + 1, h};
}

void PatternIndex::rehash(size_t bucket_count) {
  std::vector<Bucket> old;
  old.swap(buckets_);
  buckets_.assign(bucket_count, Bucket{0, 0});
  mask_ = bucket_count - 1;
  for (const Bucket& b : old)
    if (b.node_plus1 != 0) place(b.node_plus1 - 1, b.hash);  // the hash does not depend on the size
}

size_t PatternIndex::memory_bytes() const {
  size_t bytes = nodes_.capacity() * sizeof(Node) + buckets_.capacity() * sizeof(Bucket) + text_.capacity();
  for (const auto& slots : free_text_) bytes += slots.capacity() * sizeof(uint32_t);
  return bytes;
}

bool PatternIndex::check_invariants() const {
  size_t live = 0, values = 0, used = 0;
  for (uint32_t n = 0; n < nodes_.size(); ++n) {
    const Node& node = nodes_[n];
    if (node.parent == kFree) continue;
    ++live;
    if (node.value != kNone) ++values;
    if (n == kRoot) continue;
    if (node.parent >= nodes_.size() || nodes_[node.parent].parent == kFree) return false;
    if (child(node.parent, token_of(node)) != n) return false;
    if (node.value == kNone && node.first_child == kNone) return false;  // a dead leaf
    if (node.prev_sibling == kNone ? nodes_[node.parent].first_child != n
                                   : nodes_[node.prev_sibling].next_sibling != n)
      return false;
    if (node.next_sibling != kNone && nodes_[node.next_sibling].prev_sibling != n) return false;
  }
  for (const Bucket& b : buckets_) used += b.node_plus1 != 0;
  return live == live_nodes_ && values == ids_ && used + 1 == live_nodes_ && used * 4 <= buckets_.size() * 3;
}

}  // namespace sb
