// switchboard-bench flag parsing: defaults, every flag, and the errors that make main exit 2.
#include "bench/options.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <tuple>
#include <vector>

using namespace sb::bench;

namespace {

bool parse(std::initializer_list<const char*> args, Options* o, std::string* err) {
  std::vector<std::string> store{"switchboard-bench"};
  for (const char* a : args) store.emplace_back(a);
  std::vector<char*> argv;
  for (auto& s : store) argv.push_back(s.data());
  return parse_options(static_cast<int>(argv.size()), argv.data(), o, err);
}

std::string error_of(std::initializer_list<const char*> args) {
  Options o;
  std::string err;
  EXPECT_FALSE(parse(args, &o, &err));
  EXPECT_FALSE(err.empty());
  return err;
}

// The workload compared as one value: nodes, pattern, smallest and largest size, window, rate.
auto workload(const Options& o) { return std::tuple(o.nodes, o.pattern, o.size_min, o.size_max, o.window, o.rate); }

}  // namespace

TEST(BenchOptions, Defaults) {
  Options o;
  std::string err;
  ASSERT_TRUE(parse({}, &o, &err)) << err;
  EXPECT_EQ(workload(o), std::tuple(1000u, Pattern::random, 64u, 64u, 64u, 0.0));
  EXPECT_EQ(o.port, 2004);
  EXPECT_EQ(o.procs, 1u);
  EXPECT_FALSE(o.json);
  EXPECT_EQ(effective_senders(o), 1000u);
}

TEST(BenchOptions, EveryFlag) {
  Options o;
  std::string err;
  ASSERT_TRUE(parse({"--nodes", "20000", "--senders", "10", "--pattern", "fanin", "--size", "16-1024", "--window",
                     "1", "--rate", "20000", "--duration", "2.5", "--warmup", "0", "--drain", "1", "--host", "::1",
                     "--port", "4000", "--procs", "2", "--sources", "10", "--json", "--server-pid", "123", "--seed",
                     "9", "--busy-poll"},
                    &o, &err))
      << err;
  EXPECT_EQ(workload(o), std::tuple(20000u, Pattern::fanin, 16u, 1024u, 1u, 20000.0));
  EXPECT_EQ(o.senders, 10u);
  EXPECT_EQ(o.duration_s, 2.5);
  EXPECT_EQ(o.warmup_s, 0);
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 4000);
  EXPECT_EQ(o.procs, 2u);
  EXPECT_TRUE(o.json);
  EXPECT_EQ(o.server_pid, 123);
  EXPECT_EQ(o.seed, 9u);
  EXPECT_TRUE(o.busy_poll);
}

TEST(BenchOptions, NatsDefaultPort) {
  Options o;
  std::string err;
  ASSERT_TRUE(parse({"--proto", "nats"}, &o, &err)) << err;
  EXPECT_EQ(o.proto, Proto::nats);
  EXPECT_EQ(o.port, 4222);
}

TEST(BenchOptions, FaninSinkNeverSends) {
  Options o;
  std::string err;
  ASSERT_TRUE(parse({"--pattern", "fanin", "--nodes", "100", "--procs", "2"}, &o, &err)) << err;
  EXPECT_EQ(effective_senders(o), 98u);  // one sink per worker
}

TEST(BenchOptions, HelpNeedsNoValidWorkload) {
  Options o;
  std::string err;
  ASSERT_TRUE(parse({"--help"}, &o, &err));
  EXPECT_TRUE(o.help);
  EXPECT_NE(usage().find("--pattern"), std::string::npos);
}

TEST(BenchOptions, Errors) {
  EXPECT_NE(error_of({"--bogus"}).find("--bogus"), std::string::npos);
  EXPECT_NE(error_of({"--window"}).find("--window"), std::string::npos);
  EXPECT_NE(error_of({"--nodes", "abc"}).find("--nodes"), std::string::npos);
  EXPECT_NE(error_of({"--nodes", "1"}).find("at least 2"), std::string::npos);
  EXPECT_NE(error_of({"--nodes", "-5"}).find("--nodes"), std::string::npos);
  EXPECT_NE(error_of({"--pattern", "star"}).find("--pattern"), std::string::npos);
  EXPECT_NE(error_of({"--size", "8"}).find("16"), std::string::npos);
  EXPECT_NE(error_of({"--size", "100-50"}).find("--size"), std::string::npos);
  EXPECT_NE(error_of({"--size", "2000000"}).find("max-payload"), std::string::npos);
  EXPECT_NE(error_of({"--window", "0"}).find("--window"), std::string::npos);
  EXPECT_NE(error_of({"--rate", "-1"}).find("--rate"), std::string::npos);
  EXPECT_NE(error_of({"--duration", "0"}).find("--duration"), std::string::npos);
  EXPECT_NE(error_of({"--duration", "nan"}).find("--duration"), std::string::npos);
  EXPECT_NE(error_of({"--port", "70000"}).find("--port"), std::string::npos);
  EXPECT_NE(error_of({"--port", "0"}).find("--port"), std::string::npos);
  EXPECT_NE(error_of({"--proto", "mqtt"}).find("--proto"), std::string::npos);
  EXPECT_NE(error_of({"--senders", "2000"}).find("--senders"), std::string::npos);
  EXPECT_NE(error_of({"--procs", "0"}).find("--procs"), std::string::npos);
  EXPECT_NE(error_of({"stray"}).find("stray"), std::string::npos);
  // Beyond one process's descriptors: the message says how many workers are needed.
  EXPECT_NE(error_of({"--nodes", "40000"}).find("--procs 3"), std::string::npos);
}

