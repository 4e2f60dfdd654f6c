// The --e2e session's pure state: pair keys (derived once, low-order keys refused), the sender's
// counter, the replay guard, the trust decisions of PeerKeys (first use, same, changed, offered,
// /trust, freshness of the server's answers), and the matching of answers behind markers.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "client/e2e_keyring.h"
#include "client/e2e_peers.h"
#include "client/e2e_requests.h"
#include "common/crypto/box.h"
#include "tests/support/server_event.h"

namespace sb::client::e2e {
namespace {

TEST(E2eKeyring, PairKeysMatchBothSidesAndLowOrderKeysAreRefused) {
  crypto::X25519Key apub, apriv, bpub, bpriv;
  crypto::box_keypair(apub, apriv);
  crypto::box_keypair(bpub, bpriv);
  Keyring a(apriv), b(bpriv);
  crypto::ChachaKey ab, ba, again;
  ASSERT_TRUE(a.pair_key(bpub, &ab));
  ASSERT_TRUE(b.pair_key(apub, &ba));
  EXPECT_EQ(ab, ba);
  ASSERT_TRUE(a.pair_key(bpub, &again));
  EXPECT_EQ(again, ab);
  crypto::X25519Key zero{};  // a point of low order: the shared secret would be all zero
  EXPECT_FALSE(a.pair_key(zero, &again));
}

TEST(E2eKeyring, CounterFollowsTheClockAndNeverRepeats) {
  crypto::X25519Key priv{};
  Keyring k(priv);
  EXPECT_EQ(k.next_counter(1000), 1000u);
  EXPECT_EQ(k.next_counter(1000), 1001u);  // same microsecond: one more
  EXPECT_EQ(k.next_counter(900), 1002u);   // the clock went back: still one more
  EXPECT_EQ(k.next_counter(5000), 5000u);
}

TEST(E2eReplayGuard, CounterMustGrowPerSourceAndKey) {
  ReplayGuard g(1'000'000'000);
  crypto::X25519Key k1{}, k2{};
  k2[0] = 1;
  const uint64_t now = 1'000'000'000;
  EXPECT_EQ(g.check("a", k1, {10, now}), ReplayGuard::Verdict::fresh);
  EXPECT_EQ(g.check("a", k1, {10, now}), ReplayGuard::Verdict::replayed);
  EXPECT_EQ(g.check("a", k1, {9, now}), ReplayGuard::Verdict::replayed);
  EXPECT_EQ(g.check("a", k1, {11, now}), ReplayGuard::Verdict::fresh);
  EXPECT_EQ(g.last("a", k1), 11u);
  // Another key of a, or another source with that key, counts on its own.
  EXPECT_EQ(g.check("a", k2, {5, now}), ReplayGuard::Verdict::fresh);
  EXPECT_EQ(g.check("c", k1, {5, now}), ReplayGuard::Verdict::fresh);
  // Sealed well before the session started: a recording played back.
  EXPECT_EQ(g.check("d", k1, {1, now - ReplayGuard::kMaxAgeMs - 1}), ReplayGuard::Verdict::stale);
  EXPECT_EQ(g.check("d", k1, {2, now - ReplayGuard::kMaxAgeMs}), ReplayGuard::Verdict::fresh);
}

TEST(E2eReplayGuard, MemoryIsBoundedAndForgettingMovesTheAgeLimitUp) {
  const uint64_t start = 1'000'000'000;
  ReplayGuard g(start);
  crypto::X25519Key k{};
  ASSERT_EQ(g.check("a", k, {1, start}), ReplayGuard::Verdict::fresh);
  const uint64_t later = start + 3 * ReplayGuard::kMaxAgeMs;
  for (size_t i = 1; i < ReplayGuard::kMaxTracked; ++i) {
    k[0] = static_cast<uint8_t>(i);
    k[1] = static_cast<uint8_t>(i >> 8);
    ASSERT_EQ(g.check("forger", k, {1, later}), ReplayGuard::Verdict::fresh);
  }
  // Full: the next one starts over. The first message of a is forgotten, but it is now too old.
  crypto::X25519Key first_forged{};
  first_forged[0] = 1;
  EXPECT_EQ(g.last("forger", first_forged), 1u);
  k = {};
  EXPECT_EQ(g.check("x", k, {1, later}), ReplayGuard::Verdict::fresh);
  EXPECT_EQ(g.last("forger", first_forged), 0u);
  EXPECT_EQ(g.check("a", k, {1, start}), ReplayGuard::Verdict::stale);
  EXPECT_EQ(g.check("a", k, {2, later}), ReplayGuard::Verdict::fresh);
}

class E2ePeers : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sb-e2e-peers-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string error;
    ASSERT_TRUE(known_.load(dir_ + "/known_nodes", &error)) << error;
    k1_[0] = 1;
    k2_[0] = 2;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  KnownNodes known_;
  PeerKeys peers_{known_};
  security::PublicKey k1_{}, k2_{};
};

TEST_F(E2ePeers, FirstKeyIsTrustedThenAChangeIsOfferedNotUsed) {
  std::string error;
  EXPECT_EQ(peers_.lookup("b", 0).state, PeerKeys::State::unknown);
  EXPECT_EQ(peers_.on_key("b", k1_, 100, &error), PeerKeys::Learned::first_use);
  EXPECT_TRUE(error.empty()) << error;
  PeerKeys::Lookup found = peers_.lookup("b", 100);
  EXPECT_EQ(found.state, PeerKeys::State::trusted);
  EXPECT_EQ(*found.key, k1_);
  // Fresh for kFreshMs, then asked again.
  EXPECT_EQ(peers_.lookup("b", 100 + PeerKeys::kFreshMs - 1).state, PeerKeys::State::trusted);
  EXPECT_EQ(peers_.lookup("b", 100 + PeerKeys::kFreshMs).state, PeerKeys::State::unknown);
  // The node came back with another key.
  EXPECT_EQ(peers_.on_key("b", k2_, 2000, &error), PeerKeys::Learned::changed);
  found = peers_.lookup("b", 2000);
  EXPECT_EQ(found.state, PeerKeys::State::changed);
  EXPECT_EQ(*found.known, k1_);
  EXPECT_EQ(*found.key, k2_);
  ASSERT_NE(peers_.offered("b"), nullptr);
  EXPECT_EQ(*peers_.offered("b"), k2_);
  // /trust takes the offered key; the answer is asked for again.
  security::PublicKey trusted{};
  EXPECT_TRUE(peers_.trust("b", &trusted, &error));
  EXPECT_EQ(trusted, k2_);
  EXPECT_EQ(*peers_.known("b"), k2_);
  EXPECT_EQ(peers_.offered("b"), nullptr);
  EXPECT_FALSE(peers_.trust("b", &trusted, &error));  // nothing offered any more
  EXPECT_EQ(peers_.lookup("b", 2000).state, PeerKeys::State::unknown);
  // And it is in known_nodes for the next session.
  KnownNodes reread;
  ASSERT_TRUE(reread.load(dir_ + "/known_nodes", &error));
  EXPECT_EQ(*reread.find("b"), k2_);
}

TEST_F(E2ePeers, SenderKeysFollowTheSameRules) {
  std::string error;
  EXPECT_EQ(peers_.on_sender("a", k1_, &error), PeerKeys::Learned::first_use);
  EXPECT_EQ(peers_.on_sender("a", k1_, &error), PeerKeys::Learned::same);
  ASSERT_EQ(peers_.on_key("a", k1_, 0, &error), PeerKeys::Learned::same);
  EXPECT_EQ(peers_.on_sender("a", k2_, &error), PeerKeys::Learned::changed);
  // The server's answer we held is dropped: the next send asks again.
  EXPECT_EQ(peers_.lookup("a", 0).state, PeerKeys::State::unknown);
  // The old key again: the offer is withdrawn.
  EXPECT_EQ(peers_.on_sender("a", k1_, &error), PeerKeys::Learned::same);
  EXPECT_EQ(peers_.offered("a"), nullptr);
}

TEST_F(E2ePeers, MissingKeysAreRememberedForAWhile) {
  peers_.on_missing("b", PeerKeys::State::no_key, {}, 0);
  peers_.on_missing("c", PeerKeys::State::no_such_node, {}, 0);
  peers_.on_missing("d", PeerKeys::State::failed, "bad id", 0);
  EXPECT_EQ(peers_.lookup("b", 10).state, PeerKeys::State::no_key);
  EXPECT_EQ(peers_.lookup("c", 10).state, PeerKeys::State::no_such_node);
  EXPECT_EQ(peers_.lookup("d", 10).detail, "bad id");
  EXPECT_EQ(peers_.lookup("b", PeerKeys::kFreshMs).state, PeerKeys::State::unknown);
  peers_.clear();
  EXPECT_EQ(peers_.lookup("c", 10).state, PeerKeys::State::unknown);
}

using test::error_event;
using test::server_event;

TEST(E2eRequests, AnswersAfterTheMarkerBelongToTheBatchInOrder) {
  using K = ServerEvent::Kind;
  Session session;
  Requests r;
  r.submit(session, {{Requests::Kind::key_get, "b", 0}, {Requests::Kind::members, "#ops", 7},
                     {Requests::Kind::key_set, "x25519:K", 0}});
  EXPECT_EQ(session.output(), "PING e2e-1\nKEY GET b\nWHO #ops\nKEY SET x25519:K\n");
  EXPECT_FALSE(r.idle());
  Requests::Request got;
  // Before the marker: replies to earlier commands (a failed SEND b, a user /who) are not ours.
  EXPECT_EQ(r.match(error_event(proto::ErrorCode::no_such_node, "b"), &got), Requests::Match::none);
  EXPECT_EQ(r.match(server_event(K::nodes, {}, "a b"), &got), Requests::Match::none);
  EXPECT_EQ(r.match(server_event(K::pong, {}, "7"), &got), Requests::Match::none);  // a user /ping
  EXPECT_EQ(r.match(server_event(K::pong, {}, "e2e-1"), &got), Requests::Match::marker);
  // Messages and connection-level errors are never answers.
  EXPECT_EQ(r.match(server_event(K::message, "a", "hi"), &got), Requests::Match::none);
  EXPECT_EQ(r.match(error_event(proto::ErrorCode::shutting_down, {}), &got), Requests::Match::none);
  EXPECT_EQ(r.match(error_event(proto::ErrorCode::no_such_node, "b"), &got), Requests::Match::answer);
  EXPECT_EQ(got.kind, Requests::Kind::key_get);
  EXPECT_EQ(got.arg, "b");
  EXPECT_EQ(r.match(server_event(K::nodes, {}, "a c"), &got), Requests::Match::answer);
  EXPECT_EQ(got.kind, Requests::Kind::members);
  EXPECT_EQ(got.tag, 7u);
  EXPECT_EQ(r.match(server_event(K::key, "a", "x25519:K"), &got), Requests::Match::answer);
  EXPECT_EQ(got.kind, Requests::Kind::key_set);
  EXPECT_TRUE(r.idle());
  // Later replies are not ours; a stale marker (from before a reconnect) is swallowed.
  EXPECT_EQ(r.match(server_event(K::key, "a", "x25519:K"), &got), Requests::Match::none);
  EXPECT_EQ(r.match(server_event(K::pong, {}, "e2e-0"), &got), Requests::Match::marker);
}

TEST(E2eRequests, BatchesFollowEachOtherAndClearForgetsThem) {
  using K = ServerEvent::Kind;
  Session session;
  Requests r;
  r.submit(session, {{Requests::Kind::key_get, "b", 0}});
  r.submit(session, {{Requests::Kind::key_get, "c", 0}});
  r.submit(session, {});  // nothing to ask: nothing written
  EXPECT_EQ(session.output(), "PING e2e-1\nKEY GET b\nPING e2e-2\nKEY GET c\n");
  Requests::Request got;
  EXPECT_EQ(r.match(server_event(K::pong, {}, "e2e-1"), &got), Requests::Match::marker);
  EXPECT_EQ(r.match(server_event(K::key, "b", "k"), &got), Requests::Match::answer);
  EXPECT_EQ(r.match(server_event(K::key, "c", "k"), &got), Requests::Match::none);  // e2e-2 not back yet
  EXPECT_EQ(r.match(server_event(K::pong, {}, "e2e-2"), &got), Requests::Match::marker);
  EXPECT_EQ(r.match(error_event(proto::ErrorCode::no_key, "c"), &got), Requests::Match::answer);
  EXPECT_EQ(got.arg, "c");
  r.submit(session, {{Requests::Kind::key_get, "d", 0}});
  r.clear();
  EXPECT_TRUE(r.idle());
  EXPECT_EQ(r.match(server_event(K::pong, {}, "e2e-3"), &got), Requests::Match::marker);
  EXPECT_EQ(r.match(server_event(K::key, "d", "k"), &got), Requests::Match::none);
}

}  // namespace
}  // namespace sb::client::e2e
