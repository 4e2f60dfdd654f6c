// PatternIndex: the registered node ids as a token trie, so that a subject pattern
// (`plant1.*.temp`, `plant1.>`) is answered by walking only the part of the trie the pattern can
// reach, never by scanning every id. Insert and erase cost O(tokens).
//
// Tokens: an id is split at every '.', so `a..b` has three tokens (the middle one empty), `.a`
// and `a.` two. In a pattern, a token that is exactly `*` matches any one token (an empty one
// too), and a last token that is exactly `>` matches one or more tokens; every other token
// matches itself. Patterns are validated by the caller (common/protocol/target.h): they never
// hold an empty token, so a literal never matches an empty one, and `>` comes last.
//
// Layout, for memory (a few tens of bytes per id): nodes in one vector, each with a parent,
// an intrusive doubly linked list of children (`*` and `>` enumerate them; erase unlinks in O(1))
// and its token in a shared text arena; the (parent, token) -> child edges in one open-addressing
// table with a seeded hash, so a literal token is one probe however many siblings it has.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "common/routing/routing_table.h"

namespace sb {

class PatternIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr size_t kMaxLen = 64;              // longest id or pattern
  static constexpr size_t kMaxTokens = kMaxLen + 1;  // 64 dots are 65 empty tokens

  // Ids come from clients: the edge hash is seeded per process against hash flooding (as the
  // routing table is); pass a seed for reproducible tests.
  PatternIndex();
  explicit PatternIndex(uint64_t seed);

  // False, index unchanged, if `id` is present or longer than kMaxLen.
  bool insert(std::string_view id, uint32_t value);
  bool erase(std::string_view id);
  // The value stored for exactly `id`, or kNone.
  uint32_t find(std::string_view id) const;

  // Calls emit(value) once for every id `pattern` matches, in no particular order.
  template <typename F>
  void match(std::string_view pattern, F&& emit) const;

  size_t size() const { return ids_; }
  // Trie nodes in use, the root included.
  size_t node_count() const { return live_nodes_; }
  // Heap bytes held (capacities, not sizes): what the index costs the process.
  size_t memory_bytes() const;
  // O(n) structural check for tests: links, edge table, arena, counts.
  bool check_invariants() const;

 private:
  struct Node {
    uint32_t parent;        // kNone for the root, kFree on the free list
    uint32_t first_child;
    uint32_t next_sibling;  // free nodes: the next free node
    uint32_t prev_sibling;
    uint32_t value;         // the value of the id that ends here, or kNone
    uint32_t text;          // offset of the token in text_
    uint8_t text_len;
  };
  struct Bucket {
    uint32_t node_plus1;  // 0: empty
    uint32_t hash;        // of (parent, token); the low bits are the home bucket
  };
  struct Tokens {
    std::string_view t[kMaxTokens];
    size_t n = 0;
  };
  static constexpr uint32_t kRoot = 0;
  static constexpr uint32_t kFree = UINT32_MAX - 1;

  static void split(std::string_view s, Tokens* out);
  std::string_view token_of(const Node& n) const { return {text_.data() + n.text, n.text_len}; }
  uint32_t hash(uint32_t parent, std::string_view token) const {
    return static_cast<uint32_t>(RoutingTable::hash(token, seed_ ^ (uint64_t{parent} * 0x9e3779b97f4a7c15ull)));
  }
  uint32_t child(uint32_t parent, std::string_view token) const;
  uint32_t add_child(uint32_t parent, std::string_view token);
  void remove_leaf(uint32_t node);
  size_t bucket_of(uint32_t node) const;
  void erase_bucket(size_t pos);
  void place(uint32_t node, uint32_t h);
  void rehash(size_t bucket_count);
  uint32_t store_text(std::string_view token);

  template <typename F>
  void walk(uint32_t node, const Tokens& t, size_t i, F& emit) const;
  template <typename F>
  void emit_below(uint32_t top, F& emit) const;

  std::vector<Node> nodes_;
  uint32_t free_node_ = kNone;
  size_t live_nodes_ = 0;
  std::vector<Bucket> buckets_;  // power-of-two size
  size_t mask_ = 0;
  std::vector<char> text_;
  std::vector<uint32_t> free_text_[kMaxLen + 1];  // freed arena slots by token length
  size_t ids_ = 0;
  uint64_t seed_;
};

// --- matching, inline: the walk is a template over the caller's emit ---

inline uint32_t PatternIndex::child(uint32_t parent, std::string_view token) const {
  const uint32_t h = hash(parent, token);
  for (size_t pos = h & mask_;; pos = (pos + 1) & mask_) {
    const Bucket& b = buckets_[pos];
    if (b.node_plus1 == 0) return kNone;
    if (b.hash != h) continue;
    const Node& n = nodes_[b.node_plus1 - 1];
    if (n.parent == parent && n.text_len == token.size() &&
        (token.empty() || std::memcmp(text_.data() + n.text, token.data(), token.size()) == 0))
      return b.node_plus1 - 1;
  }
}

template <typename F>
void PatternIndex::match(std::string_view pattern, F&& emit) const {
  if (pattern.size() > kMaxLen) return;
  Tokens t;
  split(pattern, &t);
  walk(kRoot, t, 0, emit);
}

template <typename F>
void PatternIndex::walk(uint32_t node, const Tokens& t, size_t i, F& emit) const {
  for (; i < t.n; ++i) {
    const std::string_view tok = t.t[i];
    if (tok.size() == 1 && tok[0] == '>') {
      emit_below(node, emit);
      return;
    }
    if (tok.size() == 1 && tok[0] == '*') {
      for (uint32_t c = nodes_[node].first_child; c != kNone; c = nodes_[c].next_sibling) walk(c, t, i + 1, emit);
      return;
    }
    node = child(node, tok);
    if (node == kNone) return;
  }
  if (nodes_[node].value != kNone) emit(nodes_[node].value);
}

// Every id strictly below `top`, depth first without a stack: down to the first child, else on
// to the next sibling, else back up until an ancestor below `top` has one.
template <typename F>
void PatternIndex::emit_below(uint32_t top, F& emit) const {
  uint32_t n = nodes_[top].first_child;
  while (n != kNone) {
    const Node& node = nodes_[n];
    if (node.value != kNone) emit(node.value);
    if (node.first_child != kNone) {
      n = node.first_child;
      continue;
    }
    while (n != top && nodes_[n].next_sibling == kNone) n = nodes_[n].parent;
    if (n == top) return;
    n = nodes_[n].next_sibling;
  }
}

}  // namespace sb
