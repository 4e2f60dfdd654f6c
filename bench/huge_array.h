// A zero-filled array of trivially copyable values in its own anonymous mapping, marked for
// transparent huge pages: large tables read at random (the bench's per-pair sequence numbers) then
// cost a cache miss per access instead of a cache miss plus a page walk.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include "common/memory/prefetch.h"

namespace sb::bench {

template <typename T>
class HugeArray {
  static_assert(std::is_trivially_copyable_v<T>, "the mapping is zero-filled, never constructed");

 public:
  HugeArray() = default;
  ~HugeArray() { release(); }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;

  // Replaces the contents with `count` zero values.
  void reset(size_t count) {
    release();
    if (count == 0) return;
    bytes_ = count * sizeof(T);
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    madvise(p, bytes_, MADV_HUGEPAGE);  // advice only: without THP it is an ordinary mapping
    data_ = static_cast<T*>(p);
  }

  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  // A no-op on an empty array.
  void prefetch(size_t i) const {
    if (data_ != nullptr) sb::prefetch(data_ + i);
  }

 private:
  void release() {
    if (data_ != nullptr) munmap(data_, bytes_);
    data_ = nullptr;
    bytes_ = 0;
  }

  T* data_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace sb::bench
