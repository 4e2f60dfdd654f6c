// Unit tests for the server's config file and reload logic (server/options.*): "name value" lines
// with the long flags' names, whole-line comments, errors naming file:line (unknown name, bad
// value, duplicate, missing value), flags overriding the file, --check-config's output being a
// valid file itself, and the SIGHUP plan: which changed settings apply live and which wait for a
// restart, an invalid file keeping the running settings.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "server/options.h"
#include "tests/support/server_settings.h"

namespace sb::server {
namespace {

// A config file in a fresh temporary directory, removed at the end of the test.
class ConfigFile {
 public:
  ConfigFile() {
    char tmpl[] = "/tmp/sb-config-test-XXXXXX";
    dir_ = mkdtemp(tmpl) != nullptr ? tmpl : "/tmp";
    path_ = dir_ + "/switchboard.conf";
  }
  ~ConfigFile() {
    std::remove(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  void write(const std::string& text) const { std::ofstream(path_, std::ios::binary) << text; }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

bool parse_text(const std::string& text, ServerOptions* o, std::string* error) {
  return parse_config(text, "test.conf", o, error);
}

std::string error_of(const std::string& text) {
  ServerOptions o;
  std::string error;
  EXPECT_FALSE(parse_text(text, &o, &error)) << text;
  return error;
}

// parse_options over a real argv, for flags-over-file precedence.
ParseOutcome parse_args(std::vector<std::string> args, ServerOptions* o, std::string* message) {
  args.insert(args.begin(), "switchboard-server");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parse_options(static_cast<int>(args.size()), argv.data(), o, message);
}

TEST(ServerConfig, EverySettingByItsFlagName) {
  ServerOptions o;
  std::string error;
  ASSERT_TRUE(parse_text("# a comment\n"
                         "\n"
                         "bind ::1\n"
                         "port 2005\n"
                         "  idle-timeout   30   \n"
                         "handshake-timeout 2.5\n"
                         "max-conns 500\n"
                         "max-payload 4096\n"
                         "max-outbuf 65536\n"
                         "slow-consumer-timeout 3\n"
                         "shutdown-grace 0.5\n"
                         "log-dir /var/log/my switchboard\n"
                         "log-level warn\n"
                         "log-workers 2\n"
                         "log-stderr true\n"
                         "auth-file /etc/switchboard/auth\n"
                         "allow-unknown-ids true\n"
                         "max-conns-per-ip 8\n"
                         "\t# indented comment\n"
                         "pid-file /run/switchboard/server.pid\r\n",
                         &o, &error))
      << error;
  // The log-dir value is the rest of the line, spaces and all.
  EXPECT_EQ(test::core_settings(o),
            (test::CoreSettings{.bind = "::1", .port = 2005, .idle_timeout_s = 30,
                                .handshake_timeout_s = 2.5, .max_conns = 500, .max_payload = 4096,
                                .max_outbuf = 65536, .slow_consumer_timeout_s = 3, .shutdown_grace_s = 0.5,
                                .log_dir = "/var/log/my switchboard", .log_level = log::Level::warn,
                                .log_workers = 2, .log_stderr = true}));
  EXPECT_EQ(o.auth_file, "/etc/switchboard/auth");
  EXPECT_TRUE(o.allow_unknown_ids);
  EXPECT_EQ(o.max_conns_per_ip, 8u);
  EXPECT_EQ(o.pid_file, "/run/switchboard/server.pid");
}

TEST(ServerConfig, EmptyFileMeansDefaults) {
  ServerOptions o;
  std::string error;
  ASSERT_TRUE(parse_text("", &o, &error));
  ASSERT_TRUE(parse_text("# nothing but comments\n\n   \n", &o, &error));
  EXPECT_EQ(format_settings(o), format_settings(ServerOptions{}));
}

TEST(ServerConfig, ErrorsNameTheFileAndLine) {
  EXPECT_EQ(error_of("port 2004\nprot 2005\n"), "test.conf:2: unknown setting 'prot'");
  EXPECT_EQ(error_of("port 2004x\n"), "test.conf:1: invalid value '2004x' for port: expected a port 0..65535");
  EXPECT_EQ(error_of("# c\nidle-timeout 0.5\n"),
            "test.conf:2: invalid value '0.5' for idle-timeout: expected seconds 1..604800");
  EXPECT_EQ(error_of("port 1\n\nport 2\n"), "test.conf:3: 'port' is already set on line 1");
  EXPECT_EQ(error_of("port\n"), "test.conf:1: 'port' needs a value (a port 0..65535)");
  EXPECT_EQ(error_of("log-stderr yes\n"),
            "test.conf:1: invalid value 'yes' for log-stderr: expected true or false");
  EXPECT_EQ(error_of("log-level DEBUG\n"),
            "test.conf:1: invalid value 'DEBUG' for log-level: expected debug, info, warn or error");
  // A trailing comment is not cut off (a value may hold '#'): it makes the value invalid.
  EXPECT_EQ(error_of("port 2004 # the default\n"),
            "test.conf:1: invalid value '2004 # the default' for port: expected a port 0..65535");
  EXPECT_EQ(error_of("--port 2004\n"), "test.conf:1: unknown setting '--port'");
  EXPECT_EQ(error_of("config /etc/other.conf\n"),
            "test.conf:1: 'config' is a command-line flag, not a setting");
  EXPECT_NE(error_of("bind " + std::string(5000, 'x') + "\n").find("test.conf:1: line longer than"),
            std::string::npos);
}

TEST(ServerConfig, AFailedFileChangesNothing) {
  ServerOptions o;
  o.port = 7;
  std::string error;
  EXPECT_FALSE(parse_text("port 9\nmax-conns 0\n", &o, &error));
  EXPECT_EQ(o.port, 7);
}

TEST(ServerConfig, FlagsOverrideTheFile) {
  ConfigFile f;
  f.write("port 2005\nlog-level debug\nmax-conns 10\n");
  ServerOptions o;
  std::string message;
  ASSERT_EQ(parse_args({"--config", f.path(), "--port", "3000"}, &o, &message), ParseOutcome::run) << message;
  EXPECT_EQ(o.port, 3000);                     // the flag
  EXPECT_EQ(o.log_level, log::Level::debug);  // the file
  EXPECT_EQ(o.max_conns, 10u);
  EXPECT_EQ(o.config_file, f.path());
  // The order on the command line does not matter: the file is read first.
  ASSERT_EQ(parse_args({"--port", "3000", "--config", f.path()}, &o, &message), ParseOutcome::run) << message;
  EXPECT_EQ(o.port, 3000);
}

TEST(ServerConfig, BadFileStopsTheStartWithFileAndLine) {
  ConfigFile f;
  f.write("port 2005\nidle-timeout soon\n");
  ServerOptions o;
  std::string message;
  EXPECT_EQ(parse_args({"--config", f.path()}, &o, &message), ParseOutcome::exit_usage);
  EXPECT_EQ(message, "switchboard-server: " + f.path() +
                         ":2: invalid value 'soon' for idle-timeout: expected seconds 1..604800\n");
  // A cross-setting rule applies to the file as to flags.
  f.write("allow-unknown-ids true\n");
  EXPECT_EQ(parse_args({"--config", f.path()}, &o, &message), ParseOutcome::exit_usage);
  EXPECT_NE(message.find("--allow-unknown-ids needs --auth-file"), std::string::npos) << message;
}

TEST(ServerConfig, FormattedSettingsAreAValidFileThatRoundTrips) {
  ServerOptions o;
  o.bind = "::1";
  o.port = 0;
  o.idle_timeout_s = 1.25;
  o.shutdown_grace_s = 0.001;
  o.max_payload = 0;
  o.log_stderr = true;
  o.log_level = log::Level::error;
  o.auth_file = "/etc/switchboard/auth";
  const std::string text = format_settings(o);
  EXPECT_NE(text.find("idle-timeout 1.25\n"), std::string::npos) << text;
  EXPECT_NE(text.find("shutdown-grace 0.001\n"), std::string::npos) << text;
  EXPECT_NE(text.find("log-stderr true\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# pid-file (not set)\n"), std::string::npos) << text;
  ServerOptions back;
  std::string error;
  ASSERT_TRUE(parse_text(text, &back, &error)) << error << "\n" << text;
  EXPECT_EQ(format_settings(back), text);
  // Every setting appears, set or commented.
  for (const SettingInfo& s : settings()) EXPECT_NE(text.find(std::string(s.name) + " "), std::string::npos) << s.name;
}

TEST(ServerReload, NothingChangedMeansAnEmptyPlan) {
  ReloadPlan plan = diff_reloadable(ServerOptions{}, ServerOptions{});
  EXPECT_TRUE(plan.live.empty());
  EXPECT_TRUE(plan.restart.empty());
}

TEST(ServerReload, SplitsLiveChangesFromRestartOnes) {
  ServerOptions running, next;
  next.log_level = log::Level::debug;      // live
  next.max_conns = 5;                      // restart: the slab is reserved to it
  next.max_conns_per_ip = 3;               // live
  next.auth_file = "/etc/switchboard/auth";  // live
  next.handshake_timeout_s = 2;            // live
  next.port = 2010;                        // restart
  next.idle_timeout_s = 30;                // restart: WELCOME already told every node 60
  next.max_outbuf = 1 << 20;               // restart
  ReloadPlan plan = diff_reloadable(running, next);
  EXPECT_EQ(plan.live, (std::vector<std::string>{"handshake-timeout", "log-level", "auth-file",
                                                 "max-conns-per-ip"}));
  EXPECT_EQ(plan.restart, (std::vector<std::string>{"port", "idle-timeout", "max-conns", "max-outbuf"}));

  ServerOptions after = apply_reloadable(running, next);
  EXPECT_EQ(after.log_level, log::Level::debug);
  EXPECT_EQ(after.max_conns, 100000u);       // kept until a restart
  EXPECT_EQ(after.max_conns_per_ip, 3u);
  EXPECT_EQ(after.auth_file, "/etc/switchboard/auth");
  EXPECT_DOUBLE_EQ(after.handshake_timeout_s, 2);
  EXPECT_EQ(after.port, 2004);               // kept until a restart
  EXPECT_DOUBLE_EQ(after.idle_timeout_s, 60);
  EXPECT_EQ(after.max_outbuf, size_t{4} << 20);
  EXPECT_EQ(ReloadPlan::names(plan.restart), "port,idle-timeout,max-conns,max-outbuf");
  EXPECT_EQ(ReloadPlan::names({}), "");
  // Applying the plan leaves only the restart settings different.
  ReloadPlan rest = diff_reloadable(after, next);
  EXPECT_TRUE(rest.live.empty());
  EXPECT_EQ(rest.restart, plan.restart);
}

TEST(ServerReload, EverySettingIsClassified) {
  // The documented live set; a new setting must be placed deliberately.
  std::vector<std::string> live;
  for (const SettingInfo& s : settings())
    if (s.live) live.emplace_back(s.name);
  EXPECT_EQ(live, (std::vector<std::string>{"handshake-timeout", "slow-consumer-timeout",
                                            "shutdown-grace", "log-level", "auth-file", "allow-unknown-ids",
                                            "max-conns-per-ip"}));
}

TEST(ServerReload, RereadsTheFileAndKeepsFlagsOnTop) {
  ConfigFile f;
  f.write("log-level info\nmax-conns 100\nport 2005\n");
  ServerOptions running;
  std::string message;
  ASSERT_EQ(parse_args({"--config", f.path(), "--max-conns", "7"}, &running, &message), ParseOutcome::run) << message;
  ASSERT_EQ(running.max_conns, 7u);

  f.write("log-level debug\nmax-conns 200\nport 2006\n");
  ServerOptions next;
  std::string error;
  ASSERT_TRUE(reread_options(running, &next, &error)) << error;
  EXPECT_EQ(next.log_level, log::Level::debug);
  EXPECT_EQ(next.max_conns, 7u);  // the flag still wins over the file
  EXPECT_EQ(next.port, 2006);
  EXPECT_EQ(next.config_file, running.config_file);
  EXPECT_EQ(next.command_line, running.command_line);
  ReloadPlan plan = diff_reloadable(running, next);
  EXPECT_EQ(plan.live, std::vector<std::string>{"log-level"});
  EXPECT_EQ(plan.restart, std::vector<std::string>{"port"});

  // A setting removed from the file goes back to its default.
  f.write("max-conns 200\n");
  ASSERT_TRUE(reread_options(running, &next, &error)) << error;
  EXPECT_EQ(next.port, 2004);
}

TEST(ServerReload, AnInvalidFileKeepsTheRunningSettings) {
  ConfigFile f;
  f.write("log-level info\n");
  ServerOptions running;
  std::string message;
  ASSERT_EQ(parse_args({"--config", f.path()}, &running, &message), ParseOutcome::run) << message;
  f.write("log-level debug\nmax-conns lots\n");
  ServerOptions next;
  next.port = 1;  // untouched on failure
  std::string error;
  EXPECT_FALSE(reread_options(running, &next, &error));
  EXPECT_EQ(error, f.path() + ":2: invalid value 'lots' for max-conns: expected an integer 1..10000000");
  EXPECT_EQ(next.port, 1);
  f.write("allow-unknown-ids true\n");
  EXPECT_FALSE(reread_options(running, &next, &error));
  EXPECT_NE(error.find("--allow-unknown-ids needs --auth-file"), std::string::npos) << error;
  std::remove(f.path().c_str());
  EXPECT_FALSE(reread_options(running, &next, &error));
  EXPECT_NE(error.find("cannot read config file"), std::string::npos) << error;
}

TEST(ServerReload, WithoutAConfigFileOnlyTheFlagsCount) {
  ServerOptions running;
  std::string message;
  ASSERT_EQ(parse_args({"--port", "2010", "--log-level", "warn"}, &running, &message), ParseOutcome::run);
  ServerOptions next;
  std::string error;
  ASSERT_TRUE(reread_options(running, &next, &error)) << error;
  ReloadPlan plan = diff_reloadable(running, next);
  EXPECT_TRUE(plan.live.empty());
  EXPECT_TRUE(plan.restart.empty());
}

}  // namespace
}  // namespace sb::server
