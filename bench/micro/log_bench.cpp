// Logger micro-benchmarks: the cost of one SB_LOG on the caller's thread while a worker drains and
// writes (mean, and median/p99/p99.9 per call from rdtscp-timed groups), the filtered-out cost,
// the clocks the hot path could use, and the worker pool's write throughput to a file in /tmp.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <time.h>
#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/log/format.h"
#include "common/log/logger.h"
#include "common/log/record.h"

namespace {

using sb::log::Level;
using sb::log::Logger;
using sb::log::LoggerOptions;

constexpr size_t kCapacity = 16384;

// A temp dir with a started logger in it, removed at the end of the benchmark.
struct BenchLogger {
  explicit BenchLogger(unsigned workers, Level level = Level::info, bool single_producer = false) {
    char tmpl[] = "/tmp/sb_log_bench_XXXXXX";
    dir = mkdtemp(tmpl);
    LoggerOptions o;
    o.dir = dir;
    o.file_name = "bench.log";
    o.level = level;
    o.workers = workers;
    o.queue_capacity = kCapacity;
    o.single_producer = single_producer;
    std::string error;
    if (!log.start(o, &error)) abort();
  }
  ~BenchLogger() {
    log.stop();
    std::filesystem::remove_all(dir);
  }
  Logger log;
  std::string dir;
};

// A record like the server's "register" line: two short strings and a number.
inline void log_one(Logger& log, uint64_t conn) {
  SB_LOG(log, info, "register", {"node", "node-0042"}, {"peer", "127.0.0.1:53122"}, {"conn", conn});
}

// Keeps the queue from filling so the benchmark measures the enqueue path, not the drop path:
// the caller waits (untimed) for the workers once half the queue is outstanding.
inline void keep_room(Logger& log, uint64_t issued) {
  if (issued - log.written() >= kCapacity / 2) log.flush();
}

void BM_LogWrite(benchmark::State& state) {
  BenchLogger b(1);
  uint64_t issued = 0;
  for (auto _ : state) {
    log_one(b.log, issued++);
    if ((issued & 1023) == 0 && issued - b.log.written() >= kCapacity / 2) {
      state.PauseTiming();
      b.log.flush();
      state.ResumeTiming();
    }
  }
  state.counters["dropped"] = static_cast<double>(b.log.dropped());
}
BENCHMARK(BM_LogWrite);

double tsc_ghz() {
  static const double ghz = [] {
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t c0 = __rdtsc();
    while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(50)) {
    }
    const uint64_t c1 = __rdtsc();
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    return static_cast<double>(c1 - c0) / ns;
  }();
  return ghz;
}

// Per-call distribution. This VM's TSC advances in ~20 ns steps, so single calls cannot be timed:
// each sample is a group of kGroup back-to-back calls bracketed by rdtscp (the median cost of an
// empty bracket subtracted), divided by kGroup. The worker runs throughout on the other core.
// Arg 1: the single-producer claim the server uses (no CAS); arg 0: the multi-producer claim.
void BM_LogWriteLatency(benchmark::State& state) {
  BenchLogger b(1, Level::info, state.range(0) != 0);
  constexpr size_t kGroup = 8;
  constexpr size_t kSamples = 1 << 18;
  std::vector<uint64_t> cycles(kSamples), empty(1 << 16);
  unsigned aux;
  for (auto& e : empty) {
    const uint64_t t0 = __rdtscp(&aux);
    const uint64_t t1 = __rdtscp(&aux);
    e = t1 - t0;
  }
  std::nth_element(empty.begin(), empty.begin() + empty.size() / 2, empty.end());
  const uint64_t overhead = empty[empty.size() / 2];
  for (auto _ : state) {
    uint64_t issued = 0;
    for (size_t i = 0; i < kSamples; ++i) {
      keep_room(b.log, issued);
      const uint64_t t0 = __rdtscp(&aux);
      for (size_t k = 0; k < kGroup; ++k) log_one(b.log, issued++);
      const uint64_t t1 = __rdtscp(&aux);
      cycles[i] = t1 - t0 > overhead ? t1 - t0 - overhead : 0;
    }
  }
  std::sort(cycles.begin(), cycles.end());
  const double ghz = tsc_ghz();
  auto pct = [&](double p) {
    return static_cast<double>(cycles[static_cast<size_t>(p * (kSamples - 1))]) / ghz / kGroup;
  };
  state.counters["median_ns"] = pct(0.5);
  state.counters["p90_ns"] = pct(0.9);
  state.counters["p99_ns"] = pct(0.99);
  state.counters["p999_ns"] = pct(0.999);
  state.counters["dropped"] = static_cast<double>(b.log.dropped());
}
BENCHMARK(BM_LogWriteLatency)->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond);

