// RemoteDelivery: queues messages that arrived from other servers through the backbone to the
// local nodes they are for, as the Router does for local senders (same FROM frame, same
// slow-consumer watch). A remote sender cannot be paused, so a full local target gets the
// message anyway and the slow-consumer timeout deals with it. Socket-free.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/buffer/block_pool.h"
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

  // The copies queued (0: the target is not, or no longer, here).
  uint32_t direct(std::string_view source, std::string_view target, std::string_view payload);
  // To every local node, the frame stored once.
  uint32_t broadcast(std::string_view source, std::string_view payload);

 private:
  ConnectionSlab& slab_;
  BlockPool& pool_;
  BackPressure& pressure_;
  const EventLoop& loop_;
  const Router& router_;
};

}  // namespace sb::server
