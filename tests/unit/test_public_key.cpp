// The protocol's public key text form ("x25519:" + 43 base64url characters) and fingerprints:
// exactly one accepted spelling per key, everything else refused.
#include "common/security/public_key.h"

#include <gtest/gtest.h>

#include <string>

namespace sb::security {
namespace {

// 32 bytes 0x00..0x1f.
const std::string kCountingKey = "x25519:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

PublicKey counting_key() {
  PublicKey k;
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i);
  return k;
}

TEST(PublicKey, ParsesAndFormatsTheTextForm) {
  PublicKey k{};
  ASSERT_TRUE(parse_public_key(kCountingKey, &k));
  EXPECT_EQ(k, counting_key());
  EXPECT_EQ(public_key_text(k), kCountingKey);
  EXPECT_EQ(public_key_text(k).size(), kPublicKeyTextSize);
  PublicKey zero{};
  EXPECT_EQ(public_key_text(zero), "x25519:" + std::string(43, 'A'));
}

TEST(PublicKey, RefusesEveryOtherSpelling) {
  const std::string body = kCountingKey.substr(7);
  const std::string refused[] = {
      "",
      "x25519:",
      "x25519:" + body.substr(0, 42),            // 42 characters
      "x25519:" + body + "A",                    // 44
      "x25519:" + body + "=",                    // padding
      "X25519:" + body,                          // prefix is case-sensitive
      "ed25519:" + body,
      "x25519 " + body,
      body,
      "x25519:" + body.substr(0, 42) + "9",      // unused low bits set: not canonical
      "x25519:" + body.substr(0, 20) + "+" + body.substr(21),  // base64, not base64url
      "x25519:" + body.substr(0, 20) + std::string(1, '\0') + body.substr(21),
      "x25519:" + body.substr(0, 20) + "\xc3\xa9" + body.substr(22),
  };
  for (const std::string& text : refused) {
    PublicKey k = counting_key();
    k[0] = 0xee;
    EXPECT_FALSE(parse_public_key(text, &k)) << text;
    EXPECT_EQ(k[0], 0xee) << "a refused text leaves the output untouched";
  }
}

TEST(PublicKey, FingerprintIsTheSha256OfTheKeyBytes) {
  PublicKey zero{};
  EXPECT_EQ(fingerprint_hex(zero), "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
  EXPECT_EQ(fingerprint_hex(counting_key()), "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd");
  EXPECT_EQ(fingerprint_log_text(zero), "66687aadf862bd776c8fc18b8e9f8e20");
  EXPECT_EQ(fingerprint_groups(zero),
            "6668 7aad f862 bd77 6c8f c18b 8e9f 8e20 0897 1485 6ee2 33b3 902a 591d 0d5f 2925");
}

}  // namespace
}  // namespace sb::security
