// `--mode random`: flags, the relay/driver fork, and the one-line report.
#include "bench/floor/random_floor.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "bench/options.h"
#include "common/text/number.h"

namespace sb::floor {
namespace {

bool parse_random_args(int argc, char** argv, RandomArgs* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return false;
    const std::string_view value = argv[++i];
    using sb::bench::kMaxNodesPerProc, sb::bench::kMaxSeconds;
    double v = 0;
    if (flag == "--conns" && text::parse_uint<uint32_t>(value, 2, kMaxNodesPerProc, &a->conns)) continue;
    if (flag == "--window" && text::parse_uint<uint32_t>(value, 1, 4096, &a->window)) continue;
    if (flag == "--size" && text::parse_uint<uint32_t>(value, kFrameHeader, 4096, &a->size)) continue;
    if (flag == "--duration" && text::parse_seconds(value, 0, kMaxSeconds, &v) && v > 0) {
      a->duration = v;
      continue;
    }
    if (flag == "--warmup" && text::parse_seconds(value, 0, kMaxSeconds, &a->warmup)) continue;
    return false;
  }
  return true;
}

}  // namespace

int run_random_floor(int argc, char** argv) {
  RandomArgs a;
  if (!parse_random_args(argc, argv, &a)) {
    std::fprintf(stderr,
                 "usage: switchboard-relay-floor --mode random [--conns N] [--window W] [--size BYTES] "
                 "[--duration S] [--warmup S]\n");
    return 2;
  }
  net::Endpoint at;
  std::string error;
  int listener = -1;
  if (net::resolve("127.0.0.1", 0, &at, &error)) listener = net::listen_tcp(at, 4096, &error);
  if (listener >= 0 && !net::resolve("127.0.0.1", net::local_port(listener), &at, &error)) listener = -1;
  if (listener < 0) {
    std::fprintf(stderr, "relay-floor: %s\n", error.c_str());
    return 1;
  }
  // Fork before connecting: each process then holds one end of every connection, so 10,000
  // connections fit a 20,000-descriptor limit.
  const pid_t relay = fork();
  if (relay < 0) {
    std::perror("relay-floor: fork");
    return 1;
  }
  if (relay == 0) run_random_relay(listener, a);
  close(listener);
  const RandomResult r = run_random_driver(at, a, relay);
  int status = 0;
  if (r.failure != nullptr) kill(relay, SIGKILL);
  waitpid(relay, &status, 0);
  const uint64_t lost = r.sent - r.received;
  std::printf("mode random conns %u window %u size %u msgs_per_s %.0f sent %llu received %llu lost %llu "
              "relay_cpu_s %.2f driver_cpu_s %.2f seconds %.2f\n",
              a.conns, a.window, a.size, r.seconds > 0 ? static_cast<double>(r.measured) / r.seconds : 0.0,
              static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.received),
              static_cast<unsigned long long>(lost), r.relay_cpu_s, r.driver_cpu_s, r.seconds);
  if (r.failure != nullptr) std::fprintf(stderr, "relay-floor: %s\n", r.failure);
  if (r.misrouted > 0) std::fprintf(stderr, "relay-floor: %llu frames arrived at the wrong connection\n",
                                    static_cast<unsigned long long>(r.misrouted));
  if (lost > 0) std::fprintf(stderr, "relay-floor: %llu frames did not arrive within the drain\n",
                             static_cast<unsigned long long>(lost));
  const bool relay_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!relay_ok && r.failure == nullptr) std::fprintf(stderr, "relay-floor: the relay process failed\n");
  return r.failure == nullptr && r.misrouted == 0 && lost == 0 && relay_ok ? 0 : 1;
}

}  // namespace sb::floor
