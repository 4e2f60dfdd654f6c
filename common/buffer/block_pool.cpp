// Block recycling. The free list is capped so a burst (one huge backlog) does not pin its peak
// memory forever.
#include "common/buffer/block_pool.h"

#include <cstdlib>

namespace sb {

BlockPool::~BlockPool() {
  for (Block* b : free_) std::free(b);
}

Block* BlockPool::acquire(size_t min_capacity) {
  Block* b;
  if (min_capacity <= kBlockSize && !free_.empty()) {
    b = free_.back();
    free_.pop_back();
  } else {
    size_t cap = min_capacity <= kBlockSize ? kBlockSize : min_capacity;
    b = static_cast<Block*>(std::malloc(sizeof(Block) + cap));
    if (b == nullptr) std::abort();
    b->capacity = static_cast<uint32_t>(cap);
  }
  b->refs = 1;
  b->size = 0;
  ++live_;
  return b;
}

void BlockPool::unref(Block* block) {
  if (--block->refs != 0) return;
  --live_;
  if (block->capacity == kBlockSize && free_.size() < max_free_) {
    free_.push_back(block);
  } else {
    std::free(block);
  }
}

}  // namespace sb
