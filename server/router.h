// Router: decides where a payload goes and queues it there. It owns the id -> connection map and
// every index routing needs (the groups, the id pattern trie), and writes FROM frames into the
// targets' output queues; it never touches a socket (ConnectionIo flushes what it queued).
// Commands calls route() for SEND/MSG and the membership calls for JOIN/LEAVE/WHO/GROUPS.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "common/buffer/block_pool.h"
#include "common/log/logger.h"
#include "common/routing/group_table.h"
#include "common/routing/pattern_index.h"
#include "common/routing/routing_table.h"
#include "server/back_pressure.h"
#include "server/connection_slab.h"
#include "server/event_loop.h"
#include "server/remote_routes.h"

namespace sb::server {

struct RouterLimits {
  size_t max_groups;
  size_t max_groups_per_node;
};

class Router {
 public:
  struct Outcome {
    enum class Kind : uint8_t {
      queued,        // `copies` targets got the message (0: a broadcast with nobody else)
      blocked,       // a target is full: the sender is paused and the frame must be retried
      no_such_node,  // no node has that id
      no_receivers,  // a group, anycast or pattern that reaches nobody but the sender
      unavailable,   // --cluster: the target may be on another server, and the backbone is down
    };
    // What the target named, for the per-kind message counters.
    enum class Via : uint8_t { direct, broadcast, group, anycast, pattern };
    Kind kind;
    Via via;
    uint32_t copies;
  };

  Router(ConnectionSlab& slab, BlockPool& pool, BackPressure& pressure, const EventLoop& loop, log::Logger* log,
         RouterLimits limits)
      : slab_(slab), pool_(pool), pressure_(pressure), loop_(loop), log_(log),
        groups_(limits.max_groups, limits.max_groups_per_node) {}
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // False if the id is registered already. Indexes the id for patterns too (at HELLO, so that a
  // message never pays for it).
  bool add(std::string_view id, uint32_t slot);
  // The node leaves the table, the pattern index and every group it was in.
  void remove(std::string_view id);
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

  // Membership of the bare group name (without `#`/`~`); logs join/leave, creation, emptying.
  // With --cluster the members counted are the cluster's (the other servers' as replicated).
  GroupTable::JoinResult join(const Connection& c, std::string_view name);
  GroupTable::LeaveResult leave(const Connection& c, std::string_view name);
  const GroupTable& groups() const { return groups_; }
  // The ids a WHO argument names: a group's members, a pattern's matches, one id (if registered)
  // or, for `*`, every node; with --cluster those of the other servers too (not for `*`: Cluster
  // answers WHO). `target` is valid (proto::classify_target).
  void who(std::string_view target, std::vector<std::string_view>* ids) const;
  // GROUPS: every group with its member count, of the cluster with --cluster. The views live
  // until the next change of a group.
  void group_sizes(std::vector<std::pair<std::string_view, uint32_t>>* sizes) const;
  // The local ids as a trie, for patterns from other servers.
  const PatternIndex& patterns() const { return patterns_; }

 private:
  Outcome direct(Connection& source, std::string_view target, std::string_view payload);
  Outcome broadcast(Connection& source, std::string_view payload);
  Outcome remote_direct(Connection& source, std::string_view target, std::string_view payload);
  Outcome remote_broadcast(Connection& source, std::string_view payload, uint32_t copies);
  // `#g`, `~g`, and patterns: every target whose first byte cannot start an id.
  Outcome route_v2(Connection& source, std::string_view target, std::string_view payload);
  Outcome group(Connection& source, std::string_view target, std::string_view payload);
  Outcome anycast(Connection& source, std::string_view target, std::string_view payload);
  Outcome pattern(Connection& source, std::string_view target, std::string_view payload);
  Outcome remote_fan_out(Connection& source, std::string_view target, std::string_view payload, Outcome::Via kind);
  // Queues one shared copy of the frame to every slot in targets_, all or nothing.
  Outcome fan_out(Connection& source, std::string_view via, std::string_view payload, Outcome::Via kind);
  // Room for a `frame`-byte fan-out frame in the shared arena block; *offset is where it starts.
  Block* reserve_shared(uint32_t frame, uint32_t* offset);
  void on_left(const Connection& c, std::string_view name, uint32_t members);

  ConnectionSlab& slab_;
  BlockPool& pool_;
  BackPressure& pressure_;
  const EventLoop& loop_;
  log::Logger* log_;
  RoutingTable routes_;
  PatternIndex patterns_;
  GroupTable groups_;
  std::vector<uint32_t> targets_;  // fan-out targets of the message being routed (reused)
  // Fan-out frames are packed one after another into this block, and each target's queue
  // references its slice: a 64-byte group message costs its bytes, not a 16 KiB block of its own.
  Block* arena_ = nullptr;
  RemoteRoutes* remote_ = nullptr;
};

}  // namespace sb::server
