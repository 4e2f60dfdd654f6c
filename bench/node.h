// One simulated node: its TCP connection, input leftover and output backlog, parser state, and
// its sending state. Nodes never move or get reused during a run, so epoll data holds the index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "bench/wire.h"

namespace sb::bench {

// A byte queue that only allocates when something must wait (a partial frame, unsent output):
// idle nodes cost no buffer memory, which matters at 10k nodes per process.
class ByteBuffer {
 public:
  char* prepare(size_t n);  // room for n more bytes at the end; valid until the next prepare
  void commit(size_t n) { end_ += n; }
  void append(std::string_view s) {
    if (s.empty()) return;  // an empty buffer has no storage: memcpy(nullptr, ..., 0) is UB
    std::memcpy(prepare(s.size()), s.data(), s.size());
    commit(s.size());
  }
  std::string_view view() const { return {buf_.get() + begin_, end_ - begin_}; }
  size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  void consume(size_t n);
  void clear() { begin_ = end_ = 0; }

 private:
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0, begin_ = 0, end_ = 0;
};

struct Node {
  int fd = -1;
  uint32_t index = 0;  // global node index
  bool registered = false;
  bool writable = true;   // false after EAGAIN until EPOLLOUT
  bool closed = false;
  bool dirty = false;     // on the flush list
  bool ready = false;     // on the ready-to-send list
  ByteBuffer in, out;
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
