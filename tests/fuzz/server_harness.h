// The whole-server fuzz driver: a fresh in-process Server per input, driven by a program decoded
// from the input bytes (connect, write, read, half-close, close, clock ticks, loop iterations),
// then shut down and checked. Shared by tests/fuzz/fuzz_server.cpp and the regression replay test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/log/logger.h"

namespace sb::fuzz {

// Runs one program. `logger` may be started or not (not started: the server logs nothing); when
// it is started, it is flushed before returning so records never pile up across inputs.
// Returns "" when every invariant held, else a description of what broke. The program format
// (one opcode byte, then its operands) is documented at the top of server_harness.cpp.
std::string run_server_program(const uint8_t* data, size_t size, log::Logger* logger);

// The options the fuzzed server runs with: small limits so every limit path is reachable from a
// few kilobytes of input, and timeouts of a few 100 ms ticks.
struct ServerFuzzLimits {
  static constexpr size_t kMaxConns = 12;       // the server's cap (slab size); beyond: server-full
  static constexpr size_t kMaxPeers = 16;       // sockets the program may hold at once
  static constexpr size_t kMaxConnects = 40;    // connects per program
  static constexpr size_t kMaxPayload = 4096;
  static constexpr size_t kMaxOutbuf = 64 * 1024;
  static constexpr size_t kMaxOps = 3000;
};

}  // namespace sb::fuzz
