// switchboard-client --server A,B --reconnect over two clustered servers (real nats-server): when
// A is killed the client moves on to B, registers again with the same id there, and a message
// from a node on B reaches it.
#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "tests/support/process.h"
#include "tests/support/cluster_fixture.h"

namespace sb::test {
namespace {

TEST(ClusterClient, ReconnectMovesToTheNextServerWithTheSameId) {
  ClusterRig rig(1, 2);
  ASSERT_TRUE(rig.ok()) << rig.error();
  const std::string a = std::to_string(rig.server(0).port());
  const std::string b = std::to_string(rig.server(1).port());
  TempDir dir;
  Process client;
  ASSERT_TRUE(client.start({binary("switchboard-client"), "--server", "127.0.0.1:" + a + ",127.0.0.1:" + b,
                            "--reconnect", "--listen", "--id", "roamer", "--log-dir", dir.path()}))
      << client.error();
  const std::string connected = "Connected to server as node 'roamer'";
  ASSERT_TRUE(client.wait_for_err(connected)) << client.err();
  ASSERT_TRUE(rig.server(0).wait_log_contains("event=register node=roamer")) << rig.server(0).log();

  EXPECT_EQ(rig.server(0).stop(SIGKILL), 128 + SIGKILL);
  // B answers id-taken until A's heartbeat expires; the client keeps going round the list.
  ASSERT_TRUE(client.wait_until([&] { return count_of(client.err(), connected) == 2; })) << client.err();
  ASSERT_TRUE(rig.server(1).wait_log_contains("event=register node=roamer")) << rig.server(1).log();

  std::string reply;
  auto sender = hello(rig.server(1).port(), "sender", &reply);
  ASSERT_EQ(reply, welcome("sender"));
  ASSERT_TRUE(sender->send_all("SEND roamer 14\nafter failover\n"));
  EXPECT_TRUE(client.wait_for_out("sender: after failover\n")) << client.out() << client.err();

  client.signal(SIGTERM);
  EXPECT_EQ(client.wait_exit(), 0) << client.err();
  const std::string log = read_file(dir.path() + "/client.log");
  EXPECT_NE(log.find("event=register node=roamer peer=127.0.0.1:" + b), std::string::npos) << log;
}

}  // namespace
}  // namespace sb::test
