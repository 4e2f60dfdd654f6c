// The refused connections' way out. A refused socket gets one ERR line and no slot; closing it at
// once while the client's first bytes (its HELLO) sit unread makes the kernel answer with an RST,
// which can destroy the ERR before the client reads it. So, as ConnectionIo does for connections:
// shut our side down, then read and discard until the client's EOF, for at most kLingerTicks,
// polled on the loop's tick. The list is small and bounded: a flood of refusals must not hold
// descriptors the server needs, so beyond it a refusal is closed at once (and counted).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sb::server {

class LingeringRefusals {
 public:
  static constexpr size_t kCapacity = 64;

  LingeringRefusals() { list_.reserve(kCapacity); }
  ~LingeringRefusals() { close_all(); }
  LingeringRefusals(const LingeringRefusals&) = delete;
  LingeringRefusals& operator=(const LingeringRefusals&) = delete;

  // Takes `fd` (its reply already sent) and closes it after the peer's EOF or at `deadline_tick`.
  // False when the list is full: the caller closes it at once.
  bool add(int fd, uint64_t deadline_tick);
  // Each tick: discard what arrived, close those at EOF or past their deadline.
  void on_tick(uint64_t now_tick);
  void close_all();
  size_t size() const { return list_.size(); }

 private:
  struct Refusal {
    int fd;
    uint64_t deadline;
  };
  static bool drained(int fd);  // true at EOF or on an error: nothing is left to protect
  std::vector<Refusal> list_;
};

}  // namespace sb::server
