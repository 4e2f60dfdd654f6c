// switchboard-relay-floor: the latency floor of this machine for the bench's latency workload.
// A relay process (core 0) forwards whatever arrives on loopback connection i to connection i+1
// with no parsing and no queueing; a driver process (core 1) sends 64-byte messages round-robin
// over the connections at a fixed rate, polling without sleeping, and stamps each with its
// intended send time. Same hops as bench -> switchboard -> bench in the ring workload, minus
// everything a router does, so its percentiles bound what any server can reach here.
//
//   switchboard-relay-floor [--mode latency] [--conns N] [--rate R] [--duration S] [--warmup S]
// Prints one line: conns, rate, and latency percentiles in microseconds.
// `--mode random` is the throughput floor for many connections instead (random_floor.h).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench/floor/floor_util.h"
#include "bench/floor/random_floor.h"
#include "bench/options.h"
#include "bench/stamp.h"
#include "common/net/socket.h"
#include "common/timing/clock.h"
#include "common/stats/latency_histogram.h"
#include "common/text/number.h"

namespace {

constexpr size_t kMessage = 64;
constexpr uint64_t kDrainNs = 10'000'000'000ull;  // after the last send, wait this long at most

struct Args {
  int conns = 1000;
  double rate = 20000;
  double duration = 4;
  double warmup = 1;
};

bool parse_args(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return false;
    const std::string_view value = argv[++i];
    uint32_t n = 0;
    double v = 0;
    using sb::bench::kMaxRate, sb::bench::kMaxSeconds;
    if (flag == "--conns" && sb::text::parse_uint<uint32_t>(value, 2, 9000, &n)) a->conns = static_cast<int>(n);
    else if (flag == "--rate" && sb::text::parse_decimal(value, 0, kMaxRate, &v) && v > 0) a->rate = v;
    else if (flag == "--duration" && sb::text::parse_seconds(value, 0, kMaxSeconds, &v) && v > 0) a->duration = v;
    else if (flag == "--warmup" && sb::text::parse_seconds(value, 0, kMaxSeconds, &v)) a->warmup = v;
    else return false;
  }
  return true;
}

using sb::floor::pin_to;

// Takes `--mode M` out of argv (anywhere among the flag pairs): "latency" (the default),
// "random", or "" for a mode this tool does not have.
std::string_view take_mode(int* argc, char** argv) {
  for (int i = 1; i + 1 < *argc; i += 2) {
    if (std::string_view(argv[i]) != "--mode") continue;
    const std::string_view mode = argv[i + 1];
    for (int j = i; j + 2 <= *argc; ++j) argv[j] = argv[j + 2];
    *argc -= 2;
    return mode == "latency" || mode == "random" ? mode : "";
  }
  return "latency";
}

int add_all(const std::vector<int>& fds) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  for (size_t i = 0; i < fds.size(); ++i) {
    sb::net::set_nonblocking(fds[i]);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  return ep;
}

