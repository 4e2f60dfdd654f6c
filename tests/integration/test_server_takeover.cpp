// Identity takeover through the real binaries (protocol-v2.md): with --auth-file a HELLO with the
// id's token takes the id from the connection holding it (ERR taken-over, its queued output
// flushed, closed); without --auth-file, or with a token that proves nothing (an unknown id let
// in by --allow-unknown-ids), v1's id-taken stands. The client with --reconnect comes back at once
// after a silent network drop, and two clients fighting over one id do not loop: the newest HELLO
// wins and the client it replaced exits.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/support/process.h"
#include "tests/support/line_client.h"
#include "tests/support/server_process.h"
#include "tests/support/tcp_relay.h"

namespace sb::test {
namespace {

constexpr const char* kAuth = "a token-a\nb token-b\n";

class TakeoverTest : public ::testing::Test {
 protected:
  void start(std::vector<std::string> flags = {}) {
    const std::string auth = dir_.path() + "/auth";
    std::ofstream(auth) << kAuth;
    flags.insert(flags.begin(), {"--auth-file", auth});
    server_ = std::make_unique<ServerProcess>(flags);
    ASSERT_TRUE(server_->ok()) << server_->error();
  }
  std::vector<std::string> client_args(uint16_t port, std::vector<std::string> extra) {
    std::vector<std::string> argv = {binary("switchboard-client"), "--port", std::to_string(port), "--log-dir",
                                     dir_.path(), "--id", "a", "--token", "token-a"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(TakeoverTest, TheRightTokenTakesTheIdOverAndTheOldConnectionIsFlushedThenClosed) {
  start();
  LineClient old_a(server_->port()), b(server_->port());
  ASSERT_EQ(old_a.request("HELLO a token-a"), "WELCOME a 60");
  ASSERT_EQ(b.request("HELLO b token-b"), "WELCOME b 60");
  ASSERT_TRUE(b.send_all(LineClient::send_frame("a", "queued for the old one")));
  expect_usable(b);  // b's message was routed before the takeover below

  LineClient new_a(server_->port());
  EXPECT_EQ(new_a.request("HELLO a token-a"), "WELCOME a 60");
  // The old connection gets what was queued for it, then why it ends, then the end.
  FromFrame f = old_a.read_frame();
  ASSERT_TRUE(f.ok()) << f;
  EXPECT_EQ(f.payload, "queued for the old one");
  EXPECT_EQ(old_a.read_line(), "ERR taken-over a");
  EXPECT_TRUE(old_a.expect_eof());
  // Messages for a now reach the new connection.
  ASSERT_TRUE(b.send_all(LineClient::send_frame("a", "for the new one")));
  f = new_a.read_frame();
  ASSERT_TRUE(f.ok()) << f;
  EXPECT_EQ(f.payload, "for the new one");
  const std::string who = b.request("WHO");
  EXPECT_TRUE(who == "NODES 2 a b" || who == "NODES 2 b a") << who;
  EXPECT_EQ(stats_of(b)["taken_over"], 1u);
  EXPECT_TRUE(server_->wait_log_contains("event=taken_over node=a old_peer=127.0.0.1:")) << server_->log();
  EXPECT_EQ(server_->stop(), 0);
}

TEST_F(TakeoverTest, AWrongTokenIsRefusedAndTheHolderUndisturbed) {
  start();
  LineClient a(server_->port()), thief(server_->port());
  ASSERT_EQ(a.request("HELLO a token-a"), "WELCOME a 60");
  EXPECT_EQ(thief.request("HELLO a token-b"), "ERR auth");
  EXPECT_TRUE(thief.expect_eof());
  expect_usable(a);
  EXPECT_EQ(stats_of(a)["taken_over"], 0u);
  EXPECT_EQ(server_->stop(), 0);
}

TEST_F(TakeoverTest, AnUnknownIdLetInWithoutATokenCannotBeTakenOver) {
  start({"--allow-unknown-ids"});
  LineClient first(server_->port()), second(server_->port());
  ASSERT_EQ(first.request("HELLO guest"), "WELCOME guest 60");
  EXPECT_EQ(second.request("HELLO guest whatever"), "ERR id-taken guest");
  expect_usable(first);
  EXPECT_EQ(second.request("PING"), "ERR not-registered");  // refused, still open
  EXPECT_EQ(server_->stop(), 0);
}

// A fresh server with no credentials file.
using TakeoverWithoutAuth = ServerTest;

TEST_F(TakeoverWithoutAuth, IdTakenStands) {
  LineClient& first = join("a");
  LineClient second(port());
  EXPECT_EQ(second.request("HELLO a token-a"), "ERR id-taken a");
  expect_usable(first);
  EXPECT_EQ(stats_of(first)["taken_over"], 0u);
}

// A network drop the server has not noticed: the old connection still holds the id (the idle
// timeout is a minute away). The reconnecting client takes it over at its first attempt.
TEST_F(TakeoverTest, TheReconnectingClientComesBackAtOnceAfterASilentDrop) {
  start();
  TcpRelay network(server_->port());
  ASSERT_NE(network.port(), 0);
  Process client;
  ASSERT_TRUE(client.start(client_args(network.port(), {"--listen", "--reconnect"}))) << client.error();
  ASSERT_TRUE(client.wait_for_err("Connected to server as node 'a'")) << client.err();
  network.cut();
  ASSERT_TRUE(client.wait_until([&] {
    const size_t first = client.err().find("Connected to server as node 'a'");
    return client.err().find("Connected to server as node 'a'", first + 1) != std::string::npos;
  }, std::chrono::milliseconds(10000))) << client.err();
  EXPECT_TRUE(server_->wait_log_contains("event=taken_over node=a")) << server_->log();
  LineClient b(server_->port());
  ASSERT_EQ(b.request("HELLO b token-b"), "WELCOME b 60");
  ASSERT_TRUE(b.send_all(LineClient::send_frame("a", "after the drop")));
  EXPECT_TRUE(client.wait_for_out("b: after the drop\n")) << client.out();
  client.signal(SIGTERM);
  EXPECT_EQ(client.wait_exit(), 0) << client.err();
}

// Two clients with the same id and token, both with --reconnect: each HELLO would take the id
// from the other. The newest wins; the one it replaced reports why and exits instead of coming
// back, so there is exactly one takeover and no loop.
TEST_F(TakeoverTest, TwoClientsFightingOverOneIdDoNotLoopTheNewestWins) {
  start();
  Process first, second;
  ASSERT_TRUE(first.start(client_args(server_->port(), {"--listen", "--reconnect"}))) << first.error();
  ASSERT_TRUE(first.wait_for_err("Connected to server as node 'a'")) << first.err();
  ASSERT_TRUE(second.start(client_args(server_->port(), {"--listen", "--reconnect"}))) << second.error();
  ASSERT_TRUE(second.wait_for_err("Connected to server as node 'a'")) << second.err();
  EXPECT_EQ(first.wait_exit(), 1) << first.err();
  EXPECT_NE(first.err().find("another connection took over node id 'a'"), std::string::npos) << first.err();
  EXPECT_EQ(first.err().find("Reconnecting"), std::string::npos) << first.err();
  // The first client is gone for good: the second keeps the id.
  LineClient b(server_->port());
  ASSERT_EQ(b.request("HELLO b token-b"), "WELCOME b 60");
  ASSERT_TRUE(b.send_all(LineClient::send_frame("a", "to the winner")));
  EXPECT_TRUE(second.wait_for_out("b: to the winner\n")) << second.out();
  EXPECT_EQ(stats_of(b)["taken_over"], 1u);
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait_exit(), 0) << second.err();
}

}  // namespace
}  // namespace sb::test