// The worker's side per record: formatting one line into the batch buffer.
void BM_LogFormatRecord(benchmark::State& state) {
  const std::initializer_list<sb::log::Field> fields = {{"node", "node-0042"}, {"peer", "127.0.0.1:53122"}, {"conn", 17u}};
  sb::log::CallSite site;
  site.bind(Level::info, "register", fields);
  sb::log::Record r;
  r.fill(1795774530123456789ull, site, fields);
  sb::log::LineFormatter f;
  std::string out;
  out.reserve(1 << 20);
  for (auto _ : state) {
    if (out.size() > (1 << 19)) out.clear();
    f.append_record(r, &out);
    r.time_ns += 1000;
  }
}
BENCHMARK(BM_LogFormatRecord);

// The same with the server's timestamps: the producer reads a coarse clock (one value per kernel
// tick, 1-4 ms), so at a million records a second thousands in a row carry the same time.
void BM_LogFormatRecordSameTick(benchmark::State& state) {
  const std::initializer_list<sb::log::Field> fields = {{"from", "node-0042"}, {"to", "node-0043"}, {"bytes", 64u}};
  sb::log::CallSite site;
  site.bind(Level::debug, "route", fields);
  sb::log::Record r;
  r.fill(1795774530123456789ull, site, fields);
  sb::log::LineFormatter f;
  std::string out;
  out.reserve(1 << 20);
  uint64_t i = 0;
  for (auto _ : state) {
    if (out.size() > (1 << 19)) out.clear();
    f.append_record(r, &out);
    if ((++i & 1023) == 0) r.time_ns += 1'000'000;
  }
}
BENCHMARK(BM_LogFormatRecordSameTick);

// A debug record with the logger at info: what SB_LOG costs when filtered out.
void BM_LogFilteredOut(benchmark::State& state) {
  BenchLogger b(1, Level::info);
  uint64_t i = 0;
  for (auto _ : state) {
    SB_LOG(b.log, debug, "route", {"from", "node-0042"}, {"to", "node-0043"}, {"len", i++});
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_LogFilteredOut);

// When the queue is full the call only bumps the drop counter.
void BM_LogDropPath(benchmark::State& state) {
  BenchLogger b(0);  // no workers: the queue fills and stays full
  uint64_t i = 0;
  for (int k = 0; k < static_cast<int>(kCapacity); ++k) log_one(b.log, i++);
  for (auto _ : state) log_one(b.log, i++);
  state.counters["dropped"] = static_cast<double>(b.log.dropped());
}
BENCHMARK(BM_LogDropPath);

// The clocks the hot path could read: coarse (used), precise realtime (vDSO + TSC), raw TSC.
void BM_Clock(benchmark::State& state, clockid_t clock) {
  timespec ts;
  for (auto _ : state) {
    clock_gettime(clock, &ts);
    benchmark::DoNotOptimize(ts);
  }
}
BENCHMARK_CAPTURE(BM_Clock, RealtimeCoarse, CLOCK_REALTIME_COARSE);
BENCHMARK_CAPTURE(BM_Clock, Realtime, CLOCK_REALTIME);

void BM_ClockRdtsc(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(__rdtsc());
}
BENCHMARK(BM_ClockRdtsc);

double cpu_seconds(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Worker throughput: records formatted and written (write(2) returned) to a file in /tmp per
// second. The final fsync of a ~250 MB file is timed separately (stop_ms): it measures the disk.
// The producer never lets more than half the queue be outstanding, so nothing is dropped.
void BM_LogWriterThroughput(benchmark::State& state) {
  const unsigned workers = static_cast<unsigned>(state.range(0));
  constexpr uint64_t kRecords = 2'000'000;
  double seconds = 0, stop_seconds = 0, worker_cpu = 0;
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto b = std::make_unique<BenchLogger>(workers);
    const double proc0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
    const double self0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    const auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < kRecords; ++i) {
      while (i - b->log.written() >= kCapacity / 2) _mm_pause();
      log_one(b->log, i);
    }
    while (b->log.written() < kRecords) _mm_pause();
    const auto t1 = std::chrono::steady_clock::now();
    worker_cpu += (cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - proc0) -
                  (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - self0);
    b->log.stop();
    seconds += std::chrono::duration<double>(t1 - t0).count();
    stop_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    bytes += std::filesystem::file_size(b->dir + "/bench.log");
    if (b->log.dropped() != 0) state.SkipWithError("records dropped");
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["records_per_s"] = static_cast<double>(kRecords) * n / seconds;
  state.counters["MB_per_s"] = static_cast<double>(bytes) / seconds / 1e6;
  state.counters["stop_ms"] = stop_seconds / n * 1e3;
  // On a shared machine the wall-clock rate says more about the neighbours than about the
  // logger; records per second of worker CPU time (all workers together) does not.
  state.counters["records_per_worker_cpu_s"] = static_cast<double>(kRecords) * n / worker_cpu;
}
BENCHMARK(BM_LogWriterThroughput)->Arg(1)->Arg(2)->Arg(3)->Iterations(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
