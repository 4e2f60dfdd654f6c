// Reference-counted byte blocks for output queues. Standard-size blocks are recycled through a
// free list so routing a message does not call malloc; a broadcast payload lives in one block that
// every target's queue references.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sb {

struct Block {
  uint32_t refs;
  uint32_t size;      // bytes written
  uint32_t capacity;  // bytes available in data
  char data[];        // flexible array (GNU extension, fine for g++ and clang)
};

class BlockPool {
 public:
  static constexpr size_t kBlockSize = 16 * 1024 - sizeof(Block);

  explicit BlockPool(size_t max_free = 4096) : max_free_(max_free) {}
  ~BlockPool();
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  // A block with refs=1, size=0 and at least `min_capacity` bytes.
  Block* acquire(size_t min_capacity);
  // Drops one reference; the last one recycles or frees the block.
  void unref(Block* block);

  size_t free_blocks() const { return free_.size(); }
  size_t live_blocks() const { return live_; }

 private:
  std::vector<Block*> free_;
  size_t max_free_;
  size_t live_ = 0;
};

}  // namespace sb
