// Batches behind PING markers, answers matched in order.
#include "client/e2e_requests.h"

namespace sb::client::e2e {
namespace {

// Errors that end or concern the connection rather than answer a command.
bool is_unsolicited(proto::ErrorCode code) {
  using proto::ErrorCode;
  return code == ErrorCode::shutting_down || code == ErrorCode::idle_timeout || code == ErrorCode::slow_consumer ||
         code == ErrorCode::line_too_long || code == ErrorCode::server_full || code == ErrorCode::taken_over;
}

}  // namespace

void Requests::submit(Session& session, std::vector<Request> batch) {
  if (batch.empty()) return;
  Batch b;
  b.marker = std::string(kMarkerPrefix) + std::to_string(++next_marker_);
  session.ping(b.marker);
  for (Request& r : batch) {
    switch (r.kind) {
      case Kind::key_set: session.key_set(r.arg); break;
      case Kind::key_get: session.key_get(r.arg); break;
      case Kind::members: session.who(r.arg); break;
    }
    b.pending.push_back(std::move(r));
  }
  batches_.push_back(std::move(b));
}

Requests::Match Requests::match(const ServerEvent& ev, Request* answered) {
  using EvKind = ServerEvent::Kind;
  if (ev.kind == EvKind::pong) {
    if (ev.text.substr(0, kMarkerPrefix.size()) != kMarkerPrefix) return Match::none;
    if (!batches_.empty() && !batches_.front().started && ev.text == batches_.front().marker)
      batches_.front().started = true;
    return Match::marker;  // ours either way (a stale one from before a reconnect is swallowed too)
  }
  if (batches_.empty() || !batches_.front().started) return Match::none;
  const bool answer = ev.kind == EvKind::key || ev.kind == EvKind::nodes ||
                      (ev.kind == EvKind::error && !is_unsolicited(ev.code));
  if (!answer) return Match::none;
  Batch& b = batches_.front();
  *answered = std::move(b.pending.front());
  b.pending.pop_front();
  if (b.pending.empty()) batches_.pop_front();
  return Match::answer;
}

}  // namespace sb::client::e2e
