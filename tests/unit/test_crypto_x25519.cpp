// X25519 against RFC 7748 (section 5.2: the two function vectors and the 1- and 1,000-iteration
// chains; section 6.1: the Diffie-Hellman example) and all 518 Wycheproof cases (low-order and
// twist points, non-canonical u, edge cases of the arithmetic), with the all-zero refusal.
#include "common/crypto/x25519.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/crypto_keys.h"
#include "tests/support/hex.h"
#include "tests/support/wycheproof.h"

namespace sb::crypto {
namespace {

using test::hex;
using test::unhex_array;

std::string x25519_hex(const std::string& scalar, const std::string& u) {
  X25519Key out;
  x25519(unhex_array<32>(scalar), unhex_array<32>(u), out);
  return hex(out);
}

TEST(X25519, Rfc7748Section52Vectors) {
  EXPECT_EQ(x25519_hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
                       "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
  // The u of the second vector has its top bit set, which X25519 must ignore.
  EXPECT_EQ(x25519_hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
                       "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"),
            "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

// Section 5.2's chain: k = u = 9, then k, u = X25519(k, u), k. (The 1,000,000-iteration value is
// left out: about a minute of CPU for no path the 1,000 iterations do not already take.)
TEST(X25519, Rfc7748Section52Iterated) {
  X25519Key k = {9}, u = {9};
  for (int i = 1; i <= 1000; ++i) {
    X25519Key r;
    x25519(k, u, r);
    u = k;
    k = r;
    if (i == 1) {
      EXPECT_EQ(hex(k), "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
    }
  }
  EXPECT_EQ(hex(k), "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

TEST(X25519, Rfc7748Section61DiffieHellman) {
  const X25519Key& alice_private = test::kAlicePrivate;
  const X25519Key& bob_private = test::kBobPrivate;
  X25519Key alice_public, bob_public, k_alice, k_bob;
  x25519_public_key(alice_private, alice_public);
  x25519_public_key(bob_private, bob_public);
  EXPECT_EQ(hex(alice_public), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(hex(bob_public), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  ASSERT_TRUE(x25519_shared_secret(alice_private, bob_public, k_alice));
  ASSERT_TRUE(x25519_shared_secret(bob_private, alice_public, k_bob));
  EXPECT_EQ(hex(k_alice), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_EQ(k_bob, k_alice);
}

// Section 5: u is taken mod p after masking bit 255, so u + p and u with bit 255 set are u.
TEST(X25519, NonCanonicalAndHighBitUAreReduced) {
  const X25519Key k =
      unhex_array<32>("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
  X25519Key nine = {9}, expected, got;
  x25519(k, nine, expected);
  // p + 9 = 2^255 - 10: f6 ff .. ff 7f.
  X25519Key p_plus_9;
  p_plus_9.fill(0xff);
  p_plus_9[0] = 0xf6;
  p_plus_9[31] = 0x7f;
  x25519(k, p_plus_9, got);
  EXPECT_EQ(got, expected);
  X25519Key nine_high = nine;
  nine_high[31] |= 0x80;
  x25519(k, nine_high, got);
  EXPECT_EQ(got, expected);
}

// u = 0 and u = 1 are of low order: every private key gives the all-zero secret, and the
// Diffie-Hellman function refuses it.
TEST(X25519, LowOrderPeerKeysAreRefused) {
  const X25519Key& k = test::kAlicePrivate;
  for (const X25519Key& peer : {X25519Key{0}, X25519Key{1}}) {
    X25519Key shared;
    shared.fill(0xaa);
    EXPECT_FALSE(x25519_shared_secret(k, peer, shared)) << hex(peer);
    EXPECT_EQ(shared, X25519Key{}) << hex(peer);
  }
}

// Every Wycheproof case. "valid" cases must give exactly the listed secret. "acceptable" ones
// (twist points, non-canonical u, low-order points) may be accepted or refused: this
// implementation follows RFC 7748 for all of them and refuses only the all-zero result, so it
// must give the listed secret, or refuse exactly when the listed secret is all zero (the
// ZeroSharedSecret cases). The file has no "invalid" case; one would have to be refused.
TEST(X25519, Wycheproof) {
  test::WycheproofFile file;
  std::string error;
  ASSERT_TRUE(test::load_wycheproof("x25519_test.json", &file, &error)) << error;
  ASSERT_EQ(file.root.at("algorithm").as_string(), "XDH");

  int ran = 0, refused = 0;
  for (const test::WycheproofCase& c : file.cases) {
    const test::json::Value& t = *c.test;
    ASSERT_EQ(c.group->at("curve").as_string(), "curve25519");
    const int64_t id = t.at("tcId").as_int();
    const std::string result = t.at("result").as_string();
    const X25519Key priv = unhex_array<32>(t.at("private").as_string());
    const X25519Key pub = unhex_array<32>(t.at("public").as_string());
    const X25519Key expected = unhex_array<32>(t.at("shared").as_string());
    const bool expected_zero = expected == X25519Key{};

    X25519Key raw, shared;
    x25519(priv, pub, raw);
    const bool ok = x25519_shared_secret(priv, pub, shared);
    if (result == "invalid") {
      EXPECT_FALSE(ok) << "tcId " << id;
    } else {
      ASSERT_TRUE(result == "valid" || result == "acceptable") << "tcId " << id << ": " << result;
      EXPECT_EQ(hex(raw), hex(expected)) << "tcId " << id << " " << t.at("comment").as_string();
      EXPECT_EQ(ok, !expected_zero) << "tcId " << id;
      EXPECT_EQ(hex(shared), hex(expected)) << "tcId " << id;
      EXPECT_EQ(expected_zero, test::has_flag(t, "ZeroSharedSecret")) << "tcId " << id;
    }
    refused += ok ? 0 : 1;
    ++ran;
  }
  EXPECT_EQ(ran, file.declared);
  EXPECT_EQ(ran, 518);
  EXPECT_EQ(refused, 31);  // the ZeroSharedSecret cases
}

}  // namespace
}  // namespace sb::crypto
