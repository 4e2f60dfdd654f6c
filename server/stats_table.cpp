// The counters table: STATS keys, Prometheus names and help texts, spelled once.
#include "server/stats_table.h"

namespace sb::server {

std::array<StatField, kStatFieldCount> stat_fields(const ServerStats& s, const StatsReadings& r) {
  const uint64_t queued = s.copies - s.msgs_out - s.dropped;
  // Direct messages are the accepted rest, so the direct path pays no counter of its own.
  const uint64_t routed = s.msgs_broadcast + s.msgs_group + s.msgs_anycast + s.msgs_pattern;
  const uint64_t direct = s.msgs_in - s.rejected - routed;
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
      {"groups", "switchboard_groups", false, "Groups that exist (a group exists while it has members).", r.groups},
      {"memberships", "switchboard_memberships", false, "Group memberships: (node, group) pairs.", r.memberships},
      {"msgs_direct", "switchboard_msgs_direct_total", true, "Accepted SEND/MSG to one node id.", direct},
      {"msgs_group", "switchboard_msgs_group_total", true, "Accepted SEND/MSG to a #group.", s.msgs_group},
      {"msgs_anycast", "switchboard_msgs_anycast_total", true, "Accepted SEND/MSG to a ~group (one member).",
       s.msgs_anycast},
      {"msgs_pattern", "switchboard_msgs_pattern_total", true, "Accepted SEND/MSG to an id pattern.", s.msgs_pattern},
      {"msgs_broadcast", "switchboard_msgs_broadcast_total", true, "Accepted SEND/MSG to * (every other node).",
       s.msgs_broadcast},
  }};
}

}  // namespace sb::server
