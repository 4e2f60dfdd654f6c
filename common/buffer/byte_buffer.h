// A byte queue: append at the end, consume from the front. The server keeps a connection's
// unparsed input in one (usually the start of one frame) and releases its storage whenever it
// empties, so an idle connection costs no heap memory; the bench driver, which refills its
// buffers continuously, keeps the storage instead (Storage::keep).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace sb {

class ByteBuffer {
 public:
  enum class Storage : uint8_t { release_when_empty, keep };
  explicit ByteBuffer(Storage storage = Storage::release_when_empty) : keep_(storage == Storage::keep) {}
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ByteBuffer(ByteBuffer&& other) noexcept { swap(other); }
  ByteBuffer& operator=(ByteBuffer&& other) noexcept {
    swap(other);
    return *this;
  }
  ~ByteBuffer() { std::free(data_); }

  bool empty() const { return begin_ == end_; }
  size_t size() const { return end_ - begin_; }
  size_t capacity() const { return capacity_; }
  std::string_view view() const { return {data_ + begin_, end_ - begin_}; }

  // Free space after the data, at least `min_free` bytes (moves the data to the front first).
  char* writable(size_t min_free, size_t* available) {
    ensure_free(min_free);
    *available = capacity_ - end_;
    return data_ + end_;
  }
  void commit(size_t n) { end_ += n; }

  void append(const char* bytes, size_t n) {
    if (n == 0) return;  // an empty buffer has no storage, and memcpy to null is undefined even for 0
    ensure_free(n);
    std::memcpy(data_ + end_, bytes, n);
    end_ += n;
  }

  // Room for at least `n` more bytes at the end, valid until the next call that adds bytes.
  char* prepare(size_t n) {
    ensure_free(n);
    return data_ + end_;
  }
  void append(std::string_view s) { append(s.data(), s.size()); }

  // Drops consumed bytes; once nothing is left, frees the storage (or, with Storage::keep,
  // rewinds to its start).
  void consume(size_t n) {
    begin_ += n;
    if (begin_ == end_) clear();
  }
  void clear() {
    if (keep_) {
      begin_ = end_ = 0;
    } else {
      release();
    }
  }

  void release() {
    std::free(data_);
    data_ = nullptr;
    begin_ = end_ = capacity_ = 0;
  }

 private:
  void ensure_free(size_t n) {
    if (capacity_ - end_ >= n) return;
    size_t used = end_ - begin_;
    if (begin_ > 0 && capacity_ - used >= n) {  // enough room once compacted
      std::memmove(data_, data_ + begin_, used);
    } else {
      size_t cap = capacity_ < 4096 ? 4096 : capacity_;
      while (cap - used < n) cap *= 2;
      char* fresh = static_cast<char*>(std::malloc(cap));
      if (fresh == nullptr) std::abort();  // a bounded allocation failing leaves nothing sane to do
      if (used) std::memcpy(fresh, data_ + begin_, used);
      std::free(data_);
      data_ = fresh;
      capacity_ = cap;
    }
    begin_ = 0;
    end_ = used;
  }
  void swap(ByteBuffer& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(begin_, o.begin_);
    std::swap(end_, o.end_);
    std::swap(capacity_, o.capacity_);
    std::swap(keep_, o.keep_);
  }

  char* data_ = nullptr;
  size_t begin_ = 0;
  size_t end_ = 0;
  size_t capacity_ = 0;
  bool keep_ = false;
};

}  // namespace sb
