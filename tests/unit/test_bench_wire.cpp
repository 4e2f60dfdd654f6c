// The bench's wire pieces: payload stamps, target patterns and partitions, the NATS subjects, the
// switchboard adapter over the shared parser, /proc status parsing and the JSON report.
#include <gtest/gtest.h>

#include <unistd.h>

#include <set>
#include <string>

#include "bench/nats_codec.h"
#include "bench/pattern.h"
#include "bench/report.h"
#include "bench/server_probe.h"
#include "bench/stamp.h"
#include "bench/wire.h"

using namespace sb::bench;

TEST(BenchStamp, RoundTripAndFiller) {
  char buf[100];
  write_payload(buf, sizeof buf, Stamp{0x0123456789abcdefull, 19999, 4000000000u});
  Stamp s;
  ASSERT_TRUE(read_stamp({buf, sizeof buf}, &s));
  EXPECT_EQ(s.sent_ns, 0x0123456789abcdefull);
  EXPECT_EQ(s.sender, 19999u);
  EXPECT_EQ(s.seq, 4000000000u);
  for (size_t i = kStampSize; i < sizeof buf; ++i) EXPECT_NE(buf[i], '\n');
  EXPECT_FALSE(read_stamp({buf, kStampSize - 1}, &s));
}

TEST(BenchPattern, TargetsStayInPartitionAndAvoidSelf) {
  for (Pattern p : {Pattern::random, Pattern::ring, Pattern::pairs, Pattern::fanin}) {
    for (uint32_t n : {2u, 3u, 7u, 100u}) {
      TargetPicker picker(p, n, 42);
      for (uint32_t s = (p == Pattern::fanin ? 1 : 0); s < n; ++s)
        for (int k = 0; k < 50; ++k) {
          uint32_t t = picker.pick(s);
          ASSERT_LT(t, n) << pattern_name(p);
          ASSERT_NE(t, s) << pattern_name(p) << " n=" << n;
        }
    }
  }
  TargetPicker b(Pattern::broadcast, 10, 1);
  EXPECT_EQ(b.pick(3), TargetPicker::kAll);
}

TEST(BenchPattern, ShapesOfTheDeterministicPatterns) {
  TargetPicker ring(Pattern::ring, 5, 1), pairs(Pattern::pairs, 5, 1);
  EXPECT_EQ(ring.pick(0), 1u);
  EXPECT_EQ(ring.pick(4), 0u);
  EXPECT_EQ(pairs.pick(0), 1u);
  EXPECT_EQ(pairs.pick(1), 0u);
  EXPECT_EQ(pairs.pick(4), 3u);  // odd count: the last node talks to its left neighbour
}

TEST(BenchPattern, RandomCoversEveryOtherNode) {
  TargetPicker picker(Pattern::random, 10, 7);
  std::set<uint32_t> seen;
  for (int k = 0; k < 2000; ++k) seen.insert(picker.pick(4));
  EXPECT_EQ(seen.size(), 9u);
  EXPECT_EQ(seen.count(4), 0u);
  for (int k = 0; k < 1000; ++k) {
    uint32_t v = picker.uniform(16, 20);
    ASSERT_GE(v, 16u);
    ASSERT_LE(v, 20u);
  }
}

TEST(BenchPattern, PartitionsTileNodesAndSenders) {
  Options o;
  o.nodes = 1003;
  o.procs = 3;
  o.senders = 500;
  uint32_t next = 0, senders = 0;
  for (uint32_t w = 0; w < 3; ++w) {
    Partition p = partition_for(o, w);
    EXPECT_EQ(p.lo, next);
    EXPECT_GE(p.first_sender, p.lo);
    EXPECT_LE(p.first_sender + p.senders, p.hi);
    next = p.hi;
    senders += p.senders;
  }
  EXPECT_EQ(next, 1003u);
  EXPECT_EQ(senders, 500u);
  o.pattern = Pattern::fanin;
  o.senders = 0;
  Partition p = partition_for(o, 1);
  EXPECT_EQ(p.first_sender, p.lo + 1);  // the sink
  EXPECT_EQ(p.senders, p.size() - 1);
}

TEST(BenchNats, HandshakeAndPublish) {
  EXPECT_EQ(nats_hello("b1-7", false),
            "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB node.b1-7 1\r\nPING\r\n");
  EXPECT_NE(nats_hello("b1-7", true).find("SUB node.all 2\r\n"), std::string::npos);
  EXPECT_NE(nats_hello("b1-7", true).find("\"echo\":false"), std::string::npos);
  EXPECT_EQ(nats_pub_prefix("b1-9"), "PUB node.b1-9 ");
  EXPECT_EQ(nats_pub_prefix("*"), "PUB node.all ");
}

