// A zero-filled array of trivially copyable values in its own anonymous mapping, marked for
// transparent huge pages: large tables read at random (the bench's per-pair sequence numbers) then
// cost a cache miss per access instead of a cache miss plus a page walk.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

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
  // A no-op on an empty array. GCC 12 dropped __builtin_prefetch here in some inlining contexts
  // (the bench's prefetches were missing from the binary), so on x86-64 the instruction is
  // spelled out; it never faults, whatever the address.
  void prefetch(size_t i) const {
    if (data_ == nullptr) return;
#if defined(__x86_64__)
    asm volatile("prefetcht0 %0" : : "m"(data_[i]));
#else
    __builtin_prefetch(data_ + i);
#endif
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
