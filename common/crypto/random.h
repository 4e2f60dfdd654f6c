// Key-grade random bytes from the kernel (getrandom(2)), for private keys and nonces.
// common/security/random_seed stays what it is, a hash-table seed that may fall back to the clock;
// nothing here ever falls back.
#pragma once

#include <cstddef>

namespace sb::crypto {

// Fills buf[0..len) from getrandom(2), blocking until the kernel's pool is initialised, retrying
// EINTR and short reads. If the kernel refuses (no getrandom, a seccomp filter), the process aborts
// with a message: there is no safe substitute for key material, and a caller that went on with a
// predictable key would fail silently.
void random_bytes(void* buf, size_t len);

}  // namespace sb::crypto
