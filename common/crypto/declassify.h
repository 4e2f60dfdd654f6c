// Marks a value derived from secrets as public, at the few points where the protocol makes it
// public anyway (an AEAD open's accept/reject). A no-op in every normal build; the constant-time
// check (make test-ct, tests/ct/) builds with SB_CT_VALGRIND so memcheck stops treating the value
// as secret there and reports any other branch or index on secret data.
#pragma once

#include <cstddef>

#ifdef SB_CT_VALGRIND
#include <valgrind/memcheck.h>
#endif

namespace sb::crypto::detail {

inline void declassify([[maybe_unused]] const void* p, [[maybe_unused]] size_t n) {
#ifdef SB_CT_VALGRIND
  VALGRIND_MAKE_MEM_DEFINED(p, n);
#endif
}

}  // namespace sb::crypto::detail
