// RoutingTable against std::unordered_map<std::string, uint32_t> at 100k ids, the comparison the
// routing design has to win. Both sides see the same ids ("node-12345") in the same shuffled
// order, so the numbers differ only by the map.
#include "common/routing/routing_table.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t kIds = 100000;
using StdMap = std::unordered_map<std::string, uint32_t>;

// ids[0..kIds) are the present ones; ids[kIds..2*kIds) never inserted (misses). Shuffled so a
// lookup stream hits memory in random order, as routing to random targets does.
const std::vector<std::string>& ids() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out;
    for (size_t i = 0; i < 2 * kIds; ++i) out.push_back("node-" + std::to_string(i));
    std::mt19937_64 rng(1);
    std::shuffle(out.begin(), out.begin() + kIds, rng);
    std::shuffle(out.begin() + kIds, out.end(), rng);
    return out;
  }();
  return v;
}

void fill(sb::RoutingTable& t, size_t n = kIds) {
  for (size_t i = 0; i < n; ++i) t.insert(ids()[i], static_cast<uint32_t>(i));
}
void fill(StdMap& m, size_t n = kIds) {
  for (size_t i = 0; i < n; ++i) m.emplace(ids()[i], static_cast<uint32_t>(i));
}
const uint32_t* lookup(const sb::RoutingTable& t, const std::string& id) { return t.find(id); }
const uint32_t* lookup(const StdMap& m, const std::string& id) {
  auto it = m.find(id);
  return it == m.end() ? nullptr : &it->second;
}

// Lookups walk the ids in a second, independent order from the one they were inserted in. The
// argument is the table size: 100k is the target (cache misses dominate), 1k shows the cost of
// the hashing and probing themselves with everything in cache.
template <class Map>
void lookup_bench(benchmark::State& state, size_t first) {
  size_t n = static_cast<size_t>(state.range(0));
  Map m;
  fill(m, n);
  std::vector<const std::string*> order;
  for (size_t i = 0; i < n; ++i) order.push_back(&ids()[first + i]);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(2));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(lookup(m, *order[i]));
    if (++i == n) i = 0;
  }
}

template <class Map>
void BM_Routing_LookupHit(benchmark::State& state) { lookup_bench<Map>(state, 0); }
template <class Map>
void BM_Routing_LookupMiss(benchmark::State& state) { lookup_bench<Map>(state, kIds); }

// Insert from empty to 100k, growth included (no reserve): what registering 100k nodes costs.
template <class Map>
void BM_Routing_Insert(benchmark::State& state) {
  Map m;
  size_t i = 0;
  for (auto _ : state) {
    if (i == kIds) {
      state.PauseTiming();
      m = Map();
      i = 0;
      state.ResumeTiming();
    }
    if constexpr (std::is_same_v<Map, StdMap>) {
      benchmark::DoNotOptimize(m.emplace(ids()[i], static_cast<uint32_t>(i)));
    } else {
      benchmark::DoNotOptimize(m.insert(ids()[i], static_cast<uint32_t>(i)));
    }
    ++i;
  }
}

// Erase every id of a full 100k table in random order, refilling (untimed) when empty.
template <class Map>
void BM_Routing_Erase(benchmark::State& state) {
  Map m;
  std::vector<const std::string*> order;
  for (size_t i = 0; i < kIds; ++i) order.push_back(&ids()[i]);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(3));
  size_t i = kIds;
  for (auto _ : state) {
    if (i == kIds) {
      state.PauseTiming();
      fill(m);
      i = 0;
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(m.erase(*order[i++]));
  }
}

BENCHMARK_TEMPLATE(BM_Routing_LookupHit, sb::RoutingTable)->Arg(kIds)->Arg(1000);
BENCHMARK_TEMPLATE(BM_Routing_LookupHit, StdMap)->Arg(kIds)->Arg(1000);
BENCHMARK_TEMPLATE(BM_Routing_LookupMiss, sb::RoutingTable)->Arg(kIds)->Arg(1000);
BENCHMARK_TEMPLATE(BM_Routing_LookupMiss, StdMap)->Arg(kIds)->Arg(1000);
BENCHMARK_TEMPLATE(BM_Routing_Insert, sb::RoutingTable);
BENCHMARK_TEMPLATE(BM_Routing_Insert, StdMap);
BENCHMARK_TEMPLATE(BM_Routing_Erase, sb::RoutingTable);
BENCHMARK_TEMPLATE(BM_Routing_Erase, StdMap);

}  // namespace
