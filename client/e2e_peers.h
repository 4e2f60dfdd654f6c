// What this client knows of each peer's key: the server's latest answer to KEY GET (trusted for
// kFreshMs, then asked again, so a peer that came back with a new key is noticed), the trusted key
// in known_nodes, and new keys seen but not trusted yet (offered, until /trust). Decides whether a
// key may be used; it never uses a changed key by itself. Pure apart from KnownNodes' file.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "client/e2e_known_nodes.h"
#include "common/security/public_key.h"

namespace sb::client::e2e {

class PeerKeys {
 public:
  // How long a KEY GET answer is used before it is asked for again.
  static constexpr int64_t kFreshMs = 1000;

  enum class State {
    unknown,       // no fresh answer: ask the server
    trusted,       // the server's key is the one in known_nodes
    changed,       // the server's key differs from the trusted one: not to be used
    no_key,        // the node published none
    no_such_node,  // the node is not connected
    failed,        // the server refused the question (detail says why)
  };
  struct Lookup {
    State state = State::unknown;
    const security::PublicKey* key = nullptr;    // the server's answer (trusted, changed)
    const security::PublicKey* known = nullptr;  // the trusted key (changed)
    std::string_view detail;                     // failed: the server's error code
  };

  explicit PeerKeys(KnownNodes& known) : known_(known) {}

  Lookup lookup(std::string_view id, int64_t now_ms) const;

  enum class Learned { first_use, same, changed };
  // A KEY answer. A peer never seen before is trusted on first use (recorded in known_nodes; a
  // failed write leaves *write_error set and the key trusted for this session); a different key
  // becomes the offered one.
  Learned on_key(std::string_view id, const security::PublicKey& key, int64_t now_ms, std::string* write_error);
  void on_missing(std::string_view id, State state, std::string_view detail, int64_t now_ms);
  // Compares a key a message came with to the trusted one, with the same first-use rule.
  Learned on_sender(std::string_view id, const security::PublicKey& key, std::string* write_error);

  // Forgets the server's answer for `id` (asked again next time) or for everyone.
  void invalidate(std::string_view id) {
    if (auto it = fetched_.find(id); it != fetched_.end()) fetched_.erase(it);
  }
  void clear() { fetched_.clear(); }

  const security::PublicKey* known(std::string_view id) const { return known_.find(id); }
  const security::PublicKey* offered(std::string_view id) const;
  // /trust: the offered key becomes the trusted one. False when nothing is offered for `id`. When
  // known_nodes cannot be written, *write_error says why and the key is trusted for this session.
  bool trust(std::string_view id, security::PublicKey* trusted, std::string* write_error);

 private:
  struct Entry {
    State state = State::unknown;
    security::PublicKey key{};
    std::string detail;
    int64_t at_ms = 0;
  };
  Learned learn(std::string_view id, const security::PublicKey& key, std::string* write_error);

  KnownNodes& known_;
  std::map<std::string, Entry, std::less<>> fetched_;
  std::map<std::string, security::PublicKey, std::less<>> offered_;
};

}  // namespace sb::client::e2e
