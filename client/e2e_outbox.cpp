// E2eSession, sending: the outbox in order, the questions each message needs (WHO for a fan-out,
// KEY GET for each recipient whose key is not fresh), and sealing once the head is answered.
#include <time.h>

#include "client/e2e_session.h"
#include "client/text.h"

namespace sb::client {

using e2e::PeerKeys;
using e2e::Requests;

namespace {

std::string quoted(std::string_view id) { return "'" + escape_payload(id) + "'"; }

// A pattern has a token that is exactly "*" or ">" (protocol v2); "*" alone is v1 broadcast.
bool is_pattern(std::string_view target) {
  while (!target.empty()) {
    const size_t dot = target.find('.');
    const std::string_view token = target.substr(0, dot);
    if (token == "*" || token == ">") return true;
    target.remove_prefix(dot == std::string_view::npos ? target.size() : dot + 1);
  }
  return false;
}

const char* why_not(PeerKeys::State state) {
  switch (state) {
    case PeerKeys::State::changed: return "key changed";
    case PeerKeys::State::no_key: return "no key";
    case PeerKeys::State::no_such_node: return "gone";
    default: return "no usable key";
  }
}

}  // namespace

void E2eSession::send(std::string_view target, std::string_view text) {
  if (!target.empty() && target.front() == '~') {
    refuse(target,
           "anycast cannot be end-to-end encrypted: the server picks the recipient after the message is "
           "sealed (send to a node id or a #group instead)",
           "anycast");
    return;
  }
  Outgoing m;
  m.seq = ++next_seq_;
  m.target = target;
  m.text = text;
  if (target == "*") m.fanout = Fanout::all;
  else if (!target.empty() && target.front() == '#') m.fanout = Fanout::group;
  else if (is_pattern(target)) m.fanout = Fanout::pattern;
  if (m.fanout == Fanout::none) {
    m.recipients.emplace_back(target);
    m.members_known = true;
  }
  outbox_bytes_ += m.text.size();
  outbox_.push_back(std::move(m));
  ask_for(outbox_.back());
  pump();
}

void E2eSession::ask_key(std::string_view id) {
  if (keys_asked_.count(id) > 0) return;
  keys_asked_.emplace(id);
  batch_.push_back({Requests::Kind::key_get, std::string(id), 0});
}

void E2eSession::ask_for(Outgoing& m) {
  if (!m.members_known) {
    if (!m.members_asked) {
      m.members_asked = true;
      // WHO (every node) for "*", WHO #g, WHO <pattern>: just before sending, so a node that
      // joins later is not among the recipients.
      batch_.push_back({Requests::Kind::members, m.fanout == Fanout::all ? std::string() : m.target, m.seq});
    }
    return;
  }
  const int64_t now = now_ms();
  for (const std::string& r : m.recipients) {
    if (peers_.lookup(r, now).state == PeerKeys::State::unknown) ask_key(r);
  }
}

void E2eSession::flush_requests() {
  if (batch_.empty()) return;
  requests_.submit(session_, std::move(batch_));
  batch_.clear();
}

bool E2eSession::ready(const Outgoing& m) const {
  if (!m.failure.empty()) return true;
  if (!m.members_known) return false;
  const int64_t now = now_ms();
  for (const std::string& r : m.recipients) {
    if (peers_.lookup(r, now).state == PeerKeys::State::unknown) return false;
  }
  return true;
}

void E2eSession::pump() {
  while (!outbox_.empty()) {
    Outgoing& head = outbox_.front();
    if (!ready(head)) {
      ask_for(head);  // an answer may have grown stale while it waited
      break;
    }
    deliver(head);
    outbox_bytes_ -= head.text.size();
    outbox_.pop_front();
  }
  flush_requests();
}

void E2eSession::deliver(const Outgoing& m) {
  if (!m.failure.empty()) {
    refuse(m.target, m.failure, "server");
  } else if (m.fanout == Fanout::none) {
    deliver_direct(m);
  } else {
    deliver_fanout(m);
  }
}

e2e::Inner E2eSession::inner_for_now() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  const uint64_t us = static_cast<uint64_t>(ts.tv_sec) * 1'000'000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
  e2e::Inner inner;
  inner.counter = keyring_->next_counter(us);
  inner.timestamp_ms = us / 1000u;
  return inner;
}

