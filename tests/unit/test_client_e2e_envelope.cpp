// The end-to-end envelope: the documented layout byte by byte (docs/E2E.md), round trips for one
// and many recipients, and refusal of every change: any flipped byte, any truncation, another
// source, target or recipient, another key.
#include "client/e2e_envelope.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/crypto/aead.h"
#include "common/crypto/box.h"

namespace sb::client::e2e {
namespace {

using crypto::ChachaKey;
using crypto::X25519Key;
using crypto::XChachaNonce;

struct Party {
  X25519Key pub, priv;
  Party() { crypto::box_keypair(pub, priv); }
};

ChachaKey pair_of(const Party& me, const Party& peer) {
  ChachaKey k;
  EXPECT_TRUE(crypto::box_beforenm(me.priv, peer.pub, k));
  return k;
}

XChachaNonce counting_nonce() {
  XChachaNonce n;
  for (size_t i = 0; i < n.size(); ++i) n[i] = static_cast<uint8_t>(0x40 + i);
  return n;
}

const uint8_t* u8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// Opens as a receiver would: parse for `me_id`, pair key from the header's sender key.
Status open_as(const std::string& env, const Party& me, std::string_view me_id, Route route, Inner* inner,
               std::string* text) {
  Header h;
  const Status parsed = parse(env, me_id, &h);
  if (parsed != Status::ok) return parsed;
  ChachaKey k;
  if (!crypto::box_beforenm(me.priv, h.sender, k)) return Status::forged;
  return open(env, h, k, route, inner, text);
}

TEST(E2eEnvelope, DirectLayoutIsTheDocumentedOne) {
  Party a, b;
  const ChachaKey k = pair_of(a, b);
  const Inner inner{0x0102030405060708u, 0x1112131415161718u};
  std::string env;
  ASSERT_TRUE(seal_direct_with(counting_nonce(), a.pub, k, {"a", "b"}, inner, "Hello from A", &env));
  ASSERT_EQ(env.size(), 62u + 16 + 12 + 16);
  EXPECT_EQ(env.substr(0, 6), std::string("\xff" "SBE\x01\x01", 6));
  EXPECT_EQ(env.substr(6, 32), std::string(reinterpret_cast<const char*>(a.pub.data()), 32));
  const XChachaNonce nonce = counting_nonce();
  EXPECT_EQ(env.substr(38, 24), std::string(reinterpret_cast<const char*>(nonce.data()), 24));
  // The ciphertext and tag are AEAD_XChaCha20_Poly1305 over counter | timestamp | text with the
  // associated data len(source) source len(target) target header, computed here independently.
  const std::string aad = std::string("\x01" "a" "\x01" "b", 4) + env.substr(0, 62);
  const std::string plain = std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x11\x12\x13\x14\x15\x16\x17\x18", 16) +
                            "Hello from A";
  std::string ct(plain.size(), '\0');
  crypto::Poly1305Tag tag;
  crypto::xchacha20_poly1305_seal(k, nonce, u8(aad), aad.size(), u8(plain), plain.size(),
                                  reinterpret_cast<uint8_t*>(ct.data()), tag);
  EXPECT_EQ(env.substr(62, ct.size()), ct);
  EXPECT_EQ(env.substr(62 + ct.size()), std::string(reinterpret_cast<const char*>(tag.data()), 16));

  Inner got;
  std::string text;
  EXPECT_EQ(open_as(env, b, "b", {"a", "b"}, &got, &text), Status::ok);
  EXPECT_EQ(text, "Hello from A");
  EXPECT_EQ(got.counter, inner.counter);
  EXPECT_EQ(got.timestamp_ms, inner.timestamp_ms);
}

TEST(E2eEnvelope, DirectRefusesEveryChangedByteAndEveryTruncation) {
  Party a, b;
  std::string env;
  ASSERT_TRUE(seal_direct(a.pub, pair_of(a, b), {"a", "b"}, {7, 8}, "secret text", &env));
  for (size_t i = 0; i < env.size(); ++i) {
    std::string bad = env;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    Inner inner;
    std::string text = "junk";
    EXPECT_NE(open_as(bad, b, "b", {"a", "b"}, &inner, &text), Status::ok) << "byte " << i;
    EXPECT_TRUE(text.empty() || text == "junk") << "byte " << i;
  }
  for (size_t len = 0; len < env.size(); ++len) {
    Inner inner;
    std::string text;
    EXPECT_NE(open_as(env.substr(0, len), b, "b", {"a", "b"}, &inner, &text), Status::ok) << len;
  }
  Inner inner;
  std::string text;
  EXPECT_EQ(open_as(env + "x", b, "b", {"a", "b"}, &inner, &text), Status::forged);
}

TEST(E2eEnvelope, DirectIsBoundToItsSourceTargetAndKeys) {
  Party a, b, c;
  std::string env;
  ASSERT_TRUE(seal_direct(a.pub, pair_of(a, b), {"a", "b"}, {1, 2}, "hi", &env));
  Inner inner;
  std::string text;
  EXPECT_EQ(open_as(env, b, "b", {"c", "b"}, &inner, &text), Status::forged);   // another source
  EXPECT_EQ(open_as(env, b, "b", {"a", "bb"}, &inner, &text), Status::forged);  // another target
  EXPECT_EQ(open_as(env, c, "c", {"a", "c"}, &inner, &text), Status::forged);   // handed to c
  EXPECT_EQ(open_as(env, b, "b", {"a", "b"}, &inner, &text), Status::ok);
  // The sender's key in the header is bound too: another one derives another pair key.
  std::string swapped = env;
  std::copy(c.pub.begin(), c.pub.end(), swapped.begin() + 6);
  EXPECT_EQ(open_as(swapped, b, "b", {"a", "b"}, &inner, &text), Status::forged);
}

TEST(E2eEnvelope, ParseTellsWhatIsWrong) {
  Party a, b;
  Header h;
  EXPECT_EQ(parse("Hello from A", "b", &h), Status::not_envelope);
  EXPECT_EQ(parse("", "b", &h), Status::not_envelope);
  EXPECT_FALSE(is_envelope("\xff" "SB"));
  std::string env;
  ASSERT_TRUE(seal_direct(a.pub, pair_of(a, b), {"a", "b"}, {1, 2}, "", &env));
  EXPECT_TRUE(is_envelope(env));
  EXPECT_EQ(parse(env, "b", &h), Status::ok);
  EXPECT_EQ(h.kind, Kind::direct);
  EXPECT_EQ(h.sender, a.pub);
  std::string v2 = env;
  v2[4] = 2;
  EXPECT_EQ(parse(v2, "b", &h), Status::unknown_version);
  std::string kind3 = env;
  kind3[5] = 3;
  EXPECT_EQ(parse(kind3, "b", &h), Status::malformed);
  EXPECT_EQ(parse(env.substr(0, 62 + 31), "b", &h), Status::malformed);  // shorter than counter + tag
}

TEST(E2eEnvelope, MultiOpensForEachRecipientOnly) {
  Party a, b, c, d, late;
  std::vector<Recipient> rs = {{"b", pair_of(a, b)}, {"c", pair_of(a, c)}, {"d", pair_of(a, d)}};
  std::string env;
  ASSERT_TRUE(seal_multi(a.pub, rs, {"a", "#ops"}, {5, 6}, "to the group", &env));
  ASSERT_EQ(env.size(), 62u + 2 + 3 * (1 + 1 + 48) + 16 + 12 + 16);
  EXPECT_EQ(env[5], 2);
  EXPECT_EQ(env.substr(62, 3), std::string("\x00\x03\x01", 3));
  for (auto [party, id] : {std::pair<const Party*, const char*>{&b, "b"}, {&c, "c"}, {&d, "d"}}) {
    Inner inner;
    std::string text;
    EXPECT_EQ(open_as(env, *party, id, {"a", "#ops"}, &inner, &text), Status::ok) << id;
    EXPECT_EQ(text, "to the group");
    EXPECT_EQ(inner.counter, 5u);
    // Bound to the group it was sent to and to the source.
    EXPECT_EQ(open_as(env, *party, id, {"a", "#dev"}, &inner, &text), Status::forged) << id;
    EXPECT_EQ(open_as(env, *party, id, {"a", "*"}, &inner, &text), Status::forged) << id;
    EXPECT_EQ(open_as(env, *party, id, {"x", "#ops"}, &inner, &text), Status::forged) << id;
  }
  Inner inner;
  std::string text;
  EXPECT_EQ(open_as(env, late, "late", {"a", "#ops"}, &inner, &text), Status::not_for_us);
  // c's copy read by b's private key under c's entry: b has no entry named c to use.
  EXPECT_EQ(open_as(env, b, "c", {"a", "#ops"}, &inner, &text), Status::forged);
}

TEST(E2eEnvelope, MultiRefusesChangedBytesRenamedEntriesAndBadLists) {
  Party a, b, c;
  std::vector<Recipient> rs = {{"b", pair_of(a, b)}, {"c", pair_of(a, c)}};
  std::string env;
  ASSERT_TRUE(seal_multi(a.pub, rs, {"a", "*"}, {1, 1}, "all", &env));
  // Every byte is checked by both recipients, except another recipient's wrapped key, which only
  // that recipient can check (and does).
  const size_t b_wrap = 62 + 2 + 1 + 1, c_wrap = b_wrap + 48 + 1 + 1;
  for (size_t i = 0; i < env.size(); ++i) {
    std::string bad = env;
    bad[i] = static_cast<char>(bad[i] ^ 0x80);
    Inner inner;
    std::string text;
    const bool in_b_wrap = i >= b_wrap && i < b_wrap + 48, in_c_wrap = i >= c_wrap && i < c_wrap + 48;
    EXPECT_EQ(open_as(bad, b, "b", {"a", "*"}, &inner, &text) == Status::ok, in_c_wrap) << "byte " << i;
    EXPECT_EQ(open_as(bad, c, "c", {"a", "*"}, &inner, &text) == Status::ok, in_b_wrap) << "byte " << i;
  }
  // Swapping the two entries' ids keeps the layout valid but breaks every tag.
  std::string renamed = env;
  renamed[65] = 'c';
  renamed[65 + 50] = 'b';
  Inner inner;
  std::string text;
  EXPECT_EQ(open_as(renamed, c, "c", {"a", "*"}, &inner, &text), Status::forged);
  EXPECT_EQ(open_as(renamed, b, "b", {"a", "*"}, &inner, &text), Status::forged);
  EXPECT_FALSE(seal_multi(a.pub, {}, {"a", "*"}, {1, 1}, "x", &env));
  EXPECT_FALSE(seal_multi(a.pub, {{"b", pair_of(a, b)}, {"b", pair_of(a, b)}}, {"a", "*"}, {1, 1}, "x", &env));
  EXPECT_FALSE(seal_multi(a.pub, {{"", pair_of(a, b)}}, {"a", "*"}, {1, 1}, "x", &env));
  EXPECT_FALSE(seal_direct(a.pub, pair_of(a, b), {"a", std::string(256, 't')}, {1, 1}, "x", &env));
}

TEST(E2eEnvelope, ARecipientCannotSealAnotherBodyForTheOthers) {
  // b reads a's group message, so b knows the content key. b keeps the header and the entries and
  // seals another body under that key: c must not take it for a's.
  Party a, b, c;
  ChachaKey content;
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<uint8_t>(i * 7);
  std::vector<Recipient> rs = {{"b", pair_of(a, b)}, {"c", pair_of(a, c)}};
  std::string env;
  ASSERT_TRUE(seal_multi_with(counting_nonce(), content, a.pub, rs, {"a", "#ops"}, {9, 9}, "genuine", &env));
  Header h;
  ASSERT_EQ(parse(env, "c", &h), Status::ok);
  // The body's own associated data is right (route, header, recipient list): only the entries'
  // binding of the body's digest can catch it.
  const std::string aad = std::string("\x01" "a" "\x04" "#ops") + env.substr(0, 62) +
                          std::string("\x00\x02\x01" "b" "\x01" "c", 6);
  const std::string plain = std::string(8, '\0') + std::string("\0\0\0\0\0\0\0\x0a", 8) + "forged!";
  std::string ct(plain.size(), '\0');
  crypto::Poly1305Tag tag;
  crypto::xchacha20_poly1305_seal(content, counting_nonce(), u8(aad), aad.size(), u8(plain), plain.size(),
                                  reinterpret_cast<uint8_t*>(ct.data()), tag);
  const std::string forged = env.substr(0, h.body) + ct + std::string(reinterpret_cast<const char*>(tag.data()), 16);
  Inner inner;
  std::string text;
  EXPECT_EQ(open_as(env, c, "c", {"a", "#ops"}, &inner, &text), Status::ok);
  EXPECT_EQ(text, "genuine");
  // The forged body does verify under the content key and its associated data...
  std::string check(ct.size(), '\0');
  ASSERT_TRUE(crypto::xchacha20_poly1305_open(content, counting_nonce(), u8(aad), aad.size(), u8(ct), ct.size(), tag,
                                              reinterpret_cast<uint8_t*>(check.data())));
  // ...but not as a's message: each entry binds the digest of the body a sealed.
  EXPECT_EQ(open_as(forged, c, "c", {"a", "#ops"}, &inner, &text), Status::forged);
  EXPECT_EQ(open_as(forged, b, "b", {"a", "#ops"}, &inner, &text), Status::forged);
}

TEST(E2eEnvelope, FreshNoncesMakeEveryEnvelopeDifferent) {
  Party a, b;
  std::string one, two;
  ASSERT_TRUE(seal_direct(a.pub, pair_of(a, b), {"a", "b"}, {1, 1}, "same", &one));
  ASSERT_TRUE(seal_direct(a.pub, pair_of(a, b), {"a", "b"}, {1, 1}, "same", &two));
  EXPECT_NE(one.substr(38, 24), two.substr(38, 24));
  EXPECT_NE(one, two);
  EXPECT_EQ(one.find("same"), std::string::npos);
}

}  // namespace
}  // namespace sb::client::e2e
