// E2eSession, receiving: open the envelope, drop replays, apply the trust rules, show the text in
// the plain client's format, or one warning line naming the sender, never the bytes.
#include "client/e2e_session.h"
#include "client/text.h"

namespace sb::client {

namespace {

std::string quoted(std::string_view id) { return "'" + escape_payload(id) + "'"; }

}  // namespace

void E2eSession::on_message(std::string_view from, std::string_view via, std::string_view payload) {
  e2e::Header header;
  switch (e2e::parse(payload, node_id_, &header)) {
    case e2e::Status::ok: break;
    case e2e::Status::not_envelope:
      warn_dropped(from, "it was not end-to-end encrypted, so it is not shown", "unencrypted");
      return;
    case e2e::Status::unknown_version:
      warn_dropped(from, "it uses an envelope version this client does not know", "unknown-version");
      return;
    case e2e::Status::not_for_us:
      warn_dropped(from, "it was not encrypted for this node (sent before it joined, or meant for another)",
                   "not-for-us");
      return;
    default:
      warn_dropped(from, "it is damaged (not a complete envelope)", "malformed");
      return;
  }
  crypto::ChachaKey pair;
  if (!keyring_->pair_key(header.sender, &pair)) {
    warn_dropped(from, "its sender key cannot be used (a point of low order)", "bad-key");
    return;
  }
  // A direct envelope names us as its target; a multi one the group, pattern or "*" it was sent to,
  // which the FROM line's last token gives (none for a broadcast).
  const std::string_view target = header.kind == e2e::Kind::direct ? std::string_view(node_id_)
                                  : via.empty()                    ? std::string_view("*")
                                                                   : via;
  e2e::Inner inner;
  if (e2e::open(payload, header, pair, {from, target}, &inner, &opened_) != e2e::Status::ok) {
    warn_dropped(from,
                 "it failed verification (changed on the way, or not sent by " + quoted(from) + " to " +
                     quoted(target) + ")",
                 "forged");
    return;
  }
  if (!check_replay(from, header.sender, inner)) return;
  show_opened(from, via, header.sender, opened_);
}

void E2eSession::warn_dropped(std::string_view from, const std::string& why, const char* reason) {
  SB_LOG(log_, warn, "decrypt_failed", {"from", from}, {"reason", reason});
  frontend_.show_error("Warning: dropped a message from " + quoted(from) + ": " + why);
}

bool E2eSession::check_replay(std::string_view from, const crypto::X25519Key& sender, const e2e::Inner& inner) {
  switch (replay_->check(from, sender, inner)) {
    case e2e::ReplayGuard::Verdict::fresh: return true;
    case e2e::ReplayGuard::Verdict::replayed:
      SB_LOG(log_, warn, "replay_dropped", {"from", from}, {"reason", "counter"});
      frontend_.show_error("Warning: dropped a replayed message from " + quoted(from) +
                           " (its counter is not above the last one seen)");
      return false;
    case e2e::ReplayGuard::Verdict::stale:
      SB_LOG(log_, warn, "replay_dropped", {"from", from}, {"reason", "stale"});
      frontend_.show_error("Warning: dropped a replayed message from " + quoted(from) +
                           " (sealed before this session started)");
      return false;
  }
  return false;
}

void E2eSession::show_opened(std::string_view from, std::string_view via, const security::PublicKey& sender,
                             std::string_view text) {
  std::string write_error;
  const e2e::PeerKeys::Learned learned = peers_.on_sender(from, sender, &write_error);
  SB_LOG(log_, debug, "received_sealed", {"from", from}, {"bytes", text.size()});
  if (learned != e2e::PeerKeys::Learned::changed) {
    if (learned == e2e::PeerKeys::Learned::first_use) note_learned(from, sender, learned, write_error, "first-use");
    frontend_.on_message(from, via, text);
    return;
  }
  // Bounded: a server can make up a fresh key per message; past the bound a key is warned about again.
  if (warned_changed_.size() >= 4096) warned_changed_.clear();
  if (warned_changed_.insert(std::string(from) + " " + security::fingerprint_hex(sender)).second) {
    note_learned(from, sender, learned, write_error, "");
    const security::PublicKey* known = peers_.known(from);
    frontend_.show_error("Warning: " + quoted(from) + " now uses a different key (trusted: " +
                         (known != nullptr ? security::fingerprint_groups(*known) : std::string("none")) +
                         "; its messages now: " + security::fingerprint_groups(sender) +
                         "). They are shown as unverified until you accept the key with /trust " +
                         escape_payload(from));
  }
  frontend_.on_message(std::string(from) + " (unverified)", via, text);
}

}  // namespace sb::client
