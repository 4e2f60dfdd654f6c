// Progress line formatting. Written with one write(2) so it never interleaves mid-line.
#include "bench/progress.h"

#include <unistd.h>

#include <cstdio>

namespace sb::bench {

void ProgressMeter::draw(uint64_t now, const char* phase, uint32_t registered, uint32_t nodes, bool partial,
                         bool final_line) {
  double secs = now > last_ ? static_cast<double>(now - last_) / 1e9 : 0;
  double sent_rate = secs > 0 ? static_cast<double>(sent_) / secs : 0;
  double recv_rate = secs > 0 ? static_cast<double>(delivered_) / secs : 0;
  double p99_us = static_cast<double>(interval_.value_at_quantile(0.99)) / 1000.0;
  char line[200];
  int n = std::snprintf(line, sizeof line, "\r%-7s nodes %u/%u%s | sent %9.0f/s | delivered %9.0f/s | p99 %8.1f us  %s",
                        phase, registered, nodes, partial ? " (worker 0)" : "", sent_rate, recv_rate, p99_us,
                        final_line ? "\n" : "");
  if (n > 0) {
    ssize_t ignored = ::write(2, line, static_cast<size_t>(n) < sizeof line ? static_cast<size_t>(n) : sizeof line - 1);
    (void)ignored;
  }
  interval_.reset();
  sent_ = delivered_ = 0;
  last_ = now;
}

}  // namespace sb::bench

