// Adversarial integration tests, part 2: misbehaving peers at the protocol level, through the real
// binary over loopback. Slow readers and fast senders at once, half-closed sockets, an RST in the
// middle of a payload, and a target that leaves with messages queued (random and mutated traffic
// from 100 connections is the long run in tests/long/test_adversarial_chaos.cpp). After each,
// STATS must balance (expect_balanced in tests/support/line_client.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/adversary.h"
#include "tests/support/line_client.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

// Payload of message i: its number, padded to 1000 bytes.
std::string numbered(int i) {
  std::string p = std::to_string(i) + ":";
  p.resize(1000, static_cast<char>('a' + i % 26));
  return p;
}

// Sends `out` while reading every reply, until `last` arrives; replies equal to `counted` are
// counted in *count, any other reply is appended to *unexpected. False on timeout.
bool send_and_drain(LineClient& c, std::string out, const std::string& last, const std::string& counted,
                    uint64_t* count, std::string* unexpected, milliseconds timeout = milliseconds(30000)) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (!out.empty()) {
      ssize_t n = c.send_some(out);
      if (n < 0) return false;
      out.erase(0, size_t(n));
    }
    std::string reply = c.read_line(milliseconds(out.empty() ? 50 : 0));
    if (reply == kTimeout) continue;
    if (reply == kEof) return false;
    if (reply == last && out.empty()) return true;
    if (reply == counted) {
      ++*count;
    } else if (unexpected->size() < 2000) {
      *unexpected += "'" + escape_bytes(reply) + "' ";
    }
  }
  return false;
}

// A fresh server per test: the default flags, or a 64 KiB output bound whose slow-consumer timeout
// evicts (1 s) or is out of reach (600 s).
using Adversarial = ServerTest;
constexpr const char* kEvicting[] = {"--max-outbuf", "65536", "--slow-consumer-timeout", "1", "--max-payload", "4096"};
using AdversarialEvicting = ServerTestWith<kEvicting>;
constexpr const char* kPaused[] = {"--max-outbuf", "65536", "--slow-consumer-timeout", "600"};
using AdversarialPaused = ServerTestWith<kPaused>;

