// The frame-parser fuzz driver, shared by the libFuzzer target (tests/fuzz/fuzz_parser.cpp) and the
// regression replay test (tests/unit/test_fuzz_regressions.cpp), so a saved input is checked by
// exactly the code that found it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sb::fuzz {

// Interprets `data` as: byte 0 = options (bits 0-3: how many chunk-size bytes follow, bits 4-5:
// which --max-payload), then that many chunk sizes (cycled; 0 means one byte), then the stream.
// Feeds the stream through a FrameParser in both roles, once whole and once in those chunks, the
// way a connection does (unconsumed bytes are kept and passed again with what arrives next), and
// checks on every call: consumed <= input, every view lies inside the consumed bytes, progress is
// made, frames are well formed for their verb; and at the end, that both feeds produced the same
// frames and errors. Returns "" when every invariant held, else what broke.
std::string check_parser_input(const uint8_t* data, size_t size);

}  // namespace sb::fuzz
