// The secret-side state of an --e2e session that is not on disk: pair keys derived with our
// private key (X25519 costs ~33 us, so each peer key is derived once), the sender's message
// counter, and the replay guard over what peers sent. Pure: time is passed in.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "client/e2e_envelope.h"
#include "common/crypto/chacha20.h"
#include "common/crypto/x25519.h"

namespace sb::client::e2e {

class Keyring {
 public:
  // At most this many pair keys are cached; beyond, the cache starts over (a server sending
  // envelopes under ever new sender keys makes us derive, not grow).
  static constexpr size_t kMaxPairKeys = 4096;

  explicit Keyring(const crypto::X25519Key& private_key) : private_key_(private_key) {}
  ~Keyring();
  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;

  // box_beforenm(our private key, peer): false for a low-order peer key (unusable).
  bool pair_key(const crypto::X25519Key& peer, crypto::ChachaKey* out);

  // The counter for our next message: above the last one and never below `now_us`, the wall
  // clock in microseconds, so a restarted sender still counts upwards (while it sends fewer than a
  // million messages a second on average).
  uint64_t next_counter(uint64_t now_us) {
    last_counter_ = now_us > last_counter_ ? now_us : last_counter_ + 1;
    return last_counter_;
  }

 private:
  crypto::X25519Key private_key_;
  std::map<crypto::X25519Key, crypto::ChachaKey> pairs_;
  uint64_t last_counter_ = 0;
};

// Drops what was seen before: per (source id, sender key), a message whose counter is not above
// the last accepted one is a replay. Messages sealed long before this session started are too
// (kMaxAgeMs, tolerating clock differences between hosts): a peer can only have sealed a genuine
// one for us after we published our key, so an older one is a recording played back after we
// restarted and forgot the counters.
//
// Memory is bounded: a server can make up a fresh sender key for every message it forges under a
// known id (each shows as unverified), and each would take an entry. At kMaxTracked entries the
// counters are forgotten and the age limit moves up to the newest timestamp seen, so what could be
// replayed afterwards is at most kMaxAgeMs old.
class ReplayGuard {
 public:
  static constexpr uint64_t kMaxAgeMs = 10 * 60 * 1000;
  static constexpr size_t kMaxTracked = 65536;

  enum class Verdict { fresh, replayed, stale };

  explicit ReplayGuard(uint64_t session_start_ms) : start_ms_(session_start_ms) {}

  // Records the counter when fresh.
  Verdict check(std::string_view source, const crypto::X25519Key& sender, const Inner& inner);
  uint64_t last(std::string_view source, const crypto::X25519Key& sender) const;

 private:
  static std::string key_of(std::string_view source, const crypto::X25519Key& sender);
  uint64_t start_ms_;
  uint64_t newest_ms_ = 0;
  std::unordered_map<std::string, uint64_t> last_;
};

}  // namespace sb::client::e2e
