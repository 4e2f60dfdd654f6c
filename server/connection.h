// One client connection's state. Connections live in a slab (see connection_slab.h) and are
// named by a Handle (slot + generation), so a handle kept past a close is recognisably stale.
// Socket calls on it belong to ConnectionIo; everything here is plain data.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/buffer/byte_buffer.h"
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

// The one place a connection's life stage is kept. Readiness (readable, writable, eof) and list
// membership (dirty, pending, watched) are separate facts and stay separate flags.
enum class ConnState : uint8_t {
  free,        // slot unused
  handshake,   // accepted, waiting for HELLO
  registered,  // HELLO accepted; in the routing table
  draining,    // no more input is read; closes once output is flushed (or the flush stalls)
  lingering,   // output flushed and our side shut down; discarding input until the peer's EOF
  closing,     // on the close list: freed at the end of the loop iteration; nothing may use it
};

struct Connection {
  Connection(BlockPool* pool, size_t max_payload, uint32_t slot_index)
      : slot(slot_index), parser(proto::Role::server, max_payload), out(pool) {}

  // Routing a message to this connection reads `state`, `dirty`, `watched` and `out`: the flags
  // lead the object, next to each other.
  ConnState state = ConnState::free;
  bool dirty = false;     // on the flush list
  bool watched = false;   // on the slow-consumer watch list (output at or over --max-outbuf)
  // Edge-triggered readiness not consumed yet (nginx keeps the same two flags).
  bool readable = false;
  bool writable = false;
  bool eof = false;        // read() returned 0: finish the buffered commands, then drain
  bool peer_shut = false;  // epoll reported RDHUP/HUP/ERR: read until 0 or an error
  bool pending = false;    // on the pending-input list
  const uint32_t slot;     // index in the slab; never changes
  uint32_t generation = 0;
  int fd = -1;
  bool receipts = false;          // OPT receipts on: every SEND/MSG gets OK or ERR
  uint64_t over_since = 0;        // tick at which output first reached --max-outbuf
  Handle blocked_on;              // the full target that stopped our input, or invalid
  std::vector<uint64_t> waiters;  // packed handles of senders blocked on this connection

  proto::FrameParser parser;
  ByteBuffer in;
  OutputQueue out;
  TimerNode timer;

  uint8_t id_len = 0;
  char id[proto::kMaxIdLen];
  char peer[48];  // "127.0.0.1:53122", formatted once at accept for logs

  std::string_view node_id() const { return {id, id_len}; }
  // Still executing commands: not draining, lingering or closing.
  bool takes_commands() const { return state == ConnState::handshake || state == ConnState::registered; }
  // In use and not yet on the close list.
  bool live() const { return state != ConnState::free && state != ConnState::closing; }
  Handle handle() const { return {slot, generation}; }

  // Back to the state of a never-used slot, keeping nothing a later connection could see. The
  // caller has already taken the fd out of service and counted what `out` still held.
  void reset() {
    fd = -1;
    receipts = false;
    readable = writable = eof = peer_shut = dirty = pending = watched = false;
    over_since = 0;
    blocked_on = Handle{};
    waiters.clear();
    waiters.shrink_to_fit();  // a node many senders once waited on keeps no memory idle
    parser.reset();
    in.release();
    out.clear();
    id_len = 0;
    peer[0] = '\0';
  }
};

}  // namespace sb::server
