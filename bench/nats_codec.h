// The bench workload as core NATS subjects (the wire itself is common/nats): each node subscribes
// to "node.<id>" (and "node.all" for broadcast, with echo off so a node skips its own broadcasts).
#pragma once

#include <string>
#include <string_view>

namespace sb::bench {

// "CONNECT {...}\r\nSUB node.<id> 1\r\n[SUB node.all 2\r\n]PING\r\n": the PONG that answers the
// PING says the subscriptions are in place (nats-server handles a connection's input in order).
// `group` non-empty: also "SUB grp.<group> 3" (with `queue`, in queue group q: one member each).
std::string nats_hello(std::string_view id, bool broadcast, std::string_view group = {}, bool queue = false);
// "PUB node.<id> " (the length and "\r\n" follow); id "*" publishes to node.all, "#g" and "~g"
// to grp.g.
std::string nats_pub_prefix(std::string_view id);

}  // namespace sb::bench
