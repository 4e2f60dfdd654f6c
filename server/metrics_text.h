// The Prometheus text exposition format, version 0.0.4: "# HELP" and "# TYPE" lines, then the
// samples of each metric family. Pure (no sockets, no clock, no /proc): the caller passes the
// values in, so every line is unit-tested against the format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/stats/latency_histogram.h"

namespace sb::server {

inline constexpr std::string_view kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

class ExpositionWriter {
 public:
  void counter(std::string_view name, std::string_view help, uint64_t value);
  void counter(std::string_view name, std::string_view help, double value);
  void gauge(std::string_view name, std::string_view help, double value);
  // A histogram of values recorded in nanoseconds, exposed in seconds: cumulative `_bucket{le=}`
  // samples at `bounds_s` (ascending) and +Inf, then `_sum` and `_count`.
  void histogram_seconds(std::string_view name, std::string_view help, const stats::LatencyHistogram& h_ns,
                         const double* bounds_s, size_t bound_count);
  const std::string& text() const { return out_; }

 private:
  void family(std::string_view name, std::string_view help, std::string_view type);
  void sample(std::string_view name, std::string_view suffix, std::string_view labels, double value);

  std::string out_;
};

// Numbers as the format writes them: integers without a fraction or exponent, "+Inf", "NaN".
std::string format_value(double value);
// HELP text escaping: backslash and newline.
std::string escape_help(std::string_view help);

}  // namespace sb::server
