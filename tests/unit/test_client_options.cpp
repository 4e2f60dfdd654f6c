// parse_options: every flag, defaults, and each kind of usage error.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "client/options.h"

namespace sb::client {
namespace {

ParseOutcome parse(std::vector<std::string> args, Options* out) {
  args.insert(args.begin(), "switchboard-client");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parse_options(static_cast<int>(args.size()), argv.data(), out);
}

using Action = ParseOutcome::Action;

// The flags of one session, compared as one value: host, port, id, log dir, log level, keepalive,
// reconnect, listen, raw.
auto session_flags(const Options& o) {
  return std::tuple(o.host, o.port, o.id, o.log_dir, o.log_level, o.keepalive, o.reconnect, o.listen, o.raw);
}

TEST(ClientOptions, Defaults) {
  Options o;
  EXPECT_EQ(parse({}, &o).action, Action::run);
  EXPECT_EQ(session_flags(o),
            std::tuple("127.0.0.1", 2004, "", ".", log::Level::info, true, false, false, false));
  EXPECT_EQ(o.connect_timeout_s, 10);
  EXPECT_FALSE(o.e2e);
  EXPECT_EQ(o.key_file, "");
}

TEST(ClientOptions, EndToEndAndKeyFile) {
  Options o;
  ASSERT_EQ(parse({"--e2e", "--key-file", "/k/a.key"}, &o).action, Action::run);
  EXPECT_TRUE(o.e2e);
  EXPECT_EQ(o.key_file, "/k/a.key");
}

TEST(ClientOptions, ConnectTimeoutAndHostNames) {
  Options o;
  ASSERT_EQ(parse({"--connect-timeout", "0.25", "--host", "switchboard.example.org"}, &o).action, Action::run);
  EXPECT_DOUBLE_EQ(o.connect_timeout_s, 0.25);
  EXPECT_EQ(o.host, "switchboard.example.org");  // resolved when connecting, not while parsing
  ASSERT_EQ(parse({"--connect-timeout=3600", "--host=[::1]"}, &o).action, Action::run);
  EXPECT_DOUBLE_EQ(o.connect_timeout_s, 3600);
}

TEST(ClientOptions, EveryFlag) {
  Options o;
  ParseOutcome r = parse({"--host", "::1", "--port", "4000", "--id", "node-1.x_y", "--log-dir", "/tmp/l",
                          "--log-level", "debug", "--no-keepalive", "--reconnect", "--listen", "--raw"},
                         &o);
  ASSERT_EQ(r.action, Action::run) << r.error;
  EXPECT_EQ(session_flags(o),
            std::tuple("::1", 4000, "node-1.x_y", "/tmp/l", log::Level::debug, false, true, true, true));
}

TEST(ClientOptions, EqualsFormAndLocalhost) {
  Options o;
  ASSERT_EQ(parse({"--port=5000", "--id=a", "--host=localhost"}, &o).action, Action::run);
  EXPECT_EQ(o.port, 5000);
  EXPECT_EQ(o.id, "a");
}

TEST(ClientOptions, HelpAndVersion) {
  Options o;
  EXPECT_EQ(parse({"--help"}, &o).action, Action::help);
  EXPECT_EQ(parse({"-h"}, &o).action, Action::help);
  EXPECT_EQ(parse({"--version"}, &o).action, Action::version);
}

TEST(ClientOptions, UsageErrorsSayWhatIsWrong) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"--bogus"}, "unknown option '--bogus'"},
      {{"-x"}, "unknown option '-x'"},
      {{"--port"}, "option '--port' needs a value"},
      {{"--port", "0"}, "--port must be a number from 1 to 65535, not '0'"},
      {{"--port", "65536"}, "--port must be a number from 1 to 65535, not '65536'"},
      {{"--port", "12ab"}, "--port must be a number from 1 to 65535, not '12ab'"},
      {{"--id", "has space"}, "--id must be 1-64 characters"},
      {{"--id", std::string(65, 'a')}, "--id must be 1-64 characters"},
      {{"--id", "*"}, "--id must be 1-64 characters"},
      {{"--log-level", "verbose"}, "--log-level must be debug, info, warn or error, not 'verbose'"},
      {{"--host", "two words"}, "--host must be an address or a host name, not 'two words'"},
      {{"--connect-timeout", "0"}, "--connect-timeout must be seconds from 0.001 to 3600, not '0'"},
      {{"--connect-timeout", "5x"}, "--connect-timeout must be seconds from 0.001 to 3600, not '5x'"},
      {{"--connect-timeout", "1e3"}, "--connect-timeout must be seconds from 0.001 to 3600, not '1e3'"},
      {{"--connect-timeout", "3601"}, "--connect-timeout must be seconds from 0.001 to 3600, not '3601'"},
      {{"--port", "+80"}, "--port must be a number from 1 to 65535, not '+80'"},
      {{"--host", ""}, "--host needs a non-empty address"},
      {{"stray"}, "unexpected argument 'stray'"},
      {{"--key-file", "/k/a.key"}, "--key-file is for --e2e"},
      {{"--e2e", "--key-file", ""}, "--key-file needs a path"},
  };
  for (const Case& c : cases) {
    Options o;
    ParseOutcome r = parse(c.args, &o);
    EXPECT_EQ(r.action, Action::usage_error) << testing::PrintToString(c.args);
    EXPECT_NE(r.error.find(c.message), std::string::npos) << r.error;
  }
}