TEST(BenchOptions, NumbersFollowTheCommonRules) {
  // common/text/number.h: whole string, plain decimal, no sign, no exponent, no overflow.
  for (const char* flag : {"--duration", "--warmup", "--drain", "--rate"}) {
    for (const char* v : {"5x", "1e3", "+1", " 1", "inf", "nan", ".5", "5."})
      EXPECT_NE(error_of({flag, v}).find(flag), std::string::npos) << flag << " " << v;
  }
  for (const char* v : {"4294967296", "+10", "10k", "0x10"})
    EXPECT_NE(error_of({"--nodes", v}).find("--nodes"), std::string::npos) << v;
  EXPECT_NE(error_of({"--duration", "604801"}).find("--duration"), std::string::npos);
  Options o;
  std::string err;
  ASSERT_TRUE(parse({"--duration", "0.5", "--warmup", "0", "--rate", "1500.5"}, &o, &err)) << err;
  EXPECT_DOUBLE_EQ(o.duration_s, 0.5);
  EXPECT_DOUBLE_EQ(o.rate, 1500.5);
}

TEST(BenchOptions, ParsingTwiceStartsFresh) {
  // getopt keeps global state; a second parse must not continue where the first stopped.
  Options a, b;
  std::string err;
  ASSERT_TRUE(parse({"--nodes", "10"}, &a, &err));
  ASSERT_TRUE(parse({"--nodes", "20"}, &b, &err));
  EXPECT_EQ(b.nodes, 20u);
}

TEST(BenchOptions, ServersListOrTheOneOfHostAndPort) {
  Options o;
  std::string err;
  ASSERT_TRUE(parse({"--servers", "127.0.0.1:2004,[::1]:2005"}, &o, &err)) << err;
  ASSERT_EQ(o.servers.size(), 2u);
  EXPECT_EQ(o.servers[1].host, "::1");
  EXPECT_EQ(o.servers[1].port, 2005);
  ASSERT_TRUE(parse({"--host", "::1", "--proto", "nats"}, &o, &err)) << err;
  ASSERT_EQ(o.servers.size(), 1u);
  EXPECT_EQ(o.servers[0].host, "::1");
  EXPECT_EQ(o.servers[0].port, 4222);
  EXPECT_EQ(error_of({"--servers", "a:1", "--port", "2"}), "--servers cannot be combined with --host or --port");
  EXPECT_EQ(error_of({"--servers", "a"}).rfind("bad value for --servers: ", 0), 0u);
  EXPECT_EQ(error_of({"--servers", "a:1,"}).rfind("bad value for --servers: ", 0), 0u);
}

TEST(BenchOptions, RowPatternsAndTheirSizes) {
  Options o;
  std::string err;
  ASSERT_TRUE(parse({"--pattern", "group", "--nodes", "1000", "--groups", "100"}, &o, &err)) << err;
  EXPECT_EQ(o.pattern, Pattern::group);
  EXPECT_EQ(o.group_size, 10u);
  EXPECT_EQ(copies_per_message(o), 9u);
  ASSERT_TRUE(parse({"--pattern", "anycast", "--nodes", "100"}, &o, &err)) << err;
  EXPECT_EQ(o.group_size, 10u);  // the default row
  EXPECT_EQ(o.groups, 10u);
  EXPECT_EQ(copies_per_message(o), 1u);
  ASSERT_TRUE(parse({"--pattern", "subject", "--nodes", "60", "--group-size", "6", "--procs", "2"}, &o, &err)) << err;
  EXPECT_EQ(o.groups, 10u);
  EXPECT_EQ(copies_per_message(o), 5u);
  EXPECT_STREQ(pattern_name(Pattern::subject), "subject");
  EXPECT_NE(usage().find("--group-size"), std::string::npos);

  EXPECT_NE(error_of({"--pattern", "group", "--nodes", "100", "--group-size", "7"}).find("multiple"), std::string::npos);
  EXPECT_NE(error_of({"--pattern", "group", "--nodes", "100", "--groups", "10", "--group-size", "5"}).find("--groups"),
            std::string::npos);
  EXPECT_NE(error_of({"--pattern", "group", "--nodes", "100", "--group-size", "1"}).find("at least 2"),
            std::string::npos);
  EXPECT_NE(error_of({"--pattern", "subject", "--proto", "nats"}).find("wildcard"), std::string::npos);
  EXPECT_NE(error_of({"--groups", "0"}).find("--groups"), std::string::npos);
}
