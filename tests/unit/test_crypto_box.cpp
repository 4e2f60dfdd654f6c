// box_keypair and box_beforenm: both sides derive the same key, the key is the one libsodium's
// crypto_box_curve25519xchacha20poly1305_beforenm derives (the construction box.h names), and a
// low-order peer key is refused.
#include "common/crypto/box.h"

#include <gtest/gtest.h>

#include "common/crypto/aead.h"
#include "tests/support/crypto_keys.h"
#include "tests/support/hex.h"

namespace sb::crypto {
namespace {

using test::hex;
using test::unhex_array;

using test::kAlicePrivate;
using test::kBobPrivate;

// The RFC 7748 section 6.1 key pairs. The expected key was computed with libsodium 1.0.18's
// crypto_box_curve25519xchacha20poly1305_beforenm(bob_public, alice_private), an implementation
// independent of this one; it equals HChaCha20(section 6.1's shared secret, 0^16).
TEST(Box, BeforenmMatchesLibsodiumAndBothSides) {
  X25519Key alice_public, bob_public;
  x25519_public_key(kAlicePrivate, alice_public);
  x25519_public_key(kBobPrivate, bob_public);
  ChachaKey k_alice, k_bob;
  ASSERT_TRUE(box_beforenm(kAlicePrivate, bob_public, k_alice));
  ASSERT_TRUE(box_beforenm(kBobPrivate, alice_public, k_bob));
  EXPECT_EQ(hex(k_alice), "8e47ca376bdc7e59d2ced8107ceb2c27f4a80e8575f996baffb1a869ffcd5179");
  EXPECT_EQ(k_bob, k_alice);
}

TEST(Box, LowOrderPeerIsRefusedWithAZeroKey) {
  // A point of order 8 (Wycheproof's low-order public key list has it): every scalar sends it to
  // the all-zero secret.
  const X25519Key order8 =
      unhex_array<32>("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
  ChachaKey key;
  key.fill(0xaa);
  EXPECT_FALSE(box_beforenm(kAlicePrivate, order8, key));
  EXPECT_EQ(key, ChachaKey{});
}

TEST(Box, FreshKeyPairsAgreeAndDiffer) {
  X25519Key a_pub, a_priv, b_pub, b_priv;
  box_keypair(a_pub, a_priv);
  box_keypair(b_pub, b_priv);
  EXPECT_NE(a_priv, b_priv);
  X25519Key derived;
  x25519_public_key(a_priv, derived);
  EXPECT_EQ(derived, a_pub);

  ChachaKey k_a, k_b;
  ASSERT_TRUE(box_beforenm(a_priv, b_pub, k_a));
  ASSERT_TRUE(box_beforenm(b_priv, a_pub, k_b));
  EXPECT_EQ(k_a, k_b);

  // What the key is for: a message sealed by one side opens on the other.
  const XChachaNonce nonce{};
  const uint8_t msg[] = "hello, b";
  uint8_t ct[sizeof msg], pt[sizeof msg];
  Poly1305Tag tag;
  xchacha20_poly1305_seal(k_a, nonce, nullptr, 0, msg, sizeof msg, ct, tag);
  ASSERT_TRUE(xchacha20_poly1305_open(k_b, nonce, nullptr, 0, ct, sizeof ct, tag, pt));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(pt)), "hello, b");
}

}  // namespace
}  // namespace sb::crypto
