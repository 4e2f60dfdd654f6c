// The loop's per-iteration to-do lists: connections with output to flush (dirty), with input left
// to read or commands to resume (pending), and to free (closing). Each connection's flag says
// whether it is already listed, so marking twice costs nothing and a list holds no duplicates.
// Server::run_once empties them in a fixed order: pending input, flush, reap.
#pragma once

#include <cstdint>
#include <vector>

#include "server/connection.h"

namespace sb::server {

struct WorkLists {
  std::vector<uint32_t> dirty;    // slots: flushed once per iteration, after every command ran
  std::vector<uint64_t> pending;  // packed handles: input left unread (budget) or just unblocked
  std::vector<uint32_t> closing;  // slots: freed at the end of the iteration (never mid-batch)

  void mark_dirty(Connection& c) {
    if (c.dirty) return;
    c.dirty = true;
    dirty.push_back(c.slot);
  }
  void mark_pending(Connection& c) {
    if (c.pending) return;
    c.pending = true;
    pending.push_back(c.handle().pack());
  }
};

}  // namespace sb::server
