// The server's per-message user-space path with a realistic memory footprint: 1,000 registered
// ids, a read's worth of pipelined SENDs to random targets parsed, looked up, queued as FROM
// frames on 1,000 separate output queues, then every dirty queue gathered and retired as one
// full write. No syscalls: this is the part of a routed message's cost that code can change, and
// most of it is cache misses on the target's table slot, queue and block.
#include <benchmark/benchmark.h>
#include <sys/uio.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/buffer/block_pool.h"
#include "common/buffer/output_queue.h"
#include "common/protocol/frame_parser.h"
#include "common/protocol/from_header.h"
#include "common/routing/routing_table.h"

namespace {

constexpr uint32_t kNodes = 1000;
constexpr int kReadsPerIteration = 400;  // reads per loop iteration of a busy server (PERFORMANCE.md)
constexpr size_t kReadBytes = 2600;      // ~32 SENDs of 64 B per read, as measured

std::string node_id(uint32_t i) { return "b1-" + std::to_string(i); }

void BM_RoutePath(benchmark::State& state) {
  sb::RoutingTable routes;
  sb::BlockPool pool;
  std::vector<std::unique_ptr<sb::OutputQueue>> queues;
  for (uint32_t i = 0; i < kNodes; ++i) {
    routes.insert(node_id(i), i);
    queues.push_back(std::make_unique<sb::OutputQueue>(&pool));
  }
  // 64 distinct reads, each from one sender to random targets, cycled through.
  std::mt19937 rng(1);
  std::vector<std::string> reads;
  std::vector<std::string> sources;
  const std::string payload(64, 'x');
  for (int r = 0; r < 64; ++r) {
    std::string read;
    while (read.size() < kReadBytes) read += "SEND " + node_id(rng() % kNodes) + " 64\n" + payload + "\n";
    reads.push_back(std::move(read));
    sources.push_back(node_id(rng() % kNodes));
  }
  std::vector<char> scratch(64 * 1024);
  std::vector<uint32_t> dirty;
  std::vector<bool> is_dirty(kNodes);
  sb::proto::FrameParser parser(sb::proto::Role::server);
  iovec iov[128];
  sb::proto::ParseResult res;  // reused, as the server's loop does
  size_t messages = 0, next_read = 0;
  for (auto _ : state) {
    for (int r = 0; r < kReadsPerIteration; ++r) {
      const std::string& read = reads[next_read];
      const std::string& source = sources[next_read];
      next_read = (next_read + 1) % reads.size();
      std::memcpy(scratch.data(), read.data(), read.size());  // what read(2) does
      std::string_view rest(scratch.data(), read.size());
      for (;;) {
        parser.next(rest, res);
        if (res.status != sb::proto::ParseResult::Status::frame) break;
        rest.remove_prefix(res.consumed);
        const uint32_t* slot = routes.find(res.frame.args[0]);
        const sb::proto::FromHeader header(source, res.frame.payload.size());
        queues[*slot]->append_message({header.view(), res.frame.payload, "\n"});
        if (!is_dirty[*slot]) {
          is_dirty[*slot] = true;
          dirty.push_back(*slot);
        }
        ++messages;
      }
    }
    for (uint32_t t : dirty) {
      is_dirty[t] = false;
      sb::OutputQueue& q = *queues[t];
      while (!q.empty()) {
        int n = q.gather(iov, 128);
        size_t bytes = 0;
        for (int i = 0; i < n; ++i) bytes += iov[i].iov_len;
        benchmark::DoNotOptimize(q.consume(bytes));  // what a full sendmsg does
      }
    }
    dirty.clear();
  }
  state.SetItemsProcessed(static_cast<int64_t>(messages));
}
BENCHMARK(BM_RoutePath)->Unit(benchmark::kMillisecond);

}  // namespace
