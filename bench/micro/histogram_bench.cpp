// Cost of recording a latency sample (the bench records one per delivered message, so this bounds
// how much of the load driver's core the histogram takes) and of reading a percentile.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "common/stats/latency_histogram.h"

namespace {

std::vector<uint64_t> latency_samples() {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> d(10.0, 1.0);  // ~22 us median, long tail
  std::vector<uint64_t> v(4096);
  for (auto& x : v) x = static_cast<uint64_t>(d(rng));
  return v;
}

void BM_HistogramRecord(benchmark::State& state) {
  sb::stats::LatencyHistogram h;
  auto samples = latency_samples();
  size_t i = 0;
  for (auto _ : state) {
    h.record(samples[i++ & 4095]);
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramP99(benchmark::State& state) {
  sb::stats::LatencyHistogram h;
  for (uint64_t v : latency_samples()) h.record(v);
  for (auto _ : state) benchmark::DoNotOptimize(h.value_at_quantile(0.99));
}
BENCHMARK(BM_HistogramP99);

}  // namespace
