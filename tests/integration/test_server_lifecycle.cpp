// Integration tests of the server process's life: command-line errors and their exit codes, a
// port already in use, --help/--version, graceful shutdown on SIGTERM/SIGINT (clients told, output
// flushed, exit 0, bounded by --shutdown-grace), SIGHUP log reopening, and the log lines an
// operator relies on.
#include <gtest/gtest.h>

#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/line_client.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

TEST(ServerLifecycle, HelpAndVersionExitZero) {
  ExitResult help = run_server_to_exit({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--max-outbuf"), std::string::npos) << help.out;
  EXPECT_EQ(help.err, "");

  ExitResult version = run_server_to_exit({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("switchboard-server"), std::string::npos) << version.out;
}

TEST(ServerLifecycle, BadFlagsExitTwoWithTheReasonOnStderr) {
  struct Case {
    std::vector<std::string> flags;
    std::string reason;  // must appear on stderr
  };
  const std::vector<Case> cases = {
      {{"--bogus"}, "--bogus"},
      {{"--port", "abc"}, "--port"},
      {{"--port", "65536"}, "--port"},
      {{"--port", "-1"}, "--port"},
      {{"--port"}, "--port"},  // missing value
      {{"--idle-timeout", "0"}, "--idle-timeout"},
      {{"--idle-timeout", "-5"}, "--idle-timeout"},
      {{"--idle-timeout", "soon"}, "--idle-timeout"},
      {{"--handshake-timeout", "nan"}, "--handshake-timeout"},
      {{"--max-conns", "0"}, "--max-conns"},
      {{"--max-payload", "12x"}, "--max-payload"},
      {{"--max-outbuf", "10"}, "--max-outbuf"},
      {{"--slow-consumer-timeout", ""}, "--slow-consumer-timeout"},
      {{"--shutdown-grace", "inf"}, "--shutdown-grace"},
      {{"--log-level", "loud"}, "--log-level"},
      {{"--bind", "not-an-address"}, "--bind"},
      {{"stray-argument"}, "stray-argument"},
  };
  for (const auto& c : cases) {
    std::string shown;
    for (const auto& f : c.flags) shown += "'" + f + "' ";
    ExitResult r = run_server_to_exit(c.flags);
    EXPECT_FALSE(r.timed_out) << shown << "started a server";
    EXPECT_EQ(r.exit_code, 2) << shown << "stderr: " << r.err;
    EXPECT_NE(r.err.find(c.reason), std::string::npos) << shown << "stderr: " << r.err;
    EXPECT_NE(r.err.find("usage"), std::string::npos) << shown << "stderr: " << r.err;
    EXPECT_EQ(r.out.find("Server listening"), std::string::npos) << shown;
  }
}

TEST(ServerLifecycle, PortInUseExitsOneWithAClearMessage) {
  ServerProcess first;
  ASSERT_TRUE(first.ok()) << first.error();
  ExitResult second = run_server_to_exit({"--port", std::to_string(first.port())});
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_NE(second.err.find("in use"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find(std::to_string(first.port())), std::string::npos) << second.err;
  // The first server is unharmed.
  LineClient a(first.port());
  EXPECT_EQ(a.hello("a"), "WELCOME a 60");
  EXPECT_EQ(first.stop(), 0);
}

TEST(ServerLifecycle, UnusableLogDirectoryExitsOne) {
  ExitResult r = run_server_to_exit({"--port", "0", "--log-dir", "/nonexistent/switchboard/logs"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/switchboard/logs"), std::string::npos) << r.err;
}

TEST(ServerLifecycle, SigtermTellsEveryClientFlushesQueuedOutputAndExitsZero) {
  ServerProcess server;
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient a(server.port());
  ASSERT_EQ(a.hello("a"), "WELCOME a 60");
  LineClient b(server.port());
  ASSERT_EQ(b.hello("b"), "WELCOME b 60");
  LineClient handshaking(server.port());

  // 200 messages for b, which has not read any of them yet when the signal comes.
  std::string batch;
  for (int i = 0; i < 200; ++i) batch += LineClient::send_frame("b", "queued " + std::to_string(i));
  ASSERT_TRUE(a.send_all(batch));
  ASSERT_EQ(a.request("PING"), "PONG");  // a's SENDs were all executed before the PING

  server.signal(SIGTERM);
  EXPECT_EQ(a.read_line(), "ERR shutting-down");
  EXPECT_TRUE(a.expect_eof());
  EXPECT_EQ(handshaking.read_line(), "ERR shutting-down");
  EXPECT_TRUE(handshaking.expect_eof());
  for (int i = 0; i < 200; ++i) {
    FromFrame f = b.read_frame();
    ASSERT_TRUE(f.ok()) << "message " << i << ": " << f;
    ASSERT_EQ(f.payload, "queued " + std::to_string(i));
  }
  EXPECT_EQ(b.read_line(), "ERR shutting-down");
  EXPECT_TRUE(b.expect_eof());
  EXPECT_EQ(server.wait_exit(), 0);

  // No new connections once it is gone; the log tells the story.
  LineClient late(server.port());
  EXPECT_FALSE(late.connected());
  std::string log = server.log();
  for (const char* needle : {"event=listening", "event=connect", "event=register node=a", "event=register node=b",
                             "event=signal signal=SIGTERM", "event=shutdown_begin", "event=disconnect node=a",
                             "event=disconnect node=b", "event=shutdown_complete"}) {
    EXPECT_NE(log.find(needle), std::string::npos) << "server.log lacks " << needle << "\n" << log;
  }
}

TEST(ServerLifecycle, SigintAlsoShutsDownGracefully) {
  ServerProcess server;
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient a(server.port());
  ASSERT_EQ(a.hello("a"), "WELCOME a 60");
  EXPECT_EQ(server.stop(SIGINT), 0);
  EXPECT_EQ(a.read_line(), "ERR shutting-down");
  EXPECT_TRUE(a.expect_eof());
}

TEST(ServerLifecycle, ShutdownGraceBoundsAClientThatNeverReads) {
  ServerProcess server({"--shutdown-grace", "1"});
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient r(server.port(), /*rcvbuf=*/4096);
  ASSERT_EQ(r.hello("r"), "WELCOME r 60");
  LineClient s(server.port());
  ASSERT_EQ(s.hello("s"), "WELCOME s 60");
  LineClient x(server.port());
  ASSERT_EQ(x.hello("x"), "WELCOME x 60");
  // Messages for r until the kernel's socket buffers (which autotune to megabytes on loopback)
  // take no more and some wait in the server's queue for r: the queue the grace period bounds.
  // Stopped there, far below --max-outbuf, so s is not paused and still gets its PONG.
  const std::string frame = LineClient::send_frame("r", std::string(64 * 1024, 'q'));
  uint64_t queued = 0;
  for (int i = 0; i < 1024 && queued == 0; ++i) {
    ASSERT_TRUE(s.send_all(frame));
    ASSERT_EQ(s.request("PING"), "PONG");  // s's frame has been routed
    queued = stats_of(x)["queued"];
  }
  ASSERT_GT(queued, 0u) << "64 MiB went into r's socket: nothing left for the grace period to bound";
  // r never reads, so only the grace period can end the shutdown (stop() gives up after
  // kDefaultWait and returns -1).
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_EQ(s.read_line(), "ERR shutting-down");
  EXPECT_TRUE(s.expect_eof());
  // The log says so: r was closed by the grace period with its messages still queued.
  const std::string log = server.log();
  EXPECT_NE(log.find("event=dropped_on_close node=r"), std::string::npos) << log;
  EXPECT_NE(log.find("reason=shutdown-grace-expired"), std::string::npos) << log;
  EXPECT_TRUE(log.find("event=shutdown_complete") != std::string::npos) << log;
}

TEST(ServerLifecycle, SighupReopensTheLogFile) {
  ServerProcess server;
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient a(server.port());
  ASSERT_EQ(a.hello("before-rotate"), "WELCOME before-rotate 60");
  ASSERT_TRUE(server.wait_log_contains("event=register node=before-rotate"));
  const std::string rotated = server.log_dir() + "/server.log.1";
  ASSERT_EQ(std::rename(server.log_path().c_str(), rotated.c_str()), 0);
  server.signal(SIGHUP);
  EXPECT_TRUE(wait_log_reopened(server));
  EXPECT_TRUE(server.alive());
  EXPECT_EQ(server.stop(), 0);  // flushes the log: an absence is only meaningful after that
  // The registration went to the old file only (the new one names the node again at shutdown,
  // when it disconnects).
  EXPECT_NE(read_file(rotated).find("event=register node=before-rotate"), std::string::npos);
  EXPECT_EQ(server.log().find("event=register node=before-rotate"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace sb::test
