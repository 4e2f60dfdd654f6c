// Merging and the pipe format: "key=value" lines, the histogram last ("latency=<serialized>").
#include "bench/result.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace sb::bench {

namespace {

// One table drives both directions so a new counter cannot be forgotten in one of them.
template <typename R, typename F>
void for_each_counter(R& r, F&& f) {
  f("nodes", r.nodes);
  f("senders", r.senders);
  f("connect_ns", r.connect_ns);
  f("sent", r.sent);
  f("expected", r.expected);
  f("received", r.received);
  f("duplicates", r.duplicates);
  f("reordered", r.reordered);
  f("corrupt", r.corrupt);
  f("server_errors", r.server_errors);
  f("disconnects", r.disconnects);
  f("behind", r.behind);
  f("measured_sent", r.measured_sent);
  f("measured_delivered", r.measured_delivered);
  f("measured_bytes", r.measured_bytes);
  f("measured_ns", r.measured_ns);
  f("server_cpu_ns", r.server_cpu_ns);
  f("driver_cpu_ns", r.driver_cpu_ns);
}

}  // namespace

void WorkerResult::merge(const WorkerResult& o) {
  uint64_t connect = std::max(connect_ns, o.connect_ns), measured = std::max(measured_ns, o.measured_ns),
           server_cpu = std::max(server_cpu_ns, o.server_cpu_ns);
  // Pair up the two objects' counters by position in the table.
  const uint64_t* theirs[32];
  size_t n = 0;
  for_each_counter(o, [&](const char*, const uint64_t& v) { theirs[n++] = &v; });
  n = 0;
  for_each_counter(*this, [&](const char*, uint64_t& v) { v += *theirs[n++]; });
  connect_ns = connect;
  measured_ns = measured;
  server_cpu_ns = server_cpu;
  drain_timed_out = drain_timed_out || o.drain_timed_out;
  if (first_error.empty()) first_error = o.first_error;
  latency.merge(o.latency);
}

std::string WorkerResult::serialize() const {
  std::string out;
  for_each_counter(*this, [&](const char* key, const uint64_t& v) {
    out += key;
    out += '=';
    out += std::to_string(v);
    out += '\n';
  });
  out += "drain_timed_out=";
  out += drain_timed_out ? "1\n" : "0\n";
  std::string err = first_error;
  std::replace(err.begin(), err.end(), '\n', ' ');
  out += "first_error=" + err + "\n";
  out += "latency=" + latency.serialize() + "\n";
  return out;
}

bool WorkerResult::deserialize(std::string_view text) {
  *this = WorkerResult{};
  bool saw_latency = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return false;
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return false;
    std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "latency") {
      if (!latency.deserialize(value)) return false;
      saw_latency = true;
      continue;
    }
    if (key == "first_error") {
      first_error = std::string(value);
      continue;
    }
    if (key == "drain_timed_out") {
      drain_timed_out = value == "1";
      continue;
    }
    bool found = false, ok = true;
    for_each_counter(*this, [&](const char* k, uint64_t& v) {
      if (found || key != k) return;
      found = true;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      ok = ec == std::errc() && end == value.data() + value.size();
    });
    if (!found || !ok) return false;
  }
  return saw_latency;
}

}  // namespace sb::bench
