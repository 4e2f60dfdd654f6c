// Router: direct and broadcast delivery into the targets' output queues.
#include "server/router.h"

#include <cstring>

#include "common/protocol/from_header.h"

namespace sb::server {

using proto::FromHeader;

Router::Outcome Router::route(Connection& source, std::string_view target, std::string_view payload) {
  if (target == "*") return broadcast(source, payload);
  return direct(source, target, payload);
}

Router::Outcome Router::direct(Connection& source, std::string_view target, std::string_view payload) {
  const uint32_t* slot = routes_.find(target);
  if (slot == nullptr) return remote_ == nullptr ? Outcome{Outcome::Kind::no_such_node, 0} : remote_direct(source, target, payload);
  Connection& t = slab_[*slot];
  if (pressure_.full(t)) {
    pressure_.block(source, t, loop_.now_tick());
    return {Outcome::Kind::blocked, 0};
  }
  FromHeader header(source.node_id(), payload.size());
  t.out.append_message({header.view(), payload, "\n"});
  pressure_.note_output_growth(t, loop_.now_tick());
  SB_LOG(*log_, debug, "route", {"from", source.node_id()}, {"to", target}, {"bytes", uint64_t(payload.size())});
  return {Outcome::Kind::queued, 1};
}

Router::Outcome Router::broadcast(Connection& source, std::string_view payload) {
  // All or nothing: a full target pauses the broadcast before any copy is queued, so no node gets
  // a message twice when it resumes.
  for (const auto& entry : routes_) {
    Connection& t = slab_[entry.slot];
    if (&t != &source && pressure_.full(t)) {
      pressure_.block(source, t, loop_.now_tick());
      return {Outcome::Kind::blocked, 0};
    }
  }
  if (routes_.size() <= 1) return remote_broadcast(source, payload, 0);
  FromHeader header(source.node_id(), payload.size());
  const size_t frame = header.size + payload.size() + 1;
  // One copy of the frame, referenced from every target's queue.
  Block* block = pool_.acquire(frame);
  std::memcpy(block->data, header.bytes, header.size);
  // An empty payload may have data() == nullptr ("MSG *"); memcpy from null is undefined even for 0.
  if (!payload.empty()) std::memcpy(block->data + header.size, payload.data(), payload.size());
  block->data[frame - 1] = '\n';
  block->size = static_cast<uint32_t>(frame);
  uint32_t copies = 0;
  for (const auto& entry : routes_) {
    Connection& t = slab_[entry.slot];
    if (&t == &source) continue;
    t.out.append_shared_message(block, 0, static_cast<uint32_t>(frame));
    ++copies;
    pressure_.note_output_growth(t, loop_.now_tick());
  }
  pool_.unref(block);
  SB_LOG(*log_, debug, "broadcast", {"from", source.node_id()}, {"targets", uint64_t(copies)},
         {"bytes", uint64_t(payload.size())});
  return remote_broadcast(source, payload, copies);
}

Router::Outcome Router::remote_direct(Connection& source, std::string_view target, std::string_view payload) {
  switch (remote_->direct(source.node_id(), target, payload)) {
    case RemoteRoutes::Result::sent:
      return {Outcome::Kind::queued, 1};
    case RemoteRoutes::Result::no_such_node:
      return {Outcome::Kind::no_such_node, 0};
    case RemoteRoutes::Result::unavailable:
      break;
  }
  return {Outcome::Kind::unavailable, 0};
}

// The local copies are queued; the other servers get the broadcast once each through the backbone.
Router::Outcome Router::remote_broadcast(Connection& source, std::string_view payload, uint32_t copies) {
  if (remote_ != nullptr && remote_->broadcast(source.node_id(), payload) == RemoteRoutes::Result::unavailable)
    return {Outcome::Kind::unavailable, copies};
  return {Outcome::Kind::queued, copies};
}

}  // namespace sb::server