// ---------------------------------------------------------------------------------------------
// Three readers that never read, each flooded by its own sender, while another pair keeps routing.
// With a 64 KiB output bound and a 1 s slow-consumer timeout: the readers are evicted, their
// senders are paused (not buffered without bound) and then refused, the pair is never disturbed,
// memory stays bounded, and every counter balances exactly with what the clients saw.
TEST_F(AdversarialEvicting, SlowReadersAndFastSendersAtOnce) {
  const int kPairs = 3;
  LineClient& st = join("st");
  LineClient& x = join("x");
  LineClient& y = join("y");
  std::vector<std::unique_ptr<LineClient>> readers, senders;
  for (int i = 0; i < kPairs; ++i) {
    readers.push_back(std::make_unique<LineClient>(port(), /*rcvbuf=*/4096));
    ASSERT_EQ(readers.back()->hello("r" + std::to_string(i)), "WELCOME r" + std::to_string(i) + " 60");
    senders.push_back(std::make_unique<LineClient>(port(), 0, /*sndbuf=*/16384));
    ASSERT_EQ(senders.back()->hello("s" + std::to_string(i)), "WELCOME s" + std::to_string(i) + " 60");
  }
  const long base_rss = server().rss_kib();
  long max_rss = base_rss;

  std::vector<std::string> pending(kPairs);
  std::vector<int> started(kPairs, 0);
  std::vector<uint64_t> refused(kPairs, 0);
  std::string unexpected;
  uint64_t pair_msgs = 0;
  const auto deadline = Clock::now() + milliseconds(30000);
  std::optional<Clock::time_point> all_evicted;
  for (int iter = 0; Clock::now() < deadline; ++iter) {
    for (int i = 0; i < kPairs; ++i) {
      LineClient& s = *senders[size_t(i)];
      for (size_t budget = 256 * 1024; budget > 0;) {
        if (pending[size_t(i)].empty())
          pending[size_t(i)] = LineClient::send_frame("r" + std::to_string(i), numbered(started[size_t(i)]++));
        ssize_t n = s.send_some(pending[size_t(i)]);
        ASSERT_GE(n, 0) << "sender " << i << " lost its connection";
        if (n == 0) break;  // paused by the server (or the kernel buffer is full for now)
        pending[size_t(i)].erase(0, size_t(n));
        budget -= std::min(budget, size_t(n));
      }
      for (std::string line; (line = s.read_line(milliseconds(0))) != kTimeout;) {
        if (line == "ERR no-such-node r" + std::to_string(i)) {
          ++refused[size_t(i)];
        } else if (unexpected.size() < 2000) {
          unexpected += "s" + std::to_string(i) + ":'" + escape_bytes(line) + "' ";
        }
      }
    }
    // The unrelated pair: one round trip per iteration, never disturbed.
    ASSERT_TRUE(x.send_line("MSG y x-" + std::to_string(iter)));
    FromFrame f = y.read_frame();
    ASSERT_TRUE(f.ok() && f.payload == "x-" + std::to_string(iter)) << f;
    ASSERT_TRUE(y.send_line("MSG x y-" + std::to_string(iter)));
    FromFrame g = x.read_frame();
    ASSERT_TRUE(g.ok() && g.payload == "y-" + std::to_string(iter)) << g;
    pair_msgs += 2;
    if (iter % 10 == 0) {
      max_rss = std::max(max_rss, server().rss_kib());
      if (!all_evicted && stats_of(st)["evicted_slow"] == uint64_t(kPairs)) all_evicted = Clock::now();
    }
    if (all_evicted && Clock::now() - *all_evicted > milliseconds(500)) break;
  }
  ASSERT_TRUE(all_evicted.has_value()) << "readers not evicted: " << stats_text(stats_of(st));

  // Senders finish their last frame and see every refusal up to a final PONG.
  uint64_t sent_total = 0, refused_total = 0;
  for (int i = 0; i < kPairs; ++i) {
    ASSERT_TRUE(send_and_drain(*senders[size_t(i)], pending[size_t(i)] + "PING end\n", "PONG end",
                               "ERR no-such-node r" + std::to_string(i), &refused[size_t(i)], &unexpected))
        << "sender " << i;
    sent_total += uint64_t(started[size_t(i)]);
    refused_total += refused[size_t(i)];
    EXPECT_GT(refused[size_t(i)], 0u) << "sender " << i << " resumed against its evicted reader";
  }
  EXPECT_EQ(unexpected, "");

  // Each reader gets, in order, what was written to it before the eviction, then ERR slow-consumer
  // (unless the drain gave up on it after 2 s without progress: then a cut frame may end it).
  uint64_t read_total = 0;
  for (int i = 0; i < kPairs; ++i) {
    std::string all;
    ASSERT_TRUE(readers[size_t(i)]->read_until_eof(&all, milliseconds(20000))) << "reader " << i;
    ServerStream stream;
    stream.feed(all.data(), all.size());
    ServerEvent ev;
    int frames = 0;
    bool err_seen = false;
    while (stream.next(&ev)) {
      if (ev.is_frame) {
        EXPECT_FALSE(err_seen) << "frame after ERR on reader " << i;
        EXPECT_EQ(ev.text, "s" + std::to_string(i));
        ASSERT_EQ(ev.payload, numbered(frames)) << "reader " << i << " message " << frames;
        ++frames;
      } else {
        EXPECT_EQ(ev.text, "ERR slow-consumer") << "reader " << i;
        err_seen = true;
      }
    }
    EXPECT_FALSE(stream.malformed()) << "reader " << i;
    EXPECT_TRUE(err_seen || stream.leftover() > 0) << "reader " << i << " ended without ERR slow-consumer";
    EXPECT_GT(frames, 0);
    read_total += uint64_t(frames);
  }
  EXPECT_TRUE(server().wait_log_contains("event=evict_slow"));

  Stats s;
  EXPECT_TRUE(wait_until([&] {
    s = stats_of(st);
    return s["queued"] == 0 && s["connections"] == uint64_t(3 + kPairs);
  })) << stats_text(s);
  expect_balanced(s);
  EXPECT_EQ(s["evicted_slow"], uint64_t(kPairs));
  EXPECT_EQ(s["rejected"], refused_total);
  EXPECT_EQ(s["msgs_in"] - s["rejected"], sent_total - refused_total + pair_msgs);
  EXPECT_EQ(s["msgs_out"], read_total + pair_msgs);  // every message written was read, once
  EXPECT_GT(s["dropped"], 0u);
  EXPECT_GE(s["blocked"], uint64_t(kPairs));
  // Documented bound: connections x (max-outbuf + max-payload + 64 KiB + 0.5 KiB) = 9 x 132.5 KiB,
  // about 1.2 MiB, over the idle server; 8 MiB leaves room for allocator slack (ASan: quarantine).
  const long margin = kSanitized ? 64 * 1024 : 8 * 1024;
  EXPECT_LT(max_rss - base_rss, margin);
  std::printf("[ slow-readers ] VmRSS %ld KiB idle, %ld max; senders sent %llu frames, %llu refused; readers read "
              "%llu; %s\n",
              base_rss, max_rss, (unsigned long long)sent_total, (unsigned long long)refused_total,
              (unsigned long long)read_total, stats_text(s).c_str());
  EXPECT_EQ(x.request("PING x"), "PONG x");
}

