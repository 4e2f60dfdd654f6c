// SHA-256 and constant_time_equal unit tests. The digests are the published NIST examples
// (FIPS 180-2 appendix B / the NIST "Cryptographic Standards and Guidelines" example values);
// the padding-boundary digests were cross-checked with Python's hashlib and coreutils sha256sum.
#include "common/security/sha256.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "common/security/constant_time.h"

namespace sb::security {
namespace {

std::string hex_of(std::string_view msg) { return to_hex(sha256(msg)); }

TEST(Sha256, EmptyString) {
  EXPECT_EQ(hex_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, Abc) {
  EXPECT_EQ(hex_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, FourHundredFortyEightBits) {
  EXPECT_EQ(hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, EightHundredNinetySixBits) {
  EXPECT_EQ(hex_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, OneMillionAInOddChunks) {
  const std::string chunk(997, 'a');  // prime, so chunk edges drift across block edges
  Sha256 h;
  size_t left = 1'000'000;
  size_t sizes[] = {1, 3, 63, 65, 997, 7, 129};
  for (size_t i = 0; left > 0; ++i) {
    size_t n = std::min(sizes[i % std::size(sizes)], left);
    h.update(chunk.data(), n);
    left -= n;
  }
  EXPECT_EQ(to_hex(h.final()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // One shot agrees.
  EXPECT_EQ(hex_of(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Lengths around the padding edges: 55 bytes is the longest message whose padding fits in its
// block, 56..63 need a second block, 64 is a whole block of message.
TEST(Sha256, PaddingBoundaries) {
  auto msg = [](size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i % 251);
    return s;
  };
  struct Case {
    size_t len;
    const char* hex;
  } cases[] = {
      {55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"},
      {56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"},
      {57, "2fe741af801cc238602ac0ec6a7b0c3a8a87c7fc7d7f02a3fe03d1c12eac4d8f"},
      {63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"},
      {64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"},
      {65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"},
      {119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"},
      {120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"},
      {128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5"},
  };
  for (const Case& c : cases) EXPECT_EQ(hex_of(msg(c.len)), c.hex) << "length " << c.len;
}

// Every split point of a 200-byte message (three blocks and a tail), as two and as three updates.
TEST(Sha256, SplitInvariance) {
  std::string m(200, '\0');
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<char>((i * 131 + 7) & 0xff);
  const Sha256Digest want = sha256(m);
  Sha256 h;
  for (size_t i = 0; i <= m.size(); ++i) {
    h.update(m.data(), i);
    h.update(m.data() + i, m.size() - i);
    ASSERT_EQ(h.final(), want) << "split at " << i;
  }
  for (size_t i = 0; i <= m.size(); i += 7) {
    for (size_t j = i; j <= m.size(); j += 5) {
      h.update(m.data(), i);
      h.update(m.data() + i, j - i);
      h.update(m.data() + j, m.size() - j);
      ASSERT_EQ(h.final(), want) << "splits at " << i << ", " << j;
    }
  }
  // Byte at a time, and with empty updates sprinkled in.
  for (char c : m) {
    h.update(&c, 1);
    h.update(nullptr, 0);
  }
  EXPECT_EQ(h.final(), want);
}

TEST(Sha256, FinalResetsForReuse) {
  Sha256 h;
  h.update("garbage that must not leak into the next message");
  (void)h.final();
  h.update("abc");
  EXPECT_EQ(to_hex(h.final()), hex_of("abc"));
  EXPECT_EQ(to_hex(h.final()), hex_of(""));  // final with no update is the empty message
}

TEST(Sha256, HexRoundTrip) {
  Sha256Digest d = sha256("abc");
  Sha256Digest back{};
  ASSERT_TRUE(parse_hex_digest(to_hex(d), &back));
  EXPECT_EQ(back, d);
  std::string upper = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
  ASSERT_TRUE(parse_hex_digest(upper, &back));
  EXPECT_EQ(back, d);
  EXPECT_EQ(to_hex(nullptr, 0), "");
  const uint8_t bytes[] = {0x00, 0x0f, 0xf0, 0xff};
  EXPECT_EQ(to_hex(bytes, sizeof bytes), "000ff0ff");
}

TEST(Sha256, ParseHexRejectsBadInput) {
  Sha256Digest d{};
  Sha256Digest untouched = d;
  std::string good = to_hex(sha256("abc"));
  EXPECT_FALSE(parse_hex_digest("", &d));
  EXPECT_FALSE(parse_hex_digest(good.substr(1), &d));  // 63 digits
  EXPECT_FALSE(parse_hex_digest(good + "0", &d));      // 65 digits
  std::string bad = good;
  bad[17] = 'g';
  EXPECT_FALSE(parse_hex_digest(bad, &d));
  bad[17] = ' ';
  EXPECT_FALSE(parse_hex_digest(bad, &d));
  bad = good;
  bad[63] = '\0';
  EXPECT_FALSE(parse_hex_digest(bad, &d));
  EXPECT_EQ(d, untouched);  // a failed parse writes nothing
}

TEST(ConstantTimeEqual, ComparesEveryByte) {
  uint8_t a[32], b[32];
  for (int i = 0; i < 32; ++i) a[i] = b[i] = static_cast<uint8_t>(i * 7);
  EXPECT_TRUE(constant_time_equal(a, b, 32));
  EXPECT_TRUE(constant_time_equal(a, b, 0));
  for (int i = 0; i < 32; ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      b[i] ^= static_cast<uint8_t>(1 << bit);
      EXPECT_FALSE(constant_time_equal(a, b, 32)) << "byte " << i << " bit " << bit;
      EXPECT_EQ(constant_time_equal(a, b, static_cast<size_t>(i)), true);  // prefix still equal
      b[i] ^= static_cast<uint8_t>(1 << bit);
    }
  }
}

}  // namespace
}  // namespace sb::security
