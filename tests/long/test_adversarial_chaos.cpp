// Long run (make test-long): random and mutated traffic from 100 connections against the real
// binary over loopback for SWITCHBOARD_FUZZ_SECONDS (default 30; 8 under sanitizers), with the
// seed in SWITCHBOARD_FUZZ_SEED. Honest nodes' messages must all arrive, once, in order, and the
// STATS counters must balance exactly afterwards.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/support/adversary.h"
#include "tests/support/line_client.h"
#include "tests/support/process_probes.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

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
  std::string keepalive_reply;  // what the observer got instead of its PONG, for the failure message
  auto keepalive = [&] {  // the observer must outlive the 5 s idle timeout
    if (Clock::now() < next_keepalive) return true;
    next_keepalive = Clock::now() + milliseconds(500);
    keepalive_reply = st.request("PING keepalive");
    return keepalive_reply == "PONG keepalive";
  };
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  std::vector<pollfd> pfds;
  while (Clock::now() < end) {
    ASSERT_TRUE(keepalive()) << "the observer got '" << escape_bytes(keepalive_reply) << "'";
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
    ASSERT_TRUE(keepalive()) << "the observer got '" << escape_bytes(keepalive_reply) << "'";
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

}  // namespace
}  // namespace sb::test
