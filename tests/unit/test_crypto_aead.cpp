// AEAD_CHACHA20_POLY1305 and AEAD_XChaCha20_Poly1305 against RFC 8439 (section 2.6.2 and A.4:
// the Poly1305 key generation; section 2.8.2: sealing; A.5: opening), draft-irtf-cfrg-xchacha-03
// (A.3.1), and every case of the two Wycheproof files: each "valid" case seals to exactly its
// ciphertext and tag and opens, each "invalid" one is refused. All of it runs once per ChaCha20
// implementation.
#include "common/crypto/aead.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/support/chacha_impl.h"
#include "tests/support/crypto_keys.h"
#include "tests/support/hex.h"
#include "tests/support/rfc8439_texts.h"
#include "tests/support/wycheproof.h"

namespace sb::crypto {
namespace {

using test::hex;
using test::unhex;
using test::unhex_array;

using test::kKey80To9f;

class AeadImplTest : public test::ChachaImplTest {};
INSTANTIATE_TEST_SUITE_P(Impls, AeadImplTest, test::all_chacha_impls(),
                         test::chacha_impl_param_name);

// Section 2.6 generates the one-time key as the first 32 bytes of block 0; 2.6.2 and A.4 check it.
TEST(Poly1305KeyGen, Rfc8439Section262AndAppendixA4) {
  struct Case {
    const char* key;
    const char* nonce;
    const char* otk;
  } cases[] = {
      {"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
       "000000000001020304050607",
       "8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646"},
      {"0000000000000000000000000000000000000000000000000000000000000000",
       "000000000000000000000000",
       "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"},
      {"0000000000000000000000000000000000000000000000000000000000000001",
       "000000000000000000000002",
       "ecfa254f845f647473d3cb140da9e87606cb33066c447b87bc2666dde3fbb739"},
      {"1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
       "000000000000000000000002",
       "965e3bc6f9ec7ed9560808f4d229f94b137ff275ca9b3fcbdd59deaad23310ae"},
  };
  for (const Case& c : cases) {
    uint8_t block[64];
    chacha20_block(unhex_array<32>(c.key), 0, unhex_array<12>(c.nonce), block);
    EXPECT_EQ(hex(block, 32), c.otk);
  }
}

const std::vector<uint8_t> kSunscreenBytes = test::bytes_of(test::kSunscreen);
const std::vector<uint8_t> kAad = unhex("50515253c0c1c2c3c4c5c6c7");

struct Sealed {
  std::vector<uint8_t> ct;
  Poly1305Tag tag;
};

// Both AEADs over whole vectors, told apart by the nonce: 12 bytes ChaCha20, 24 XChaCha20.
Sealed aead_seal(const ChachaKey& key, const ChachaNonce& nonce, const std::vector<uint8_t>& aad,
            const std::vector<uint8_t>& pt) {
  Sealed s{std::vector<uint8_t>(pt.size()), {}};
  chacha20_poly1305_seal(key, nonce, aad.data(), aad.size(), pt.data(), pt.size(), s.ct.data(), s.tag);
  return s;
}
Sealed aead_seal(const ChachaKey& key, const XChachaNonce& nonce, const std::vector<uint8_t>& aad,
            const std::vector<uint8_t>& pt) {
  Sealed s{std::vector<uint8_t>(pt.size()), {}};
  xchacha20_poly1305_seal(key, nonce, aad.data(), aad.size(), pt.data(), pt.size(), s.ct.data(), s.tag);
  return s;
}
// out has room for ct.size() bytes; it may be ct's own buffer.
[[nodiscard]] bool aead_open(const ChachaKey& key, const ChachaNonce& nonce, const std::vector<uint8_t>& aad,
                        const std::vector<uint8_t>& ct, const Poly1305Tag& tag, uint8_t* out) {
  return chacha20_poly1305_open(key, nonce, aad.data(), aad.size(), ct.data(), ct.size(), tag, out);
}
[[nodiscard]] bool aead_open(const ChachaKey& key, const XChachaNonce& nonce, const std::vector<uint8_t>& aad,
                        const std::vector<uint8_t>& ct, const Poly1305Tag& tag, uint8_t* out) {
  return xchacha20_poly1305_open(key, nonce, aad.data(), aad.size(), ct.data(), ct.size(), tag, out);
}

// Section 2.8.2's message and aad under the 80..9f key seal to exactly ct_hex and tag_hex (with
// the AEAD the nonce's size picks), and open back to the message.
template <typename Nonce>
void expect_sunscreen_round_trip(const Nonce& nonce, const char* ct_hex, const char* tag_hex) {
  const auto [ct, tag] = aead_seal(kKey80To9f, nonce, kAad, kSunscreenBytes);
  EXPECT_EQ(hex(ct), ct_hex);
  EXPECT_EQ(hex(tag), tag_hex);
  std::vector<uint8_t> pt(ct.size());
  ASSERT_TRUE(aead_open(kKey80To9f, nonce, kAad, ct, tag, pt.data()));
  EXPECT_EQ(pt, kSunscreenBytes);
}

TEST_P(AeadImplTest, Rfc8439Section282Seal) {
  expect_sunscreen_round_trip(unhex_array<12>("070000004041424344454647"),
      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
      "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
      "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
      "3ff4def08e4b7a9de576d26586cec64b6116",
      "1ae10b594f09e26a7e902ecbd0600691");
}

TEST_P(AeadImplTest, Rfc8439AppendixA5Open) {
  const ChachaKey key =
      unhex_array<32>("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
  const ChachaNonce nonce = unhex_array<12>("000000000102030405060708");
  const std::vector<uint8_t> aad = unhex("f33388860000000000004e91");
  const std::vector<uint8_t> ct = unhex(
      "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
      "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
      "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
      "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
      "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
      "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
      "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
      "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
      "a6ad5cb4022b02709b");
  const Poly1305Tag tag = unhex_array<16>("eead9d67890cbb22392336fea1851f38");
  std::vector<uint8_t> pt(ct.size());
  ASSERT_TRUE(aead_open(key, nonce, aad, ct, tag, pt.data()));
  EXPECT_EQ(hex(pt),
      "496e7465726e65742d4472616674732061726520647261667420646f63756d65"
      "6e74732076616c696420666f722061206d6178696d756d206f6620736978206d"
      "6f6e74687320616e64206d617920626520757064617465642c207265706c6163"
      "65642c206f72206f62736f6c65746564206279206f7468657220646f63756d65"
      "6e747320617420616e792074696d652e20497420697320696e617070726f7072"
      "6961746520746f2075736520496e7465726e65742d4472616674732061732072"
      "65666572656e6365206d6174657269616c206f7220746f206369746520746865"
      "6d206f74686572207468616e206173202fe2809c776f726b20696e2070726f67"
      "726573732e2fe2809d");
}

TEST_P(AeadImplTest, XChaChaDraftA31) {
  expect_sunscreen_round_trip(unhex_array<24>("404142434445464748494a4b4c4d4e4f5051525354555657"),
      "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
      "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
      "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
      "21f9664c97637da9768812f615c68b13b52e",
      "c0875924c1c7987947deafd8780acf49");
}

// A wrong tag, or any change to ciphertext, aad or nonce, is refused, and the output buffer is
// zeroed rather than left with plaintext or stale bytes.
TEST_P(AeadImplTest, TamperingIsRefusedAndOutputWiped) {
  const XChachaNonce nonce = unhex_array<24>("404142434445464748494a4b4c4d4e4f5051525354555657");
  const auto [ct, tag] = aead_seal(kKey80To9f, nonce, kAad, kSunscreenBytes);
  auto refused = [&](const std::vector<uint8_t>& c, const std::vector<uint8_t>& a,
                     const XChachaNonce& n, const Poly1305Tag& t) {
    std::vector<uint8_t> out(c.size(), 0x77);
    const bool ok = aead_open(kKey80To9f, n, a, c, t, out.data());
    return !ok && out == std::vector<uint8_t>(c.size(), 0);
  };
  for (size_t bit = 0; bit < 128; bit += 7) {
    Poly1305Tag t = tag;
    t[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_TRUE(refused(ct, kAad, nonce, t)) << "tag bit " << bit;
  }
  for (size_t i = 0; i < ct.size(); i += 13) {
    std::vector<uint8_t> c = ct;
    c[i] ^= 0x01;
    EXPECT_TRUE(refused(c, kAad, nonce, tag)) << "ciphertext byte " << i;
  }
  std::vector<uint8_t> a = kAad;
  a[0] ^= 0x80;
  EXPECT_TRUE(refused(ct, a, nonce, tag));
  EXPECT_TRUE(refused(ct, {}, nonce, tag));
  XChachaNonce n = nonce;
  n[23] ^= 1;
  EXPECT_TRUE(refused(ct, kAad, n, tag));
  n = nonce;
  n[0] ^= 1;  // the half that goes into HChaCha20
  EXPECT_TRUE(refused(ct, kAad, n, tag));
  // In place: the ciphertext buffer itself is zeroed.
  std::vector<uint8_t> c = ct;
  Poly1305Tag t = tag;
  t[0] ^= 1;
  EXPECT_FALSE(aead_open(kKey80To9f, nonce, kAad, c, t, c.data()));
  EXPECT_EQ(c, std::vector<uint8_t>(ct.size(), 0));
}

// Seal then open in place over many lengths (the kernels' whole groups and tails, the Poly1305
// padding), with and without associated data.
TEST_P(AeadImplTest, RoundTripInPlace) {
  std::mt19937_64 rng(99);
  for (size_t len : {0, 1, 15, 16, 17, 63, 64, 65, 255, 256, 257, 511, 512, 513, 1000, 4096,
                     65536 + 3}) {
    std::vector<uint8_t> msg(len), aad(len % 37);
    for (uint8_t& b : msg) b = static_cast<uint8_t>(rng());
    for (uint8_t& b : aad) b = static_cast<uint8_t>(rng());
    XChachaNonce nonce;
    for (uint8_t& b : nonce) b = static_cast<uint8_t>(rng());
    std::vector<uint8_t> buf = msg;
    Poly1305Tag tag;
    xchacha20_poly1305_seal(kKey80To9f, nonce, aad.data(), aad.size(), buf.data(), len,
                            buf.data(), tag);
    if (len > 0) {
      EXPECT_NE(buf, msg);
    }
    ASSERT_TRUE(xchacha20_poly1305_open(kKey80To9f, nonce, aad.data(), aad.size(), buf.data(),
                                        len, tag, buf.data()))
        << "length " << len;
    EXPECT_EQ(buf, msg) << "length " << len;
  }
}

// --- Wycheproof --------------------------------------------------------------------------------

// Runs every case of one Wycheproof AEAD file through seal and open. A case whose nonce is not
// of the algorithm's size (InvalidNonceSize, always "invalid") cannot even be expressed with the
// fixed-size nonce type: it counts as refused, after checking that it is indeed an invalid case.
template <size_t kNonceSize>
void run_wycheproof_aead(const char* file_name, const char* algorithm) {
  test::WycheproofFile file;
  std::string error;
  ASSERT_TRUE(test::load_wycheproof(file_name, &file, &error)) << error;
  ASSERT_EQ(file.root.at("algorithm").as_string(), algorithm);

  int valid = 0, invalid = 0;
  for (const test::WycheproofCase& c : file.cases) {
    const test::json::Value& t = *c.test;
    const int64_t id = t.at("tcId").as_int();
    const std::string result = t.at("result").as_string();
    ASSERT_TRUE(result == "valid" || result == "invalid") << "tcId " << id << ": " << result;
    ASSERT_EQ(c.group->at("keySize").as_int(), 256) << "tcId " << id;
    ASSERT_EQ(c.group->at("tagSize").as_int(), 128) << "tcId " << id;
    const std::vector<uint8_t> iv = unhex(t.at("iv").as_string());
    const std::vector<uint8_t> aad = unhex(t.at("aad").as_string());
    const std::vector<uint8_t> msg = unhex(t.at("msg").as_string());
    const std::vector<uint8_t> ct = unhex(t.at("ct").as_string());
    const std::vector<uint8_t> tag_bytes = unhex(t.at("tag").as_string());

    if (iv.size() != kNonceSize) {
      EXPECT_EQ(result, "invalid") << "tcId " << id;
      EXPECT_TRUE(test::has_flag(t, "InvalidNonceSize")) << "tcId " << id;
      ++invalid;
      continue;
    }
    ASSERT_EQ(tag_bytes.size(), kAeadTagSize) << "tcId " << id;
    const ChachaKey key = unhex_array<32>(t.at("key").as_string());
    std::array<uint8_t, kNonceSize> nonce;
    std::copy(iv.begin(), iv.end(), nonce.begin());
    Poly1305Tag tag;
    std::copy(tag_bytes.begin(), tag_bytes.end(), tag.begin());

    std::vector<uint8_t> pt(ct.size(), 0x77);
    const bool opened = aead_open(key, nonce, aad, ct, tag, pt.data());
    if (result == "valid") {
      const Sealed sealed = aead_seal(key, nonce, aad, msg);
      EXPECT_EQ(hex(sealed.ct), hex(ct)) << "tcId " << id;
      EXPECT_EQ(hex(sealed.tag), hex(tag)) << "tcId " << id;
      EXPECT_TRUE(opened) << "tcId " << id;
      EXPECT_EQ(hex(pt), hex(msg)) << "tcId " << id;
      ++valid;
    } else {
      EXPECT_FALSE(opened) << "tcId " << id << " " << t.at("comment").as_string();
      EXPECT_EQ(pt, std::vector<uint8_t>(ct.size(), 0)) << "tcId " << id;
      ++invalid;
    }
  }
  EXPECT_EQ(valid + invalid, file.declared);
  EXPECT_GT(valid, 0);
  EXPECT_GT(invalid, 0);
}

TEST_P(AeadImplTest, WycheproofChaCha20Poly1305) {
  run_wycheproof_aead<kChachaNonceSize>("chacha20_poly1305_test.json", "CHACHA20-POLY1305");
}

TEST_P(AeadImplTest, WycheproofXChaCha20Poly1305) {
  run_wycheproof_aead<kXChachaNonceSize>("xchacha20_poly1305_test.json", "XCHACHA20-POLY1305");
}

}  // namespace
}  // namespace sb::crypto
