// The text form of an end-to-end public key as the protocol and the files carry it
// ("x25519:" + the unpadded base64url of its 32 bytes, 50 characters in all), and its
// fingerprint: the SHA-256 of the 32 key bytes, which people compare out of band.
// Server (KEY SET/GET, pinned keys in --auth-file) and client (key files, known_nodes) share it.
#pragma once

#include <string>
#include <string_view>

#include "common/crypto/x25519.h"
#include "common/security/sha256.h"

namespace sb::security {

using PublicKey = crypto::X25519Key;

inline constexpr std::string_view kX25519KeyPrefix = "x25519:";
// "x25519:" and 43 base64url characters (32 bytes, unpadded).
inline constexpr size_t kPublicKeyTextSize = 50;

// True only for exactly "x25519:" followed by the canonical unpadded base64url of 32 bytes; any
// other prefix, length, character or non-zero unused bit is refused (out untouched then).
bool parse_public_key(std::string_view text, PublicKey* out);
std::string public_key_text(const PublicKey& key);

Sha256Digest key_fingerprint(const PublicKey& key);
// The fingerprint as 64 lower-case hex digits.
std::string fingerprint_hex(const PublicKey& key);
// Its first 32 hex digits (128 bits): what server.log and client.log record, since a log string
// value keeps at most 48 bytes. They are the first eight groups of fingerprint_groups().
std::string fingerprint_log_text(const PublicKey& key);
// The fingerprint as 16 groups of four hex digits separated by spaces (for people).
std::string fingerprint_groups(const PublicKey& key);

}  // namespace sb::security
