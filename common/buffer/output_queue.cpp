// OutputQueue: copy small frames into an owned tail block, reference shared ones, hand the head to
// writev, and translate bytes written into messages delivered.
#include "common/buffer/output_queue.h"

#include <cstring>
#include <utility>

namespace sb {

namespace {
// Vectors that grew during a burst keep at most this many entries' worth of memory once empty, so a
// queue that empties every loop iteration (the light-load case) never reallocates.
constexpr size_t kKeepCapacity = 64;
// A queue that never empties (a steady backlog) compacts its vectors' dead prefix at this size.
constexpr size_t kCompactAfter = 256;

template <typename T>
void compact(std::vector<T>& v, size_t& head) {
  if (head == v.size()) {
    v.clear();
    head = 0;
    if (v.capacity() > kKeepCapacity) std::vector<T>().swap(v);
  } else if (head >= kCompactAfter && head * 2 >= v.size()) {
    v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(head));
    head = 0;
  }
}
}  // namespace

OutputQueue::OutputQueue(OutputQueue&& o) noexcept
    : bytes_(std::exchange(o.bytes_, 0)),
      total_appended_(std::exchange(o.total_appended_, 0)),
      tail_write_(std::exchange(o.tail_write_, nullptr)),
      tail_end_(std::exchange(o.tail_end_, nullptr)),
      unsealed_(std::exchange(o.unsealed_, 0)),
      message_ends_(std::move(o.message_ends_)),
      ends_head_(std::exchange(o.ends_head_, 0)),
      pool_(o.pool_),
      segments_(std::move(o.segments_)),
      head_(std::exchange(o.head_, 0)) {}

OutputQueue& OutputQueue::operator=(OutputQueue&& o) noexcept {
  if (this != &o) {
    clear();
    pool_ = o.pool_;
    segments_ = std::move(o.segments_);
    head_ = std::exchange(o.head_, 0);
    bytes_ = std::exchange(o.bytes_, 0);
    total_appended_ = std::exchange(o.total_appended_, 0);
    message_ends_ = std::move(o.message_ends_);
    ends_head_ = std::exchange(o.ends_head_, 0);
    tail_write_ = std::exchange(o.tail_write_, nullptr);
    tail_end_ = std::exchange(o.tail_end_, nullptr);
    unsealed_ = std::exchange(o.unsealed_, 0);
  }
  return *this;
}

void OutputQueue::seal() {
  if (unsealed_ == 0) return;
  Segment& tail = segments_.back();
  tail.length += unsealed_;
  tail.block->size += unsealed_;
  unsealed_ = 0;
}

char* OutputQueue::reserve_contiguous(size_t n) {
  if (tail_write_ != nullptr && static_cast<size_t>(tail_end_ - tail_write_) >= n) {
    char* p = tail_write_;
    tail_write_ += n;
    unsealed_ += static_cast<uint32_t>(n);
    return p;
  }
  seal();
  Block* b = pool_->acquire(n);
  b->size = static_cast<uint32_t>(n);
  segments_.push_back({b, 0, static_cast<uint32_t>(n)});
  tail_write_ = b->data + n;
  tail_end_ = b->data + b->capacity;
  return b->data;
}

void OutputQueue::append(std::initializer_list<std::string_view> pieces) {
  size_t n = 0;
  for (auto p : pieces) n += p.size();
  if (n == 0) return;
  char* out = reserve_contiguous(n);
  for (auto p : pieces) {
    // An empty piece may be a default string_view (data() == nullptr: the text of "MSG b" with
    // nothing after the target), and memcpy from null is undefined even for 0 bytes.
    if (p.empty()) continue;
    std::memcpy(out, p.data(), p.size());
    out += p.size();
  }
  bytes_ += n;
  total_appended_ += n;
}

void OutputQueue::append_message(std::initializer_list<std::string_view> pieces) {
  const uint64_t start = total_appended_;
  append(pieces);
  note_message(start);
}

