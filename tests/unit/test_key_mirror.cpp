// The cluster's KeyMirror (server/key_mirror.h): the record encoding, stream order, deletions,
// malformed records, and the claim check that keeps an earlier holder's key from being served.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "server/key_mirror.h"

using namespace sb::server;
using sb::security::PublicKey;

namespace {

PublicKey key_of(uint8_t fill) {
  PublicKey k;
  k.fill(fill);
  return k;
}

}  // namespace

TEST(KeyMirror, ARecordRoundTripsAndIsServedOnlyForItsClaim) {
  KeyMirror m;
  const std::string value = KeyMirror::encode(42, "s1", key_of(7));
  EXPECT_EQ(value, "42 s1 " + sb::security::public_key_text(key_of(7)));
  ASSERT_TRUE(m.put("a", 10, value));
  const KeyMirror::Record* r = m.find("a");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->seq, 10u);
  EXPECT_EQ(r->claim_seq, 42u);
  EXPECT_EQ(r->server, "s1");
  EXPECT_EQ(r->key, key_of(7));
  ASSERT_NE(m.key_for("a", 42), nullptr);
  EXPECT_EQ(*m.key_for("a", 42), key_of(7));
  EXPECT_EQ(m.key_for("a", 43), nullptr);  // a later claim of the id: not its holder's key
  EXPECT_EQ(m.key_for("b", 42), nullptr);
}

TEST(KeyMirror, NewerRecordsWinAndDeletionsRemove) {
  KeyMirror m;
  ASSERT_TRUE(m.put("a", 10, KeyMirror::encode(5, "s1", key_of(1))));
  ASSERT_TRUE(m.put("a", 12, KeyMirror::encode(5, "s1", key_of(2))));
  EXPECT_TRUE(m.put("a", 11, KeyMirror::encode(5, "s1", key_of(3))));  // older: ignored
  EXPECT_EQ(*m.key_for("a", 5), key_of(2));
  m.erase("a", 11);  // older than the record: ignored
  EXPECT_NE(m.find("a"), nullptr);
  m.erase("a", 13);
  EXPECT_EQ(m.find("a"), nullptr);
  EXPECT_EQ(m.size(), 0u);
  m.erase("never", 1);
  EXPECT_EQ(m.size(), 0u);
}

TEST(KeyMirror, AMalformedRecordIsRefusedAndForgetsTheId) {
  const std::string text = sb::security::public_key_text(key_of(9));
  const std::vector<std::string> malformed = {"", "5", "5 s1", "5  " + text, "0 s1 " + text, "x s1 " + text,
                                              "5x s1 " + text, "-5 s1 " + text, "5 s1 " + text + " more",
                                              "5 s1 x25519:short", " 5 s1 " + text};
  for (const std::string& bad : malformed) {
    KeyMirror m;
    ASSERT_TRUE(m.put("a", 1, KeyMirror::encode(5, "s1", key_of(1))));
    EXPECT_FALSE(m.put("a", 2, bad)) << "'" << bad << "'";
    EXPECT_EQ(m.find("a"), nullptr) << "'" << bad << "'";
  }
}

TEST(KeyMirror, RecordsByServerAndClear) {
  KeyMirror m;
  ASSERT_TRUE(m.put("a", 1, KeyMirror::encode(1, "s1", key_of(1))));
  ASSERT_TRUE(m.put("b", 2, KeyMirror::encode(2, "s2", key_of(2))));
  ASSERT_TRUE(m.put("c", 3, KeyMirror::encode(3, "s1", key_of(3))));
  std::set<std::string> ids;
  m.for_each_of("s1", [&](const std::string& id, const KeyMirror::Record& r) {
    EXPECT_EQ(r.server, "s1");
    ids.insert(id);
  });
  EXPECT_EQ(ids, (std::set<std::string>{"a", "c"}));
  EXPECT_EQ(m.size(), 3u);
  m.clear();
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.find("a"), nullptr);
}
