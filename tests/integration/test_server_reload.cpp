// SIGHUP reload through the real server: the config file is read again, the live settings change at
// once (log level, per-address cap, handshake timeout), a change that needs a restart is named in
// the log and not applied, an invalid file changes nothing and says why with its file and line,
// and the service manager hears RELOADING=1 then READY=1.
#include <gtest/gtest.h>

#include <signal.h>

#include <fstream>
#include <string>

#include "tests/support/line_client.h"
#include "tests/support/notify_socket.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

// SIGHUP and wait until the reload with this sequence number (1 for the first) is logged.
bool reload(ServerProcess& server, size_t nth) {
  server.signal(SIGHUP);
  return wait_until([&] { return count_of(server.log(), "event=reopen_log") >= nth; }) &&
         wait_until([&] {
           const std::string log = server.log();
           return count_of(log, "event=config_reloaded") + count_of(log, "event=config_reload_failed") >= nth;
         });
}

TEST(ServerReload, LiveSettingsTakeEffectAndRestartOnesAreNamed) {
  ConfigFile conf("log-level info\nmax-payload 1000\n");
  ServerProcess server({"--config", conf.path()});
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient a(server.port());
  ASSERT_EQ(a.hello("a"), "WELCOME a 60");

  conf.write("log-level debug\nmax-payload 10\nmax-conns-per-ip 1\nidle-timeout 30\n");
  ASSERT_TRUE(reload(server, 1)) << server.log();
  EXPECT_TRUE(server.wait_log_contains(
      "event=config_reloaded live=log-level,max-conns-per-ip restart=idle-timeout,max-payload"))
      << server.log();

  // max-conns-per-ip 1 counts the connection that was already open: a second one is refused.
  LineClient b(server.port());
  EXPECT_EQ(b.read_line(), "ERR server-full too-many-connections-from-address");
  // log-level debug: routing is logged from now on.
  ASSERT_TRUE(a.send_all(LineClient::send_frame("a", "twenty bytes of data")));
  FromFrame f = a.read_frame();
  ASSERT_TRUE(f.ok()) << f;  // max-payload kept its running value (1000), so 20 bytes pass
  EXPECT_TRUE(server.wait_log_contains("level=debug event=route from=a to=a bytes=20")) << server.log();
  // idle-timeout kept its running value too: a new node is told 60.
  a.close();
  ASSERT_TRUE(wait_until([&] {
    LineClient c(server.port());
    return c.hello("c") == "WELCOME c 60";
  }));
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServerReload, TheHandshakeTimeoutAppliesToNewConnections) {
  ConfigFile conf("handshake-timeout 600\n");
  ServerProcess server({"--config", conf.path()});
  ASSERT_TRUE(server.ok()) << server.error();
  conf.write("handshake-timeout 0.2\n");
  ASSERT_TRUE(reload(server, 1)) << server.log();
  EXPECT_TRUE(server.wait_log_contains("event=config_reloaded live=handshake-timeout restart=\"\""))
      << server.log();
  LineClient c(server.port());
  EXPECT_EQ(c.read_line(), "ERR idle-timeout handshake");
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServerReload, AnInvalidFileKeepsTheRunningSettingsAndSaysWhy) {
  ConfigFile conf("log-level info\n");
  ServerProcess server({"--config", conf.path()});
  ASSERT_TRUE(server.ok()) << server.error();

  conf.write("log-level debug\nidle-timeout 5x\n");
  ASSERT_TRUE(reload(server, 1)) << server.log();
  EXPECT_TRUE(server.wait_log_contains("level=error event=config_reload_failed file=" + conf.path() +
                                       " line=2 error=\"invalid value '5x' for idle-timeout"))
      << server.log();
  EXPECT_NE(server.stderr_text().find(conf.path() + ":2: invalid value '5x' for idle-timeout: expected seconds 1..604800"),
            std::string::npos)
      << server.stderr_text();
  // An unreadable file is the same: nothing changes.
  ::remove(conf.path().c_str());
  ASSERT_TRUE(reload(server, 2)) << server.log();
  EXPECT_TRUE(server.wait_log_contains("error=\"cannot read config file")) << server.log();

  LineClient a(server.port());
  ASSERT_EQ(a.hello("a"), "WELCOME a 60");
  ASSERT_TRUE(a.send_all(LineClient::send_frame("a", "not logged")));
  ASSERT_TRUE(a.read_frame().ok());
  expect_usable(a);
  EXPECT_EQ(server.stop(), 0);
  // Read after the stop, when every record is in the file: the level stayed info.
  EXPECT_EQ(server.log().find("event=route"), std::string::npos) << server.log();
  EXPECT_EQ(server.log().find("event=config_reloaded"), std::string::npos) << server.log();
}

TEST(ServerReload, TheServiceManagerHearsReloadingThenReady) {
  TempDir dir;
  NotifySocket notify(dir.path() + "/notify");
  ASSERT_TRUE(notify.bound());
  ServerProcess server;
  ASSERT_TRUE(server.ok()) << server.error();
  const std::string ready = "READY=1\nSTATUS=listening on 127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(notify.receive(), ready);
  server.signal(SIGHUP);
  EXPECT_EQ(notify.receive().rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u);
  EXPECT_EQ(notify.receive(), ready);
  server.signal(SIGTERM);
  EXPECT_EQ(notify.receive(), "STOPPING=1");
  EXPECT_EQ(server.wait_exit(), 0);
}

}  // namespace
}  // namespace sb::test
