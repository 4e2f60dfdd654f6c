// The bench's subjects over the shared NATS writers.
#include "bench/nats_codec.h"

#include "common/nats/nats_writer.h"

namespace sb::bench {

std::string nats_hello(std::string_view id, bool broadcast) {
  std::string s = broadcast ? "CONNECT {\"verbose\":false,\"pedantic\":false,\"echo\":false}\r\n"
                            : "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n";
  nats::write_sub(&s, "node." + std::string(id), "1");
  if (broadcast) nats::write_sub(&s, "node.all", "2");
  nats::write_ping(&s);
  return s;
}

std::string nats_pub_prefix(std::string_view id) {
  std::string s = "PUB node.";
  s += id == "*" ? std::string_view("all") : id;
  s += ' ';
  return s;
}

}  // namespace sb::bench
