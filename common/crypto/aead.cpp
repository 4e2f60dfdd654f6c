// AEAD_CHACHA20_POLY1305 as RFC 8439 section 2.8 builds it from ChaCha20 (section 2.4), the
// Poly1305 key generation of section 2.6 and Poly1305 (section 2.5); the XChaCha20 variant only
// derives a subkey and a 12-byte nonce first (draft-irtf-cfrg-xchacha-03 section 2).
#include "common/crypto/aead.h"

#include "common/crypto/bytes.h"
#include "common/crypto/declassify.h"
#include "common/security/constant_time.h"

namespace sb::crypto {
namespace {

using detail::wipe;

// Section 2.6: the one-time Poly1305 key is the first 32 bytes of keystream block 0.
void poly1305_key_gen(const ChachaKey& key, const ChachaNonce& nonce, Poly1305Key& otk) {
  uint8_t block[kChachaBlockSize];
  chacha20_block(key, 0, nonce, block);
  for (size_t i = 0; i < otk.size(); ++i) otk[i] = block[i];
  wipe(block, sizeof block);
}

// Section 2.8: the tag covers aad | pad16 | ciphertext | pad16 | le64(aad_len) | le64(len).
Poly1305Tag aead_tag(const Poly1305Key& otk, const uint8_t* aad, size_t aad_len,
                     const uint8_t* ciphertext, size_t len) {
  static constexpr uint8_t kZeros[Poly1305::kBlockSize] = {};
  constexpr size_t kB = Poly1305::kBlockSize;
  Poly1305 mac(otk);
  mac.update(aad, aad_len);
  mac.update(kZeros, (kB - aad_len % kB) % kB);
  mac.update(ciphertext, len);
  mac.update(kZeros, (kB - len % kB) % kB);
  uint8_t lengths[16];
  detail::store64_le(lengths, aad_len);
  detail::store64_le(lengths + 8, len);
  mac.update(lengths, sizeof lengths);
  return mac.finish();
}

}  // namespace

void chacha20_poly1305_seal(const ChachaKey& key, const ChachaNonce& nonce, const uint8_t* aad,
                            size_t aad_len, const uint8_t* plaintext, size_t len,
                            uint8_t* ciphertext, Poly1305Tag& tag) {
  Poly1305Key otk;
  poly1305_key_gen(key, nonce, otk);
  chacha20_encrypt(key, 1, nonce, plaintext, ciphertext, len);
  tag = aead_tag(otk, aad, aad_len, ciphertext, len);
  wipe(otk.data(), otk.size());
}

bool chacha20_poly1305_open(const ChachaKey& key, const ChachaNonce& nonce, const uint8_t* aad,
                            size_t aad_len, const uint8_t* ciphertext, size_t len,
                            const Poly1305Tag& tag, uint8_t* plaintext) {
  bool ok = len <= kAeadMaxMessage;  // seal never makes a longer one
  if (ok) {
    Poly1305Key otk;
    poly1305_key_gen(key, nonce, otk);
    Poly1305Tag expected = aead_tag(otk, aad, aad_len, ciphertext, len);
    ok = security::constant_time_equal(expected.data(), tag.data(), kAeadTagSize);
    wipe(otk.data(), otk.size());
    wipe(expected.data(), expected.size());
  }
  // Accept or reject is what the peer learns anyway; only the comparison had to be constant time.
  detail::declassify(&ok, sizeof ok);
  if (!ok) {
    if (len > 0) wipe(plaintext, len);
    return false;
  }
  chacha20_encrypt(key, 1, nonce, ciphertext, plaintext, len);
  return true;
}

void xchacha20_poly1305_seal(const ChachaKey& key, const XChachaNonce& nonce, const uint8_t* aad,
                             size_t aad_len, const uint8_t* plaintext, size_t len,
                             uint8_t* ciphertext, Poly1305Tag& tag) {
  ChachaKey subkey;
  ChachaNonce short_nonce;
  xchacha20_subkey(key, nonce, subkey, short_nonce);
  chacha20_poly1305_seal(subkey, short_nonce, aad, aad_len, plaintext, len, ciphertext, tag);
  wipe(subkey.data(), subkey.size());
}

bool xchacha20_poly1305_open(const ChachaKey& key, const XChachaNonce& nonce, const uint8_t* aad,
                             size_t aad_len, const uint8_t* ciphertext, size_t len,
                             const Poly1305Tag& tag, uint8_t* plaintext) {
  ChachaKey subkey;
  ChachaNonce short_nonce;
  xchacha20_subkey(key, nonce, subkey, short_nonce);
  const bool ok = chacha20_poly1305_open(subkey, short_nonce, aad, aad_len, ciphertext, len, tag,
                                         plaintext);
  wipe(subkey.data(), subkey.size());
  return ok;
}

}  // namespace sb::crypto
