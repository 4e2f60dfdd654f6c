// Report formatting. JSON is written by hand: flat object, numbers and a few plain strings.
#include "bench/report.h"

#include <cstdio>

namespace sb::bench {

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string size_text(const Options& o) {
  return o.size_min == o.size_max ? std::to_string(o.size_min)
                                  : std::to_string(o.size_min) + "-" + std::to_string(o.size_max);
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt("\\u%04x", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

Summary summarize(const Options& o, const WorkerResult& r, const RunInfo& info) {
  Summary s;
  double secs = static_cast<double>(r.measured_ns) / 1e9;
  if (secs > 0) {
    s.msgs_per_s = static_cast<double>(r.measured_delivered) / secs;
    s.sent_per_s = static_cast<double>(r.measured_sent) / secs;
    s.mb_per_s = static_cast<double>(r.measured_bytes) / secs / 1e6;
  }
  auto us = [&](double q) { return static_cast<double>(r.latency.value_at_quantile(q)) / 1000.0; };
  s.p50_us = us(0.50);
  s.p90_us = us(0.90);
  s.p99_us = us(0.99);
  s.p999_us = us(0.999);
  s.max_us = static_cast<double>(r.latency.max()) / 1000.0;
  s.mean_us = r.latency.mean() / 1000.0;
  s.driver_cpu_s = static_cast<double>(r.driver_cpu_ns) / 1e9;
  if (r.server_cpu_ns > 0) {
    s.server_cpu_s = static_cast<double>(r.server_cpu_ns) / 1e9;
    s.msgs_per_server_cpu_s = static_cast<double>(r.measured_delivered) / s.server_cpu_s;
  }
  if (info.base.rss_kb >= 0 && info.idle.rss_kb >= 0 && o.nodes > 0)
    s.rss_per_node_bytes = static_cast<double>(info.idle.rss_kb - info.base.rss_kb) * 1024.0 / o.nodes;
  return s;
}

std::vector<std::string> problems(const WorkerResult& r) {
  std::vector<std::string> p;
  auto n = [](uint64_t v) { return std::to_string(v); };
  if (r.lost() > 0)
    p.push_back("LOST " + n(r.lost()) + " of " + n(r.expected) + " expected deliveries" +
                (r.drain_timed_out ? " (not delivered by the end of the drain: lost, or the server is that far behind)" : ""));
  if (r.duplicates > 0) p.push_back("DUPLICATED " + n(r.duplicates) + " deliveries");
  if (r.reordered > 0) p.push_back("REORDERED " + n(r.reordered) + " deliveries (arrived after a later message of the same sender and target)");
  if (r.corrupt > 0) p.push_back("CORRUPT " + n(r.corrupt) + " payloads (bad stamp or size)");
  if (r.server_errors > 0) p.push_back("SERVER ERRORS: " + n(r.server_errors));
  if (r.disconnects > 0) p.push_back("DISCONNECTED by the server: " + n(r.disconnects) + " nodes");
  if (r.drain_timed_out) p.push_back("DRAIN TIMED OUT with messages still in flight");
  if (!r.first_error.empty()) p.push_back("first error: " + r.first_error);
  return p;
}

std::string format_table(const Options& o, const WorkerResult& r, const RunInfo& info, const Summary& s) {
  std::string t;
  auto row = [&](const char* k, const std::string& v) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "  %-22s %s\n", k, v.c_str());
    t += buf;
  };
  t += "switchboard-bench (" + std::string(proto_name(o.proto)) + ")\n";
  row("workload", std::string(pattern_name(o.pattern)) + ", " + std::to_string(o.nodes) + " nodes, " +
                      std::to_string(r.senders) + " senders, " + size_text(o) + " B, window " +
                      std::to_string(o.window) + (o.rate > 0 ? ", rate " + fmt("%.0f", o.rate) + "/s" : ", closed loop") +
                      (o.busy_poll ? ", busy-poll" : "") +
                      (o.procs > 1 ? ", " + std::to_string(o.procs) + " procs" : ""));
  row("connect + register", fmt("%.3f s", info.connect_s) + fmt(" (%.0f nodes/s)", info.connect_s > 0 ? o.nodes / info.connect_s : 0));
  row("measured", fmt("%.2f s", static_cast<double>(r.measured_ns) / 1e9) + fmt(" after %.2f s warm-up", o.warmup_s));
  row("sent", std::to_string(r.sent) + " msgs (" + std::to_string(r.expected) + " deliveries expected)");
  row("delivered", std::to_string(r.received - r.duplicates) + ", lost " + std::to_string(r.lost()) + ", duplicated " +
                       std::to_string(r.duplicates) + ", reordered " + std::to_string(r.reordered));
  row("throughput", fmt("%.0f msgs/s delivered", s.msgs_per_s) + fmt(", %.0f msgs/s sent", s.sent_per_s) +
                        fmt(", %.1f MB/s payload", s.mb_per_s));
  row("latency us", fmt("p50 %.1f", s.p50_us) + fmt("  p90 %.1f", s.p90_us) + fmt("  p99 %.1f", s.p99_us) +
                        fmt("  p99.9 %.1f", s.p999_us) + fmt("  max %.1f", s.max_us) + fmt("  (mean %.1f,", s.mean_us) +
                        " " + std::to_string(r.latency.count()) + " samples)");
  if (s.server_cpu_s > 0)
    row("CPU in measured phase", fmt("server %.2f s", s.server_cpu_s) + fmt(" (%.0f msgs per server CPU-second)", s.msgs_per_server_cpu_s) +
                                     fmt(", driver %.2f s", s.driver_cpu_s));
  else
    row("CPU in measured phase", fmt("driver %.2f s (server unknown: pass --server-pid)", s.driver_cpu_s));
  if (r.behind > 0) row("open loop behind", std::to_string(r.behind) + " msgs due but never sent (generator or window limit)");
  if (info.idle.rss_kb >= 0)
    row("server RSS", std::to_string(info.base.rss_kb) + " kB before, " + std::to_string(info.idle.rss_kb) +
                          " kB with all nodes idle (" + fmt("%.0f B/node", s.rss_per_node_bytes) + "), " +
                          std::to_string(info.end.rss_kb) + " kB after, peak " + std::to_string(info.end.hwm_kb) + " kB");
  for (const auto& p : problems(r)) t += "  *** " + p + "\n";
  return t;
}

std::string format_json(const Options& o, const WorkerResult& r, const RunInfo& info, const Summary& s) {
  std::string j = "{";
  bool first = true;
  auto key = [&](const char* k) {
    j += first ? "\"" : ",\"";
    first = false;
    j += k;
    j += "\":";
  };
  auto num = [&](const char* k, double v, const char* f = "%.3f") {
    key(k);
    j += fmt(f, v);
  };
  auto integer = [&](const char* k, int64_t v) {
    key(k);
    j += std::to_string(v);
  };
  key("proto");
  j += json_string(proto_name(o.proto));
  key("pattern");
  j += json_string(pattern_name(o.pattern));
  integer("nodes", o.nodes);
  integer("senders", static_cast<int64_t>(r.senders));
  integer("procs", o.procs);
  integer("size", o.size_min);
  integer("size_max", o.size_max);
  integer("window", o.window);
  num("rate", o.rate, "%.0f");
  integer("busy_poll", o.busy_poll ? 1 : 0);
  num("duration_s", static_cast<double>(r.measured_ns) / 1e9);
  integer("sent", static_cast<int64_t>(r.sent));
  integer("expected", static_cast<int64_t>(r.expected));
  integer("delivered", static_cast<int64_t>(r.received - r.duplicates));
  integer("lost", static_cast<int64_t>(r.lost()));
  integer("duplicated", static_cast<int64_t>(r.duplicates));
  integer("reordered", static_cast<int64_t>(r.reordered));
  integer("corrupt", static_cast<int64_t>(r.corrupt));
  integer("server_errors", static_cast<int64_t>(r.server_errors));
  integer("disconnects", static_cast<int64_t>(r.disconnects));
  integer("behind", static_cast<int64_t>(r.behind));
  num("msgs_per_s", s.msgs_per_s, "%.0f");
  num("sent_per_s", s.sent_per_s, "%.0f");
  num("MB_per_s", s.mb_per_s);
  integer("latency_samples", static_cast<int64_t>(r.latency.count()));
  num("p50_us", s.p50_us);
  num("p90_us", s.p90_us);
  num("p99_us", s.p99_us);
  num("p999_us", s.p999_us);
  num("max_us", s.max_us);
  num("mean_us", s.mean_us);
  num("connect_s", info.connect_s, "%.4f");
  num("server_cpu_s", s.server_cpu_s);
  num("driver_cpu_s", s.driver_cpu_s);
  num("msgs_per_server_cpu_s", s.msgs_per_server_cpu_s, "%.0f");
  integer("server_rss_kb", info.end.rss_kb);
  integer("server_rss_base_kb", info.base.rss_kb);
  integer("server_rss_idle_kb", info.idle.rss_kb);
  integer("server_rss_peak_kb", info.end.hwm_kb);
  num("server_rss_per_node_bytes", s.rss_per_node_bytes, "%.0f");
  key("ok");
  j += r.clean() ? "true" : "false";
  if (!r.first_error.empty()) {
    key("error");
    j += json_string(r.first_error);
  }
  return j + "}\n";
}

}  // namespace sb::bench
