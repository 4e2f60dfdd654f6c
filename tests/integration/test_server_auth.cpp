// Integration tests of node authentication and per-address admission through the real server
// binary: --auth-file (digest and plain-text tokens), --allow-unknown-ids, the per-address lockout
// against token guessing (5 failures from one address; another address unaffected), SIGHUP reload
// (good and malformed files), startup errors, and --max-conns-per-ip. A second source address is
// 127.0.0.2 (all of 127/8 is loopback on Linux): the client socket is bound to it before connect.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/net/socket.h"
#include "tests/support/line_client.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

// SHA-256("abc"), the FIPS 180-2 appendix B.1 vector: a digest entry whose token is "abc",
// independent of the project's own SHA-256 code.
constexpr const char* kAbcDigest = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

// The reply to a HELLO that failed authentication: exactly "ERR auth", then end of stream.
void expect_refused(LineClient& c, const std::string& hello_line) {
  ASSERT_TRUE(c.connected()) << c.error();
  EXPECT_EQ(c.request(hello_line), "ERR auth") << hello_line;
  EXPECT_TRUE(c.expect_eof()) << "the server must close after ERR auth (" << hello_line << ")";
}

// A fresh client's HELLO refused as for expect_refused, and logged as auth_failed of `node` from
// the client's address with `reason`.
void expect_refused_and_logged(ServerProcess& server, const std::string& hello_line, const std::string& node,
                               const std::string& reason) {
  LineClient c(server.port());
  ASSERT_TRUE(c.connected()) << c.error();
  const std::string peer = "127.0.0.1:" + std::to_string(net::local_port(c.fd()));
  expect_refused(c, hello_line);
  EXPECT_TRUE(server.wait_log_contains("event=auth_failed node=" + node + " peer=" + peer + " reason=" + reason))
      << server.log();
}

// A server with the test credentials file (a plain-text entry for a, a digest entry for b) and the
// suite's other flags.
class ServerAuthTest : public ServerTest {
 protected:
  explicit ServerAuthTest(std::vector<std::string> extra = {}) : ServerTest(std::move(extra)) {}

  void SetUp() override {
    ASSERT_FALSE(files_.path().empty());
    write_file(auth_path_,
               "# test credentials\n"
               "a   plain-token-a\n"
               "\n"
               "b\t" + std::string(kAbcDigest) + "\n");
    ServerTest::SetUp();
  }
  std::vector<std::string> server_flags() const override {
    std::vector<std::string> flags{"--auth-file", auth_path_};
    const std::vector<std::string> extra = ServerTest::server_flags();
    flags.insert(flags.end(), extra.begin(), extra.end());
    return flags;
  }

  TempDir files_;
  std::string auth_path_ = files_.path() + "/auth.txt";
};

class ServerAuthAllowingUnknownIds : public ServerAuthTest {
 protected:
  ServerAuthAllowingUnknownIds() : ServerAuthTest({"--allow-unknown-ids"}) {}
};

TEST_F(ServerAuthTest, RightTokenInBothFormsIsWelcomed) {
  LineClient a(port()), b(port());
  EXPECT_EQ(a.request("HELLO a plain-token-a"), "WELCOME a 60");  // plain-text entry
  EXPECT_EQ(b.request("HELLO b abc"), "WELCOME b 60");            // sha256:<hex> entry
  // Registered nodes route as usual.
  ASSERT_TRUE(a.send_line("MSG b hi"));
  FromFrame f = b.read_frame();
  EXPECT_TRUE(f.ok()) << f;
  EXPECT_EQ(f.source, "a");
  EXPECT_EQ(f.payload, "hi");
  EXPECT_TRUE(server().wait_log_contains("event=auth_loaded file=" + auth_path_ + " ids=2"));
  // The plain-text entry is worth a warning.
  EXPECT_TRUE(server().wait_log_contains("event=auth_plaintext_tokens count=1"));
}

