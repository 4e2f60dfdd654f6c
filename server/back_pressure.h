// Back-pressure and the slow-consumer policy. A connection whose queued output reaches
// --max-outbuf is "full": a sender routing to it pauses (its input stays unread, the frame is
// retried) until the target drains to half the bound; a target that stays full for
// --slow-consumer-timeout is watched here and handed back to be evicted. Socket-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "server/connection_slab.h"
#include "server/server_limits.h"
#include "server/stats.h"
#include "server/work_lists.h"

namespace sb::server {

class BackPressure {
 public:
  BackPressure(ConnectionSlab& slab, WorkLists& lists, ServerStats& stats, size_t max_outbuf)
      : slab_(slab), lists_(lists), stats_(stats), max_outbuf_(max_outbuf) {}

  bool full(const Connection& c) const { return c.out.bytes() >= max_outbuf_; }

  // Output was queued on `c`: flush it this iteration, and start its slow-consumer clock when
  // the queue reached the bound.
  void note_output_growth(Connection& c, uint64_t now_tick) {
    lists_.mark_dirty(c);
    if (!c.watched && full(c)) watch(c, now_tick);
  }

  // `sender` stops taking commands until `target` drains below the low-water mark (or goes
  // away). Always false, so routing code can `return block(...)` for "retry this frame later".
  bool block(Connection& sender, Connection& target, uint64_t now_tick);
  // After a write: resumes the senders blocked on `c` once it fell to the low-water mark.
  void after_write(Connection& c) {
    if (!c.waiters.empty() && c.out.bytes() <= max_outbuf_ / kLowWaterDivisor) wake_waiters(c);
  }
  // `c` is leaving: its senders resume (their retried frame then finds no such node).
  void wake_waiters(Connection& c);

  // The watched connections that have been full for `slow_ticks` as of `now_tick`, not yet
  // draining: the caller evicts them. Connections that drained since are unwatched.
  const std::vector<Connection*>& expired(uint64_t now_tick, uint64_t slow_ticks);

 private:
  void watch(Connection& c, uint64_t now_tick);

  ConnectionSlab& slab_;
  WorkLists& lists_;
  ServerStats& stats_;
  size_t max_outbuf_;
  std::vector<uint64_t> watched_;  // packed handles of connections at or over the bound
  std::vector<Connection*> expired_;
};

}  // namespace sb::server
