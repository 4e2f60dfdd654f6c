// Peer key decisions: freshness of the server's answers, trust on first use, offered keys.
#include "client/e2e_peers.h"

namespace sb::client::e2e {

PeerKeys::Lookup PeerKeys::lookup(std::string_view id, int64_t now_ms) const {
  Lookup out;
  auto it = fetched_.find(id);
  if (it == fetched_.end() || now_ms - it->second.at_ms >= kFreshMs) return out;
  const Entry& e = it->second;
  out.state = e.state;
  out.detail = e.detail;
  if (e.state != State::trusted) return out;
  out.key = &e.key;
  out.known = known_.find(id);
  // on_key recorded a first key in memory at least, so `known` is there; a different one is a change.
  if (out.known == nullptr || *out.known != e.key) out.state = State::changed;
  return out;
}

PeerKeys::Learned PeerKeys::learn(std::string_view id, const security::PublicKey& key, std::string* write_error) {
  const security::PublicKey* known = known_.find(id);
  if (known == nullptr) {
    known_.remember(id, key, write_error);
    return Learned::first_use;
  }
  if (*known == key) {
    if (auto it = offered_.find(id); it != offered_.end()) offered_.erase(it);  // back to the trusted key
    return Learned::same;
  }
  offered_[std::string(id)] = key;
  return Learned::changed;
}

PeerKeys::Learned PeerKeys::on_key(std::string_view id, const security::PublicKey& key, int64_t now_ms,
                                   std::string* write_error) {
  Entry& e = fetched_[std::string(id)];
  e.state = State::trusted;  // lookup() compares with known_nodes every time
  e.key = key;
  e.detail.clear();
  e.at_ms = now_ms;
  return learn(id, key, write_error);
}

void PeerKeys::on_missing(std::string_view id, State state, std::string_view detail, int64_t now_ms) {
  Entry& e = fetched_[std::string(id)];
  e.state = state;
  e.detail = detail;
  e.at_ms = now_ms;
}

PeerKeys::Learned PeerKeys::on_sender(std::string_view id, const security::PublicKey& key, std::string* write_error) {
  const Learned learned = learn(id, key, write_error);
  // The server's answer we hold may be the old key: ask again before the next message to `id`.
  if (learned == Learned::changed) invalidate(id);
  return learned;
}

const security::PublicKey* PeerKeys::offered(std::string_view id) const {
  auto it = offered_.find(id);
  return it == offered_.end() ? nullptr : &it->second;
}

bool PeerKeys::trust(std::string_view id, security::PublicKey* trusted, std::string* write_error) {
  auto it = offered_.find(id);
  if (it == offered_.end()) return false;
  *trusted = it->second;
  offered_.erase(it);
  known_.remember(id, *trusted, write_error);
  invalidate(id);
  return true;
}

}  // namespace sb::client::e2e
