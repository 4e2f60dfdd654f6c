// The bench's subjects over the shared NATS writers.
#include "bench/nats_codec.h"

#include "common/nats/nats_writer.h"

namespace sb::bench {

std::string nats_hello(std::string_view id, bool broadcast, std::string_view group, bool queue) {
  // No echo when a node subscribes to what it publishes (node.all, its group): as on switchboard,
  // a sender does not get its own message.
  std::string s = broadcast || !group.empty() ? "CONNECT {\"verbose\":false,\"pedantic\":false,\"echo\":false}\r\n"
                                              : "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n";
  nats::write_sub(&s, "node." + std::string(id), "1");
  if (broadcast) nats::write_sub(&s, "node.all", "2");
  if (!group.empty() && queue) {
    s += "SUB grp." + std::string(group) + " q 3\r\n";  // a queue group: one member gets each message
  } else if (!group.empty()) {
    nats::write_sub(&s, "grp." + std::string(group), "3");
  }
  nats::write_ping(&s);
  return s;
}

std::string nats_pub_prefix(std::string_view id) {
  if (!id.empty() && (id[0] == '#' || id[0] == '~')) return "PUB grp." + std::string(id.substr(1)) + " ";
  std::string s = "PUB node.";
  s += id == "*" ? std::string_view("all") : id;
  s += ' ';
  return s;
}

}  // namespace sb::bench
