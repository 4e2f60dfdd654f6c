// GroupCommands: the protocol v2 verbs about who a target reaches. JOIN and LEAVE of a group,
// GROUPS, and WHO with an argument (a group's members, a pattern's matches, one id). Commands
// hands it these frames; it replies on the connection and logs every refusal with its reason.
// It never reads or writes a socket.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "common/log/logger.h"
#include "common/protocol/frame.h"
#include "server/connection_io.h"
#include "server/router.h"

namespace sb::server {

class GroupCommands {
 public:
  // `max_outbuf`: WHO and GROUPS replies list entries while they fit under the output bound.
  GroupCommands(Router& router, ConnectionIo& io, log::Logger* log, size_t max_outbuf)
      : router_(router), io_(io), log_(log), max_outbuf_(max_outbuf) {}

  void join(Connection& c, std::string_view arg);
  void leave(Connection& c, std::string_view arg);
  // GROUPS and WHO <target> count every entry and list them while the reply fits under the
  // connection's output bound (as WHO does, server/node_list_reply.h).
  void groups(Connection& c);
  void who(Connection& c, std::string_view arg);

  // `ERR <code> <detail>` on `c`, and an info record naming the node, the verb and the reason.
  void refuse(Connection& c, proto::ErrorCode code, std::string_view verb, std::string_view detail,
              std::string_view reason = {});

 private:
  size_t room_of(const Connection& c) const;

  Router& router_;
  ConnectionIo& io_;
  log::Logger* log_;
  size_t max_outbuf_;
  std::vector<std::string_view> ids_;  // WHO's answer (reused)
  std::vector<std::pair<std::string_view, uint32_t>> sizes_;  // GROUPS' answer (reused)
};

}  // namespace sb::server
