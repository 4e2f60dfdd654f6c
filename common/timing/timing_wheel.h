// TimingWheel: idle and handshake deadlines for every connection, in O(1) per touch.
// A hashed wheel of intrusive circular lists driven by an external tick count (the server's
// timerfd; tests inject ticks). Nothing here allocates after construction or reads a clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace sb {

// Embedded in the caller's connection. `owner` is the caller's slot index, so the expiry
// callback needs no container_of. A linked node must not be copied, moved or destroyed: cancel
// it first. next == nullptr means "not scheduled".
struct TimerNode {
  TimerNode* prev = nullptr;
  TimerNode* next = nullptr;
  uint64_t deadline = 0;
  uint32_t owner = 0;
};

class TimingWheel {
 public:
  // `slots` must be a power of two (std::invalid_argument otherwise). Deadlines further away
  // than `slots` ticks still work (they wait whole revolutions in their bucket), but each
  // revolution costs them an unlink and relink, so size the wheel to cover the usual timeout.
  explicit TimingWheel(size_t slots, uint64_t start_tick = 0);
  // Teardown touches no node: the connection slab and the wheel may then be destroyed in either
  // order (unlinking here would write into nodes a slab destroyed first has already freed).
  // Nodes still linked keep stale pointers, so never schedule or cancel them afterwards.
  TimingWheel(const TimingWheel&) = delete;  // the bucket heads are pointed at by nodes
  TimingWheel& operator=(const TimingWheel&) = delete;

  // Arms or re-arms `n` to expire at `deadline_tick`. A deadline <= now() is stored as now() + 1:
  // it expires on the next advance, never inside this call. Re-arming into the same bucket (a
  // connection touched several times within one tick) only stores the new deadline.
  void schedule(TimerNode& n, uint64_t deadline_tick) {
    if (deadline_tick <= now_) deadline_tick = now_ + 1;
    if (n.next != nullptr) {
      if (((n.deadline ^ deadline_tick) & mask_) == 0) {
        n.deadline = deadline_tick;
        return;
      }
      unlink(n);
    } else {
      ++count_;
    }
    n.deadline = deadline_tick;
    link(heads_[deadline_tick & mask_], n);
  }

  void cancel(TimerNode& n) {
    if (n.next == nullptr) return;
    unlink(n);
    --count_;
  }

  bool scheduled(const TimerNode& n) const { return n.next != nullptr; }
  uint64_t now() const { return now_; }
  size_t size() const { return count_; }  // nodes currently scheduled
  size_t slots() const { return mask_ + 1; }

  // Processes every tick after now() up to and including now_tick (a timerfd read that reports
  // several expirations is honoured) and calls on_expire(TimerNode&) for each node whose deadline
  // <= the tick being processed, after unlinking it. During the callback now() is that tick, and
  // the callback may schedule or cancel any node, including the one it was given (but must not
  // call advance itself).
  //
  // A jump of more than slots() ticks (the loop stalled, or a test skipped ahead) processes only
  // the last slots() ticks: one revolution visits every bucket, and since a node sits in bucket
  // deadline % slots, every overdue node is found there and expires. Overdue nodes then fire in
  // bucket order rather than deadline order; nothing is lost and the cost stays bounded.
  template <class F>
  void advance(uint64_t now_tick, F&& on_expire) {
    if (now_tick <= now_) return;
    if (now_tick - now_ > mask_ + 1) now_ = now_tick - (mask_ + 1);
    while (now_ < now_tick) {
      ++now_;
      TimerNode& head = heads_[now_ & mask_];
      if (head.next == &head) continue;
      // Detach the bucket onto a local list first. The callback may cancel or reschedule nodes
      // still waiting on it, and a rescheduled node never lands back on the list being walked.
      // The guard puts any leftovers back into the bucket if the callback throws.
      TimerNode pending;
      splice(head, pending);
      struct Guard {
        TimerNode& from;
        TimerNode& to;
        ~Guard() {
          if (from.next != &from) splice(from, to);
        }
      } guard{pending, head};
      while (pending.next != &pending) {
        TimerNode& n = *pending.next;
        unlink(n);
        if (n.deadline <= now_) {
          --count_;
          on_expire(n);
        } else {
          link(head, n);  // a later revolution (deadline - now_ is a multiple of slots())
        }
      }
    }
  }

 private:
  static void link(TimerNode& head, TimerNode& n) {
    n.prev = head.prev;
    n.next = &head;
    head.prev->next = &n;
    head.prev = &n;
  }
  static void unlink(TimerNode& n) {
    n.prev->next = n.next;
    n.next->prev = n.prev;
    n.prev = n.next = nullptr;
  }
  // Moves every node of the (non-empty) list `from` to the empty list `to`; `from` ends empty.
  static void splice(TimerNode& from, TimerNode& to) {
    if (to.next == nullptr) to.next = to.prev = &to;
    TimerNode* first = from.next;
    TimerNode* last = from.prev;
    // Append to `to`'s tail (empty in advance(); non-empty when the guard restores a bucket).
    first->prev = to.prev;
    to.prev->next = first;
    last->next = &to;
    to.prev = last;
    from.next = from.prev = &from;
  }

  std::unique_ptr<TimerNode[]> heads_;  // sentinels of circular lists, one per bucket
  uint64_t mask_;
  uint64_t now_;
  size_t count_ = 0;
};

}  // namespace sb
