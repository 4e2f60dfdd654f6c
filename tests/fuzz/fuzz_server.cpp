// libFuzzer target: a whole in-process server driven by a fuzzed program of connects, writes,
// reads, half-closes, closes, clock ticks and loop iterations (format: server_harness.cpp).
// The logger runs at debug level with no worker threads into /dev/null, so every log call site
// and the formatter see fuzzed values without threads or disk traffic; it is flushed per input.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/log/logger.h"
#include "tests/fuzz/server_harness.h"

namespace {
sb::log::Logger* g_logger = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static sb::log::Logger logger;
  sb::log::LoggerOptions options;
  options.dir = "/dev";
  options.file_name = "null";
  options.level = sb::log::Level::debug;
  options.workers = 0;  // formatted on this thread by flush(): deterministic, no threads
  options.queue_capacity = 4096;
  // With SWITCHBOARD_FUZZ_TRACE set (see server_harness.cpp) the server's log goes to stderr too.
  options.mirror_stderr = std::getenv("SWITCHBOARD_FUZZ_TRACE") != nullptr;
  std::string error;
  if (!logger.start(options, &error)) {
    std::fprintf(stderr, "fuzz_server: logger: %s (continuing without logging)\n", error.c_str());
    return 0;
  }
  g_logger = &logger;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bad = sb::fuzz::run_server_program(data, size, g_logger);
  if (!bad.empty()) {
    std::fprintf(stderr, "server invariant broken: %s\n", bad.c_str());
    std::abort();
  }
  return 0;
}
