// App: /ping and its round trip. Each user PING carries a sequence number; the keepalive's word is
// kKeepaliveWord, so its PONG is told apart and not shown.
#include <cstdio>
#include <string>

#include "client/app.h"
#include "common/timing/clock.h"

namespace sb::client {

namespace {
int64_t monotonic_us() { return static_cast<int64_t>(monotonic_ns() / 1000); }
}  // namespace

bool App::ping() {
  if (!registered()) return false;
  uint64_t seq = ++ping_seq_;
  pings_.emplace_back(seq, monotonic_us());
  session_.ping(std::to_string(seq));
  queued(now_ms());
  return true;
}

void App::on_pong(std::string_view word) {
  if (word == kKeepaliveWord) return;
  uint64_t seq = 0;
  for (char c : word) seq = seq * 10 + static_cast<uint64_t>(c - '0');
  while (!pings_.empty() && pings_.front().first < seq) pings_.pop_front();
  if (!pings_.empty() && pings_.front().first == seq) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "Pong from server in %.3f ms",
                  static_cast<double>(monotonic_us() - pings_.front().second) / 1000.0);
    pings_.pop_front();
    frontend_.show_status(buf);
  } else {
    frontend_.show_status("Pong from server");
  }
}

}  // namespace sb::client