void OutputQueue::append_shared_message(Block* block, uint32_t offset, uint32_t length) {
  seal();
  tail_write_ = tail_end_ = nullptr;  // the tail is now shared: never written in place
  // A slice that continues the last one in the same block extends it: fan-out frames are packed
  // one after another, so a sender's run of group messages reaches each member as one segment,
  // one reference and one iovec, as its own copies would.
  Segment* last = head_ < segments_.size() ? &segments_.back() : nullptr;
  if (last != nullptr && last->block == block && last->offset + last->length == offset) {
    last->length += length;
  } else {
    ++block->refs;
    segments_.push_back({block, offset, length});
  }
  const uint64_t start = total_appended_;
  bytes_ += length;
  total_appended_ += length;
  note_message(start);
}

int OutputQueue::gather(iovec* iov, int max) const {
  int n = 0;
  for (size_t i = head_; i < segments_.size() && n < max; ++i, ++n) {
    iov[n].iov_base = segments_[i].block->data + segments_[i].offset;
    iov[n].iov_len = segment_length(i);
  }
  return n;
}

size_t OutputQueue::consume(size_t n) {
  seal();
  bytes_ -= n;
  while (n > 0) {
    Segment& s = segments_[head_];
    if (n < s.length) {
      s.offset += static_cast<uint32_t>(n);
      s.length -= static_cast<uint32_t>(n);
      break;
    }
    n -= s.length;
    pool_->unref(s.block);
    ++head_;
  }
  // The owned tail block went back to the pool with its last segment.
  if (head_ == segments_.size()) tail_write_ = tail_end_ = nullptr;
  const uint64_t written = total_appended_ - bytes_;
  size_t delivered = 0;
  while (ends_head_ < message_ends_.size() && message_ends_[ends_head_].end <= written) {
    ++ends_head_;
    ++delivered;
  }
  compact(segments_, head_);
  compact(message_ends_, ends_head_);
  return delivered;
}

void OutputQueue::truncate_to(uint64_t stream_offset) {
  seal();
  tail_write_ = tail_end_ = nullptr;
  uint64_t pos = total_appended_ - bytes_;  // stream offset of the head segment's first byte
  size_t i = head_;
  for (; i < segments_.size(); ++i) {
    Segment& s = segments_[i];
    if (pos + s.length >= stream_offset) {
      s.length = static_cast<uint32_t>(stream_offset - pos);
      // An owned tail block must not later grow over bytes we just dropped.
      if (s.block->refs == 1) s.block->size = s.offset + s.length;
      ++i;
      break;
    }
    pos += s.length;
  }
  for (size_t j = i; j < segments_.size(); ++j) pool_->unref(segments_[j].block);
  segments_.resize(i);
  bytes_ -= static_cast<size_t>(total_appended_ - stream_offset);
  total_appended_ = stream_offset;
  if (bytes_ == 0) {
    clear();
    return;
  }
  // A kept owned tail may grow again right after the bytes it kept (its size was cut above).
  Block* tail = segments_.back().block;
  if (tail->refs == 1 && segments_.back().offset + segments_.back().length == tail->size) {
    tail_write_ = tail->data + tail->size;
    tail_end_ = tail->data + tail->capacity;
  }
}

size_t OutputQueue::discard_unstarted() {
  size_t pending = messages();
  if (pending == 0) return 0;
  // A partly written head message must be finished or the peer sees a torn frame. One that has
  // not started goes too; the control frames queued before it stay (their ends are not tracked,
  // so one of them may be partly written).
  const MessageSpan head = message_ends_[ends_head_];
  const bool started = head.start < total_appended_ - bytes_;
  truncate_to(started ? head.end : head.start);  // may clear() the whole queue
  message_ends_.resize(ends_head_ + (started ? 1 : 0));
  return started ? pending - 1 : pending;
}

size_t OutputQueue::clear() {
  size_t lost = messages();
  for (size_t i = head_; i < segments_.size(); ++i) pool_->unref(segments_[i].block);
  segments_.clear();
  message_ends_.clear();
  head_ = ends_head_ = 0;
  tail_write_ = tail_end_ = nullptr;
  unsealed_ = 0;
  bytes_ = 0;
  total_appended_ = 0;
  return lost;
}

}  // namespace sb
