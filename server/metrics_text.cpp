// ExpositionWriter: metric families in the Prometheus text format 0.0.4.
#include "server/metrics_text.h"

#include <charconv>
#include <cmath>

namespace sb::server {

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Whole numbers up to 2^53 are exact as doubles: print them as integers, the way counters read.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(value));
    return std::string(buf, end);
  }
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);  // shortest round-trip form
  return std::string(buf, end);
}

std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void ExpositionWriter::family(std::string_view name, std::string_view help, std::string_view type) {
  out_.append("# HELP ").append(name).append(" ").append(escape_help(help)).append("\n");
  out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void ExpositionWriter::sample(std::string_view name, std::string_view suffix, std::string_view labels,
                              double value) {
  out_.append(name).append(suffix);
  if (!labels.empty()) out_.append("{").append(labels).append("}");
  out_.append(" ").append(format_value(value)).append("\n");
}

void ExpositionWriter::counter(std::string_view name, std::string_view help, uint64_t value) {
  family(name, help, "counter");
  // A uint64 counter is printed exactly, whatever its size.
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(name).append(" ").append(buf, end).append("\n");
}

void ExpositionWriter::counter(std::string_view name, std::string_view help, double value) {
  family(name, help, "counter");
  sample(name, "", "", value);
}

void ExpositionWriter::gauge(std::string_view name, std::string_view help, double value) {
  family(name, help, "gauge");
  sample(name, "", "", value);
}

void ExpositionWriter::histogram_seconds(std::string_view name, std::string_view help,
                                         const stats::LatencyHistogram& h_ns, const double* bounds_s,
                                         size_t bound_count) {
  family(name, help, "histogram");
  for (size_t i = 0; i < bound_count; ++i) {
    const auto bound_ns = static_cast<uint64_t>(std::llround(bounds_s[i] * 1e9));
    sample(name, "_bucket", "le=\"" + format_value(bounds_s[i]) + "\"", double(h_ns.count_at_most(bound_ns)));
  }
  sample(name, "_bucket", "le=\"+Inf\"", double(h_ns.count()));
  sample(name, "_sum", "", double(h_ns.sum()) / 1e9);
  sample(name, "_count", "", double(h_ns.count()));
}

}  // namespace sb::server
