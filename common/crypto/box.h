// The key two nodes share for end-to-end encryption: X25519 (RFC 7748) between one node's private
// key and the other's public key, then HChaCha20 of that secret with a zero 16-byte input.
// Messages under the key use AEAD_XChaCha20_Poly1305 (aead.h) with a fresh random 24-byte nonce.
//
// Why HChaCha20(shared, 0^16) and not the raw X25519 output or a new KDF:
// - The raw output is a field element, not a uniform 256-bit string (bit 255 is always clear and
//   not every value below p occurs), so it goes through a PRF first. That is NaCl's crypto_box
//   construction: crypto_box_beforenm runs HSalsa20 over the shared secret with a zero input.
//   With ChaCha in place of Salsa20 it is HChaCha20, exactly libsodium's
//   crypto_box_curve25519xchacha20poly1305_beforenm.
// - HChaCha20 is already here as XChaCha20's subkey function (draft-irtf-cfrg-xchacha-03 section
//   2.2), so no hash or HKDF has to be added, and no new construction is designed.
// Both sides get the same key; the key is the same for every message between the two nodes,
// which is why the 24-byte random nonce (safe to pick at random, unlike the 12-byte one) matters.
#pragma once

#include "common/crypto/chacha20.h"
#include "common/crypto/x25519.h"

namespace sb::crypto {

// A fresh key pair: 32 random bytes as the private key (clamped inside x25519, so any 32 bytes
// are a valid scalar) and its public key.
void box_keypair(X25519Key& public_key, X25519Key& private_key);

// NaCl's crypto_box_beforenm with HChaCha20: key = HChaCha20(X25519(my_private, peer_public),
// 0^16). False (and key all zero) when X25519 gives the all-zero secret, i.e. the peer's key is
// of low order: such a key must be refused, not used.
[[nodiscard]] bool box_beforenm(const X25519Key& my_private, const X25519Key& peer_public,
                                ChachaKey& key);

}  // namespace sb::crypto
