// The protocol parser on a read's worth of pipelined SENDs, the server's hot loop minus routing:
// bytes/s and commands/s for 16 B, 64 B and 1 KiB payloads.
#include <benchmark/benchmark.h>

#include <string>

#include "common/protocol/frame_parser.h"

namespace {

std::string pipelined_sends(size_t payload, size_t target_bytes) {
  std::string one = "SEND node-4711 " + std::to_string(payload) + "\n" + std::string(payload, 'x') + "\n";
  std::string out;
  while (out.size() + one.size() <= target_bytes) out += one;
  return out;
}

void BM_ParseSend(benchmark::State& state) {
  const size_t payload = static_cast<size_t>(state.range(0));
  const std::string input = pipelined_sends(payload, 64 * 1024);  // one read's worth
  sb::proto::FrameParser parser(sb::proto::Role::server);
  size_t frames = 0;
  sb::proto::ParseResult r;  // reused, as the server's loop does
  for (auto _ : state) {
    std::string_view rest = input;
    for (;;) {
      parser.next(rest, r);
      if (r.status != sb::proto::ParseResult::Status::frame) break;
      benchmark::DoNotOptimize(r.frame.payload.data());
      rest.remove_prefix(r.consumed);
      ++frames;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.counters["commands/s"] = benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseSend)->Arg(16)->Arg(64)->Arg(1024);

// The same stream arriving one 1460-byte segment at a time: the incremental path (partial lines,
// payloads completing in a later call) that a byte-at-a-time-safe parser must not make slow.
void BM_ParseSendSegmented(benchmark::State& state) {
  const size_t payload = static_cast<size_t>(state.range(0));
  const std::string input = pipelined_sends(payload, 64 * 1024);
  sb::proto::FrameParser parser(sb::proto::Role::server);
  sb::proto::ParseResult r;
  for (auto _ : state) {
    size_t start = 0, have = 0;
    while (have < input.size()) {
      have = std::min(input.size(), have + 1460);
      for (;;) {
        parser.next(std::string_view(input).substr(start, have - start), r);
        start += r.consumed;
        if (r.status != sb::proto::ParseResult::Status::frame) break;
        benchmark::DoNotOptimize(r.frame.payload.data());
      }
    }
    parser.reset();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
}
BENCHMARK(BM_ParseSendSegmented)->Arg(64)->Arg(1024);

}  // namespace