// ---------------------------------------------------------------------------------------------
// Half-closed sockets, RST mid-payload, and a target leaving with messages queued.

// A SEND followed at once by shutdown(SHUT_WR): the message is delivered and the sender still
// receives the replies to everything it sent before its FIN, then the end of the stream.
TEST_F(Adversarial, HalfClosedSenderIsDeliveredAndStillGetsItsReplies) {
  LineClient& a = join("a");
  LineClient& b = join("b");
  const int base_fds = count_fds(server().pid());
  ASSERT_TRUE(a.send_all(LineClient::send_frame("b", "sent, then half-closed") + "PING after-send\nWHO\n"));
  a.shutdown_write();
  ASSERT_TRUE(next_frame_is(b, "a", "sent, then half-closed"));
  EXPECT_EQ(a.read_line(), "PONG after-send");
  std::string who = a.read_line();
  EXPECT_EQ(who.rfind("NODES 2 ", 0), 0u) << who;
  EXPECT_TRUE(a.expect_eof());
  // Its FIN unregistered it: a message for it now is refused.
  EXPECT_TRUE(wait_until([&] { return b.request("WHO") == "NODES 1 b"; }));
  EXPECT_EQ(b.request("MSG a too-late"), "ERR no-such-node a");
  auto s = stats_of(b);
  expect_balanced(s);
  EXPECT_EQ(s["msgs_in"], 2u);
  EXPECT_EQ(s["msgs_out"], 1u);
  EXPECT_EQ(s["rejected"], 1u);
  a.close();
  EXPECT_TRUE(wait_until([&] { return count_fds(server().pid()) == base_fds - 1; }));
}

// An RST in the middle of a SEND payload: nothing reaches the target (no torn frame), the
// connection is gone, its id is free again, and no counter moves for the incomplete message.
TEST_F(Adversarial, ResetInTheMiddleOfAPayloadDeliversNothing) {
  LineClient& b = join("b");
  const int base_fds = count_fds(server().pid());
  {
    LineClient a(port());
    ASSERT_EQ(a.hello("a"), "WELCOME a 60");
    ASSERT_TRUE(a.send_all("SEND b 100\n" + std::string(50, 'p')));
    EXPECT_EQ(b.request("PING sync"), "PONG sync");  // the half payload had time to arrive
    a.reset();
  }
  EXPECT_TRUE(server().wait_log_contains("event=disconnect node=a"));
  EXPECT_EQ(b.request("PING b"), "PONG b");  // and no FROM before it
  EXPECT_EQ(b.buffered(), 0u);
  EXPECT_TRUE(wait_until([&] {
    LineClient again(port());
    return again.hello("a") == "WELCOME a 60";
  }));
  auto s = stats_of(b);
  expect_balanced(s);
  EXPECT_EQ(s["msgs_in"], 0u);
  EXPECT_EQ(s["copies"], 0u);
  EXPECT_TRUE(wait_until([&] { return count_fds(server().pid()) == base_fds; }));
}

