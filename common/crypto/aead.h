// AEAD_CHACHA20_POLY1305 (RFC 8439 section 2.8) and AEAD_XChaCha20_Poly1305
// (draft-irtf-cfrg-xchacha-03 section 2): encryption with a Poly1305 tag over the associated data
// and the ciphertext. Vectors: tests/unit/test_crypto_aead.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/crypto/chacha20.h"
#include "common/crypto/poly1305.h"

namespace sb::crypto {

inline constexpr size_t kAeadTagSize = kPoly1305TagSize;
// RFC 8439 section 2.8: the block counter starts at 1 and is 32 bits wide.
inline constexpr uint64_t kAeadMaxMessage = ((uint64_t{1} << 32) - 1) * kChachaBlockSize;

// A (key, nonce) pair must never seal two different messages: that reveals their XOR and lets
// anyone forge tags. With XChaCha's 24-byte nonce, random nonces are safe (draft section 2.1);
// with the 12-byte one they are not (RFC 8439 section 4).
//
// seal: ciphertext[0..len) = the encryption of plaintext[0..len), tag = its tag. plaintext ==
// ciphertext (in place) is allowed. len above kAeadMaxMessage aborts (the counter would wrap).
void chacha20_poly1305_seal(const ChachaKey& key, const ChachaNonce& nonce, const uint8_t* aad,
                            size_t aad_len, const uint8_t* plaintext, size_t len,
                            uint8_t* ciphertext, Poly1305Tag& tag);

// open: true and plaintext[0..len) filled only if the tag is right. The tag is checked before
// anything is decrypted and compared in constant time; on a wrong tag plaintext[0..len) is zeroed
// (even when it is the ciphertext buffer), so a caller that ignores the result sees no data.
[[nodiscard]] bool chacha20_poly1305_open(const ChachaKey& key, const ChachaNonce& nonce,
                                          const uint8_t* aad, size_t aad_len,
                                          const uint8_t* ciphertext, size_t len,
                                          const Poly1305Tag& tag, uint8_t* plaintext);

// The same with a 24-byte nonce: AEAD_CHACHA20_POLY1305 under the subkey
// hchacha20(key, nonce[0..16)) and the nonce 0x00000000 || nonce[16..24).
void xchacha20_poly1305_seal(const ChachaKey& key, const XChachaNonce& nonce, const uint8_t* aad,
                             size_t aad_len, const uint8_t* plaintext, size_t len,
                             uint8_t* ciphertext, Poly1305Tag& tag);

[[nodiscard]] bool xchacha20_poly1305_open(const ChachaKey& key, const XChachaNonce& nonce,
                                           const uint8_t* aad, size_t aad_len,
                                           const uint8_t* ciphertext, size_t len,
                                           const Poly1305Tag& tag, uint8_t* plaintext);

}  // namespace sb::crypto
