// The counters table: STATS keys, Prometheus names and help texts, spelled once.
#include "server/stats_table.h"

namespace sb::server {

std::array<StatField, kStatFieldCount> stat_fields(const ServerStats& s, const StatsReadings& r) {
  const uint64_t queued = s.copies - s.msgs_out - s.dropped;
  return {{
      {"connections", "switchboard_connections", false, "Connections the server holds a slot for.",
       r.connections},
      {"nodes", "switchboard_nodes", false, "Registered node ids.", r.nodes},
      {"msgs_in", "switchboard_msgs_in_total", true, "SEND/MSG commands received from registered nodes.",
       s.msgs_in},
      {"msgs_out", "switchboard_msgs_out_total", true, "Message copies completely written to their target.",
       s.msgs_out},
      {"bytes_in", "switchboard_bytes_in_total", true, "Bytes read from client sockets.", s.bytes_in},
      {"bytes_out", "switchboard_bytes_out_total", true, "Bytes written to client sockets.", s.bytes_out},
      {"dropped", "switchboard_dropped_total", true,
       "Message copies discarded because their target went away before they were written.", s.dropped},
      {"rejected", "switchboard_rejected_total", true, "SEND/MSG commands refused with an ERR.", s.rejected},
      {"copies", "switchboard_copies_total", true, "Message copies queued to targets.", s.copies},
      {"queued", "switchboard_queued", false, "Message copies queued and not yet written or dropped.", queued},
      {"evicted_idle", "switchboard_evicted_idle_total", true,
       "Connections closed by the idle or the handshake timeout.", s.evicted_idle},
      {"evicted_slow", "switchboard_evicted_slow_total", true, "Slow consumers evicted.", s.evicted_slow},
      {"blocked", "switchboard_blocked_total", true, "Times a sender was paused by back-pressure.", s.blocked},
      {"taken_over", "switchboard_taken_over_total", true,
       "Registrations replaced by a HELLO that proved the id.", s.taken_over},
      {"accepted", "switchboard_accepted_total", true, "Connections accepted.", s.accepted},
      {"refused", "switchboard_refused_total", true, "Connections refused with ERR server-full.", s.refused},
      {"refused_unlingered", "switchboard_refused_unlingered_total", true,
       "Refused connections closed at once instead of with the lingering close.", s.refused_unlingered},
      {"log_dropped", "switchboard_log_dropped_total", true, "Log records dropped because the log queue was full.",
       r.log_dropped},
      {"uptime_s", "switchboard_uptime_seconds", false, "Seconds since the server started.", r.uptime_s},
  }};
}

}  // namespace sb::server
