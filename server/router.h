// Router: decides where a payload goes and queues it there. It owns the id -> connection map and
// the indexes routing needs, and writes FROM frames into the targets' output queues; it never
// touches a socket (ConnectionIo flushes what it queued). Commands calls route(); new target
// kinds (groups, patterns, cluster forwarding) are added here.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/buffer/block_pool.h"
#include "common/log/logger.h"
#include "common/routing/routing_table.h"
#include "server/back_pressure.h"
#include "server/connection_slab.h"
#include "server/event_loop.h"
#include "server/remote_routes.h"

namespace sb::server {

class Router {
 public:
  struct Outcome {
    enum class Kind : uint8_t {
      queued,        // `copies` targets got the message (0: a broadcast with nobody else)
      blocked,       // a target is full: the sender is paused and the frame must be retried
      no_such_node,  // no node has that id
      unavailable,   // --cluster: the target may be on another server, and the backbone is down
    };
    Kind kind;
    uint32_t copies;
  };

  Router(ConnectionSlab& slab, BlockPool& pool, BackPressure& pressure, const EventLoop& loop, log::Logger* log)
      : slab_(slab), pool_(pool), pressure_(pressure), loop_(loop), log_(log) {}

  // False if the id is registered already.
  bool add(std::string_view id, uint32_t slot) { return routes_.insert(id, slot); }
  void remove(std::string_view id) {
    routes_.erase(id);
    if (remote_ != nullptr) remote_->released(id);
  }
  // --cluster: targets that are not local go here (nullptr: none, the v1 behaviour).
  void set_remote(RemoteRoutes* remote) { remote_ = remote; }
  // The connection registered as `id`, or nullptr.
  Connection* holder(std::string_view id) {
    const uint32_t* slot = routes_.find(id);
    return slot == nullptr ? nullptr : &slab_[*slot];
  }
  size_t nodes() const { return routes_.size(); }
  // Every registered node, for WHO.
  const RoutingTable& table() const { return routes_; }

  Outcome route(Connection& source, std::string_view target, std::string_view payload);

 private:
  Outcome direct(Connection& source, std::string_view target, std::string_view payload);
  Outcome broadcast(Connection& source, std::string_view payload);
  Outcome remote_direct(Connection& source, std::string_view target, std::string_view payload);
  Outcome remote_broadcast(Connection& source, std::string_view payload, uint32_t copies);
  ConnectionSlab& slab_;
  BlockPool& pool_;
  BackPressure& pressure_;
  const EventLoop& loop_;
  log::Logger* log_;
  RoutingTable routes_;
  RemoteRoutes* remote_ = nullptr;

};

}  // namespace sb::server
