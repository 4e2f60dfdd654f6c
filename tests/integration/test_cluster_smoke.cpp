// The cluster through real processes, the quick part (make test): one nats-server with JetStream
// and two switchboard servers joined through it. Direct messages and broadcast cross servers with
// their payload bytes exact and in order, WHO and STATS answer for the cluster, an id is unique
// across servers and free again once its node left. tests/long/ has the faults and the races.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/cluster_fixture.h"

namespace sb::test {
namespace {

// Bytes that need the length-prefixed framing, with a varying length.
std::string payload_of(int i) {
  std::string p = "#" + std::to_string(i) + "|\n\0\r\n";
  p += std::string(static_cast<size_t>(i % 17), 'x');
  return p;
}

TEST(ClusterSmoke, DirectBroadcastWhoAndUniqueIdsAcrossTwoServers) {
  ClusterRig rig(1, 2);
  ASSERT_TRUE(rig.ok()) << rig.error();
  std::string r;
  LineClient& alice = rig.node(0, "alice");
  LineClient& bob = rig.node(1, "bob");

  // The same id on the other server: refused as on one server, and the holder is undisturbed.
  auto again = hello(rig.server(1).port(), "alice", &r);
  EXPECT_EQ(r, "ERR id-taken alice");

  // Direct, both ways, in order per pair, bytes exact, once alice's server has heard of bob (the
  // directory is eventually consistent: before that a SEND to bob gets ERR no-such-node).
  ASSERT_TRUE(who_becomes(alice, "bob", {"bob"}));
  constexpr int kCount = 200;
  for (int i = 0; i < kCount; ++i) {
    const std::string p = payload_of(i);
    ASSERT_TRUE(alice.send_all("SEND bob " + std::to_string(p.size()) + "\n" + p + "\n"));
  }
  for (int i = 0; i < kCount; ++i) {
    FromFrame f = bob.read_frame();
    ASSERT_TRUE(f.ok()) << i << ": " << f;
    ASSERT_EQ(f.source, "alice");
    ASSERT_EQ(f.payload, payload_of(i)) << i;
  }
  ASSERT_TRUE(bob.send_all("SEND alice 2\nhi\n"));
  ASSERT_TRUE(next_frame_is(alice, "bob", "hi"));

  // Broadcast reaches the other server's nodes, not the sender.
  LineClient& carol = rig.node(1, "carol");
  ASSERT_TRUE(wait_until([&] {
    alice.send_line("WHO");
    std::string who = alice.read_line();
    return who == "NODES 3 alice bob carol" || who == "NODES 3 alice carol bob";
  }));
  ASSERT_TRUE(alice.send_all("SEND * 6\nto-all\n"));
  for (LineClient* c : {&bob, &carol}) {
    FromFrame f = c->read_frame();
    ASSERT_TRUE(f.ok()) << f;
    EXPECT_EQ(f.source, "alice");
    EXPECT_EQ(f.payload, "to-all");
  }
  EXPECT_EQ(alice.read_line(std::chrono::milliseconds(300)), std::string(kTimeout));

  // Unknown everywhere.
  alice.send_line("SEND nobody 1");
  alice.send_line("x");
  EXPECT_EQ(alice.read_line(), "ERR no-such-node nobody");

  alice.send_line("STATS");
  std::string stats = alice.read_line();
  EXPECT_NE(stats.find(" cluster_servers=2"), std::string::npos) << stats;
  EXPECT_NE(stats.find(" cluster_nodes=3"), std::string::npos) << stats;
  EXPECT_NE(stats.find(" backbone_up=1"), std::string::npos) << stats;
  EXPECT_NE(stats.find(" remote_out="), std::string::npos) << stats;

  // alice leaves: her id is free on the other server once the release is stored.
  alice.send_line("QUIT");
  EXPECT_EQ(alice.read_line(), "BYE");
  ASSERT_TRUE(wait_until([&] {
    auto c = hello(rig.server(1).port(), "alice", &r);
    return r == welcome("alice");
  }));
}

TEST(ClusterSmoke, WithoutBackboneHelloIsRefusedAndClosed) {
  // A member that is not running: the server starts, and HELLO cannot be checked for uniqueness.
  NatsMember nowhere;
  ServerProcess s({"--cluster", nowhere.url(), "--server-name", "lonely"});
  ASSERT_TRUE(s.ok()) << s.error();
  std::string r;
  auto c = hello(s.port(), "alice", &r);
  EXPECT_EQ(r, "ERR unavailable cluster");
  EXPECT_TRUE(c->expect_eof());
}

}  // namespace
}  // namespace sb::test
