// Adversarial integration tests, part 2: misbehaving peers at the protocol level, through the real
// binary over loopback. Slow readers and fast senders at once, random and mutated traffic from
// 100 connections (SWITCHBOARD_FUZZ_SECONDS, default 30; 8 under sanitizers), half-closed
// sockets, an RST in the middle of a payload, and a target that leaves with messages queued.
// After each, STATS must balance: copies = msgs_out + dropped + queued, and for unicast traffic
// msgs_in = msgs_out + dropped + rejected once queued = 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/support/adversary.h"
#include "tests/support/line_client.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

using Stats = std::map<std::string, uint64_t>;

// The balance every STATS reply must satisfy, and the unicast one when nothing is queued.
void expect_balanced(Stats s, uint64_t broadcast_extra_copies = 0) {
  EXPECT_EQ(s["copies"], s["msgs_out"] + s["dropped"] + s["queued"]);
  EXPECT_EQ(s["queued"], 0u);
  EXPECT_EQ(s["msgs_in"] - s["rejected"] + broadcast_extra_copies, s["copies"]);
  if (broadcast_extra_copies == 0) {
    EXPECT_EQ(s["msgs_in"], s["msgs_out"] + s["dropped"] + s["rejected"]);
  }
}

std::string stats_text(Stats s) {
  std::string out;
  for (const char* k : {"msgs_in", "msgs_out", "dropped", "rejected", "copies", "queued", "evicted_idle",
                        "evicted_slow", "blocked", "accepted", "refused", "log_dropped"})
    out += std::string(k) + "=" + std::to_string(s[k]) + " ";
  return out;
}

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

