// libFuzzer target: the protocol frame parser, both roles, arbitrary bytes in arbitrary chunkings.
// The input format and every invariant checked are described in parser_harness.h.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/parser_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bad = sb::fuzz::check_parser_input(data, size);
  if (!bad.empty()) {
    std::fprintf(stderr, "frame parser invariant broken: %s\n", bad.c_str());
    std::abort();
  }
  return 0;
}
