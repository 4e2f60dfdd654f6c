// The server's counters as one table, in STATS reply order: each with its STATS key, its
// Prometheus name, whether it only grows (a counter) or goes up and down (a gauge), and its help
// text. The STATS command and GET /metrics both print this table, so a counter added here shows in
// both. Socket-free.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "server/stats.h"

namespace sb::server {

struct StatField {
  std::string_view key;     // STATS key
  std::string_view metric;  // Prometheus name: counters end in _total
  bool counter;
  std::string_view help;
  uint64_t value;
};

// The values that are not in ServerStats: they are read from the rooms that own them.
struct StatsReadings {
  uint64_t connections;
  uint64_t nodes;
  uint64_t log_dropped;
  uint64_t uptime_s;
  uint64_t groups;       // groups that exist (the Router's GroupTable)
  uint64_t memberships;  // (node, group) pairs
};

inline constexpr size_t kStatFieldCount = 26;
std::array<StatField, kStatFieldCount> stat_fields(const ServerStats& s, const StatsReadings& r);

}  // namespace sb::server
