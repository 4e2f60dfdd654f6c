// Public key text form and fingerprints.
#include "common/security/public_key.h"

#include "common/encoding/base64url.h"

namespace sb::security {

bool parse_public_key(std::string_view text, PublicKey* out) {
  if (text.size() != kPublicKeyTextSize || text.substr(0, kX25519KeyPrefix.size()) != kX25519KeyPrefix)
    return false;
  PublicKey key;
  if (!encoding::base64url_decode_exact(text.substr(kX25519KeyPrefix.size()), key.data(), key.size()))
    return false;
  *out = key;
  return true;
}

std::string public_key_text(const PublicKey& key) {
  return std::string(kX25519KeyPrefix) + encoding::base64url_encode(key.data(), key.size());
}

Sha256Digest key_fingerprint(const PublicKey& key) {
  Sha256 h;
  h.update(key.data(), key.size());
  return h.final();
}

std::string fingerprint_hex(const PublicKey& key) { return to_hex(key_fingerprint(key)); }

std::string fingerprint_log_text(const PublicKey& key) { return fingerprint_hex(key).substr(0, 32); }

std::string fingerprint_groups(const PublicKey& key) {
  const std::string hex = fingerprint_hex(key);
  std::string out;
  out.reserve(hex.size() + hex.size() / 4);
  for (size_t i = 0; i < hex.size(); i += 4) {
    if (i > 0) out += ' ';
    out.append(hex, i, 4);
  }
  return out;
}

}  // namespace sb::security
