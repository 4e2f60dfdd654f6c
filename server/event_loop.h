// The loop's kernel objects: one epoll instance, the timerfd that ticks every kTickMs, the
// signalfd for SIGINT/SIGTERM/SIGHUP and the eventfd another thread uses to wake the loop. It
// owns the loop's notion of "now" (ticks since start) and knows nothing of connections: the
// `data.u64` of each registration is a tag its owner chose, and Server decides what a tag means.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sb::server {

// Tags of the loop's own descriptors. A connection's tag is its packed Handle, whose generation
// (the high half) never reaches 0xFFFFFFFF in practice, so these cannot collide with one.
enum LoopTag : uint64_t {
  kListenerTag = 0xFFFF'FFFF'FFFF'FF01ull,
  kTimerTag = 0xFFFF'FFFF'FFFF'FF02ull,
  kSignalTag = 0xFFFF'FFFF'FFFF'FF03ull,
  kWakeTag = 0xFFFF'FFFF'FFFF'FF04ull,
  kBackboneTag = 0xFFFF'FFFF'FFFF'FF05ull,  // the NATS connection of --cluster (server/backbone.h)
  kMetricsListenerTag = 0xFFFF'FFFF'FFFF'FF06ull,
  // The metrics endpoint's connections: kMetricsConnTag + their index in MetricsServer's table.
  kMetricsConnTag = 0xFFFF'FFFF'FFFF'FE00ull,
};

class EventLoop {
 public:
  // `max_events`: the most descriptors one wait reports (the connection cap plus the loop's own).
  explicit EventLoop(size_t max_events);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Creates the descriptors and starts the tick. `handle_signals`: take SIGINT/SIGTERM/SIGHUP
  // through a signalfd (the caller must have blocked them in every thread).
  bool open(bool handle_signals, std::string* error);

  bool add(int fd, uint32_t events, uint64_t tag);
  bool modify(int fd, uint32_t events, uint64_t tag);
  void remove(int fd);

  // Waits for events; returns how many are in event(0..n), or -1 on a fatal error (EINTR is 0).
  int wait(int timeout_ms);
  const epoll_event& event(int i) const { return events_[static_cast<size_t>(i)]; }

  // The timerfd fired: reads how many ticks passed (a loop delayed 300 ms advances 3).
  uint64_t read_ticks();
  // Moves "now" forward; the timer path and tests both come through here.
  void advance(uint64_t ticks) { now_tick_ += ticks; }
  uint64_t now_tick() const { return now_tick_; }

  // Reads every queued signal and returns their numbers in order.
  std::vector<int> read_signals();
  // Safe from any thread: makes the loop see kWakeTag.
  void wake();
  void clear_wake();

 private:
  int epfd_ = -1;
  int timer_fd_ = -1;
  int signal_fd_ = -1;
  int wake_fd_ = -1;
  uint64_t now_tick_ = 0;  // the loop's cached "now" for every deadline
  std::vector<epoll_event> events_;  // grows on demand up to max_events_
  size_t max_events_;
};

}  // namespace sb::server
