// One simulated node: its TCP connection, input leftover and output backlog, parser state, and
// its sending state. Nodes never move or get reused during a run, so epoll data holds the index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "bench/wire.h"
#include "common/buffer/byte_buffer.h"

namespace sb::bench {

struct Node {
  int fd = -1;
  uint32_t index = 0;  // global node index
  bool registered = false;
  bool writable = true;   // false after EAGAIN until EPOLLOUT
  bool closed = false;
  bool dirty = false;     // on the flush list
  bool ready = false;     // on the ready-to-send list
  // Allocated only once something must wait (a partial frame, unsent output), so idle nodes cost
  // no buffer memory at 10k nodes per process; kept afterwards, since a node that waited once
  // keeps sending and receiving.
  ByteBuffer in{ByteBuffer::Storage::keep};
  ByteBuffer out{ByteBuffer::Storage::keep};
  WireParser parser;
  // Sending side.
  uint64_t sent = 0;
  uint64_t completed = 0;  // delivered to their (local) targets; broadcast: copies / fan-out
  uint64_t copies = 0;     // broadcast: local copies delivered
  uint64_t due = 0;        // open loop: slots scheduled so far

  uint64_t inflight() const { return sent - completed; }
};

enum class IoStatus : uint8_t { ok, blocked, closed, failed };

// Writes as much of node.out as the socket takes (MSG_NOSIGNAL, EINTR retried).
IoStatus flush_output(Node& node, int* err);

// Reads until the socket is drained, feeding every complete event to on_event(const WireEvent&).
// `scratch` must hold any frame plus a read's worth; a partial frame is kept in node.in.
// Returns closed on EOF, failed on a socket error or a fatal parse error (see *err / *detail).
template <typename F>
IoStatus read_events(Node& node, Proto proto, char* scratch, size_t cap, int* err, F&& on_event);

}  // namespace sb::bench

#include "bench/node_read.h"
