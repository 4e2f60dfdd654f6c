// How the real client reaches the real server: over IPv6 (a server bound on ::1), by host name
// (localhost, through getaddrinfo), and without blocking: a connect nobody answers ends after
// --connect-timeout, and a signal is still handled while the connect is pending. Loopback only:
// the silent peer is a listener with a full accept queue, not an unroutable address.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/silent_listener.h"

namespace sb::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> client(const std::string& host, uint16_t port, const std::string& log_dir,
                                std::vector<std::string> extra) {
  std::vector<std::string> argv = {binary("switchboard-client"), "--host", host, "--port",
                                   std::to_string(port), "--log-dir", log_dir};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// b listens, a sends one line through `host`; b must print it.
void expect_delivery(const std::string& host, uint16_t port) {
  TempDir dir;
  Process b, a;
  ASSERT_TRUE(b.start(client(host, port, dir.path(), {"--id", "b", "--listen"}))) << b.error();
  ASSERT_TRUE(b.wait_for_err("Connected to server as node 'b'")) << b.err();
  ASSERT_TRUE(a.start(client(host, port, dir.path(), {"--id", "a"}))) << a.error();
  ASSERT_TRUE(a.write("b hello over " + host + "\n"));
  a.close_stdin();
  EXPECT_EQ(a.wait_exit(), 0) << a.err();
  EXPECT_TRUE(b.wait_for_out("a: hello over " + host + "\n")) << b.out() << b.err();
  b.signal(SIGTERM);
  EXPECT_EQ(b.wait_exit(), 0) << b.err();
}

TEST(ClientConnect, SpeaksIPv6ToAServerBoundOnLoopback6) {
  ServerProcess server({"--bind", "::1"});
  if (!server.ok() && server.stderr_text().find("bind") != std::string::npos)
    GTEST_SKIP() << "no IPv6 loopback here: " << server.stderr_text();
  ASSERT_TRUE(server.ok()) << server.error();
  expect_delivery("::1", server.port());
  expect_delivery("[::1]", server.port());
  EXPECT_TRUE(server.wait_log_contains("peer=[::1]:")) << server.log();
}

TEST(ClientConnect, ResolvesAHostName) {
  ServerProcess server;
  ASSERT_TRUE(server.ok()) << server.error();
  expect_delivery("localhost", server.port());
}

TEST(ClientConnect, GivesUpAfterTheConnectTimeout) {
  SilentListener silent;
  if (!silent.silent()) GTEST_SKIP() << "this kernel completes connects beyond the backlog";
  TempDir dir;
  Process p;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(p.start(client("127.0.0.1", silent.port(), dir.path(), {"--id", "a", "--listen",
                                                                      "--connect-timeout", "0.5"})));
  EXPECT_EQ(p.wait_exit(), 1) << p.err();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 450ms);
  EXPECT_NE(p.err().find("Error: cannot connect to the server: connect: timed out (127.0.0.1:" +
                         std::to_string(silent.port()) + ")"),
            std::string::npos)
      << p.err();
}

TEST(ClientConnect, ASignalIsHandledWhileTheConnectIsPending) {
  SilentListener silent;
  if (!silent.silent()) GTEST_SKIP() << "this kernel completes connects beyond the backlog";
  TempDir dir;
  Process p;
  ASSERT_TRUE(p.start(client("127.0.0.1", silent.port(), dir.path(), {"--id", "a", "--listen",
                                                                      "--connect-timeout", "60"})));
  // The connect has started (the loop logs it before the first poll) ...
  ASSERT_TRUE(wait_until([&] { return read_file(dir.path() + "/client.log").find("event=connecting") != std::string::npos; }))
      << read_file(dir.path() + "/client.log");
  // ... and the loop is not stuck in it: SIGTERM ends the client long before the 60 s timeout.
  const auto t0 = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  EXPECT_TRUE(p.wait_exit(10s).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
}

}  // namespace
}  // namespace sb::test
