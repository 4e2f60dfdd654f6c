// KEY GET across a cluster (one nats-server, two switchboard servers): published keys are kept by
// the server the node is connected to and are not carried across servers yet (docs/CLUSTER.md),
// so for a node on the other server KEY GET answers a key the auth file pins, or ERR unavailable;
// never ERR no-such-node for a node that is connected, and never a wrong key.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/support/cluster_fixture.h"

namespace sb::test {
namespace {

const std::string kPinnedKey = "x25519:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const std::string kOtherKey = "x25519:" + std::string(42, 'B') + "A";

TEST(ClusterKeys, KeyGetForANodeOnAnotherServer) {
  TempDir dir;
  const std::string auth = dir.path() + "/auth.txt";
  std::ofstream(auth) << "pinned token-p " << kPinnedKey << "\nfree token-f\nasker token-q\n";
  ClusterRig rig(1, 2, "1", {"--auth-file", auth});
  ASSERT_TRUE(rig.ok()) << rig.error();
  auto connect = [&](size_t server, const std::string& id, const std::string& token) {
    auto c = std::make_unique<LineClient>(rig.server(server).port());
    EXPECT_EQ(c->request("HELLO " + id + " " + token), welcome(id));
    return c;
  };
  auto pinned = connect(0, "pinned", "token-p");
  auto free_node = connect(0, "free", "token-f");
  auto asker = connect(1, "asker", "token-q");
  ASSERT_EQ(free_node->request("KEY SET " + kOtherKey), "KEY free " + kOtherKey);
  // Once the other server's directory has both ids:
  ASSERT_TRUE(wait_until([&] { return asker->request("KEY GET free") == "ERR unavailable free"; }));
  EXPECT_EQ(asker->request("KEY GET pinned"), "KEY pinned " + kPinnedKey);
  EXPECT_EQ(asker->request("KEY GET nobody"), "ERR no-such-node nobody");
  // On the node's own server the published key is answered as always.
  EXPECT_EQ(pinned->request("KEY GET free"), "KEY free " + kOtherKey);
  expect_usable(*asker);
}

}  // namespace
}  // namespace sb::test
