// Unit tests for the server's command line (server/options.*): defaults, every flag in both
// "--flag value" and "--flag=value" forms, fractional seconds, and every kind of bad input
// (negative, zero, non-numeric, out of range, unknown flag, missing value, stray argument), which
// must stop with exit_usage and a message that names the offending flag.
#include "server/options.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>
#include <string>
#include <vector>

#include "tests/support/server_settings.h"

namespace sb::server {
namespace {

// Owns the strings and a proper argv (program name first, null-terminated). getopt_long may
// permute the pointer array, so a fresh one is built for every call.
struct Argv {
  std::vector<std::string> args;
  std::vector<char*> ptrs;
  explicit Argv(std::initializer_list<std::string> list) : args{"switchboard-server"} {
    args.insert(args.end(), list.begin(), list.end());
    for (auto& a : args) ptrs.push_back(a.data());
    ptrs.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(args.size()); }
  char** argv() { return ptrs.data(); }
};

struct Result {
  ParseOutcome outcome;
  ServerOptions options;
  std::string message;
};

Result parse(std::initializer_list<std::string> args) {
  Argv a(args);
  Result r;
  r.outcome = parse_options(a.argc(), a.argv(), &r.options, &r.message);
  return r;
}

// The reason, without the usage text that follows it (which names every flag anyway).
std::string reason(const Result& r) { return r.message.substr(0, r.message.find('\n')); }

// The flag must be rejected with a reason that names it and the bad value, given either as
// "--flag value" or as "--flag=value".
void expect_rejected(const std::string& flag, const std::string& value) {
  for (bool joined : {false, true}) {
    Result r = joined ? parse({flag + "=" + value}) : parse({flag, value});
    const std::string form = joined ? flag + "=" + value : flag + " " + value;
    const std::string why = reason(r);
    EXPECT_EQ(r.outcome, ParseOutcome::exit_usage) << form;
    EXPECT_NE(why.find(" for " + flag + ":"), std::string::npos) << form << "\nreason: " << why;
    EXPECT_NE(why.find("'" + value + "'"), std::string::npos) << form << "\nreason: " << why;
    EXPECT_NE(r.message.find("usage:"), std::string::npos) << form;
    EXPECT_EQ(r.message.rfind("switchboard-server: ", 0), 0u) << form;
  }
}

// =================================================================================================
// Defaults and well-formed input
// =================================================================================================

TEST(ServerOptions, Defaults) {
  Result r = parse({});
  ASSERT_EQ(r.outcome, ParseOutcome::run);
  EXPECT_EQ(test::core_settings(r.options),
            (test::CoreSettings{.bind = "127.0.0.1", .port = 2004, .idle_timeout_s = 60,
                                .handshake_timeout_s = 10, .max_conns = 100000,
                                .max_payload = 1u << 20, .max_outbuf = 4u << 20,
                                .slow_consumer_timeout_s = 10, .shutdown_grace_s = 5, .log_dir = ".",
                                .log_level = log::Level::info, .log_workers = 1, .log_stderr = false}));
  EXPECT_TRUE(r.message.empty());
}

TEST(ServerOptions, EveryFlagParsed) {
  Result r = parse({"--bind", "0.0.0.0", "--port", "9000", "--idle-timeout", "30",
                    "--handshake-timeout", "3", "--max-conns", "42", "--max-payload", "4096",
                    "--max-outbuf", "65536", "--slow-consumer-timeout", "7", "--shutdown-grace", "2",
                    "--log-dir", "/tmp/sb-logs", "--log-level", "debug", "--log-workers", "4",
                    "--log-stderr"});
  ASSERT_EQ(r.outcome, ParseOutcome::run) << r.message;
  EXPECT_EQ(test::core_settings(r.options),
            (test::CoreSettings{.bind = "0.0.0.0", .port = 9000, .idle_timeout_s = 30,
                                .handshake_timeout_s = 3, .max_conns = 42, .max_payload = 4096,
                                .max_outbuf = 65536, .slow_consumer_timeout_s = 7, .shutdown_grace_s = 2,
                                .log_dir = "/tmp/sb-logs", .log_level = log::Level::debug,
                                .log_workers = 4, .log_stderr = true}));
}

TEST(ServerOptions, EqualsForm) {
  Result r = parse({"--port=0", "--bind=::1", "--max-payload=0", "--log-level=error", "--log-dir=logs"});
  ASSERT_EQ(r.outcome, ParseOutcome::run) << r.message;
  EXPECT_EQ(r.options.port, 0);
  EXPECT_EQ(r.options.bind, "::1");
  EXPECT_EQ(r.options.max_payload, 0u);
  EXPECT_EQ(r.options.log_level, log::Level::error);
  EXPECT_EQ(r.options.log_dir, "logs");
}

TEST(ServerOptions, BindAcceptsNumericAddresses) {
  for (const char* addr : {"127.0.0.1", "0.0.0.0", "::", "::1", "[::1]", "localhost", "fe80::1"}) {
    Result r = parse({"--bind", addr});
    EXPECT_EQ(r.outcome, ParseOutcome::run) << addr << ": " << r.message;
    EXPECT_EQ(r.options.bind, addr);
  }
}

TEST(ServerOptions, EveryLogLevel) {
  const std::pair<const char*, log::Level> levels[] = {
      {"debug", log::Level::debug}, {"info", log::Level::info},
      {"warn", log::Level::warn},   {"error", log::Level::error}};
  for (auto [text, level] : levels) {
    Result r = parse({"--log-level", text});
    ASSERT_EQ(r.outcome, ParseOutcome::run) << text;
    EXPECT_EQ(r.options.log_level, level) << text;
  }
}

TEST(ServerOptions, FractionalSeconds) {
  Result r = parse({"--idle-timeout", "1.5", "--handshake-timeout", "0.25", "--slow-consumer-timeout",
                    "1.75", "--shutdown-grace", "0.001"});
  ASSERT_EQ(r.outcome, ParseOutcome::run) << r.message;
  EXPECT_DOUBLE_EQ(r.options.idle_timeout_s, 1.5);
  EXPECT_DOUBLE_EQ(r.options.handshake_timeout_s, 0.25);
  EXPECT_DOUBLE_EQ(r.options.slow_consumer_timeout_s, 1.75);
  EXPECT_DOUBLE_EQ(r.options.shutdown_grace_s, 0.001);

  r = parse({"--idle-timeout", "604800", "--shutdown-grace", "100.5"});  // the 7-day ceiling itself
  ASSERT_EQ(r.outcome, ParseOutcome::run) << r.message;
  EXPECT_DOUBLE_EQ(r.options.idle_timeout_s, 604800);
  EXPECT_DOUBLE_EQ(r.options.shutdown_grace_s, 100.5);
}

TEST(ServerOptions, IdleTimeoutIsAtLeastOneSecond) {
  // WELCOME advertises whole seconds (rounded down), so a shorter timeout could not be told.
  EXPECT_EQ(parse({"--idle-timeout", "0.5"}).outcome, ParseOutcome::exit_usage);
  EXPECT_EQ(parse({"--idle-timeout", "1"}).outcome, ParseOutcome::run);
}

TEST(ServerOptions, RangeBoundsAccepted) {
  Result r = parse({"--port", "65535", "--max-conns", "1", "--max-payload", "1073741824",
                    "--max-outbuf", "1024", "--log-workers", "64"});
  ASSERT_EQ(r.outcome, ParseOutcome::run) << r.message;
  EXPECT_EQ(r.options.port, 65535);
  EXPECT_EQ(r.options.max_conns, 1u);
  EXPECT_EQ(r.options.max_payload, 1u << 30);
  EXPECT_EQ(r.options.max_outbuf, 1024u);
  EXPECT_EQ(r.options.log_workers, 64u);
  r = parse({"--max-outbuf", "1073741824", "--log-workers", "1"});
  ASSERT_EQ(r.outcome, ParseOutcome::run) << r.message;
  EXPECT_EQ(r.options.max_outbuf, 1u << 30);
  EXPECT_EQ(r.options.log_workers, 1u);
}

TEST(ServerOptions, PidFileAndCheckConfig) {
  Result r = parse({"--pid-file", "/run/switchboard/server.pid"});
  ASSERT_EQ(r.outcome, ParseOutcome::run) << r.message;
  EXPECT_EQ(r.options.pid_file, "/run/switchboard/server.pid");
  expect_rejected("--pid-file", "");

  r = parse({"--check-config", "--port", "9000"});
  ASSERT_EQ(r.outcome, ParseOutcome::check_config) << r.message;
  EXPECT_EQ(r.options.port, 9000);
  // A bad flag still fails the check the way it fails a start.
  EXPECT_EQ(parse({"--check-config", "--port", "x"}).outcome, ParseOutcome::exit_usage);
}

TEST(ServerOptions, RemembersTheCommandLineForReload) {
  Result r = parse({"--port", "9000", "--log-stderr", "--log-level=debug"});
  ASSERT_EQ(r.outcome, ParseOutcome::run) << r.message;
  const std::vector<std::pair<std::string, std::string>> want = {
      {"port", "9000"}, {"log-stderr", "true"}, {"log-level", "debug"}};
  EXPECT_EQ(r.options.command_line, want);
  EXPECT_EQ(r.options.config_file, "");
}

TEST(ServerOptions, MissingConfigFileIsAUsageError) {
  Result r = parse({"--config", "/nonexistent/switchboard.conf"});
  EXPECT_EQ(r.outcome, ParseOutcome::exit_usage);
  EXPECT_NE(r.message.find("cannot read config file '/nonexistent/switchboard.conf'"), std::string::npos)
      << r.message;
  expect_rejected("--config", "");
}

TEST(ServerOptions, LaterFlagWins) {
  Result r = parse({"--port", "1", "--port", "2"});
  ASSERT_EQ(r.outcome, ParseOutcome::run);
  EXPECT_EQ(r.options.port, 2);
}

TEST(ServerOptions, HelpAndVersionExitOk) {
  Result r = parse({"--help"});
  EXPECT_EQ(r.outcome, ParseOutcome::exit_ok);
  EXPECT_EQ(r.message, usage_text());
  EXPECT_NE(r.message.find("--max-outbuf"), std::string::npos);

  r = parse({"--version"});
  EXPECT_EQ(r.outcome, ParseOutcome::exit_ok);
  EXPECT_EQ(r.message.rfind("switchboard-server ", 0), 0u) << r.message;
  EXPECT_EQ(r.message.back(), '\n');

  r = parse({"--port", "9000", "--help"});
  EXPECT_EQ(r.outcome, ParseOutcome::exit_ok);
  EXPECT_EQ(r.message, usage_text());
}

TEST(ServerOptions, UsageMentionsEveryFlag) {
  const std::string u = usage_text();
  for (const char* flag : {"--bind", "--port", "--idle-timeout", "--handshake-timeout", "--max-conns",
                           "--max-payload", "--max-outbuf", "--slow-consumer-timeout", "--shutdown-grace",
                           "--log-dir", "--log-level", "--log-workers", "--log-stderr", "--help",
                           "--version", "--auth-file", "--allow-unknown-ids", "--max-conns-per-ip",
                           "--pid-file", "--config", "--check-config"})
    EXPECT_NE(u.find(flag), std::string::npos) << flag;
  for (const SettingInfo& s : settings())
    EXPECT_NE(u.find("--" + std::string(s.name)), std::string::npos) << s.name;
}

TEST(ServerOptions, CallableRepeatedly) {
  // getopt keeps global state; each call must start from the first argument again.
  for (int i = 0; i < 3; ++i) {
    Result bad = parse({"--port", "9000", "--bogus"});
    EXPECT_EQ(bad.outcome, ParseOutcome::exit_usage);
    Result good = parse({"--port", "9001", "--log-stderr"});
    ASSERT_EQ(good.outcome, ParseOutcome::run) << good.message;
    EXPECT_EQ(good.options.port, 9001);
    EXPECT_TRUE(good.options.log_stderr);
    Result help = parse({"--help"});
    EXPECT_EQ(help.outcome, ParseOutcome::exit_ok);
  }
}

// =================================================================================================
// Bad input
// =================================================================================================

TEST(ServerOptions, BadPort) {
  for (const char* v : {"-1", "65536", "99999999999", "abc", "80x", " 80", "+80", "8.0", ""})
    expect_rejected("--port", v);
}

TEST(ServerOptions, BadBind) {
  for (const char* v : {"example.com", "999.1.1.1", "1.2.3", "", "::g", "127.0.0.1:80"})
    expect_rejected("--bind", v);
}

TEST(ServerOptions, BadSeconds) {
  for (const char* flag : {"--idle-timeout", "--handshake-timeout", "--slow-consumer-timeout",
                           "--shutdown-grace"}) {
    for (const char* v : {"0", "0.0", "-0", "-1", "-0.5", "abc", "1s", "", "nan", "inf", "-inf",
                          "604800.5", "1e9", " 1", "1e2", ".5", "5.", "+1", "0.0001"})
      expect_rejected(flag, v);
  }
}

TEST(ServerOptions, BadSizes) {
  for (const char* v : {"0", "-1", "x", "1.5", "", "18446744073709551616", "10000001", "+5", "5x"})
    expect_rejected("--max-conns", v);
  for (const char* v : {"-1", "1073741825", "1k", "", "99999999999999999999"})
    expect_rejected("--max-payload", v);
  for (const char* v : {"0", "1023", "1073741825", "-4096", "4M", ""})
    expect_rejected("--max-outbuf", v);
  for (const char* v : {"0", "65", "-1", "two", ""}) expect_rejected("--log-workers", v);
}

TEST(ServerOptions, BadLogSettings) {
  for (const char* v : {"DEBUG", "verbose", "warning", "", "info "}) expect_rejected("--log-level", v);
  expect_rejected("--log-dir", "");
}

TEST(ServerOptions, RejectedValueLeavesNoPartialRun) {
  // A bad flag after good ones still fails the whole parse.
  Result r = parse({"--port", "9000", "--max-conns", "0", "--log-stderr"});
  EXPECT_EQ(r.outcome, ParseOutcome::exit_usage);
  EXPECT_NE(reason(r).find("--max-conns"), std::string::npos) << reason(r);
}

TEST(ServerOptions, UnknownFlag) {
  Result r = parse({"--bogus"});
  EXPECT_EQ(r.outcome, ParseOutcome::exit_usage);
  EXPECT_NE(reason(r).find("--bogus"), std::string::npos) << reason(r);
  EXPECT_NE(r.message.find("usage:"), std::string::npos);

  r = parse({"--port", "1", "--bogus=3"});
  EXPECT_EQ(r.outcome, ParseOutcome::exit_usage);
  EXPECT_NE(reason(r).find("--bogus"), std::string::npos) << reason(r);

  r = parse({"-x"});
  EXPECT_EQ(r.outcome, ParseOutcome::exit_usage);
  EXPECT_NE(reason(r).find("-x"), std::string::npos) << reason(r);

  r = parse({"--log-stderr=yes"});  // a switch given a value
  EXPECT_EQ(r.outcome, ParseOutcome::exit_usage);
  EXPECT_NE(reason(r).find("--log-stderr"), std::string::npos) << reason(r);
}

TEST(ServerOptions, MissingValue) {
  for (const char* flag : {"--bind", "--port", "--idle-timeout", "--handshake-timeout", "--max-conns",
                           "--max-payload", "--max-outbuf", "--slow-consumer-timeout",
                           "--shutdown-grace", "--log-dir", "--log-level", "--log-workers", "--auth-file",
                           "--max-conns-per-ip", "--pid-file", "--config"}) {
    Result r = parse({"--log-stderr", flag});
    EXPECT_EQ(r.outcome, ParseOutcome::exit_usage) << flag;
    EXPECT_NE(reason(r).find(flag), std::string::npos) << flag << "\nreason: " << reason(r);
    EXPECT_NE(reason(r).find("needs a value"), std::string::npos) << reason(r);
  }
}

TEST(ServerOptions, StrayPositionalArgument) {
  Result r = parse({"extra"});
  EXPECT_EQ(r.outcome, ParseOutcome::exit_usage);
  EXPECT_NE(reason(r).find("'extra'"), std::string::npos) << reason(r);

  r = parse({"--port", "9000", "stray", "--log-stderr"});
  EXPECT_EQ(r.outcome, ParseOutcome::exit_usage);
  EXPECT_NE(reason(r).find("'stray'"), std::string::npos) << reason(r);

  r = parse({"--port", "9000", "--", "after-dashes"});
  EXPECT_EQ(r.outcome, ParseOutcome::exit_usage);
  EXPECT_NE(reason(r).find("'after-dashes'"), std::string::npos) << reason(r);
}

}  // namespace
}  // namespace sb::server
