// Counters behind the STATS command and the periodic log summary.
#pragma once

#include <cstdint>

namespace sb::server {

struct ServerStats {
  uint64_t accepted = 0;       // connections accepted
  uint64_t refused = 0;        // connections refused (server-full, per-address cap, out of fds)
  uint64_t refused_unlingered = 0;  // refusals closed at once: the lingering list was full
  uint64_t msgs_in = 0;        // SEND/MSG commands received
  uint64_t rejected = 0;       // SEND/MSG commands answered with ERR (no route, too large, bad id)
  uint64_t copies = 0;         // message copies queued to targets (a broadcast queues several)
  uint64_t msgs_out = 0;       // copies completely written to their target
  uint64_t dropped = 0;        // copies discarded because their target went away
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  uint64_t evicted_idle = 0;
  uint64_t evicted_slow = 0;
  uint64_t taken_over = 0;     // registrations replaced by a HELLO that proved the id (--auth-file)
  uint64_t blocked = 0;        // times a sender was paused by a full target (back-pressure)
  // Accepted SEND/MSG by target kind; direct messages are the rest (msgs_in - rejected - these).
  uint64_t msgs_broadcast = 0;
  uint64_t msgs_group = 0;
  uint64_t msgs_anycast = 0;
  uint64_t msgs_pattern = 0;
};

}  // namespace sb::server
