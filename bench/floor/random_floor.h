// The throughput floor for many connections (`switchboard-relay-floor --mode random`): a relay
// process forwards fixed-size frames to the connection named in each frame's first four bytes,
// with the switchboard server's batching discipline and nothing else (no text, no routing table);
// a driver process keeps `window` frames in flight per connection to uniformly random targets.
// Its msgs/s is the cost of moving one small message between two random sockets on this kernel.
//
// Frame layout (little-endian host order, loopback only): u32 target, u32 sender, u64 sequence,
// zero padding to `size`.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "common/net/socket.h"

namespace sb::floor {

struct RandomArgs {
  uint32_t conns = 10000;
  uint32_t window = 8;
  uint32_t size = 64;
  double duration = 3;
  double warmup = 1;
};

constexpr size_t kFrameHeader = 16;  // target, sender, sequence

// What the driver saw: frames sent and received over the whole run (received after a drain),
// frames received in the measured window and its length, and each side's CPU seconds in it.
struct RandomResult {
  uint64_t sent = 0;
  uint64_t received = 0;
  uint64_t measured = 0;
  uint64_t misrouted = 0;  // arrived on a connection other than the frame's target
  double seconds = 0;
  double relay_cpu_s = 0;
  double driver_cpu_s = 0;
  const char* failure = nullptr;  // set when the run could not finish (the relay went away)
};

// Parses the random mode's flags (argv[0] is the program) and runs it; the exit status for main.
int run_random_floor(int argc, char** argv);

// The relay process: accepts `args.conns` connections on `listener` (each announces its index in
// its first four bytes), forwards frames until the driver has closed them all, then exits.
[[noreturn]] void run_random_relay(int listener, const RandomArgs& args);

// The driver, in the parent: connects to `at`, runs warmup + duration + drain, closes everything.
RandomResult run_random_driver(const net::Endpoint& at, const RandomArgs& args, pid_t relay);

}  // namespace sb::floor
