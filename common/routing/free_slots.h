// The routing tables keep the indexes of freed slots (groups, arena text) for reuse, so a table
// that churns stays as large as its peak and does not grow.
#pragma once

#include <cstdint>
#include <vector>

namespace sb {

// The most recently freed slot, taken off the list; false when there is none (then the caller
// appends a new slot).
inline bool take_free_slot(std::vector<uint32_t>& free, uint32_t* slot) {
  if (free.empty()) return false;
  *slot = free.back();
  free.pop_back();
  return true;
}

}  // namespace sb
