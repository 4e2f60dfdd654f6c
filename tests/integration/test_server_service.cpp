// The real server run as a service is run: --config files (settings used, errors with file:line
// and exit 2, flags on top), --check-config, --pid-file, the sd_notify datagrams a Type=notify unit
// waits for (READY=1, STOPPING=1) on a path and an abstract socket, and the shipped logrotate
// policy run by the real logrotate: the log is moved, the server signalled through its pid file,
// and the records go on in a new server.log.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/line_client.h"
#include "tests/support/notify_socket.h"
#include "tests/support/server_process.h"
#include "tests/support/source_tree.h"

namespace sb::test {
namespace {

bool exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

// =================================================================================================
// --config and --check-config
// =================================================================================================

TEST(ServerConfigFile, SettingsFromTheFileAreUsed) {
  ConfigFile conf("# test config\nidle-timeout 30\nlog-level debug\n");
  ServerProcess server({"--config", conf.path()});
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient c(server.port());
  EXPECT_EQ(c.hello("configured"), "WELCOME configured 30");
  ASSERT_TRUE(c.send_all(LineClient::send_frame("configured", "to myself")));
  EXPECT_TRUE(server.wait_log_contains("event=config_loaded file=" + conf.path())) << server.log();
  // log-level debug took effect: routing is logged only at debug.
  EXPECT_TRUE(server.wait_log_contains("level=debug event=route from=configured")) << server.log();
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServerConfigFile, FlagsOverrideTheFile) {
  ConfigFile conf("idle-timeout 30\n");
  ServerProcess server({"--config", conf.path(), "--idle-timeout", "45"});
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient c(server.port());
  EXPECT_EQ(c.hello("flagged"), "WELCOME flagged 45");
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServerConfigFile, ABadFileRefusesToStartWithFileAndLine) {
  ConfigFile conf;
  struct Case {
    std::string text, error;
  };
  const Case cases[] = {
      {"port 2004\nprot 2005\n", conf.path() + ":2: unknown setting 'prot'"},
      {"max-conns 10\nmax-conns 20\n", conf.path() + ":2: 'max-conns' is already set on line 1"},
      {"\n\nidle-timeout 5x\n", conf.path() + ":3: invalid value '5x' for idle-timeout: expected seconds 1..604800"},
      {"log-level\n", conf.path() + ":1: 'log-level' needs a value"},
  };
  for (const Case& c : cases) {
    conf.write(c.text);
    ExitResult r = run_server_to_exit({"--port", "0", "--config", conf.path()});
    EXPECT_EQ(r.exit_code, 2) << c.text << r.err;
    EXPECT_NE(r.err.find(c.error), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("Server listening"), std::string::npos) << r.out;
  }
  ExitResult r = run_server_to_exit({"--port", "0", "--config", conf.dir() + "/missing.conf"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read config file '" + conf.dir() + "/missing.conf'"), std::string::npos) << r.err;
}

TEST(ServerConfigFile, CheckConfigPrintsTheEffectiveSettings) {
  ConfigFile conf("port 2100\nmax-conns 50\nlog-stderr true\n");
  ExitResult r = run_to_exit({server_binary(), "--check-config", "--config", conf.path(), "--max-conns", "60"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* line : {"port 2100\n", "max-conns 60\n", "log-stderr true\n", "idle-timeout 60\n",
                           "log-level info\n", "# auth-file (not set)\n"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  // The output is itself a config file the server accepts, and means the same.
  conf.write(r.out);
  ExitResult again = run_to_exit({server_binary(), "--check-config", "--config", conf.path()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.substr(again.out.find('\n')), r.out.substr(r.out.find('\n')));

  conf.write("idle-timeout 0\n");
  r = run_to_exit({server_binary(), "--check-config", "--config", conf.path()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(conf.path() + ":1: invalid value '0' for idle-timeout"), std::string::npos) << r.err;
}

TEST(ServerConfigFile, CheckConfigLoadsTheAuthFile) {
  TempDir dir;
  const std::string auth = dir.path() + "/auth";
  write_file(auth, "alice sha256:" + std::string(64, 'a') + "\n");
  ExitResult r = run_to_exit({server_binary(), "--check-config", "--auth-file", auth});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("auth-file " + auth + "\n"), std::string::npos) << r.out;

  write_file(auth, "alice sha256:nothex\n");
  r = run_to_exit({server_binary(), "--check-config", "--auth-file", auth});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(auth), std::string::npos) << r.err;
  r = run_to_exit({server_binary(), "--check-config", "--auth-file", dir.path() + "/none"});
  EXPECT_EQ(r.exit_code, 2);
}

// =================================================================================================
// --pid-file
// =================================================================================================

TEST(ServerPidFile, WrittenWhenListeningRemovedAtExit) {
  TempDir dir;
  const std::string pid_path = dir.path() + "/server.pid";
  ServerProcess server({"--pid-file", pid_path});
  ASSERT_TRUE(server.ok()) << server.error();
  // Written before the announcement, so it is there as soon as the port is.
  EXPECT_EQ(read_file(pid_path), std::to_string(server.pid()) + "\n");
  EXPECT_EQ(server.stop(), 0);
  EXPECT_FALSE(exists(pid_path));
}

TEST(ServerPidFile, UnwritableIsASetupError) {
  ExitResult r = run_server_to_exit({"--port", "0", "--pid-file", "/nonexistent-dir/server.pid"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot write --pid-file '/nonexistent-dir/server.pid'"), std::string::npos) << r.err;
}

// =================================================================================================
// sd_notify
// =================================================================================================

void expect_ready_then_stopping(NotifySocket& notify) {
  ServerProcess server;
  ASSERT_TRUE(server.ok()) << server.error();
  EXPECT_EQ(notify.receive(), "READY=1\nSTATUS=listening on 127.0.0.1:" + std::to_string(server.port()));
  server.signal(SIGTERM);
  EXPECT_EQ(notify.receive(), "STOPPING=1");
  EXPECT_EQ(server.wait_exit(), 0);
}

TEST(ServerNotify, ReadyAndStoppingOnAPathSocket) {
  TempDir dir;
  NotifySocket notify(dir.path() + "/notify");
  ASSERT_TRUE(notify.bound());
  expect_ready_then_stopping(notify);
}

TEST(ServerNotify, ReadyAndStoppingOnAnAbstractSocket) {
  NotifySocket notify("@switchboard-test-notify-" + std::to_string(::getpid()));
  ASSERT_TRUE(notify.bound());
  expect_ready_then_stopping(notify);
}

TEST(ServerNotify, AMissingNotifySocketDoesNotStopTheServer) {
  TempDir dir;
  NotifySocket notify(dir.path() + "/notify");
  ::setenv("NOTIFY_SOCKET", (dir.path() + "/nobody-listens").c_str(), 1);
  ServerProcess server;
  ASSERT_TRUE(server.ok()) << server.error();
  EXPECT_TRUE(server.wait_log_contains("event=notify_failed")) << server.log();
  LineClient c(server.port());
  EXPECT_EQ(c.hello("still-serving"), "WELCOME still-serving 60");
  EXPECT_EQ(server.stop(), 0);
}

// =================================================================================================
// logrotate
// =================================================================================================

std::string find_logrotate() {
  for (const char* p : {"/usr/sbin/logrotate", "/sbin/logrotate", "/usr/bin/logrotate"})
    if (::access(p, X_OK) == 0) return p;
  return "";
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

TEST(ServerLogrotate, TheShippedPolicyRotatesAndTheServerReopens) {
  const std::string logrotate = find_logrotate();
  if (logrotate.empty()) GTEST_SKIP() << "logrotate is not installed (scripts/install-deps.sh installs it)";
  TempDir dir;
  const std::string pid_path = dir.path() + "/server.pid";
  ServerProcess server({"--pid-file", pid_path});
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient a(server.port());
  ASSERT_EQ(a.hello("before-rotate"), "WELCOME before-rotate 60");
  ASSERT_TRUE(server.wait_log_contains("event=register node=before-rotate"));

  // The shipped file with this test's paths; systemd's branch is pointed at a directory that
  // does not exist, so the pid-file branch runs even on a host booted with systemd.
  std::string policy = read_file(source_file("scripts/logrotate.conf"));
  ASSERT_NE(policy.find("/var/log/switchboard/server.log"), std::string::npos);
  policy = replace_all(policy, "/var/log/switchboard/server.log", server.log_path());
  policy = replace_all(policy, "/run/switchboard/server.pid", pid_path);
  policy = replace_all(policy, "/run/systemd/system", dir.path() + "/no-systemd");
  const std::string conf = dir.path() + "/logrotate.conf";
  write_file(conf, policy);
  ::chmod(conf.c_str(), 0644);  // logrotate ignores a policy others may write
  ExitResult r = run_to_exit({logrotate, "--force", "--state", dir.path() + "/state", conf});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  const std::string rotated = server.log_path() + ".1";  // delaycompress: the first one stays plain
  ASSERT_TRUE(exists(rotated)) << r.err;
  EXPECT_TRUE(wait_log_reopened(server)) << "no new server.log after logrotate";
  EXPECT_NE(read_file(rotated).find("before-rotate"), std::string::npos);
  EXPECT_EQ(server.log().find("node=before-rotate"), std::string::npos);
  EXPECT_TRUE(server.wait_log_contains("event=reopen_log"));
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace sb::test
