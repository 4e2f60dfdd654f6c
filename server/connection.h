// One client connection's state. Connections live in a slab (see connection_slab.h) and are
// named by a Handle (slot + generation), so a handle kept past a close is recognisably stale.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/buffer/input_buffer.h"
#include "common/buffer/output_queue.h"
#include "common/protocol/frame_parser.h"
#include "common/timing/timing_wheel.h"

namespace sb::server {

struct Handle {
  uint32_t slot = UINT32_MAX;
  uint32_t generation = 0;

  bool valid() const { return slot != UINT32_MAX; }
  uint64_t pack() const { return (uint64_t{generation} << 32) | slot; }
  static Handle unpack(uint64_t v) { return {static_cast<uint32_t>(v), static_cast<uint32_t>(v >> 32)}; }
  friend bool operator==(Handle a, Handle b) { return a.slot == b.slot && a.generation == b.generation; }
};

enum class ConnState : uint8_t {
  free,        // slot unused
  handshake,   // accepted, waiting for HELLO
  registered,  // HELLO accepted; in the routing table
  draining,    // no more input is read; closes once output is flushed (or the flush stalls)
  lingering,   // output flushed and our side shut down; discarding input until the peer's EOF
};

struct Connection {
  Connection(BlockPool* pool, size_t max_payload) : parser(proto::Role::server, max_payload), out(pool) {}

  int fd = -1;
  uint32_t generation = 0;
  ConnState state = ConnState::free;
  // Edge-triggered readiness we have not consumed yet (nginx keeps the same two flags).
  bool readable = false;
  bool writable = false;
  bool eof = false;            // read() returned 0; finish the buffered commands, then drain
  bool peer_shut = false;      // epoll reported RDHUP/HUP/ERR: read until 0 or an error
  bool dirty = false;          // on the flush list
  bool pending = false;        // on the pending-input list
  bool closing = false;        // on the close list; nothing may use it any more
  bool in_over_list = false;   // on the slow-consumer watch list
  uint64_t over_since = 0;     // tick at which output first reached --max-outbuf
  Handle blocked_on;           // the full target that stopped our input, or invalid
  std::vector<uint64_t> waiters;  // packed handles of senders blocked on this connection

  proto::FrameParser parser;
  InputBuffer in;
  OutputQueue out;
  TimerNode timer;

  uint8_t id_len = 0;
  char id[proto::kMaxIdLen];
  char peer[48];  // "127.0.0.1:53122", formatted once at accept for logs

  std::string_view node_id() const { return {id, id_len}; }
  // Still executing commands: not draining, lingering or closing.
  bool takes_commands() const {
    return !closing && (state == ConnState::handshake || state == ConnState::registered);
  }
  Handle handle(uint32_t slot) const { return {slot, generation}; }
};

}  // namespace sb::server
