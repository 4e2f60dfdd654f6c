// Pair key cache and replay guard.
#include "client/e2e_keyring.h"

#include "common/crypto/box.h"
#include "common/crypto/bytes.h"

namespace sb::client::e2e {

Keyring::~Keyring() {
  crypto::detail::wipe(private_key_.data(), private_key_.size());
  for (auto& [peer, key] : pairs_) crypto::detail::wipe(key.data(), key.size());
}

bool Keyring::pair_key(const crypto::X25519Key& peer, crypto::ChachaKey* out) {
  if (auto it = pairs_.find(peer); it != pairs_.end()) {
    *out = it->second;
    return true;
  }
  if (!crypto::box_beforenm(private_key_, peer, *out)) return false;
  if (pairs_.size() >= kMaxPairKeys) {
    for (auto& [p, key] : pairs_) crypto::detail::wipe(key.data(), key.size());
    pairs_.clear();
  }
  pairs_.emplace(peer, *out);
  return true;
}

std::string ReplayGuard::key_of(std::string_view source, const crypto::X25519Key& sender) {
  std::string key(source);
  key.push_back('\0');
  key.append(reinterpret_cast<const char*>(sender.data()), sender.size());
  return key;
}

ReplayGuard::Verdict ReplayGuard::check(std::string_view source, const crypto::X25519Key& sender,
                                        const Inner& inner) {
  if (inner.timestamp_ms + kMaxAgeMs < start_ms_) return Verdict::stale;
  if (last_.size() >= kMaxTracked) {
    last_.clear();
    if (newest_ms_ > start_ms_) start_ms_ = newest_ms_;
  }
  if (inner.timestamp_ms > newest_ms_) newest_ms_ = inner.timestamp_ms;
  auto [it, inserted] = last_.try_emplace(key_of(source, sender), inner.counter);
  if (inserted) return Verdict::fresh;
  if (inner.counter <= it->second) return Verdict::replayed;
  it->second = inner.counter;
  return Verdict::fresh;
}

uint64_t ReplayGuard::last(std::string_view source, const crypto::X25519Key& sender) const {
  auto it = last_.find(key_of(source, sender));
  return it == last_.end() ? 0 : it->second;
}

}  // namespace sb::client::e2e