// The relay: sleeps in epoll_wait like a server, forwards each read to the next connection.
[[noreturn]] void relay(const std::vector<int>& fds) {
  pin_to(0);
  int ep = add_all(fds);
  std::vector<epoll_event> events(fds.size());
  std::vector<char> buf(64 * 1024);
  std::vector<bool> done(fds.size());
  size_t open = fds.size();
  while (open > 0) {
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
    for (int k = 0; k < n; ++k) {
      const size_t i = events[k].data.u64;
      for (;;) {
        ssize_t r = read(fds[i], buf.data(), buf.size());
        // The driver hanging up ends a connection: EOF, or a reset if we forwarded to it after
        // it closed. Each counts once.
        if ((r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) && !done[i]) {
          done[i] = true;
          --open;
        }
        if (r <= 0) break;
        // Loopback with a ~20 KiB/s trickle per connection: the socket always takes it whole.
        ssize_t w = send(fds[(i + 1) % fds.size()], buf.data(), static_cast<size_t>(r), MSG_NOSIGNAL);
        (void)w;
      }
    }
  }
  _exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = take_mode(&argc, argv);
  if (mode == "random") return sb::floor::run_random_floor(argc, argv);
  Args a;
  if (mode.empty() || !parse_args(argc, argv, &a)) {
    std::fprintf(stderr,
                 "usage: switchboard-relay-floor [--mode latency] [--conns N] [--rate R] [--duration S] [--warmup S]\n"
                 "       switchboard-relay-floor --mode random [--conns N] [--window W] [--size BYTES] [--duration S] "
                 "[--warmup S]\n");
    return 2;
  }
  sb::net::Endpoint at;
  std::string error;
  int listener = -1;
  if (sb::net::resolve("127.0.0.1", 0, &at, &error)) listener = sb::net::listen_tcp(at, 4096, &error);
  if (listener >= 0 && !sb::net::resolve("127.0.0.1", sb::net::local_port(listener), &at, &error)) listener = -1;
  if (listener < 0) {
    std::fprintf(stderr, "relay-floor: %s\n", error.c_str());
    return 1;
  }
  std::vector<int> ours, theirs;
  for (int i = 0; i < a.conns; ++i) {
    int c = sb::net::connect_tcp(at, nullptr, false, &error);
    if (c < 0) {
      std::fprintf(stderr, "relay-floor: %s\n", error.c_str());
      return 1;
    }
    int s = -1;
    while (s < 0) s = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);  // queued by connect()
    sb::net::set_nodelay(c);
    sb::net::set_nodelay(s);
    ours.push_back(c);
    theirs.push_back(s);
  }
  pid_t child = fork();
  if (child == 0) {
    for (int c : ours) close(c);
    relay(theirs);
  }
  for (int s : theirs) close(s);
  pin_to(1);
  int ep = add_all(ours);

  const uint64_t period = static_cast<uint64_t>(1e9 / a.rate);
  const uint64_t t0 = sb::monotonic_ns();
  const uint64_t measure_from = t0 + static_cast<uint64_t>(a.warmup * 1e9);
  const uint64_t stop = measure_from + static_cast<uint64_t>(a.duration * 1e9);
  sb::stats::LatencyHistogram latency;
  std::vector<epoll_event> events(ours.size());
  std::vector<char> buf(64 * 1024);
  std::vector<std::string> partial(ours.size());
  char msg[kMessage] = {};
  // Every slot due before `stop` is sent, late or not (a driver that fell behind still sends them,
  // charged from their due time), then the replies are drained.
  const uint64_t slots = (stop - t0 + period - 1) / period;
  uint64_t sent = 0, received = 0;
  for (;;) {
    const uint64_t now = sb::monotonic_ns();
    if ((sent == slots && received == sent) || now >= stop + kDrainNs) break;
    while (sent < slots && t0 + sent * period <= now) {
      const uint64_t due = t0 + sent * period;
      std::memcpy(msg, &due, sizeof due);
      ssize_t w = send(ours[sent % ours.size()], msg, sizeof msg, MSG_NOSIGNAL);
      (void)w;
      ++sent;
    }
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 0);
    for (int k = 0; k < n; ++k) {
      const size_t i = events[k].data.u64;
      for (;;) {
        ssize_t r = read(ours[i], buf.data(), buf.size());
        if (r <= 0) break;
        const uint64_t arrived = sb::monotonic_ns();
        std::string& p = partial[i];
        p.append(buf.data(), static_cast<size_t>(r));
        size_t off = 0;
        for (; off + kMessage <= p.size(); off += kMessage, ++received) {
          uint64_t due;
          std::memcpy(&due, p.data() + off, sizeof due);
          if (due >= measure_from) latency.record(arrived - due);
        }
        p.erase(0, off);
      }
    }
  }
  for (int c : ours) close(c);
  int status = 0;
  waitpid(child, &status, 0);
  if (received != sent || sent != slots) {
    std::fprintf(stderr, "relay-floor: %llu of %llu messages sent, %llu came back within 10 s\n",
                 static_cast<unsigned long long>(sent), static_cast<unsigned long long>(slots),
                 static_cast<unsigned long long>(received));
    return 1;
  }
  auto us = [&](double q) { return static_cast<double>(latency.value_at_quantile(q)) / 1e3; };
  std::printf("conns %d rate %.0f samples %llu p50_us %.1f p90_us %.1f p99_us %.1f p999_us %.1f\n", a.conns, a.rate,
              static_cast<unsigned long long>(latency.count()), us(0.50), us(0.90), us(0.99), us(0.999));
  return 0;
}
