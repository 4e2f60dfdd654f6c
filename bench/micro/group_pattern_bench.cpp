// Protocol v2 routing in user space, no syscalls: the pattern index's match over 10,000 and
// 100,000 subject ids (s<i>.<j>.<k>), a whole pattern send through the real Router (match, queue
// the copies, retire them as written), group join/leave, and group fan-out per copy against the
// same copies sent as direct messages. docs/PERFORMANCE.md quotes these.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "common/buffer/block_pool.h"
#include "common/log/logger.h"
#include "common/routing/group_table.h"
#include "common/routing/pattern_index.h"
#include "server/back_pressure.h"
#include "server/connection_slab.h"
#include "server/event_loop.h"
#include "server/router.h"
#include "server/stats.h"
#include "server/work_lists.h"

namespace {

// Subject ids: `ids` of them, s<i>.<j>.<k> with ten k per (i, j) and a hundred j per i, so
// "s<i>.<j>.*" matches 10 ids and "s<i>.*.<k>" 100.
std::string subject(uint32_t n) {
  return "s" + std::to_string(n / 1000) + "." + std::to_string(n / 10 % 100) + "." + std::to_string(n % 10);
}

// The pattern of round r: a different (i, j) each time, so successive matches touch cold nodes.
std::string pattern_for(uint32_t ids, uint64_t r, int shape) {
  const uint32_t n = static_cast<uint32_t>((r * 7919) % ids);
  const std::string i = std::to_string(n / 1000), j = std::to_string(n / 10 % 100), k = std::to_string(n % 10);
  switch (shape) {
    case 0: return "s" + i + "." + j + ".*";  // 10 matches: one literal walk, then one node's children
    case 1: return "s" + i + "." + j + ".>";  // the same 10, through the subtree walk
    default: return "s" + i + ".*." + k;      // 100 matches: 100 children, one lookup under each
  }
}

void BM_PatternMatch(benchmark::State& state) {
  const auto ids = static_cast<uint32_t>(state.range(0));
  const int shape = static_cast<int>(state.range(1));
  sb::PatternIndex index(42);
  for (uint32_t n = 0; n < ids; ++n) index.insert(subject(n), n);
  std::vector<std::string> patterns;
  for (uint64_t r = 0; r < 1024; ++r) patterns.push_back(pattern_for(ids, r, shape));
  uint64_t matches = 0, r = 0;
  for (auto _ : state) {
    index.match(patterns[r++ & 1023], [&](uint32_t v) { matches += v != sb::PatternIndex::kNone; });
  }
  benchmark::DoNotOptimize(matches);
  state.counters["matches_per_call"] = static_cast<double>(matches) / static_cast<double>(state.iterations());
  state.counters["index_bytes_per_id"] = static_cast<double>(index.memory_bytes()) / ids;
}
BENCHMARK(BM_PatternMatch)->ArgsProduct({{10000, 100000}, {0, 1, 2}});

// Registration and disconnect of one id among 100,000: O(tokens) each.
void BM_PatternIndexInsertErase(benchmark::State& state) {
  sb::PatternIndex index(42);
  for (uint32_t n = 0; n < 100000; ++n) index.insert(subject(n), n);
  uint32_t n = 0;
  for (auto _ : state) {
    const std::string id = subject(n);
    index.erase(id);
    index.insert(id, n);
    n = (n + 7919) % 100000;
  }
}
BENCHMARK(BM_PatternIndexInsertErase);

// 10,000 nodes in 4 groups each (of 2,500 groups): one node leaves a group and joins it again.
void BM_GroupJoinLeave(benchmark::State& state) {
  sb::GroupTable groups(65536, 64, 42);
  const uint32_t nodes = 10000;
  for (uint32_t node = 0; node < nodes; ++node)
    for (uint32_t k = 0; k < 4; ++k) groups.join(node, "g" + std::to_string((node + k * 2503) % 2500));
  std::vector<std::string> names;
  for (uint32_t g = 0; g < 2500; ++g) names.push_back("g" + std::to_string(g));
  uint32_t node = 0;
  for (auto _ : state) {
    const std::string& name = names[node % 2500];
    groups.leave(node, name);
    groups.join(node, name);
    node = (node + 7919) % nodes;
  }
  state.counters["table_bytes_per_membership"] =
      static_cast<double>(groups.memory_bytes()) / static_cast<double>(groups.memberships());
}
BENCHMARK(BM_GroupJoinLeave);

// A Router over `nodes` connections that never touch a socket: routing queues frames, and
// retire() plays the part of the flush that writes them all.
struct Fixture {
  explicit Fixture(uint32_t nodes)
      : slab(nodes, &pool, 1 << 20), pressure(slab, lists, stats, 64u << 20), loop(16),
        router(slab, pool, pressure, loop, &log, sb::server::RouterLimits{65536, 64}) {}
  sb::server::Connection& add(const std::string& id) {
    const uint32_t slot = slab.acquire();
    sb::server::Connection& c = slab[slot];
    c.state = sb::server::ConnState::registered;
    std::memcpy(c.id, id.data(), id.size());
    c.id_len = static_cast<uint8_t>(id.size());
    router.add(id, slot);
    return c;
  }
  void retire() {
    for (uint32_t slot : lists.dirty) {
      sb::server::Connection& c = slab[slot];
      c.dirty = false;
      c.out.consume(c.out.bytes());
    }
    lists.dirty.clear();
  }
  sb::BlockPool pool;
  sb::server::ConnectionSlab slab;
  sb::server::WorkLists lists;
  sb::server::ServerStats stats;
  sb::server::BackPressure pressure;
  sb::server::EventLoop loop;
  sb::log::Logger log;  // never started: every SB_LOG is one compare
  sb::server::Router router;
};

// One pattern send among 100,000 registered ids reaching 10 of them, as the server does it: the
// match, the frame stored once, ten queue references, and the ten copies retired.
void BM_PatternSend(benchmark::State& state) {
  const auto ids = static_cast<uint32_t>(state.range(0));
  Fixture f(ids + 1);
  sb::server::Connection& source = f.add("source");
  for (uint32_t n = 0; n < ids; ++n) f.add(subject(n));
  std::vector<std::string> patterns;
  for (uint64_t r = 0; r < 1024; ++r) patterns.push_back(pattern_for(ids, r, 0));
  const std::string payload(64, 'x');
  uint64_t r = 0, copies = 0;
  for (auto _ : state) {
    copies += f.router.route(source, patterns[r++ & 1023], payload).copies;
    f.retire();
  }
  state.counters["copies_per_send"] = static_cast<double>(copies) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_PatternSend)->Arg(10000)->Arg(100000);

// A 64-byte message to a group of `members` (the sender among them), per copy delivered: with
// `direct` the same copies go as members - 1 direct messages instead, each a copy of its own.
void fan_out(benchmark::State& state, bool direct) {
  const auto members = static_cast<uint32_t>(state.range(0));
  Fixture f(members);
  std::vector<std::string> ids;
  sb::server::Connection* source = nullptr;
  for (uint32_t m = 0; m < members; ++m) {
    ids.push_back("member" + std::to_string(m));
    sb::server::Connection& c = f.add(ids.back());
    f.router.join(c, "g");
    if (m == 0) source = &c;
  }
  const std::string payload(64, 'x');
  uint64_t copies = 0;
  for (auto _ : state) {
    if (direct) {
      for (uint32_t m = 1; m < members; ++m) copies += f.router.route(*source, ids[m], payload).copies;
    } else {
      copies += f.router.route(*source, "#g", payload).copies;
    }
    f.retire();
  }
  state.SetItemsProcessed(static_cast<int64_t>(copies));
}
void BM_GroupFanOut(benchmark::State& state) { fan_out(state, false); }
void BM_GroupAsDirectCopies(benchmark::State& state) { fan_out(state, true); }
BENCHMARK(BM_GroupFanOut)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_GroupAsDirectCopies)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace
