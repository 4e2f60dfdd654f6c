// The settings the server's command line and its config file both set, compared as one value:
// the option tests (defaults, every flag) and the config-file test check the same fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "common/log/logger.h"
#include "server/options.h"

namespace sb::test {

struct CoreSettings {
  std::string bind;
  uint16_t port;
  double idle_timeout_s;
  double handshake_timeout_s;
  size_t max_conns;
  size_t max_payload;
  size_t max_outbuf;
  double slow_consumer_timeout_s;
  double shutdown_grace_s;
  std::string log_dir;
  log::Level log_level;
  unsigned log_workers;
  bool log_stderr;

  bool operator==(const CoreSettings&) const = default;
};

inline CoreSettings core_settings(const server::ServerOptions& o) {
  return {o.bind,       o.port,     o.idle_timeout_s,          o.handshake_timeout_s, o.max_conns,
          o.max_payload, o.max_outbuf, o.slow_consumer_timeout_s, o.shutdown_grace_s,   o.log_dir,
          o.log_level,  o.log_workers, o.log_stderr};
}

// For GoogleTest's failure messages.
inline void PrintTo(const CoreSettings& s, std::ostream* os) {
  *os << "{bind " << s.bind << ", port " << s.port << ", idle-timeout " << s.idle_timeout_s
      << ", handshake-timeout " << s.handshake_timeout_s << ", max-conns " << s.max_conns
      << ", max-payload " << s.max_payload << ", max-outbuf " << s.max_outbuf
      << ", slow-consumer-timeout " << s.slow_consumer_timeout_s << ", shutdown-grace "
      << s.shutdown_grace_s << ", log-dir " << s.log_dir << ", log-level "
      << static_cast<int>(s.log_level) << ", log-workers " << s.log_workers << ", log-stderr "
      << s.log_stderr << "}";
}

}  // namespace sb::test
