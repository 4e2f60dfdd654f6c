// box_keypair and box_beforenm: X25519 plus HChaCha20 as NaCl's crypto_box derives its key
// (the reasons are in box.h).
#include "common/crypto/box.h"

#include "common/crypto/bytes.h"
#include "common/crypto/random.h"

namespace sb::crypto {

void box_keypair(X25519Key& public_key, X25519Key& private_key) {
  random_bytes(private_key.data(), private_key.size());
  x25519_public_key(private_key, public_key);
}

bool box_beforenm(const X25519Key& my_private, const X25519Key& peer_public, ChachaKey& key) {
  X25519Key shared;
  const bool ok = x25519_shared_secret(my_private, peer_public, shared);
  static constexpr HChachaInput kZero = {};
  hchacha20(shared, kZero, key);
  detail::wipe(shared.data(), shared.size());
  // No branch on ok: the mask zeroes the key of a refused exchange in constant time.
  const uint8_t keep = static_cast<uint8_t>(0 - static_cast<uint8_t>(ok));
  for (uint8_t& b : key) b &= keep;
  return ok;
}

}  // namespace sb::crypto