TEST(ClientOptions, JoinAndReceipts) {
  Options o;
  ASSERT_EQ(parse({"--join", "#ops", "--join", "#dev", "--receipts"}, &o).action, Action::run);
  EXPECT_EQ(o.joins, (std::vector<std::string>{"#ops", "#dev"}));
  EXPECT_TRUE(o.receipts);
  Options bad;
  ParseOutcome r = parse({"--join", "ops"}, &bad);
  EXPECT_EQ(r.action, Action::usage_error);
  EXPECT_NE(r.error.find("--join must be #group"), std::string::npos) << r.error;
}

TEST(ClientOptions, RepeatedParsingStartsFresh) {
  // getopt keeps global state; a second parse must not continue where the first stopped.
  Options a, b;
  ASSERT_EQ(parse({"--id", "a", "--bogus"}, &a).action, Action::usage_error);
  ASSERT_EQ(parse({"--id", "b"}, &b).action, Action::run);
  EXPECT_EQ(b.id, "b");
}

TEST(ClientOptions, UsageListsFlagsAndExitCodes) {
  std::string u = usage_text("switchboard-client");
  for (const char* flag : {"--host", "--port", "--id", "--listen", "--raw", "--reconnect", "--no-keepalive",
                           "--log-dir", "--log-level", "--e2e", "--key-file", "--help", "--version", "Exit codes: 0"})
    EXPECT_NE(u.find(flag), std::string::npos) << flag;
}

}  // namespace
}  // namespace sb::client

namespace sb::client {
namespace {

TEST(ClientOptions, ServerListGoesRoundRobin) {
  Options o;
  ASSERT_EQ(parse({"--server", "127.0.0.1:2004,[::1]:2005,sb.example.org:7"}, &o).action, Action::run);
  ASSERT_EQ(server_count(o), 3u);
  EXPECT_EQ(server_at(o, 0).host, "127.0.0.1");
  EXPECT_EQ(server_at(o, 1).host, "::1");
  EXPECT_EQ(server_at(o, 1).port, 2005);
  EXPECT_EQ(server_at(o, 2).host, "sb.example.org");
  EXPECT_EQ(server_at(o, 3).port, 2004);  // round robin
}

TEST(ClientOptions, HostAndPortAreAOneServerList) {
  Options o;
  ASSERT_EQ(parse({"--host", "::1", "--port", "4000"}, &o).action, Action::run);
  EXPECT_EQ(server_count(o), 1u);
  EXPECT_EQ(server_at(o, 5).host, "::1");
  EXPECT_EQ(server_at(o, 5).port, 4000);
}

TEST(ClientOptions, BadServerListsAreUsageErrors) {
  for (const char* bad : {"", "h", "h:", "h:0", "h:70000", ":2004", "a:1,", ",a:1", "::1:2004", "[::1]2004",
                          "[]:1", "a b:1"}) {
    Options o;
    ParseOutcome r = parse({"--server", bad}, &o);
    EXPECT_EQ(r.action, Action::usage_error) << bad;
    EXPECT_EQ(r.error.rfind("--server: ", 0), 0u) << r.error;
  }
  Options o;
  ParseOutcome r = parse({"--server", "a:1", "--port", "2"}, &o);
  EXPECT_EQ(r.action, Action::usage_error);
  EXPECT_EQ(r.error, "--server cannot be combined with --host or --port");
  EXPECT_EQ(parse({"--host", "h", "--server", "a:1"}, &o).action, Action::usage_error);
}

}  // namespace
}  // namespace sb::client
