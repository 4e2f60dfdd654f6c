// One process's share of the run: connect and register its nodes, send and receive for the
// warm-up and measured phases, drain, and return what it saw. The event loop lives here.
#pragma once

#include <cstdint>
#include <string>

#include "bench/options.h"
#include "bench/result.h"

namespace sb::bench {

// Phase synchronisation with the other workers (all no-ops except in a --procs run): nobody
// starts sending before every node of every worker is registered, and nobody disconnects before
// every worker has drained (a broadcast reaches nodes of other workers too).
class WorkerHooks {
 public:
  virtual ~WorkerHooks() = default;
  virtual void connected() = 0;   // all this worker's nodes are registered
  virtual void wait_start() = 0;  // blocks until everyone is connected
  virtual void drained() = 0;     // this worker's messages have all arrived (or the drain timed out)
  virtual int finish_fd() = 0;    // readable (EOF) once everyone drained; -1: no one to wait for
};

// Node ids are "<prefix><global index>"; the prefix differs per run so a run never collides with
// the lingering nodes of the previous one. `progress`: draw the stderr line.
WorkerResult run_worker(const Options& options, uint32_t worker, const std::string& id_prefix, WorkerHooks& hooks,
                        bool progress);

}  // namespace sb::bench
