// Which sanitizer the test is built with, for stress tests that shrink their loops under one
// (ThreadSanitizer slows threaded code ~20-50x, AddressSanitizer ~5x): each test keeps to a few
// seconds. g++ says so with __SANITIZE_*__, clang with __has_feature (which g++ 12 lacks).
#pragma once

#if defined(__has_feature)
#define SB_TEST_HAS_FEATURE(feature) __has_feature(feature)
#else
#define SB_TEST_HAS_FEATURE(feature) 0
#endif

namespace sb::test {

inline constexpr bool kThreadSanitizer =
#if defined(__SANITIZE_THREAD__) || SB_TEST_HAS_FEATURE(thread_sanitizer)
    true;
#else
    false;
#endif

inline constexpr bool kAddressSanitizer =
#if defined(__SANITIZE_ADDRESS__) || SB_TEST_HAS_FEATURE(address_sanitizer)
    true;
#else
    false;
#endif

// Any of the two: the scenario runs at a smaller size.
inline constexpr bool kSanitized = kThreadSanitizer || kAddressSanitizer;

}  // namespace sb::test
