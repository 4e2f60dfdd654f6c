// A bounded lock-free multi-producer multi-consumer ring (Dmitry Vyukov's design): each slot has a
// sequence number that says whose turn it is, so producers and consumers never take a lock and a
// full ring is detected in one load, which lets the producer drop instead of waiting.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

#include <sys/mman.h>

namespace sb::log {

// Positions are 64-bit and only grow, so they never wrap in practice and double as a global
// sequence number: the order in which producers claimed positions is the order lines are written.
//
// Slot protocol for position p in slot p & mask:
//   seq == p            free, a producer may claim p (CAS on enqueue_pos_)
//   seq == p + 1        published, a consumer may claim p (CAS on dequeue_pos_)
//   seq == p + capacity released by the consumer, free for position p + capacity
// Consumers claim a contiguous batch in one CAS, read the slots, and release them. A slot claimed
// by a consumer but not yet released still counts as occupied: the producer sees "full" and drops.
template <typename T>
class RecordQueue {
 public:
  explicit RecordQueue(size_t min_capacity) {
    size_t cap = 2;
    while (cap < min_capacity) cap <<= 1;
    mask_ = cap - 1;
    // The ring is several MiB and every record touches a new part of it: in 4 KiB pages that is a
    // TLB miss every few records, on the producer's path. Aligned to and advised as huge pages,
    // it is a handful of TLB entries. Constructing every slot writes every page now, at start,
    // instead of page-faulting on the producer's path during the first lap.
    bytes_ = (cap * sizeof(Slot) + kHugePage - 1) / kHugePage * kHugePage;
    void* memory = std::aligned_alloc(kHugePage, bytes_);
    if (memory == nullptr) throw std::bad_alloc();
    madvise(memory, bytes_, MADV_HUGEPAGE);  // a hint: without transparent huge pages, 4 KiB pages
    slots_ = static_cast<Slot*>(memory);
    for (size_t i = 0; i < cap; ++i) new (&slots_[i]) Slot();
    for (size_t i = 0; i < cap; ++i) slots_[i].seq.store(i, std::memory_order_relaxed);
  }

  ~RecordQueue() {
    for (size_t i = 0; i <= mask_; ++i) slots_[i].~Slot();
    std::free(slots_);
  }
  RecordQueue(const RecordQueue&) = delete;
  RecordQueue& operator=(const RecordQueue&) = delete;

  size_t capacity() const noexcept { return mask_ + 1; }

  // Producer, step 1: claims a slot and returns it for filling, or nullptr if the ring is full.
  T* try_claim(uint64_t* pos_out) noexcept {
    uint64_t pos = enqueue_pos_.load(std::memory_order_relaxed);
    for (;;) {
      Slot& slot = slots_[pos & mask_];
      const uint64_t seq = slot.seq.load(std::memory_order_acquire);
      const int64_t diff = static_cast<int64_t>(seq - pos);
      if (diff == 0) {
        // On failure the CAS reloads pos; another producer took it, try the next one.
        if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          *pos_out = pos;
          return &slot.value;
        }
      } else if (diff < 0) {
        return nullptr;  // the slot still holds a record from one lap ago: full
      } else {
        pos = enqueue_pos_.load(std::memory_order_relaxed);  // we were behind; catch up
      }
    }
  }
  // Producer, step 1 when only one thread ever produces: the same claim without the CAS (a
  // locked instruction, which also waits for every earlier store of the thread to drain). Never
  // mix with try_claim on the same queue.
  T* try_claim_single(uint64_t* pos_out) noexcept {
    const uint64_t pos = enqueue_pos_.load(std::memory_order_relaxed);
    Slot& slot = slots_[pos & mask_];
    if (slot.seq.load(std::memory_order_acquire) != pos) return nullptr;  // a lap behind: full
    enqueue_pos_.store(pos + 1, std::memory_order_relaxed);
    *pos_out = pos;
    return &slot.value;
  }
  // Asks for the first cache line of the slot of position `pos` (the sequence number and the
  // start of the record, all of a usual one) to be brought into cache, so that the next claim
  // and fill do not wait for memory: the ring is larger than the caches, and each slot is
  // touched once a lap. One plain call: GCC drops __builtin_prefetch inside a loop.
  void prefetch(uint64_t pos) const noexcept { __builtin_prefetch(&slots_[pos & mask_], 1, 3); }
  // Producer, step 2: makes the filled slot visible to consumers.
  void publish(uint64_t pos) noexcept {
    slots_[pos & mask_].seq.store(pos + 1, std::memory_order_release);
  }

  template <typename Fill>
  bool try_push(Fill&& fill) noexcept {
    uint64_t pos;
    T* slot = try_claim(&pos);
    if (slot == nullptr) return false;
    fill(*slot);
    publish(pos);
    return true;
  }

  // Consumer: claims up to max contiguous published records in one step. Returns how many and the
  // first position; 0 means the record at the head is not yet published (empty, or a producer is
  // between claim and publish).
  size_t claim_batch(size_t max, uint64_t* first) noexcept {
    uint64_t pos = dequeue_pos_.load(std::memory_order_relaxed);
    for (;;) {
      size_t n = 0;
      while (n < max &&
             slots_[(pos + n) & mask_].seq.load(std::memory_order_acquire) == pos + n + 1) {
        ++n;
      }
      if (n == 0) {
        const uint64_t seq = slots_[pos & mask_].seq.load(std::memory_order_acquire);
        if (static_cast<int64_t>(seq - (pos + 1)) < 0) return 0;  // head not published
        pos = dequeue_pos_.load(std::memory_order_relaxed);  // another consumer moved on
        continue;
      }
      if (dequeue_pos_.compare_exchange_weak(pos, pos + n, std::memory_order_relaxed)) {
        *first = pos;
        return n;
      }
    }
  }
  T& at(uint64_t pos) noexcept { return slots_[pos & mask_].value; }
  // Consumer: hands the slots back to producers once their contents have been read.
  void release(uint64_t first, size_t n) noexcept {
    for (size_t i = 0; i < n; ++i) {
      slots_[(first + i) & mask_].seq.store(first + i + mask_ + 1, std::memory_order_release);
    }
  }

  // Positions handed out to producers so far (the sequence number of the next record).
  uint64_t enqueued() const noexcept { return enqueue_pos_.load(std::memory_order_acquire); }
  // Positions claimed by consumers so far.
  uint64_t claimed() const noexcept { return dequeue_pos_.load(std::memory_order_acquire); }

 private:
  struct alignas(64) Slot {
    std::atomic<uint64_t> seq{0};
    T value;
  };
  // Producers and consumers each own one cache line, so they do not invalidate each other's.
  alignas(64) std::atomic<uint64_t> enqueue_pos_{0};
  alignas(64) std::atomic<uint64_t> dequeue_pos_{0};
  static constexpr size_t kHugePage = size_t{2} << 20;
  alignas(64) Slot* slots_ = nullptr;
  size_t bytes_ = 0;
  size_t mask_ = 0;
};

}  // namespace sb::log
