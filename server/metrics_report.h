// What GET /metrics reports: every STATS counter (server/stats_table.h), the standard process_*
// metrics, and the histogram of how long one loop iteration's work takes (from epoll_wait's
// return to the end of the reap). Built on demand for each scrape; the loop only records the
// iteration times, and only when --metrics is set.
#pragma once

#include <functional>
#include <string>

#include "common/stats/latency_histogram.h"
#include "server/stats.h"
#include "server/stats_table.h"

namespace sb::server {

class MetricsReport {
 public:
  MetricsReport(const ServerStats& stats, std::function<StatsReadings()> readings)
      : stats_(stats), readings_(std::move(readings)) {}

  // One loop iteration took `ns` nanoseconds of work.
  void record_iteration(uint64_t ns) { iterations_.record(ns); }
  // The exposition text (Prometheus format 0.0.4).
  std::string render() const;

 private:
  const ServerStats& stats_;
  std::function<StatsReadings()> readings_;
  stats::LatencyHistogram iterations_;
};

}  // namespace sb::server