// A target that never reads disconnects while its queue is full: every message queued for it is
// counted in `dropped`, logged (event=dropped_on_close messages=N), and its paused sender resumes
// to ERR no-such-node. A broadcast at the start checks the copies balance with more copies than
// messages.
TEST_F(AdversarialPaused, TargetLeavingWithQueuedMessagesCountsThemDropped) {
  LineClient& st = join("st");
  auto t = std::make_unique<LineClient>(port(), /*rcvbuf=*/4096);
  ASSERT_EQ(t->hello("t"), "WELCOME t 60");
  LineClient s(port(), 0, /*sndbuf=*/16384);
  ASSERT_EQ(s.hello("s"), "WELCOME s 60");
  ASSERT_TRUE(st.send_line("MSG * to-everyone"));  // two copies: s reads its one, t never will
  FromFrame hello_all = s.read_frame();
  ASSERT_TRUE(hello_all.ok() && hello_all.payload == "to-everyone") << hello_all;

  // s floods t until the server pauses s.
  std::string pending;
  int started = 0;
  for (;;) {
    if (pending.empty()) pending = LineClient::send_frame("t", numbered(started++));
    ssize_t n = s.send_some(pending);
    ASSERT_GE(n, 0);
    if (n > 0) {
      pending.erase(0, size_t(n));
      continue;
    }
    if (!s.wait_writable(milliseconds(300))) break;  // stalled: the server stopped reading s
    ASSERT_LT(started, 200000) << "the sender was never paused";
  }
  Stats before = stats_of(st);
  ASSERT_GT(before["queued"], 0u) << stats_text(before);
  EXPECT_GE(before["blocked"], 1u);

  t->reset();  // leaves with its queue full (and its own receive buffer unread)
  t.reset();
  ASSERT_TRUE(server().wait_log_contains("event=dropped_on_close node=t"));
  std::string log = server().log();
  size_t at = log.find("event=dropped_on_close node=t");
  size_t m = log.find("messages=", at);
  ASSERT_NE(m, std::string::npos) << log.substr(at, 200);
  const uint64_t logged = std::strtoull(log.c_str() + m + 9, nullptr, 10);

  uint64_t refused = 0;
  std::string unexpected;
  ASSERT_TRUE(send_and_drain(s, pending + "PING s\n", "PONG s", "ERR no-such-node t", &refused, &unexpected));
  EXPECT_EQ(unexpected, "");
  EXPECT_GE(refused, 1u);  // at least the retried frame that s was paused on

  Stats after;
  EXPECT_TRUE(wait_until([&] {
    after = stats_of(st);
    return after["queued"] == 0;
  })) << stats_text(after);
  expect_balanced(after, /*broadcast_extra_copies=*/1);
  EXPECT_EQ(after["dropped"], before["queued"]);  // exactly what was waiting when t left
  EXPECT_EQ(after["dropped"], logged);
  EXPECT_EQ(after["rejected"], refused);
  EXPECT_EQ(after["msgs_in"] - after["rejected"], uint64_t(started) - refused + 1);
  std::printf("[ dropped ] %d frames sent, %llu queued when the target left, logged messages=%llu, %llu refused "
              "after; %s\n",
              started, (unsigned long long)before["queued"], (unsigned long long)logged,
              (unsigned long long)refused, stats_text(after).c_str());
}

}  // namespace
}  // namespace sb::test
