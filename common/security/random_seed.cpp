// getrandom once per process; the clock stands in only if the kernel call fails (seccomp, very old
// kernels), which still keeps the seed unknown to a remote client.
#include "common/security/random_seed.h"

#include <sys/random.h>

#include <chrono>

namespace sb::security {

uint64_t process_random_seed() {
  static const uint64_t seed = [] {
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof s))
      s = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    return s;
  }();
  return seed;
}

}  // namespace sb::security