std::string E2eSession::key_change_text(std::string_view id, const PeerKeys::Lookup& found) const {
  return "its key has changed (trusted: " + security::fingerprint_groups(*found.known) +
         "; now: " + security::fingerprint_groups(*found.key) + "). If " + escape_payload(id) +
         " really has a new key, compare it out of band (/fingerprint " + escape_payload(id) +
         ") and accept it with /trust " + escape_payload(id);
}

void E2eSession::deliver_direct(const Outgoing& m) {
  const PeerKeys::Lookup found = peers_.lookup(m.target, now_ms());
  switch (found.state) {
    case PeerKeys::State::trusted: break;
    case PeerKeys::State::changed: refuse(m.target, key_change_text(m.target, found), "key-changed"); return;
    case PeerKeys::State::no_key:
      refuse(m.target, "it has published no end-to-end key (is it running with --e2e?)", "no-key");
      return;
    case PeerKeys::State::no_such_node: refuse(m.target, "no such node", "no-such-node"); return;
    default: refuse(m.target, std::string(found.detail), "server"); return;
  }
  crypto::ChachaKey pair;
  if (!keyring_->pair_key(*found.key, &pair)) {
    refuse(m.target, "its published key cannot be used (a point of low order)", "bad-key");
    return;
  }
  e2e::seal_direct(identity_.public_key, pair, {node_id_, m.target}, inner_for_now(), m.text, &sealed_);
  session_.send(m.target, sealed_);
  SB_LOG(log_, debug, "sent_sealed", {"target", std::string_view(m.target)}, {"bytes", m.text.size()});
}

void E2eSession::deliver_fanout(const Outgoing& m) {
  std::vector<e2e::Recipient> recipients;
  std::string skipped;
  const int64_t now = now_ms();
  for (const std::string& r : m.recipients) {
    const PeerKeys::Lookup found = peers_.lookup(r, now);
    crypto::ChachaKey pair;
    if (found.state == PeerKeys::State::trusted && keyring_->pair_key(*found.key, &pair)) {
      recipients.push_back({r, pair});
      continue;
    }
    skipped += (skipped.empty() ? "" : ", ") + escape_payload(r) + " (" + why_not(found.state) +
               (found.state == PeerKeys::State::changed ? ": /trust " + escape_payload(r) : std::string()) + ")";
  }
  if (recipients.empty()) {
    refuse(m.target, m.recipients.empty() ? "there is nobody to encrypt it for" : "nobody has a usable key: " + skipped,
           "no-recipients");
    return;
  }
  e2e::seal_multi(identity_.public_key, recipients, {node_id_, m.target}, inner_for_now(), m.text, &sealed_);
  session_.send(m.target, sealed_);
  SB_LOG(log_, debug, "sent_sealed", {"target", std::string_view(m.target)}, {"bytes", m.text.size()},
         {"recipients", recipients.size()});
  std::string line = "Sent to " + quoted(m.target) + ", encrypted for " + std::to_string(recipients.size()) +
                     (recipients.size() == 1 ? " recipient" : " recipients");
  if (!skipped.empty()) line += "; not for " + skipped;
  frontend_.show_status(line);
}

void E2eSession::refuse(std::string_view target, const std::string& why, const char* reason) {
  SB_LOG(log_, warn, "send_refused", {"target", target}, {"reason", reason});
  frontend_.show_error("Error: not sent to " + quoted(target) + ": " + why);
  frontend_.on_refused(proto::ErrorCode::none, {});
}

}  // namespace sb::client
