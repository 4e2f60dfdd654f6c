// Runs the workers: in this process for --procs 1, otherwise as forked children that report over
// pipes ("ready", "drained", then their serialized result) and are released through two shared
// pipes whose write ends the parent closes (EOF is a broadcast every child sees at once).
#pragma once

#include <functional>
#include <string>

#include "bench/options.h"
#include "bench/result.h"

namespace sb::bench {

struct PhaseCallbacks {
  std::function<void()> all_connected;  // every node registered, before anyone sends
  std::function<void()> all_drained;    // every worker done, before anyone disconnects
};

WorkerResult run_workers(const Options& o, const std::string& id_prefix, bool progress, const PhaseCallbacks& cb);

}  // namespace sb::bench
