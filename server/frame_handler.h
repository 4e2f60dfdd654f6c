// What ConnectionIo hands each parsed frame to. Commands implements it; the indirection keeps the
// I/O layer free of protocol semantics (and lets it be built and tested without them).
#pragma once

#include "common/protocol/frame_parser.h"
#include "server/connection.h"

namespace sb::server {

class FrameHandler {
 public:
  virtual ~FrameHandler() = default;
  // A complete, well-formed frame. False only when the sender must pause (back-pressure): the
  // same frame is parsed and handled again when it resumes.
  virtual bool handle_frame(Connection& c, const proto::Frame& f) = 0;
  // A frame the parser refused (`r.status == error`): reply and count it.
  virtual void handle_refusal(Connection& c, const proto::ParseResult& r) = 0;
  // A registered node is leaving (any reason): forget what was kept for it by slot.
  virtual void node_left(Connection&) {}
};

}  // namespace sb::server