// ---------------------------------------------------------------------------------------------
// Three readers that never read, each flooded by its own sender, while another pair keeps routing.
// With a 64 KiB output bound and a 1 s slow-consumer timeout: the readers are evicted, their
// senders are paused (not buffered without bound) and then refused, the pair is never disturbed,
// memory stays bounded, and every counter balances exactly with what the clients saw.
TEST(Adversarial, SlowReadersAndFastSendersAtOnce) {
  const int kPairs = 3;
  ServerProcess server({"--max-outbuf", "65536", "--slow-consumer-timeout", "1", "--max-payload", "4096"});
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient st(server.port()), x(server.port()), y(server.port());
  ASSERT_EQ(st.hello("st"), "WELCOME st 60");
  ASSERT_EQ(x.hello("x"), "WELCOME x 60");
  ASSERT_EQ(y.hello("y"), "WELCOME y 60");
  std::vector<std::unique_ptr<LineClient>> readers, senders;
  for (int i = 0; i < kPairs; ++i) {
    readers.push_back(std::make_unique<LineClient>(server.port(), /*rcvbuf=*/4096));
    ASSERT_EQ(readers.back()->hello("r" + std::to_string(i)), "WELCOME r" + std::to_string(i) + " 60");
    senders.push_back(std::make_unique<LineClient>(server.port(), 0, /*sndbuf=*/16384));
    ASSERT_EQ(senders.back()->hello("s" + std::to_string(i)), "WELCOME s" + std::to_string(i) + " 60");
  }
  const long base_rss = server.rss_kib();
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
      max_rss = std::max(max_rss, server.rss_kib());
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
  EXPECT_TRUE(server.wait_log_contains("event=evict_slow"));

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
  EXPECT_EQ(server.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// Random and mutated traffic.

struct FuzzConn {
  int fd = -1;
  std::unique_ptr<LineClient> honest;  // honest nodes only
  std::string out;                     // bytes not yet accepted by the socket
  bool reads = true;                   // chaos connections sometimes stop reading
  ServerStream in;                     // honest nodes only
  uint64_t next_seq_from[32] = {};     // honest: next sequence number expected from honest k
};

class Chaos {
 public:
  explicit Chaos(uint64_t seed) : rng_(seed) {}
  uint64_t below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::string bytes(size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng_());
    return s;
  }
  std::string printable(size_t n) {
    std::string s(n, ' ');
    for (char& c : s) c = static_cast<char>(' ' + below(95));
    return s;
  }

  std::string id() {
    switch (below(8)) {
      case 0: return "hon-" + std::to_string(below(20));  // taken by an honest node
      case 1: return std::string(65 + below(10), 'z');   // too long
      case 2: return "bad!id";
      case 3: return "nobody";
      default: return "c" + std::to_string(below(60));
    }
  }

  // One frame, valid or not, before mutation.
  std::string frame() {
    switch (below(12)) {
      case 0: return "HELLO " + id() + (chance(0.2) ? " token" : "") + "\n";
      case 1: case 2: case 3: {
        std::string payload = bytes(below(2000));
        return "SEND " + id() + " " + std::to_string(payload.size()) + "\n" + payload + "\n";
      }
      case 4: return "MSG " + id() + " " + printable(below(200)) + "\n";
      case 5: return chance(0.5) ? "PING\n" : "PING " + printable(1 + below(10)) + "\n";
      case 6: return "WHO\n";
      case 7: return "STATS\n";
      case 8: return chance(0.1) ? "QUIT\n" : "PING q\n";
      case 9: {  // a random verb
        std::string verb;
        for (uint64_t i = 0, n = 1 + below(8); i < n; ++i) verb += static_cast<char>('A' + below(26));
        return verb + (chance(0.5) ? " " + id() + " 5\nhello" : "") + "\n";
      }
      case 10: return bytes(1 + below(300));
      default: return std::string(1025 + below(500), 'A') + "\n";  // line too long
    }
  }

  std::string mutate(std::string f) {
    if (f.empty()) return f;
    switch (below(7)) {
      case 0:  // bit flips
        for (uint64_t i = 0, n = 1 + below(3); i < n; ++i) f[below(f.size())] ^= static_cast<char>(1u << below(8));
        break;
      case 1:  // truncation
        f.resize(below(f.size()));
        break;
      case 2: {  // duplicated length token
        size_t nl = f.find('\n'), sp = f.rfind(' ', nl);
        if (nl != std::string::npos && sp != std::string::npos && sp < nl)
          f.insert(nl, " " + f.substr(sp + 1, nl - sp - 1));
        break;
      }
      case 3: {  // huge or malformed length
        static const char* kLengths[] = {"99999999", "999999999999999999", "1234567890123456789", "0000000000000000001",
                                         "-5", "0x10", ""};
        size_t nl = f.find('\n'), sp = f.rfind(' ', nl);
        if (nl != std::string::npos && sp != std::string::npos && sp < nl)
          f.replace(sp + 1, nl - sp - 1, kLengths[below(7)]);
        break;
      }
      case 4:  // CR games
        f.insert(f.find('\n') == std::string::npos ? f.size() : f.find('\n'), chance(0.5) ? "\r" : "\r\r");
        break;
      case 5:  // random bytes inserted
        f.insert(below(f.size()), bytes(1 + below(20)));
        break;
      default:  // two frames glued, the first cut short
        f = f.substr(0, below(f.size())) + frame();
        break;
    }
    return f;
  }

 private:
  std::mt19937_64 rng_;
};

long env_long(const char* name, long dflt) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtol(v, nullptr, 10) : dflt;
}

