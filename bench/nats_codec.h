// Just enough of the core NATS client protocol to run the bench workload against nats-server:
// CONNECT/SUB/PUB/PING/PONG out, INFO/MSG/PING/PONG/+OK/-ERR in. Each node subscribes to
// "node.<id>" (and "node.all" for broadcast, with echo off so a node skips its own broadcasts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb::bench {

struct NatsEvent {
  enum class Kind : uint8_t { need_more, msg, ping, pong, info, ok, err, error };
  Kind kind = Kind::need_more;
  size_t consumed = 0;
  std::string_view payload;  // msg
  std::string_view text;     // err: the server's message; error: what was malformed
};

// Incremental, zero-copy like the switchboard parser: call next() with all unconsumed bytes.
class NatsParser {
 public:
  NatsEvent next(std::string_view input);

 private:
  size_t scanned_ = 0;     // bytes of the current line known to hold no '\n'
  size_t header_len_ = 0;  // > 0 while waiting for a MSG payload
  size_t payload_len_ = 0;
};

// "CONNECT {...}\r\nSUB node.<id> 1\r\n[SUB node.all 2\r\n]PING\r\n": the PONG that answers the
// PING says the subscriptions are in place (nats-server handles a connection's input in order).
std::string nats_hello(std::string_view id, bool broadcast);
// "PUB node.<id> " (the length and "\r\n" follow); id "*" publishes to node.all.
std::string nats_pub_prefix(std::string_view id);

}  // namespace sb::bench