TEST(BenchWire, SwitchboardEvents) {
  WireParser p;
  std::string in = "WELCOME b1-0 60\nFROM b1-3 5\nab\ncd\nERR no-such-node b1-9\nPONG\nERR id-taken b1-0\n";
  std::vector<WireEvent::Kind> kinds;
  std::vector<std::string> texts;
  std::string_view rest = in;
  for (;;) {
    WireEvent ev = wire_next(Proto::switchboard, p, rest);
    rest.remove_prefix(ev.consumed);
    if (ev.kind == WireEvent::Kind::need_more) break;
    kinds.push_back(ev.kind);
    texts.push_back(std::string(ev.kind == WireEvent::Kind::message ? ev.payload : ev.text));
    if (ev.kind == WireEvent::Kind::server_error) {
      EXPECT_EQ(ev.fatal, texts.back().starts_with("id-taken"));
    }
  }
  using K = WireEvent::Kind;
  EXPECT_EQ(kinds, (std::vector<K>{K::registered, K::message, K::server_error, K::ignore, K::server_error}));
  EXPECT_EQ(texts[1], "ab\ncd");
  EXPECT_EQ(texts[2], "no-such-node b1-9");
  EXPECT_EQ(wire_hello(Proto::switchboard, "b1-0", false), "HELLO b1-0\n");
  EXPECT_EQ(wire_send_prefix(Proto::switchboard, "*"), "SEND * ");
}

TEST(BenchServerMemory, ParsesProcStatus) {
  auto m = parse_proc_status("Name:\tswitchboard\nVmHWM:\t   20480 kB\nVmRSS:\t    8192 kB\nThreads:\t1\n");
  EXPECT_EQ(m.rss_kb, 8192);
  EXPECT_EQ(m.hwm_kb, 20480);
  EXPECT_EQ(parse_proc_status("Name:\tx\n").rss_kb, -1);
  EXPECT_EQ(read_server_memory(0).rss_kb, -1);
}

TEST(BenchReport, JsonHasTheAgreedKeys) {
  Options o;
  WorkerResult r;
  r.senders = 1000;
  r.sent = r.expected = r.received = 1000;
  r.measured_delivered = 500;
  r.measured_ns = 1'000'000'000;
  r.latency.record(20'000);
  RunInfo info;
  info.base.rss_kb = 1000;
  info.idle.rss_kb = 3000;
  Summary s = summarize(o, r, info);
  EXPECT_DOUBLE_EQ(s.msgs_per_s, 500);
  EXPECT_DOUBLE_EQ(s.rss_per_node_bytes, 2000.0 * 1024 / 1000);
  std::string j = format_json(o, r, info, s);
  for (const char* k : {"\"nodes\":1000", "\"size\":64", "\"window\":64", "\"rate\":0", "\"sent\":1000",
                        "\"delivered\":1000", "\"lost\":0", "\"reordered\":0", "\"msgs_per_s\":500", "\"MB_per_s\":",
                        "\"p50_us\":20.", "\"p90_us\":", "\"p99_us\":", "\"p999_us\":", "\"max_us\":20.000",
                        "\"connect_s\":", "\"server_rss_kb\":", "\"ok\":true"})
    EXPECT_NE(j.find(k), std::string::npos) << k << " in " << j;
  EXPECT_EQ(j.front(), '{');
  EXPECT_EQ(j.substr(j.size() - 2), "}\n");
  EXPECT_TRUE(problems(r).empty());
  r.received = 990;
  EXPECT_EQ(problems(r).size(), 1u);
  EXPECT_NE(problems(r)[0].find("LOST 10"), std::string::npos);
  EXPECT_NE(format_json(o, r, info, summarize(o, r, info)).find("\"ok\":false"), std::string::npos);
}

TEST(BenchServerProbe, ParsesProcStatCpu) {
  // utime 150 and stime 50 ticks at 100 Hz = 2 s; the command name holds a space and a ')'.
  std::string stat = "1234 (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 1 0 5 1000 200";
  EXPECT_DOUBLE_EQ(parse_proc_stat_cpu_s(stat, 100), 2.0);
  EXPECT_EQ(parse_proc_stat_cpu_s("garbage", 100), -1);
  EXPECT_EQ(parse_proc_stat_cpu_s("1 (x) S 1 2", 100), -1);
  EXPECT_GE(read_process_cpu_s(getpid()), 0);
  EXPECT_GE(own_cpu_s(), 0);
}
