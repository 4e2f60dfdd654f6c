// Storage for connections: a vector reserved once to the connection cap (so Connection objects
// never move) plus a free list of slots. A slot's generation changes on every release, which is
// what makes a Handle held across a close detectably stale.
#pragma once

#include <cstdint>
#include <vector>

#include "server/connection.h"

namespace sb::server {

class ConnectionSlab {
 public:
  ConnectionSlab(size_t capacity, BlockPool* pool, size_t max_payload)
      : capacity_(capacity), pool_(pool), max_payload_(max_payload) {
    slots_.reserve(capacity);
  }

  // A free slot (state still `free`), or UINT32_MAX when the slab is full.
  uint32_t acquire() {
    if (!free_.empty()) {
      uint32_t slot = free_.back();
      free_.pop_back();
      return slot;
    }
    if (slots_.size() == capacity_) return UINT32_MAX;
    const auto slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back(pool_, max_payload_, slot);
    return slot;
  }

  // The caller has reset() the connection.
  void release(uint32_t slot) {
    Connection& c = slots_[slot];
    c.state = ConnState::free;
    ++c.generation;
    free_.push_back(slot);
  }

  // The live connection a handle names, or nullptr if it was closed (or is being closed).
  Connection* find(Handle h) {
    if (h.slot >= slots_.size()) return nullptr;
    Connection& c = slots_[h.slot];
    if (c.generation != h.generation || !c.live()) return nullptr;
    return &c;
  }

  Connection& operator[](uint32_t slot) { return slots_[slot]; }
  const Connection& operator[](uint32_t slot) const { return slots_[slot]; }
  size_t size() const { return slots_.size(); }

  template <typename F>
  void for_each_live(F&& f) {
    for (Connection& c : slots_)
      if (c.live()) f(c);
  }

 private:
  std::vector<Connection> slots_;
  std::vector<uint32_t> free_;
  size_t capacity_;
  BlockPool* pool_;
  size_t max_payload_;
};

}  // namespace sb::server
