// TimingWheel construction; the per-touch and per-tick paths are inline in the
// header because the server calls them for every command and every timerfd wakeup.
#include "common/timing/timing_wheel.h"

#include <stdexcept>

namespace sb {

TimingWheel::TimingWheel(size_t slots, uint64_t start_tick)
    : heads_(new TimerNode[slots == 0 ? 1 : slots]), mask_(slots - 1), now_(start_tick) {
  // A mask only maps deadlines to buckets when the size is a power of two.
  if (slots == 0 || (slots & (slots - 1)) != 0) {
    throw std::invalid_argument("TimingWheel: slots must be a power of two");
  }
  for (size_t i = 0; i < slots; ++i) heads_[i].prev = heads_[i].next = &heads_[i];
}

}  // namespace sb
