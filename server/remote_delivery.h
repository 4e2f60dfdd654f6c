// RemoteDelivery: queues messages that arrived from other servers through the backbone to the
// local nodes they are for, as the Router does for local senders (same FROM frame, same
// slow-consumer watch). A remote sender cannot be paused, so a full local target gets the
// message anyway and the slow-consumer timeout deals with it. Socket-free.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/buffer/block_pool.h"
#include "common/protocol/from_header.h"
#include "server/back_pressure.h"
#include "server/connection_slab.h"
#include "server/event_loop.h"
#include "server/router.h"

namespace sb::server {

class RemoteDelivery {
 public:
  RemoteDelivery(ConnectionSlab& slab, BlockPool& pool, BackPressure& pressure, const EventLoop& loop,
                 const Router& router)
      : slab_(slab), pool_(pool), pressure_(pressure), loop_(loop), router_(router) {}

  // The copies queued (0: the target is not, or no longer, here). `via`: the `~g` of an anycast
  // another server picked this node for.
  uint32_t direct(std::string_view source, std::string_view target, std::string_view payload,
                  std::string_view via = {});
  // To every local node, the frame stored once.
  uint32_t broadcast(std::string_view source, std::string_view payload);
  // To every local member of the group `via` names (`#g`), the frame stored once.
  uint32_t group(std::string_view source, std::string_view via, std::string_view payload);
  // To every local node `pattern` matches, the frame stored once.
  uint32_t pattern(std::string_view source, std::string_view pattern, std::string_view payload);

 private:
  // One frame, referenced from the queue of every registered node in targets_.
  uint32_t share(const proto::FromHeader& header, std::string_view payload);

  ConnectionSlab& slab_;
  BlockPool& pool_;
  BackPressure& pressure_;
  const EventLoop& loop_;
  const Router& router_;
  std::vector<uint32_t> targets_;  // the slots of the message being delivered (reused)
};

}  // namespace sb::server