TEST_F(ServerAuthTest, WrongTokenGetsErrAuthThenCloseAndIsLoggedWithPeer) {
  // The digest of "abc" is b's; the digest string itself is not b's token.
  expect_refused_and_logged(server(), "HELLO b sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                            "b", "wrong-token");
  EXPECT_EQ(stop_server(), 0);  // flushes the log: an absence is only meaningful after that
  // Neither the presented nor the stored token is ever logged.
  EXPECT_EQ(server().log().find("ba7816bf"), std::string::npos);
  EXPECT_EQ(server().log().find("plain-token-a"), std::string::npos);
}

TEST_F(ServerAuthTest, TokenOfAnotherIdAndCaseChangedTokenAreRefused) {
  LineClient c1(port()), c2(port());
  expect_refused(c1, "HELLO b plain-token-a");  // a's token does not open b
  expect_refused(c2, "HELLO a PLAIN-TOKEN-A");  // tokens are case-sensitive
}

TEST_F(ServerAuthTest, CommandsPipelinedAfterARefusedHelloAreNotExecuted) {
  LineClient watcher(port());
  ASSERT_EQ(watcher.request("HELLO b abc"), "WELCOME b 60");
  LineClient c(port());
  // One write: the refused HELLO and everything after it arrive in the same read.
  ASSERT_TRUE(c.send_all("HELLO a wrong\nHELLO a plain-token-a\nMSG b sneaked\nPING x\n"));
  EXPECT_EQ(c.read_line(), "ERR auth");
  EXPECT_TRUE(c.expect_eof()) << "nothing may follow ERR auth";
  // b got nothing, and a second HELLO on the refused connection did not register a. The server
  // handled all of c's bytes before it closed c, so a FROM for b would have been queued before
  // the reply to this WHO: it would be that reply, or sit unread behind it.
  EXPECT_EQ(watcher.request("WHO"), "NODES 1 b");
  EXPECT_EQ(watcher.buffered(), 0u);
}

TEST_F(ServerAuthTest, MissingTokenIsRefused) {
  expect_refused_and_logged(server(), "HELLO a", "a", "wrong-token");
}

TEST_F(ServerAuthTest, UnknownIdIsRefusedWithoutAllowUnknownIds) {
  LineClient c1(port()), c2(port());
  expect_refused(c1, "HELLO stranger");
  expect_refused(c2, "HELLO stranger plain-token-a");  // any token: the id is not in the file
  EXPECT_TRUE(server().wait_log_contains("event=auth_failed node=stranger")) << server().log();
  EXPECT_TRUE(server().wait_log_contains("reason=unknown-id")) << server().log();
}

TEST_F(ServerAuthAllowingUnknownIds, AllowUnknownIdsLetsUnlistedIdsInButListedIdsStillNeedTheirToken) {
  LineClient s1(port()), s2(port());
  EXPECT_EQ(s1.request("HELLO stranger"), "WELCOME stranger 60");
  EXPECT_EQ(s2.request("HELLO other whatever"), "WELCOME other 60");
  LineClient a_wrong(port()), a_missing(port()), a_right(port());
  expect_refused(a_wrong, "HELLO a wrong");
  expect_refused(a_missing, "HELLO a");
  EXPECT_EQ(a_right.request("HELLO a plain-token-a"), "WELCOME a 60");
}

TEST(ServerAuthDisabled, WithoutAuthFileAnyTokenIsIgnored) {
  ServerProcess server;
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient a(server.port()), b(server.port()), c(server.port());
  EXPECT_EQ(a.request("HELLO a"), "WELCOME a 60");
  EXPECT_EQ(b.request("HELLO b some-token"), "WELCOME b 60");
  EXPECT_EQ(c.request("HELLO c sha256:nonsense"), "WELCOME c 60");
  EXPECT_EQ(server.stop(), 0);  // flushes the log: an absence is only meaningful after that
  EXPECT_EQ(server.log().find("auth_"), std::string::npos) << server.log();
}

TEST_F(ServerAuthTest, FiveFailuresLockTheAddressOutWhileAnotherAddressIsUnaffected) {
  // Five failures from 127.0.0.1, against different ids: the limit is per address, not per id.
  const char* attempts[] = {"HELLO a wrong1", "HELLO b wrong2", "HELLO stranger", "HELLO a", "HELLO b wrong5"};
  for (const char* hello : attempts) {
    LineClient c(port());
    expect_refused(c, hello);
  }
  // The sixth attempt carries the right token and is still refused.
  expect_refused_and_logged(server(), "HELLO a plain-token-a", "a", "locked");
  {
    LineClient c(port());  // and the digest entry too
    expect_refused(c, "HELLO b abc");
  }
  // Another source address is not locked out.
  LineClient other("127.0.0.2", port());
  ASSERT_TRUE(other.connected()) << other.error();
  EXPECT_EQ(other.request("HELLO a plain-token-a"), "WELCOME a 60");
  // A locked-out address may still connect (it is refused at HELLO, not at accept), and the
  // server keeps serving everyone else.
  EXPECT_EQ(other.request("PING still-here"), "PONG still-here");
}

TEST_F(ServerAuthTest, FourFailuresDoNotLockOut) {
  for (int i = 0; i < 4; ++i) {
    LineClient c(port());
    expect_refused(c, "HELLO a wrong" + std::to_string(i));
  }
  LineClient c(port());
  EXPECT_EQ(c.request("HELLO a plain-token-a"), "WELCOME a 60");
  EXPECT_EQ(stop_server(), 0);  // flushes the log: an absence is only meaningful after that
  EXPECT_EQ(server().log().find("reason=locked"), std::string::npos);
}

TEST_F(ServerAuthTest, SighupReloadsTheFileAndAMalformedFileKeepsTheOldCredentials) {
  {
    LineClient c(port());
    EXPECT_EQ(c.request("HELLO a plain-token-a"), "WELCOME a 60");
  }
  LineClient b_before(port());
  ASSERT_EQ(b_before.request("HELLO b abc"), "WELCOME b 60");
  // New token for a, c added, b removed.
  write_file(auth_path_, "a new-token-a\nc token-c\n");
  server().signal(SIGHUP);
  ASSERT_TRUE(server().wait_log_contains("event=auth_reloaded ids=2")) << server().log();
  // Credentials are checked at HELLO only: a node registered before the reload stays connected
  // even though its id is no longer in the file (docs/SECURITY.md says so).
  EXPECT_EQ(b_before.request("PING still"), "PONG still");
  b_before.close();
  {
    LineClient c(port());
    EXPECT_EQ(c.request("HELLO a new-token-a"), "WELCOME a 60");
  }
  {
    LineClient c(port());
    expect_refused(c, "HELLO a plain-token-a");  // the old token no longer works
  }
  {
    LineClient c(port());
    EXPECT_EQ(c.request("HELLO c token-c"), "WELCOME c 60");
  }
  {
    LineClient c(port());
    expect_refused(c, "HELLO b abc");  // removed from the file
  }

  // A malformed file (line 2 has three fields) is refused as a whole: the previous table stays.
  write_file(auth_path_, "a newer-token-a\nc token with-spaces\n");
  server().signal(SIGHUP);
  ASSERT_TRUE(server().wait_log_contains("event=auth_reload_failed")) << server().log();
  EXPECT_TRUE(server().wait_log_contains(auth_path_ + ":2:")) << "the log names file and line\n" << server().log();
  EXPECT_TRUE(server().alive());
  {
    LineClient c("127.0.0.2", port());  // 127.0.0.1 has 2 failures already
    EXPECT_EQ(c.request("HELLO a new-token-a"), "WELCOME a 60");
  }
  {
    LineClient c("127.0.0.2", port());
    EXPECT_EQ(c.request("HELLO a newer-token-a"), "ERR auth");  // nothing of the bad file applied
  }
  // A file that vanished is a failed reload too.
  ASSERT_EQ(::unlink(auth_path_.c_str()), 0);
  server().signal(SIGHUP);
  ASSERT_TRUE(server().wait_log_contains("cannot open")) << server().log();
  {
    LineClient c("127.0.0.2", port());
    EXPECT_EQ(c.request("HELLO c token-c"), "WELCOME c 60");
  }
}

TEST(ServerAuthStartup, MalformedOrMissingAuthFileAtStartupExitsOneNamingFileAndLine) {
  TempDir files;
  const std::string bad = files.path() + "/bad.txt";
  write_file(bad, "a good-token\nb\n");
  ExitResult r = run_server_to_exit({"--port", "0", "--auth-file", bad});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(bad + ":2:"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("Server listening"), std::string::npos) << r.out;

  write_file(bad, "a sha256:1234\n");  // a digest that is not 64 hex digits
  r = run_server_to_exit({"--port", "0", "--auth-file", bad});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(bad + ":1:"), std::string::npos) << r.err;

  const std::string missing = files.path() + "/no-such-file";
  r = run_server_to_exit({"--port", "0", "--auth-file", missing});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(missing + ": cannot open"), std::string::npos) << r.err;
}

