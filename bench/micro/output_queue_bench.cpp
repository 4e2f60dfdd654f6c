// OutputQueue: the per-message cost of queueing a routed FROM frame and of preparing and
// retiring a writev batch, the two halves of every delivery.
#include <benchmark/benchmark.h>
#include <sys/uio.h>

#include <string>

#include "common/buffer/block_pool.h"
#include "common/buffer/output_queue.h"

namespace {

// Queue `batch` 64-byte messages, gather them into iovecs and consume them as one full write.
void BM_AppendGatherConsume(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  sb::BlockPool pool;
  sb::OutputQueue queue(&pool);
  const std::string header = "FROM node-4711 64\n";
  const std::string payload(64, 'x');
  iovec iov[128];
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) queue.append_message({header, payload, "\n"});
    int n = queue.gather(iov, 128);
    size_t bytes = 0;
    for (int i = 0; i < n; ++i) bytes += iov[i].iov_len;
    benchmark::DoNotOptimize(queue.consume(bytes));
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_AppendGatherConsume)->Arg(1)->Arg(8)->Arg(64);

// A broadcast: one shared block referenced from many queues.
void BM_SharedAppend(benchmark::State& state) {
  sb::BlockPool pool;
  std::vector<sb::OutputQueue> queues;
  for (int i = 0; i < 64; ++i) queues.emplace_back(&pool);
  for (auto _ : state) {
    sb::Block* b = pool.acquire(96);
    b->size = 96;
    for (auto& q : queues) q.append_shared_message(b, 0, 96);
    pool.unref(b);
    for (auto& q : queues) benchmark::DoNotOptimize(q.consume(q.bytes()));
  }
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_SharedAppend);

}  // namespace
