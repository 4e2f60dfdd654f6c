// One unpredictable 64-bit seed per process, for the hash tables whose keys a remote client picks
// (node ids, source addresses): a fixed seed would let a client choose keys that all collide.
#pragma once

#include <cstdint>

namespace sb::security {

uint64_t process_random_seed();

}  // namespace sb::security
