// The end-of-run output: a human table, one JSON object, and the loud list of problems (loss,
// duplicates, reordering, errors) that make the run fail.
#pragma once

#include <string>
#include <vector>

#include "bench/options.h"
#include "bench/result.h"
#include "bench/server_probe.h"

namespace sb::bench {

struct RunInfo {
  double connect_s = 0;  // all nodes of all workers connected and registered
  ServerMemory base;     // before the first connect
  ServerMemory idle;     // every node registered, nothing sent yet
  ServerMemory end;      // after the drain
};

// Numbers derived once so the table and the JSON cannot disagree.
struct Summary {
  double msgs_per_s = 0, sent_per_s = 0, mb_per_s = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0, mean_us = 0;
  double rss_per_node_bytes = -1;  // (idle - base) / nodes
  double server_cpu_s = -1;        // in the measured phase; -1 unknown
  double driver_cpu_s = 0;
  double msgs_per_server_cpu_s = -1;  // deliveries per second of server CPU: the server's cost per
                                      // message, independent of how busy the rest of the machine was
};

Summary summarize(const Options& o, const WorkerResult& r, const RunInfo& info);
std::string format_table(const Options& o, const WorkerResult& r, const RunInfo& info, const Summary& s);
std::string format_json(const Options& o, const WorkerResult& r, const RunInfo& info, const Summary& s);
// One sentence per problem; empty when the run was clean.
std::vector<std::string> problems(const WorkerResult& r);

}  // namespace sb::bench
