// A connection's pending output: a FIFO of (block, offset, length) segments ready for writev.
// Small frames are copied into the tail block it owns; shared blocks (broadcast) are referenced.
// It also remembers where each routed message ends, so bytes written can be turned into
// "messages delivered" and a discarded queue into an exact "messages dropped".
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "common/buffer/block_pool.h"

namespace sb {

class OutputQueue {
 public:
  explicit OutputQueue(BlockPool* pool) : pool_(pool) {}
  ~OutputQueue() { clear(); }
  OutputQueue(const OutputQueue&) = delete;
  OutputQueue& operator=(const OutputQueue&) = delete;
  OutputQueue(OutputQueue&& other) noexcept;
  OutputQueue& operator=(OutputQueue&& other) noexcept;

  bool empty() const { return bytes_ == 0; }
  size_t bytes() const { return bytes_; }
  // Routed messages queued and not yet completely written.
  size_t messages() const { return message_ends_.size() - ends_head_; }

  // Appends the concatenation of the pieces as one contiguous run (one frame).
  void append(std::initializer_list<std::string_view> pieces);
  // Same, and counts the frame as a routed message.
  void append_message(std::initializer_list<std::string_view> pieces);
  // References `length` bytes of a shared block (adds a reference) as one routed message. A slice
  // that starts where the last segment ends in the same block extends that segment instead.
  void append_shared_message(Block* block, uint32_t offset, uint32_t length);

  // Fills up to `max` iovecs from the head; returns how many.
  int gather(iovec* iov, int max) const;
  // Drops `n` written bytes; returns how many routed messages became completely written.
  size_t consume(size_t n);

  // Discards every routed message that has not started to be written, keeping a partly written
  // head message so the peer never sees a torn frame. Returns how many messages were discarded.
  size_t discard_unstarted();
  // Releases everything; returns how many routed messages were never completely written.
  size_t clear();

 private:
  struct Segment {
    Block* block;
    uint32_t offset;
    uint32_t length;
  };
  // Where a routed message starts and ends in the stream. The start tells discard_unstarted()
  // whether the head message has begun: control frames may sit between two messages, so the
  // previous message's end is not enough.
  struct MessageSpan {
    uint64_t start;
    uint64_t end;
  };
  char* reserve_contiguous(size_t n);
  void note_message(uint64_t start) { message_ends_.push_back({start, total_appended_}); }
  void truncate_to(uint64_t stream_offset);
  // The lazily sealed tail. Invariant: the last segment's true length is `length + unsealed_`,
  // and its block's true size is `size + unsealed_`; every other segment is exact. An append
  // into the owned tail block then writes only tail_write_, unsealed_ and the bytes, never the
  // segment vector or the block header (two more cache lines on a target's cold queue).
  // seal() makes the stored values exact; every mutation that reads segments calls it first,
  // and the one const reader, gather(), goes through segment_length().
  void seal();
  uint32_t segment_length(size_t i) const {
    return segments_[i].length + (i + 1 == segments_.size() ? unsealed_ : 0);
  }

  // The members an append touches come first, so they share as few cache lines as possible.
  size_t bytes_ = 0;             // unwritten bytes
  uint64_t total_appended_ = 0;  // stream offset of the end of the queue
  // Non-null only while the last segment is a block this queue owns alone and may grow in place.
  char* tail_write_ = nullptr;  // next free byte of that block
  char* tail_end_ = nullptr;    // end of its capacity
  uint32_t unsealed_ = 0;       // see seal()
  std::vector<MessageSpan> message_ends_;  // routed messages' stream offsets, ascending
  size_t ends_head_ = 0;
  BlockPool* pool_;
  std::vector<Segment> segments_;
  size_t head_ = 0;           // first live segment
};

}  // namespace sb
