// TimingWheel costs on the paths the server takes: re-arming the idle timer on every command
// (same bucket within a tick, or a new bucket after the clock moved) and the full
// schedule-then-expire cycle of handshake and idle evictions.
#include "common/timing/timing_wheel.h"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

constexpr size_t kConns = 10000;  // a realistic connection count; 320 KB of nodes
constexpr size_t kSlots = 1024;   // covers a 60 s idle timeout at 100 ms ticks
constexpr uint64_t kIdle = 600;

// Many commands from the same connections within one tick: the deadline's bucket is unchanged,
// so a touch is a compare and a store.
void BM_Timing_TouchSameBucket(benchmark::State& state) {
  sb::TimingWheel w(kSlots);
  std::vector<sb::TimerNode> nodes(kConns);
  for (auto& n : nodes) w.schedule(n, w.now() + kIdle);
  size_t i = 0;
  for (auto _ : state) {
    w.schedule(nodes[i], w.now() + kIdle);
    if (++i == kConns) i = 0;
  }
  benchmark::DoNotOptimize(nodes.data());
}

// Every touch lands in a different bucket than the node's last one: unlink plus link.
void BM_Timing_TouchMovingBucket(benchmark::State& state) {
  sb::TimingWheel w(kSlots);
  std::vector<sb::TimerNode> nodes(kConns);
  for (auto& n : nodes) w.schedule(n, w.now() + kIdle);
  size_t i = 0;
  uint64_t shift = 1;
  for (auto _ : state) {
    w.schedule(nodes[i], w.now() + kIdle + shift);
    if (++i == kConns) {
      i = 0;
      shift ^= 1;  // alternate between two buckets on each pass
    }
  }
  benchmark::DoNotOptimize(nodes.data());
}

// One iteration = one node scheduled 1..64 ticks ahead; after each pass over the nodes the wheel
// advances 64 ticks (timed) and expires them all, so the time per iteration covers both halves.
void BM_Timing_ScheduleExpire(benchmark::State& state) {
  sb::TimingWheel w(kSlots);
  std::vector<sb::TimerNode> nodes(kConns);
  std::vector<uint8_t> delta(kConns);
  std::mt19937 rng(5);
  for (auto& d : delta) d = static_cast<uint8_t>(1 + rng() % 64);
  size_t i = 0, expired = 0;
  for (auto _ : state) {
    w.schedule(nodes[i], w.now() + delta[i]);
    if (++i == kConns) {
      i = 0;
      w.advance(w.now() + 64, [&](sb::TimerNode&) { ++expired; });
    }
  }
  benchmark::DoNotOptimize(expired);
}

BENCHMARK(BM_Timing_TouchSameBucket);
BENCHMARK(BM_Timing_TouchMovingBucket);
BENCHMARK(BM_Timing_ScheduleExpire);

}  // namespace
