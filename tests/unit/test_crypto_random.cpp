// random_bytes: fills what it is asked to, including more than one getrandom call returns
// (32 MiB - 1 bytes at most), and two draws differ.
#include "common/crypto/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace sb::crypto {
namespace {

bool all_zero(const uint8_t* p, size_t n) {
  return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

TEST(RandomBytes, TwoDrawsDiffer) {
  std::vector<uint8_t> a(32), b(32);
  random_bytes(a.data(), a.size());
  random_bytes(b.data(), b.size());
  EXPECT_NE(a, b);  // equal with probability 2^-256
  EXPECT_FALSE(all_zero(a.data(), a.size()));
}

TEST(RandomBytes, ZeroLengthIsANoOp) { random_bytes(nullptr, 0); }

// getrandom returns at most 33554431 bytes per call: a larger request needs the loop, and its
// last bytes must be filled too.
TEST(RandomBytes, FillsBeyondOneCall) {
  const size_t n = (size_t{32} << 20) + 4096;
  std::vector<uint8_t> buf(n, 0);
  random_bytes(buf.data(), buf.size());
  EXPECT_FALSE(all_zero(buf.data() + n - 4096, 4096));
  EXPECT_FALSE(all_zero(buf.data(), 4096));
}

}  // namespace
}  // namespace sb::crypto
