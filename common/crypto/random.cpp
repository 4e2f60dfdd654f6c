// random_bytes over getrandom(2). getrandom returns at most 32 MiB per call and may return less
// when a signal arrives, so the loop keeps asking until the buffer is full.
#include "common/crypto/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sb::crypto {

void random_bytes(void* buf, size_t len) {
  auto* p = static_cast<uint8_t*>(buf);
  while (len > 0) {
    const ssize_t n = getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "switchboard: getrandom failed: %s; no key material without it\n",
                   std::strerror(errno));
      std::abort();
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
}

}  // namespace sb::crypto
