// One face for the two wire protocols the bench speaks (switchboard v1 and core NATS): the
// handshake, the prefix of a message to a target, and "what did the server just say".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "bench/nats_codec.h"
#include "common/nats/nats_parser.h"
#include "bench/options.h"
#include "common/protocol/frame_parser.h"

namespace sb::bench {

struct WireEvent {
  enum class Kind : uint8_t {
    need_more,   // drop `consumed` bytes (may be 0) and wait for more
    registered,  // WELCOME / the PONG that follows SUB
    joined,      // JOINED: the node is in its group
    message,     // FROM / MSG: `payload`
    ping,        // answer with wire_pong()
    server_error,  // ERR / -ERR: `text`; `fatal` when the connection is unusable afterwards
    ignore,      // anything else well-formed
  };
  Kind kind = Kind::need_more;
  size_t consumed = 0;
  std::string_view payload;
  std::string_view text;
  bool fatal = false;
};

// Per-connection parser state for either protocol (only the one in use is touched).
struct WireParser {
  proto::FrameParser sb{proto::Role::client};
  proto::ParseResult sb_result;  // reused for every frame this connection reads
  nats::Parser nats;
};

WireEvent wire_next(Proto proto, WireParser& parser, std::string_view input);

// `group` non-empty ("#g", or "~g" for a NATS queue group): join it as part of the handshake.
std::string wire_hello(Proto proto, std::string_view id, bool broadcast, std::string_view group = {});
// Bytes before the decimal payload length of a message to `target` ("*" = every other node).
std::string wire_send_prefix(Proto proto, std::string_view target);
// Bytes between the length and the payload, and after the payload.
std::string_view wire_eol(Proto proto);
std::string_view wire_pong(Proto proto);

}  // namespace sb::bench
