// BackPressure: pausing senders on full targets, resuming them, and the slow-consumer watch.
#include "server/back_pressure.h"

namespace sb::server {

bool BackPressure::block(Connection& sender, Connection& target, uint64_t now_tick) {
  // The target's own replies (sender == target) never went through the routing path that starts
  // its slow-consumer clock: make sure it runs.
  note_output_growth(target, now_tick);
  sender.blocked_on = target.handle();
  target.waiters.push_back(sender.handle().pack());
  ++stats_.blocked;
  return false;
}

void BackPressure::wake_waiters(Connection& c) {
  if (c.waiters.empty()) return;
  const Handle self = c.handle();
  std::vector<uint64_t> waiters;
  waiters.swap(c.waiters);
  for (uint64_t packed : waiters) {
    Connection* w = slab_.find(Handle::unpack(packed));
    if (w == nullptr || !(w->blocked_on == self)) continue;  // closed, or woken already
    w->blocked_on = Handle{};
    lists_.mark_pending(*w);
  }
}

void BackPressure::watch(Connection& c, uint64_t now_tick) {
  c.watched = true;
  c.over_since = now_tick;
  watched_.push_back(c.handle().pack());
}

const std::vector<Connection*>& BackPressure::expired(uint64_t now_tick, uint64_t slow_ticks) {
  expired_.clear();
  size_t keep = 0;
  for (uint64_t packed : watched_) {
    Connection* c = slab_.find(Handle::unpack(packed));
    if (c == nullptr) continue;
    if (!full(*c)) {  // drained below the bound since: not slow
      c->watched = false;
      continue;
    }
    if (now_tick - c->over_since < slow_ticks || c->state == ConnState::draining) {
      watched_[keep++] = packed;
      continue;
    }
    c->watched = false;
    expired_.push_back(c);
  }
  watched_.resize(keep);
  return expired_;
}

}  // namespace sb::server