TEST(ServerAuthFlags, AllowUnknownIdsWithoutAuthFileIsAUsageError) {
  ExitResult r = run_server_to_exit({"--port", "0", "--allow-unknown-ids"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--allow-unknown-ids needs --auth-file"), std::string::npos) << r.err;
}

TEST(ServerAuthFlags, MaxConnsPerIpRejectsBadValues) {
  for (const char* value : {"-1", "x", "", "3x"}) {
    ExitResult r = run_server_to_exit({"--port", "0", "--max-conns-per-ip", value});
    EXPECT_EQ(r.exit_code, 2) << value << ": " << r.err;
    EXPECT_NE(r.err.find("--max-conns-per-ip"), std::string::npos) << r.err;
  }
}

TEST(ServerMaxConnsPerIp, FourthConnectionFromOneAddressIsRefusedOthersAreNot) {
  ServerProcess server({"--max-conns-per-ip", "3"});
  ASSERT_TRUE(server.ok()) << server.error();
  // Three from 127.0.0.1: two registered, one still in the handshake (it counts as well).
  std::vector<std::unique_ptr<LineClient>> held;
  for (const char* id : {"n1", "n2"}) {
    held.push_back(std::make_unique<LineClient>(server.port()));
    ASSERT_EQ(held.back()->hello(id), std::string("WELCOME ") + id + " 60");
  }
  held.push_back(std::make_unique<LineClient>(server.port()));
  EXPECT_EQ(held.back()->request("PING"), "ERR not-registered");

  LineClient fourth(server.port());
  ASSERT_TRUE(fourth.connected()) << fourth.error();
  EXPECT_EQ(fourth.read_line(), "ERR server-full too-many-connections-from-address");
  EXPECT_TRUE(fourth.expect_eof());
  EXPECT_TRUE(server.wait_log_contains("event=reject reason=max-conns-per-ip peer=127.0.0.1:")) << server.log();

  // 127.0.0.2 has its own count.
  LineClient other("127.0.0.2", server.port());
  ASSERT_TRUE(other.connected()) << other.error();
  EXPECT_EQ(other.request("HELLO m1"), "WELCOME m1 60");
  auto stats = stats_of(other);
  EXPECT_EQ(stats["connections"], 4u);
  EXPECT_EQ(stats["refused"], 1u);

  // The refusal did not count: closing one of the three admits exactly one more.
  held[0]->close();
  ASSERT_TRUE(server.wait_log_contains("event=disconnect node=n1")) << server.log();
  ASSERT_TRUE(wait_until([&] { return stats_of(other)["connections"] == 3; }));
  LineClient again(server.port());
  EXPECT_EQ(again.hello("n4"), "WELCOME n4 60");
  LineClient over(server.port());
  EXPECT_EQ(over.read_line(), "ERR server-full too-many-connections-from-address");
  EXPECT_TRUE(over.expect_eof());
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServerMaxConnsPerIp, ConnectionsClosedByTheServerGiveTheirPlaceBack) {
  TempDir files;
  const std::string auth = files.path() + "/auth.txt";
  write_file(auth, "a token-a\nb token-b\nwatch token-w\n");
  ServerProcess server({"--auth-file", auth, "--max-conns-per-ip", "2", "--handshake-timeout", "0.3"});
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient watcher("127.0.0.2", server.port());
  ASSERT_EQ(watcher.request("HELLO watch token-w"), "WELCOME watch 60");
  auto connections = [&] { return stats_of(watcher)["connections"]; };

  // Closed by the server after ERR auth (lingering close), after the handshake timeout, and after
  // QUIT: each must release its count, or the address would be starved.
  for (int round = 0; round < 3; ++round) {
    LineClient refused(server.port());
    expect_refused(refused, "HELLO a wrong");
    refused.close();
    LineClient silent(server.port());
    EXPECT_EQ(silent.read_line(), "ERR idle-timeout handshake");
    EXPECT_TRUE(silent.expect_eof());
    silent.close();
    ASSERT_TRUE(wait_until([&] { return connections() == 1; })) << "round " << round;
  }
  {
    LineClient q(server.port());
    ASSERT_EQ(q.request("HELLO b token-b"), "WELCOME b 60");
    EXPECT_EQ(q.request("QUIT"), "BYE");
    EXPECT_TRUE(q.expect_eof());
  }
  ASSERT_TRUE(wait_until([&] { return connections() == 1; }));
  LineClient c1(server.port()), c2(server.port()), c3(server.port());
  EXPECT_EQ(c1.request("HELLO a token-a"), "WELCOME a 60");
  EXPECT_EQ(c2.request("HELLO b token-b"), "WELCOME b 60");
  EXPECT_EQ(c3.read_line(), "ERR server-full too-many-connections-from-address");
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServerMaxConnsPerIp, CountsIpv6AddressesToo) {
  ServerProcess server({"--bind", "::1", "--max-conns-per-ip", "1"});
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient first("::1", server.port(), AF_INET6);
  if (!first.connected()) GTEST_SKIP() << "no IPv6 loopback: " << first.error();
  EXPECT_EQ(first.request("HELLO v6"), "WELCOME v6 60");
  LineClient second("::1", server.port(), AF_INET6);
  ASSERT_TRUE(second.connected()) << second.error();
  EXPECT_EQ(second.read_line(), "ERR server-full too-many-connections-from-address");
  EXPECT_TRUE(second.expect_eof());
  EXPECT_TRUE(server.wait_log_contains("event=reject reason=max-conns-per-ip peer=[::1]:")) << server.log();
  first.close();
  ASSERT_TRUE(server.wait_log_contains("event=disconnect node=v6")) << server.log();
  ASSERT_TRUE(wait_until([&] {
    LineClient again("::1", server.port(), AF_INET6);
    return again.request("HELLO v6b") == "WELCOME v6b 60";
  }));
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace sb::test
