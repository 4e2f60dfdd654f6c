// The one-line live display on stderr: phase, registered nodes, msgs/s sent and delivered and the
// p99 over the last interval. Only drawn when stderr is a terminal (main decides).
#pragma once

#include <cstdint>

#include "common/stats/latency_histogram.h"

namespace sb::bench {

class ProgressMeter {
 public:
  void start(uint64_t now) { last_ = now; }
  void record(uint64_t latency_ns) {
    interval_.record(latency_ns);
    ++delivered_;
  }
  void sent() { ++sent_; }
  bool due(uint64_t now) const { return now - last_ >= 250'000'000; }
  // Redraws the line (\r, no newline) and starts a new interval; final_line ends it with \n.
  void draw(uint64_t now, const char* phase, uint32_t registered, uint32_t nodes, bool partial, bool final_line);

 private:
  stats::LatencyHistogram interval_;
  uint64_t last_ = 0, sent_ = 0, delivered_ = 0;
};

}  // namespace sb::bench
