// Runs a parameterised test once per ChaCha20 implementation (portable, SSE2, AVX2), so every
// vector proves each keystream path; an implementation this CPU lacks is skipped.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "common/crypto/chacha20.h"

namespace sb::crypto {
// gtest prints the parameter of a failing test with this (found by argument-dependent lookup).
inline void PrintTo(ChachaImpl impl, std::ostream* os) { *os << chacha_impl_name(impl); }
}  // namespace sb::crypto

namespace sb::test {

using crypto::ChachaImpl;
using crypto::chacha_impl;
using crypto::chacha_impl_name;
using crypto::set_chacha_impl;

// Selects GetParam()'s implementation for the test and restores the previous one afterwards.
class ChachaImplTest : public ::testing::TestWithParam<ChachaImpl> {
 protected:
  void SetUp() override {
    saved_ = chacha_impl();
    if (!set_chacha_impl(GetParam()))
      GTEST_SKIP() << chacha_impl_name(GetParam()) << " is not supported on this CPU";
  }
  void TearDown() override { set_chacha_impl(saved_); }

 private:
  ChachaImpl saved_ = ChachaImpl::portable;
};

inline auto all_chacha_impls() {
  return ::testing::Values(ChachaImpl::portable, ChachaImpl::sse2, ChachaImpl::avx2);
}

inline std::string chacha_impl_param_name(const ::testing::TestParamInfo<ChachaImpl>& info) {
  return chacha_impl_name(info.param);
}

}  // namespace sb::test