// 100 concurrent connections for SWITCHBOARD_FUZZ_SECONDS: 80 chaotic ones sending valid,
// mutated and random frames (bit flips, truncations, duplicated and huge lengths, random verbs,
// random bytes, CR games), stopping reading, closing and resetting at random and reconnecting;
// and 20 honest nodes exchanging numbered unicast messages that must all arrive, once, in order.
// '*' is never sent, so every accepted message is unicast and the counters must balance exactly.
TEST(Adversarial, RandomAndMutatedTrafficFrom100Connections) {
  const int kHonest = 20, kChaos = 80;
  const long seconds = env_long("SWITCHBOARD_FUZZ_SECONDS", kSanitized ? 8 : 30);
  const uint64_t seed = uint64_t(env_long("SWITCHBOARD_FUZZ_SEED", 20260101));
  std::printf("[ fuzz ] %ld s, seed %llu (SWITCHBOARD_FUZZ_SECONDS / SWITCHBOARD_FUZZ_SEED)\n", seconds,
              (unsigned long long)seed);
  ServerProcess server({"--max-payload", "65536", "--max-outbuf", "1048576", "--slow-consumer-timeout", "3",
                        "--handshake-timeout", "2", "--idle-timeout", "5"});
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient st(server.port());
  ASSERT_EQ(st.hello("st"), "WELCOME st 5");
  const int base_fds = count_fds(server.pid());
  const long base_rss = server.rss_kib();

  Chaos chaos(seed);
  std::vector<FuzzConn> conns(kHonest + kChaos);
  std::vector<std::vector<uint64_t>> sent(kHonest, std::vector<uint64_t>(kHonest, 0));
  for (int i = 0; i < kHonest; ++i) {
    conns[size_t(i)].honest = std::make_unique<LineClient>(server.port());
    const std::string id = "hon-" + std::to_string(i);
    ASSERT_EQ(conns[size_t(i)].honest->hello(id), "WELCOME " + id + " 5");
    conns[size_t(i)].fd = conns[size_t(i)].honest->fd();
  }
  std::string honest_failures;
  auto fail = [&](const std::string& what) {
    if (honest_failures.size() < 3000) honest_failures += what + "; ";
  };
  uint64_t chaos_frames = 0, chaos_bytes = 0, reconnects = 0, resets = 0, closes = 0, honest_msgs = 0;
  int source = 2;

  // Reads what is there; honest streams are checked message by message.
  auto read_conn = [&](size_t k) {
    FuzzConn& c = conns[k];
    for (;;) {
      char buf[65536];
      ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        if (!c.honest) continue;
        c.in.feed(buf, size_t(n));
        ServerEvent ev;
        while (c.in.next(&ev)) {
          if (!ev.is_frame) {
            if (ev.text.rfind("PONG", 0) != 0) fail("hon-" + std::to_string(k) + " got '" + escape_bytes(ev.text) + "'");
            continue;
          }
          // Chaos may send anything to anyone, and may register look-alike ids ("hon-1x").
          const int from = ev.text.rfind("hon-", 0) == 0 ? std::atoi(ev.text.c_str() + 4) : -1;
          if (from < 0 || from >= kHonest || ev.text != "hon-" + std::to_string(from)) continue;
          const std::string expect_prefix =
              "h" + std::to_string(from) + ":" + std::to_string(c.next_seq_from[from]) + ":";
          if (ev.payload.rfind(expect_prefix, 0) != 0)
            fail("hon-" + std::to_string(k) + " expected " + expect_prefix + " got " + escape_bytes(ev.payload, 20));
          ++c.next_seq_from[from];
        }
        if (c.in.malformed()) fail("malformed stream to hon-" + std::to_string(k));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      if (c.honest) {
        fail("hon-" + std::to_string(k) + " was disconnected");
        c.fd = -1;  // the LineClient still owns the descriptor
      } else {
        ::close(c.fd);
        c.fd = -1;
      }
      return;
    }
  };
  auto write_conn = [&](size_t k) {
    FuzzConn& c = conns[k];
    if (c.out.empty() || c.fd < 0) return;
    ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.out.erase(0, size_t(n));
    } else if (n < 0 && errno != EAGAIN && errno != EINTR && errno != ENOTCONN) {
      if (c.honest) {
        fail("hon-" + std::to_string(k) + " send failed");
        c.fd = -1;
      } else {
        ::close(c.fd);
        c.fd = -1;
        c.out.clear();
      }
    }
  };
  auto honest_message = [&](size_t k) {
    const size_t to = size_t(chaos.below(kHonest));
    const std::string head = "h" + std::to_string(k) + ":" + std::to_string(sent[k][to]++) + ":";
    if (chaos.chance(0.5)) {
      std::string payload = head + chaos.bytes(chaos.below(3000));
      conns[k].out += LineClient::send_frame("hon-" + std::to_string(to), payload);
    } else {
      std::string text = head + chaos.printable(chaos.below(200));
      conns[k].out += "MSG hon-" + std::to_string(to) + " " + text + "\n";
    }
    ++honest_msgs;
  };

  auto next_keepalive = Clock::now();
  auto keepalive = [&] {  // the observer must outlive the 5 s idle timeout
    if (Clock::now() < next_keepalive) return true;
    next_keepalive = Clock::now() + milliseconds(500);
    return st.request("PING keepalive") == "PONG keepalive";
  };
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  std::vector<pollfd> pfds;
  while (Clock::now() < end) {
    ASSERT_TRUE(keepalive());
    for (size_t k = 0; k < conns.size(); ++k) {
      FuzzConn& c = conns[k];
      if (c.honest) {
        if (c.fd >= 0 && c.out.size() < 65536 && chaos.chance(0.3)) honest_message(k);
        continue;
      }
      if (c.fd < 0) {
        if (chaos.chance(0.05)) {
          c.fd = adversary_detail::start_connect(server.port(), source);
          source = source >= 250 ? 2 : source + 1;
          c.out.clear();
          c.reads = true;
          ++reconnects;
        }
        continue;
      }
      if (chaos.chance(0.002)) {
        adversary_detail::reset_close(c.fd);
        c.fd = -1;
        ++resets;
        continue;
      }
      if (chaos.chance(0.002)) {
        ::close(c.fd);
        c.fd = -1;
        ++closes;
        continue;
      }
      if (chaos.chance(0.01)) c.reads = !c.reads;
      if (c.out.size() < 65536 && chaos.chance(0.3)) {
        std::string f = chaos.frame();
        if (chaos.chance(0.4)) f = chaos.mutate(f);
        std::replace(f.begin(), f.end(), '*', '+');  // never a broadcast: the unicast balance must hold
        c.out += f;
        ++chaos_frames;
        chaos_bytes += f.size();
      }
    }
    pfds.clear();
    for (const FuzzConn& c : conns)
      pfds.push_back(pollfd{c.fd, short((c.reads || c.honest ? POLLIN : 0) | (c.out.empty() ? 0 : POLLOUT)), 0});
    ::poll(pfds.data(), pfds.size(), 2);
    for (size_t k = 0; k < conns.size(); ++k) {
      if (conns[k].fd < 0 || pfds[k].revents == 0) continue;
      if (pfds[k].revents & (POLLIN | POLLHUP | POLLERR)) read_conn(k);
      if (conns[k].fd >= 0 && (pfds[k].revents & POLLOUT)) write_conn(k);
    }
    ASSERT_TRUE(server.alive()) << "server died; stderr: " << server.stderr_text();
  }

  // Chaos leaves (half by FIN, half by RST); honest nodes flush and must receive everything.
  for (size_t k = kHonest; k < conns.size(); ++k) {
    if (conns[k].fd < 0) continue;
    if (k % 2) {
      adversary_detail::reset_close(conns[k].fd);
    } else {
      ::close(conns[k].fd);
    }
    conns[k].fd = -1;
  }
  auto all_delivered = [&] {
    for (size_t to = 0; to < size_t(kHonest); ++to)
      for (size_t from = 0; from < size_t(kHonest); ++from)
        if (conns[to].next_seq_from[from] != sent[from][to]) return false;
    return true;
  };
  const auto drain_deadline = Clock::now() + milliseconds(30000);
  while (Clock::now() < drain_deadline && !(all_delivered() && std::all_of(conns.begin(), conns.begin() + kHonest,
                                                                           [](const FuzzConn& c) { return c.out.empty(); }))) {
    pfds.clear();
    for (int k = 0; k < kHonest; ++k)
      pfds.push_back(pollfd{conns[size_t(k)].fd, short(POLLIN | (conns[size_t(k)].out.empty() ? 0 : POLLOUT)), 0});
    ::poll(pfds.data(), pfds.size(), 10);
    ASSERT_TRUE(keepalive());
    for (size_t k = 0; k < size_t(kHonest); ++k) {
      if (conns[k].fd < 0) continue;
      read_conn(k);
      write_conn(k);
    }
  }
  EXPECT_TRUE(all_delivered()) << "honest messages lost";
  EXPECT_EQ(honest_failures, "");

  Stats s;
  EXPECT_TRUE(wait_until([&] {
    s = stats_of(st);
    return s["queued"] == 0 && s["connections"] == uint64_t(kHonest + 1);
  }, milliseconds(30000))) << stats_text(s);
  expect_balanced(s);
  EXPECT_GE(s["msgs_in"] - s["rejected"], honest_msgs);
  for (auto& c : conns) c.honest.reset();
  EXPECT_TRUE(wait_until([&] { return count_fds(server.pid()) == base_fds; }, milliseconds(30000)))
      << count_fds(server.pid()) << " descriptors, " << base_fds << " before";
  ASSERT_TRUE(server.alive());
  EXPECT_EQ(st.request("PING after-fuzz"), "PONG after-fuzz");
  EXPECT_TRUE(wait_until([&] { return stats_of(st)["connections"] == 1; }));
  std::printf("[ fuzz ] chaos frames %llu (%llu bytes), reconnects %llu, resets %llu, closes %llu; honest messages "
              "%llu; fds %d before and after; VmRSS %ld KiB before, %ld after; %s\n",
              (unsigned long long)chaos_frames, (unsigned long long)chaos_bytes, (unsigned long long)reconnects,
              (unsigned long long)resets, (unsigned long long)closes, (unsigned long long)honest_msgs, base_fds,
              base_rss, server.rss_kib(), stats_text(s).c_str());
  EXPECT_EQ(server.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// Half-closed sockets, RST mid-payload, and a target leaving with messages queued.

// A SEND followed at once by shutdown(SHUT_WR): the message is delivered and the sender still
// receives the replies to everything it sent before its FIN, then the end of the stream.
TEST(Adversarial, HalfClosedSenderIsDeliveredAndStillGetsItsReplies) {
  ServerProcess server;
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient a(server.port()), b(server.port());
  ASSERT_EQ(a.hello("a"), "WELCOME a 60");
  ASSERT_EQ(b.hello("b"), "WELCOME b 60");
  const int base_fds = count_fds(server.pid());
  ASSERT_TRUE(a.send_all(LineClient::send_frame("b", "sent, then half-closed") + "PING after-send\nWHO\n"));
  a.shutdown_write();
  FromFrame f = b.read_frame();
  ASSERT_TRUE(f.ok()) << f;
  EXPECT_EQ(f.source, "a");
  EXPECT_EQ(f.payload, "sent, then half-closed");
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
  EXPECT_TRUE(wait_until([&] { return count_fds(server.pid()) == base_fds - 1; }));
  EXPECT_EQ(server.stop(), 0);
}

// An RST in the middle of a SEND payload: nothing reaches the target (no torn frame), the
// connection is gone, its id is free again, and no counter moves for the incomplete message.
TEST(Adversarial, ResetInTheMiddleOfAPayloadDeliversNothing) {
  ServerProcess server;
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient b(server.port());
  ASSERT_EQ(b.hello("b"), "WELCOME b 60");
  const int base_fds = count_fds(server.pid());
  {
    LineClient a(server.port());
    ASSERT_EQ(a.hello("a"), "WELCOME a 60");
    ASSERT_TRUE(a.send_all("SEND b 100\n" + std::string(50, 'p')));
    EXPECT_EQ(b.request("PING sync"), "PONG sync");  // the half payload had time to arrive
    a.reset();
  }
  EXPECT_TRUE(server.wait_log_contains("event=disconnect node=a"));
  EXPECT_EQ(b.request("PING b"), "PONG b");  // and no FROM before it
  EXPECT_EQ(b.buffered(), 0u);
  EXPECT_TRUE(wait_until([&] {
    LineClient again(server.port());
    return again.hello("a") == "WELCOME a 60";
  }));
  auto s = stats_of(b);
  expect_balanced(s);
  EXPECT_EQ(s["msgs_in"], 0u);
  EXPECT_EQ(s["copies"], 0u);
  EXPECT_TRUE(wait_until([&] { return count_fds(server.pid()) == base_fds; }));
  EXPECT_EQ(server.stop(), 0);
}

// A target that never reads disconnects while its queue is full: every message queued for it is
// counted in `dropped`, logged (event=dropped_on_close messages=N), and its paused sender resumes
// to ERR no-such-node. A broadcast at the start checks the copies balance with more copies than
// messages.
TEST(Adversarial, TargetLeavingWithQueuedMessagesCountsThemDropped) {
  ServerProcess server({"--max-outbuf", "65536", "--slow-consumer-timeout", "600"});
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient st(server.port());
  ASSERT_EQ(st.hello("st"), "WELCOME st 60");
  auto t = std::make_unique<LineClient>(server.port(), /*rcvbuf=*/4096);
  ASSERT_EQ(t->hello("t"), "WELCOME t 60");
  LineClient s(server.port(), 0, /*sndbuf=*/16384);
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
  ASSERT_TRUE(server.wait_log_contains("event=dropped_on_close node=t"));
  std::string log = server.log();
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
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace sb::test
