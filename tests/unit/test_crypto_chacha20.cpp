// ChaCha20, HChaCha20 and XChaCha20 against RFC 8439 (section 2.3.2, 2.4.2, appendix A.1 and A.2)
// and draft-irtf-cfrg-xchacha-03 (section 2.2.1, appendix A.3.2). Every stream vector runs through
// each keystream implementation (portable, SSE2, AVX2), and random messages cross-check them.
#include "common/crypto/chacha20.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/support/chacha_impl.h"
#include "tests/support/crypto_keys.h"
#include "tests/support/hex.h"
#include "tests/support/rfc8439_texts.h"

namespace sb::crypto {
namespace {

using test::hex;
using test::unhex;
using test::unhex_array;

using test::kKey00To1f;
using test::kKey80To9f;

std::vector<uint8_t> encrypt(const ChachaKey& key, uint32_t counter, const ChachaNonce& nonce,
                             const std::vector<uint8_t>& in) {
  std::vector<uint8_t> out(in.size());
  chacha20_encrypt(key, counter, nonce, in.data(), out.data(), in.size());
  return out;
}

// The implementations this CPU can run, for parameterised tests and cross-checks.
std::vector<ChachaImpl> supported_impls() {
  std::vector<ChachaImpl> v;
  for (ChachaImpl i : {ChachaImpl::portable, ChachaImpl::sse2, ChachaImpl::avx2})
    if (chacha_impl_supported(i)) v.push_back(i);
  return v;
}

class ChachaImplTest : public test::ChachaImplTest {};
INSTANTIATE_TEST_SUITE_P(Impls, ChachaImplTest, test::all_chacha_impls(),
                         test::chacha_impl_param_name);

// --- the block function (portable by definition) -------------------------------------------

TEST(ChaCha20Block, Rfc8439Section232) {
  uint8_t block[64];
  chacha20_block(kKey00To1f, 1, unhex_array<12>("000000090000004a00000000"), block);
  EXPECT_EQ(hex(block, 64),
      "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
      "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
}

TEST(ChaCha20Block, Rfc8439AppendixA1) {
  struct Case {
    const char* key;
    const char* nonce;
    uint32_t counter;
    const char* keystream;
  } cases[] = {
      {"0000000000000000000000000000000000000000000000000000000000000000",
       "000000000000000000000000", 0,
       "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
      "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"},
      {"0000000000000000000000000000000000000000000000000000000000000000",
       "000000000000000000000000", 1,
       "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
      "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f"},
      {"0000000000000000000000000000000000000000000000000000000000000001",
       "000000000000000000000000", 1,
       "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a"
      "8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0"},
      {"00ff000000000000000000000000000000000000000000000000000000000000",
       "000000000000000000000000", 2,
       "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca"
      "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096"},
      {"0000000000000000000000000000000000000000000000000000000000000000",
       "000000000000000000000002", 0,
       "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7"
      "8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d"},
  };
  for (const Case& c : cases) {
    uint8_t block[64];
    chacha20_block(unhex_array<32>(c.key), c.counter, unhex_array<12>(c.nonce), block);
    EXPECT_EQ(hex(block, 64), c.keystream) << "counter " << c.counter;
  }
}

// --- the stream, through each implementation ----------------------------------------------

TEST_P(ChachaImplTest, Rfc8439Section242Sunscreen) {
  const ChachaNonce nonce = unhex_array<12>("000000000000004a00000000");
  const std::vector<uint8_t> pt = test::bytes_of(test::kSunscreen);
  const std::vector<uint8_t> ct = encrypt(kKey00To1f, 1, nonce, pt);
  EXPECT_EQ(hex(ct),
      "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
      "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
      "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
      "5af90bbf74a35be6b40b8eedf2785e42874d");
  EXPECT_EQ(encrypt(kKey00To1f, 1, nonce, ct), pt);  // the same call decrypts
  std::vector<uint8_t> in_place = pt;
  chacha20_encrypt(kKey00To1f, 1, nonce, in_place.data(), in_place.data(), in_place.size());
  EXPECT_EQ(in_place, ct);
}

TEST_P(ChachaImplTest, Rfc8439AppendixA2) {
  const ChachaKey zero_key{};
  const ChachaKey key_one = unhex_array<32>(
      "0000000000000000000000000000000000000000000000000000000000000001");
  const ChachaKey key_3 = unhex_array<32>(
      "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
  const ChachaNonce nonce_0{};
  const ChachaNonce nonce_2 = unhex_array<12>("000000000000000000000002");

  // #1: 64 zero bytes under the zero key are keystream block 0 (A.1 #1).
  EXPECT_EQ(hex(encrypt(zero_key, 0, nonce_0, std::vector<uint8_t>(64, 0))),
      "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
      "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
  // #2: 375 bytes from counter 1.
  const std::vector<uint8_t> ietf = test::bytes_of(test::kIetfContribution);
  EXPECT_EQ(hex(encrypt(key_one, 1, nonce_2, ietf)),
      "a3fbf07df3fa2fde4f376ca23e82737041605d9f4f4f57bd8cff2c1d4b7955ec"
      "2a97948bd3722915c8f3d337f7d370050e9e96d647b7c39f56e031ca5eb6250d"
      "4042e02785ececfa4b4bb5e8ead0440e20b6e8db09d881a7c6132f420e527950"
      "42bdfa7773d8a9051447b3291ce1411c680465552aa6c405b7764d5e87bea85a"
      "d00f8449ed8f72d0d662ab052691ca66424bc86d2df80ea41f43abf937d3259d"
      "c4b2d0dfb48a6c9139ddd7f76966e928e635553ba76c5c879d7b35d49eb2e62b"
      "0871cdac638939e25e8a1e0ef9d5280fa8ca328b351c3c765989cbcf3daa8b6c"
      "cc3aaf9f3979c92b3720fc88dc95ed84a1be059c6499b9fda236e7e818b04b0b"
      "c39c1e876b193bfe5569753f88128cc08aaa9b63d1a16f80ef2554d7189c411f"
      "5869ca52c5b83fa36ff216b9c1d30062bebcfd2dc5bce0911934fda79a86f6e6"
      "98ced759c3ff9b6477338f3da4f9cd8514ea9982ccafb341b2384dd902f3d1ab"
      "7ac61dd29c6f21ba5b862f3730e37cfdc4fd806c22f221");
  // #3: 127 bytes from counter 42.
  const std::vector<uint8_t> jabber = test::bytes_of(test::kJabberwocky);
  EXPECT_EQ(hex(encrypt(key_3, 42, nonce_2, jabber)),
      "62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf"
      "166d3df2d721caf9b21e5fb14c616871fd84c54f9d65b283196c7fe4f60553eb"
      "f39c6402c42234e32a356b3e764312a61a5532055716ead6962568f87d3f3f77"
      "04c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1");
}

// The keystream of chacha20_encrypt is the block function's, block after block, for every
// length up to 20 blocks (so each kernel runs whole and with every kind of tail) and counters
// that make the vector kernels' lanes carry into higher bits.
TEST_P(ChachaImplTest, StreamIsTheBlockFunctionInSequence) {
  const ChachaNonce nonce = unhex_array<12>("0102030405060708090a0b0c");
  for (uint32_t counter : {0u, 1u, 0xfeu, 0xfffffu, 0xfffffff0u - 20u}) {
    std::vector<uint8_t> expected;
    for (uint32_t b = 0; b < 20; ++b) {
      uint8_t block[64];
      chacha20_block(kKey80To9f, counter + b, nonce, block);
      expected.insert(expected.end(), block, block + 64);
    }
    for (size_t len = 0; len <= expected.size(); ++len) {
      const std::vector<uint8_t> ks =
          encrypt(kKey80To9f, counter, nonce, std::vector<uint8_t>(len));
      ASSERT_TRUE(std::equal(ks.begin(), ks.end(), expected.begin()))
          << "counter " << counter << " length " << len;
    }
  }
}

// The last blocks before the 32-bit counter runs out: 2^32 - 16 .. 2^32 - 1 are all usable.
TEST_P(ChachaImplTest, CounterUpToTheLastBlock) {
  const ChachaNonce nonce{};
  const uint32_t first = 0xfffffff0u;
  std::vector<uint8_t> expected;
  for (uint32_t b = 0; b < 16; ++b) {
    uint8_t block[64];
    chacha20_block(kKey00To1f, first + b, nonce, block);
    expected.insert(expected.end(), block, block + 64);
  }
  EXPECT_EQ(encrypt(kKey00To1f, first, nonce, std::vector<uint8_t>(16 * 64)), expected);
}

TEST(ChaCha20DeathTest, CounterWrapAborts) {
  std::vector<uint8_t> buf(65);
  EXPECT_DEATH(chacha20_encrypt(kKey00To1f, 0xffffffffu, ChachaNonce{}, buf.data(), buf.data(),
                                buf.size()),
               "");
}

// --- HChaCha20 and XChaCha20 (draft-irtf-cfrg-xchacha-03) ------------------------------------

TEST(HChaCha20, DraftSection221) {
  ChachaKey subkey;
  hchacha20(kKey00To1f, unhex_array<16>("000000090000004a0000000031415927"), subkey);
  EXPECT_EQ(hex(subkey), "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
}

const XChachaNonce kXNonce = unhex_array<24>("404142434445464748494a4b4c4d4e4f5051525354555658");
const std::vector<uint8_t> kXPlaintext = unhex(
    "5468652064686f6c65202870726f6e6f756e6365642022646f6c652229206973"
      "20616c736f206b6e6f776e2061732074686520417369617469632077696c6420"
      "646f672c2072656420646f672c20616e642077686973746c696e6720646f672e"
      "2049742069732061626f7574207468652073697a65206f662061204765726d61"
      "6e20736865706865726420627574206c6f6f6b73206d6f7265206c696b652061"
      "206c6f6e672d6c656767656420666f782e205468697320686967686c7920656c"
      "757369766520616e6420736b696c6c6564206a756d70657220697320636c6173"
      "736966696564207769746820776f6c7665732c20636f796f7465732c206a6163"
      "6b616c732c20616e6420666f78657320696e20746865207461786f6e6f6d6963"
      "2066616d696c792043616e696461652e");

// Appendix A.3.2.1 (block counter 0) and A.3.2.2 (block counter 1): the ciphertext, and the
// keystream itself as the encryption of zeros.
TEST_P(ChachaImplTest, XChaCha20DraftA32) {
  struct Case {
    uint32_t counter;
    const char* ciphertext;
    const char* keystream;
  } cases[] = {
      {0,
       "4559abba4e48c16102e8bb2c05e6947f50a786de162f9b0b7e592a9b53d0d4e9"
       "8d8d6410d540a1a6375b26d80dace4fab52384c731acbf16a5923c0c48d3575d"
       "4d0d2c673b666faa731061277701093a6bf7a158a8864292a41c48e3a9b4c0da"
       "ece0f8d98d0d7e05b37a307bbb66333164ec9e1b24ea0d6c3ffddcec4f68e744"
       "3056193a03c810e11344ca06d8ed8a2bfb1e8d48cfa6bc0eb4e2464b74814240"
       "7c9f431aee769960e15ba8b96890466ef2457599852385c661f752ce20f9da0c"
       "09ab6b19df74e76a95967446f8d0fd415e7bee2a12a114c20eb5292ae7a349ae"
       "577820d5520a1f3fb62a17ce6a7e68fa7c79111d8860920bc048ef43fe84486c"
       "cb87c25f0ae045f0cce1e7989a9aa220a28bdd4827e751a24a6d5c62d790a663"
       "93b93111c1a55dd7421a10184974c7c5",
       "1131ce9a2a20ae0d67c8935c7789fa1025c9e5bb720fb96f11354fb97af0bd9a"
       "adec0863ba60cac8582c48f86cdfc48edd46a48642c5de62ccf11c7b21bf337d"
       "29624b4b1b140ace53740e405b2168540fd7d630c1f536fecd722fc3cddba7f4"
       "cca98cf9e47e5e64d115450f9b125b54449ff76141ca620a1f9cfcab2a1a8a25"
       "5e766a5266b878846120ea64ad99aa479471e63befcbd37cd1c22a221fe46221"
       "5cf32c74895bf505863ccddd48f62916dc6521f1ec50a5ae08903aa259d9bf60"
       "7cd8026fba548604f1b6072d91bc91243a5b845f7fd171b02edc5a0a84cf28dd"
       "241146bc376e3f48df5e7fee1d11048c190a3d3deb0feb64b42d9c6fdeee290f"
       "a0e6ae2c26c0249ea8c181f7e2ffd100cbe5fd3c4f8271d62b15330cb8fdcf00"
       "b3df507ca8c924f7017b7e712d15a2eb"},
      {1,
       "7d0a2e6b7f7c65a236542630294e063b7ab9b555a5d5149aa21e4ae1e4fbce87"
       "ecc8e08a8b5e350abe622b2ffa617b202cfad72032a3037e76ffdcdc4376ee05"
       "3a190d7e46ca1de04144850381b9cb29f051915386b8a710b8ac4d027b8b050f"
       "7cba5854e028d564e453b8a968824173fc16488b8970cac828f11ae53cabd201"
       "12f87107df24ee6183d2274fe4c8b1485534ef2c5fbc1ec24bfc3663efaa08bc"
       "047d29d25043532db8391a8a3d776bf4372a6955827ccb0cdd4af403a7ce4c63"
       "d595c75a43e045f0cce1f29c8b93bd65afc5974922f214a40b7c402cdb91ae73"
       "c0b63615cdad0480680f16515a7ace9d39236464328a37743ffc28f4ddb324f4"
       "d0f5bbdc270c65b1749a6efff1fbaa09536175ccd29fb9e6057b307320d31683"
       "8a9c71f70b5b5907a66f7ea49aadc409",
       "29624b4b1b140ace53740e405b2168540fd7d630c1f536fecd722fc3cddba7f4"
       "cca98cf9e47e5e64d115450f9b125b54449ff76141ca620a1f9cfcab2a1a8a25"
       "5e766a5266b878846120ea64ad99aa479471e63befcbd37cd1c22a221fe46221"
       "5cf32c74895bf505863ccddd48f62916dc6521f1ec50a5ae08903aa259d9bf60"
       "7cd8026fba548604f1b6072d91bc91243a5b845f7fd171b02edc5a0a84cf28dd"
       "241146bc376e3f48df5e7fee1d11048c190a3d3deb0feb64b42d9c6fdeee290f"
       "a0e6ae2c26c0249ea8c181f7e2ffd100cbe5fd3c4f8271d62b15330cb8fdcf00"
       "b3df507ca8c924f7017b7e712d15a2eb5c50484451e54e1b4b995bd8fdd94597"
       "bb94d7af0b2c04df10ba0890899ed9293a0f55b8bafa999264035f1d4fbe7fe0"
       "aafa109a62372027e50e10cdfecca127"},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> out(kXPlaintext.size());
    xchacha20_encrypt(kKey80To9f, c.counter, kXNonce, kXPlaintext.data(), out.data(), out.size());
    EXPECT_EQ(hex(out), c.ciphertext) << "counter " << c.counter;
    std::vector<uint8_t> zeros(kXPlaintext.size(), 0);
    xchacha20_encrypt(kKey80To9f, c.counter, kXNonce, zeros.data(), zeros.data(), zeros.size());
    EXPECT_EQ(hex(zeros), c.keystream) << "counter " << c.counter;
  }
}

// --- the implementations against each other ------------------------------------------------

TEST(ChachaImpls, DefaultIsTheFastestSupported) {
  const std::vector<ChachaImpl> impls = supported_impls();
  EXPECT_EQ(chacha_impl(), impls.back());
  EXPECT_TRUE(chacha_impl_supported(ChachaImpl::portable));
}

// Random keys, nonces, counters and messages: every length 0..1000 and some multi-KiB ones, with
// input and output at odd offsets from each other and from alignment, out of place and in place.
// Each supported implementation must give the portable code's bytes exactly.
TEST(ChachaImpls, RandomMessagesAgreeWithPortable) {
  const ChachaImpl saved = chacha_impl();
  std::mt19937_64 rng(20261201);
  auto random_bytes = [&](size_t n) {
    std::vector<uint8_t> v(n);
    for (uint8_t& b : v) b = static_cast<uint8_t>(rng());
    return v;
  };
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 1000; ++n) lengths.push_back(n);
  for (size_t n : {1023, 1024, 1025, 4096, 4099, 8191, 16384 + 63, 65536, 65536 + 17, 200000})
    lengths.push_back(n);

  size_t checked = 0;
  for (size_t len : lengths) {
    ChachaKey key;
    ChachaNonce nonce;
    for (uint8_t& b : key) b = static_cast<uint8_t>(rng());
    for (uint8_t& b : nonce) b = static_cast<uint8_t>(rng());
    const uint32_t counter = static_cast<uint32_t>(rng() % 1000000);
    const size_t in_off = rng() % 8, out_off = rng() % 8;
    const std::vector<uint8_t> msg = random_bytes(len);

    ASSERT_TRUE(set_chacha_impl(ChachaImpl::portable));
    std::vector<uint8_t> expected(len);
    chacha20_encrypt(key, counter, nonce, msg.data(), expected.data(), len);

    for (ChachaImpl impl : supported_impls()) {
      ASSERT_TRUE(set_chacha_impl(impl));
      std::vector<uint8_t> in(len + 8), out(len + 8);
      uint8_t* const src = in.data() + in_off;
      uint8_t* const dst = out.data() + out_off;
      std::copy(msg.begin(), msg.end(), src);
      chacha20_encrypt(key, counter, nonce, src, dst, len);
      ASSERT_TRUE(std::equal(expected.begin(), expected.end(), dst))
          << chacha_impl_name(impl) << " length " << len << " offsets " << in_off << "/" << out_off;
      chacha20_encrypt(key, counter, nonce, src, src, len);
      ASSERT_TRUE(std::equal(expected.begin(), expected.end(), src))
          << chacha_impl_name(impl) << " in place, length " << len;
      ++checked;
    }
  }
  set_chacha_impl(saved);
  EXPECT_GE(checked, lengths.size());
}

}  // namespace
}  // namespace sb::crypto
