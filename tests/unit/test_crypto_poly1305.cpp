// Poly1305 against RFC 8439 section 2.5.2 and appendix A.3 (#1-#4, and the edge cases #5-#11 for
// partial reduction, carries and the final addition of s), and the incremental form against the
// one-shot form for every split of a message.
#include "common/crypto/poly1305.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/support/hex.h"
#include "tests/support/rfc8439_texts.h"

namespace sb::crypto {
namespace {

using test::hex;
using test::unhex;
using test::unhex_array;

std::string tag_hex(const std::string& key_hex, const std::vector<uint8_t>& msg) {
  return hex(poly1305(unhex_array<32>(key_hex), msg.data(), msg.size()));
}

TEST(Poly1305, Rfc8439Section252) {
  EXPECT_EQ(tag_hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b",
                    test::bytes_of("Cryptographic Forum Research Group")),
            "a8061dc1305136c6c22b8baf0c0127a9");
}

TEST(Poly1305, Rfc8439AppendixA3Vector1) {
  EXPECT_EQ(tag_hex(std::string(64, '0'), std::vector<uint8_t>(64, 0)),
            "00000000000000000000000000000000");
}

TEST(Poly1305, Rfc8439AppendixA3Vector2) {  // r = 0: the tag is s whatever the text
  EXPECT_EQ(tag_hex("0000000000000000000000000000000036e5f6b5c5e06070f0efca96227a863e",
                    test::bytes_of(test::kIetfContribution)),
            "36e5f6b5c5e06070f0efca96227a863e");
}

TEST(Poly1305, Rfc8439AppendixA3Vector3) {
  EXPECT_EQ(tag_hex("36e5f6b5c5e06070f0efca96227a863e00000000000000000000000000000000",
                    test::bytes_of(test::kIetfContribution)),
            "f3477e7cd95417af89a6b8794c310cf0");
}

TEST(Poly1305, Rfc8439AppendixA3Vector4) {
  EXPECT_EQ(tag_hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
                    test::bytes_of(test::kJabberwocky)),
            "4541669a7eaaee61e708dc7cbcc5eb62");
}

// Vectors #5-#11 give R and S separately; the key is R || S.
TEST(Poly1305, Rfc8439AppendixA3EdgeCases) {
  struct Case {
    int number;
    const char* r;
    const char* s;
    const char* data;
    const char* tag;
  } cases[] = {
      // #5: a partially reduced result that is not fully reduced.
      {5, "02000000000000000000000000000000", "00000000000000000000000000000000",
       "ffffffffffffffffffffffffffffffff", "03000000000000000000000000000000"},
      // #6: h + s overflows 2^128.
      {6, "02000000000000000000000000000000", "ffffffffffffffffffffffffffffffff",
       "02000000000000000000000000000000", "03000000000000000000000000000000"},
      // #7: an all-ones data limb with a carry from the limb below.
      {7, "01000000000000000000000000000000", "00000000000000000000000000000000",
       "ffffffffffffffffffffffffffffffff"
       "f0ffffffffffffffffffffffffffffff"
       "11000000000000000000000000000000",
       "05000000000000000000000000000000"},
      // #8: the polynomial part is exactly 2^130 - 5.
      {8, "01000000000000000000000000000000", "00000000000000000000000000000000",
       "ffffffffffffffffffffffffffffffff"
       "fbfefefefefefefefefefefefefefefe"
       "01010101010101010101010101010101",
       "00000000000000000000000000000000"},
      // #9: the polynomial part is exactly 2^130 - 6.
      {9, "02000000000000000000000000000000", "00000000000000000000000000000000",
       "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff"},
      // #10: a 5*H+L reduction with a 131-bit intermediate result.
      {10, "01000000000000000400000000000000", "00000000000000000000000000000000",
       "e33594d7505e43b90000000000000000"
       "3394d7505e4379cd0100000000000000"
       "00000000000000000000000000000000"
       "01000000000000000000000000000000",
       "14000000000000005500000000000000"},
      // #11: a 5*H+L reduction with a 131-bit final result.
      {11, "01000000000000000400000000000000", "00000000000000000000000000000000",
       "e33594d7505e43b90000000000000000"
       "3394d7505e4379cd0100000000000000"
       "00000000000000000000000000000000",
       "13000000000000000000000000000000"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(tag_hex(std::string(c.r) + c.s, unhex(c.data)), c.tag) << "vector #" << c.number;
}

// Any split over update() calls gives the one-shot tag: every split point of a 100-byte message
// into two calls, and random chunkings of longer ones.
TEST(Poly1305, IncrementalMatchesOneShot) {
  std::mt19937_64 rng(7);
  Poly1305Key key;
  for (uint8_t& b : key) b = static_cast<uint8_t>(rng());
  std::vector<uint8_t> msg(100);
  for (uint8_t& b : msg) b = static_cast<uint8_t>(rng());
  const Poly1305Tag whole = poly1305(key, msg.data(), msg.size());
  for (size_t split = 0; split <= msg.size(); ++split) {
    Poly1305 mac(key);
    mac.update(msg.data(), split);
    mac.update(msg.data() + split, msg.size() - split);
    EXPECT_EQ(mac.finish(), whole) << "split at " << split;
  }
  for (size_t len : {0, 1, 15, 16, 17, 31, 32, 33, 1000, 4097}) {
    std::vector<uint8_t> m(len);
    for (uint8_t& b : m) b = static_cast<uint8_t>(rng());
    const Poly1305Tag expected = poly1305(key, m.data(), m.size());
    Poly1305 mac(key);
    for (size_t at = 0; at < len;) {
      const size_t n = std::min<size_t>(len - at, rng() % 40);
      mac.update(m.data() + at, n);
      at += n;
    }
    EXPECT_EQ(mac.finish(), expected) << "length " << len;
  }
}

}  // namespace
}  // namespace sb::crypto
