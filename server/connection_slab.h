// Storage for connections: a vector reserved once to the connection cap (so Connection objects
// never move) plus a free list of slots. A slot's generation changes on every release, which is
// what makes a Handle held across a close detectably stale.
#pragma once

#include <cstdint>
#include <vector>

#include "common/memory/prefetch.h"
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
    slots_.emplace_back(pool_, max_payload_);
    return static_cast<uint32_t>(slots_.size() - 1);
  }

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
    if (c.generation != h.generation || c.state == ConnState::free || c.closing) return nullptr;
    return &c;
  }

  // Brings in the lines that reading from or writing to a connection touches first (flags and
  // fd, parser and input, the output queue's hot members wherever their line breaks). Any value
  // is safe: a slot out of range is ignored, a stale one only wastes the hint.
  void prefetch_slot(uint32_t slot) const {
    if (slot >= slots_.size()) return;
    const char* c = reinterpret_cast<const char*>(&slots_[slot]);
    const char* out = reinterpret_cast<const char*>(&slots_[slot].out);
    sb::prefetch(c);
    sb::prefetch(c + 64);
    sb::prefetch(out);
    sb::prefetch(out + 63);
  }

  Connection& operator[](uint32_t slot) { return slots_[slot]; }
  const Connection& operator[](uint32_t slot) const { return slots_[slot]; }
  size_t size() const { return slots_.size(); }

 private:
  std::vector<Connection> slots_;
  std::vector<uint32_t> free_;
  size_t capacity_;
  BlockPool* pool_;
  size_t max_payload_;
};

}  // namespace sb::server
