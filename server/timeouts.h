// The server's time limits converted once from seconds (flags) to loop ticks.
#pragma once

#include <cmath>
#include <cstdint>

#include "server/options.h"
#include "server/server_limits.h"

namespace sb::server {

inline uint64_t ticks_for(double seconds) { return static_cast<uint64_t>(std::ceil(seconds * 1000.0 / kTickMs)); }

struct Timeouts {
  explicit Timeouts(const ServerOptions& o)
      : idle(ticks_for(o.idle_timeout_s)),
        handshake(ticks_for(o.handshake_timeout_s)),
        slow_consumer(ticks_for(o.slow_consumer_timeout_s)),
        shutdown_grace(ticks_for(o.shutdown_grace_s)) {}
  uint64_t idle, handshake, slow_consumer, shutdown_grace;
};

}  // namespace sb::server
