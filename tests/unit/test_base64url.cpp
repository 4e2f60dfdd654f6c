// Base64url without padding: RFC 4648 section 10's vectors (their padding removed), the
// 43-character form of a 32-byte key, round trips of every length, and the strict refusals
// (padding, other alphabets, impossible lengths, non-zero unused bits, wrong size).
#include "common/encoding/base64url.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sb::encoding {
namespace {

std::string enc(std::string_view s) {
  return base64url_encode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string dec(std::string_view text, bool* ok) {
  std::vector<uint8_t> out;
  *ok = base64url_decode(text, &out);
  return std::string(out.begin(), out.end());
}

TEST(Base64url, Rfc4648Section10VectorsUnpadded) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},         {"f", "Zg"},         {"fo", "Zm8"},       {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, text] : cases) {
    EXPECT_EQ(enc(plain), text);
    bool ok = false;
    EXPECT_EQ(dec(text, &ok), plain);
    EXPECT_TRUE(ok) << text;
  }
}

// The two characters where base64url differs from base64: 62 is '-' (not '+'), 63 is '_' (not '/').
TEST(Base64url, UrlSafeAlphabet) {
  const uint8_t bytes[] = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64url_encode(bytes, 3), "-_-_");
  bool ok = false;
  EXPECT_EQ(dec("-_-_", &ok), std::string("\xfb\xff\xbf"));
  EXPECT_TRUE(ok);
}

TEST(Base64url, ThirtyTwoByteKeyIs43Characters) {
  uint8_t key[32];
  for (int i = 0; i < 32; ++i) key[i] = static_cast<uint8_t>(i * 8 + 1);
  const std::string text = base64url_encode(key, 32);
  EXPECT_EQ(text.size(), 43u);
  EXPECT_EQ(base64url_encoded_size(32), 43u);
  uint8_t back[32];
  ASSERT_TRUE(base64url_decode_exact(text, back, 32));
  EXPECT_TRUE(std::equal(key, key + 32, back));
  EXPECT_FALSE(base64url_decode_exact(text, back, 31));  // wrong size
  EXPECT_FALSE(base64url_decode_exact(text.substr(0, 42), back, 32));
  EXPECT_FALSE(base64url_decode_exact(text + "A", back, 32));
  EXPECT_FALSE(base64url_decode_exact(text + "=", back, 32));
}

TEST(Base64url, RoundTripsEveryLengthAndByte) {
  for (size_t len = 0; len <= 300; ++len) {
    std::vector<uint8_t> data(len);
    for (size_t i = 0; i < len; ++i) data[i] = static_cast<uint8_t>(i * 151 + len);
    const std::string text = base64url_encode(data.data(), len);
    EXPECT_EQ(text.size(), base64url_encoded_size(len));
    std::vector<uint8_t> back;
    ASSERT_TRUE(base64url_decode(text, &back)) << len;
    EXPECT_EQ(back, data);
  }
}

TEST(Base64url, RefusesPaddingAndForeignCharacters) {
  for (const char* bad : {"Zg==", "Zm8=", "Zg=", "Zm9v====", "Zm+v", "Zm/v", "Zm9v Yg",
                          "Zm9v\n", "Zm9.", "Z\xc3\xa9"}) {
    bool ok = true;
    dec(bad, &ok);
    EXPECT_FALSE(ok) << bad;
  }
  std::vector<uint8_t> out = {1, 2, 3};
  EXPECT_FALSE(base64url_decode(std::string_view("Zm\0v", 4), &out));
  EXPECT_TRUE(out.empty());  // cleared on refusal
}

// A length of 1 mod 4 leaves 6 bits: not even one byte, so no encoder produces it.
TEST(Base64url, RefusesImpossibleLengths) {
  for (const char* bad : {"A", "Zm9vY", "Zm9vYmFyZ"}) {
    bool ok = true;
    dec(bad, &ok);
    EXPECT_FALSE(ok) << bad;
  }
}

// "Zg" is the only text for "f": "Zh".."Zv" carry the same byte with non-zero unused bits. The
// same holds for the 2 unused bits of a 3-character group.
TEST(Base64url, RefusesNonCanonicalTrailingBits) {
  for (const char* bad : {"Zh", "Zv", "Zm9", "Zm9vYh", "Zm9vYmF", "Zm9vYmG"}) {
    bool ok = true;
    dec(bad, &ok);
    EXPECT_FALSE(ok) << bad;
  }
  bool ok = false;
  EXPECT_EQ(dec("Zm8", &ok), "fo");  // 16 bits in 18, the last two zero
  EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace sb::encoding
