// GroupCommands: the protocol v2 verbs about who a target reaches. JOIN and LEAVE of a group,
// GROUPS, and WHO with an argument (a group's members, a pattern's matches, one id). Commands
// hands it these frames; it replies on the connection and logs every refusal with its reason.
// It never reads or writes a socket.
#pragma once

#include <string_view>
#include <vector>

#include "common/log/logger.h"
#include "common/protocol/frame.h"
#include "server/connection_io.h"
#include "server/router.h"

namespace sb::server {

class GroupCommands {
 public:
  GroupCommands(Router& router, ConnectionIo& io, log::Logger* log) : router_(router), io_(io), log_(log) {}

  void join(Connection& c, std::string_view arg);
  void leave(Connection& c, std::string_view arg);
  void groups(Connection& c);
  void who(Connection& c, std::string_view arg);

  // `ERR <code> <detail>` on `c`, and an info record naming the node, the verb and the reason.
  void refuse(Connection& c, proto::ErrorCode code, std::string_view verb, std::string_view detail,
              std::string_view reason = {});

 private:
  Router& router_;
  ConnectionIo& io_;
  log::Logger* log_;
  std::vector<std::string_view> ids_;  // WHO's answer (reused)
};

}  // namespace sb::server
