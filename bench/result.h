// What one worker measured, how results of several workers add up, and the text form that carries
// a worker's result to the parent through a pipe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/stats/latency_histogram.h"

namespace sb::bench {

struct WorkerResult {
  uint64_t nodes = 0, senders = 0;
  uint64_t connect_ns = 0;      // first connect to last registration
  uint64_t sent = 0;            // messages (SEND/PUB) issued
  uint64_t expected = 0;        // copies the server should deliver (broadcast: sent x (nodes-1))
  uint64_t received = 0;        // copies that arrived, duplicates included
  uint64_t duplicates = 0;
  uint64_t reordered = 0;       // arrived after a later message of the same (sender, target)
  uint64_t corrupt = 0;         // payloads without a valid stamp or of an impossible size
  uint64_t server_errors = 0;   // ERR / -ERR frames
  uint64_t disconnects = 0;     // connections the server closed before we did
  uint64_t behind = 0;          // open loop: messages due but not sent by the end (generator too slow)
  uint64_t measured_sent = 0;       // in the measured phase
  uint64_t measured_delivered = 0;  // arrivals in the measured phase
  uint64_t measured_bytes = 0;      // their payload bytes
  uint64_t measured_ns = 0;         // length of the measured phase
  uint64_t server_cpu_ns = 0;       // server CPU time (all threads) in the measured phase; 0 unknown
  uint64_t driver_cpu_ns = 0;       // the bench's own CPU time in the measured phase, all workers
  bool drain_timed_out = false;
  std::string first_error;      // first ERR text or local failure, for the report
  stats::LatencyHistogram latency;  // ns, messages sent in the measured phase

  // Copies the server never delivered (never negative: extra copies count as duplicates).
  uint64_t lost() const {
    uint64_t unique = received - duplicates;
    return expected > unique ? expected - unique : 0;
  }
  bool clean() const {
    return lost() == 0 && duplicates == 0 && reordered == 0 && corrupt == 0 && server_errors == 0 &&
           disconnects == 0 && first_error.empty();
  }

  // Counts add; connect_ns, measured_ns and server_cpu_ns take the largest worker's value (the
  // workers ran side by side and sampled the same server).
  void merge(const WorkerResult& other);
  std::string serialize() const;
  bool deserialize(std::string_view text);
};

}  // namespace sb::bench
