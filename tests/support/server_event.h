// Replies as client/session.cpp hands them to the client's layers (ServerEvent), for the unit tests
// that feed a layer replies without a server.
#pragma once

#include <cstddef>
#include <string_view>

#include "client/session.h"
#include "common/protocol/frame.h"

namespace sb::test {

inline client::ServerEvent server_event(client::ServerEvent::Kind kind, std::string_view node = {},
                                        std::string_view text = {}, size_t count = 0) {
  client::ServerEvent ev;
  ev.kind = kind;
  ev.node = node;
  ev.text = text;
  ev.count = count;
  return ev;
}

// An ERR reply: the code, its wire spelling and the detail, as the session fills them.
inline client::ServerEvent error_event(proto::ErrorCode code, std::string_view detail) {
  client::ServerEvent ev = server_event(client::ServerEvent::Kind::error, {}, detail);
  ev.code = code;
  ev.code_text = proto::error_code_name(code);
  return ev;
}

}  // namespace sb::test
