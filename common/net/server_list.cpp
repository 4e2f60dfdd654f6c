// "HOST:PORT,..." lists: split on commas, then each item on its last colon (an IPv6 address,
// which has colons of its own, must be bracketed).
#include "common/net/server_list.h"

#include "common/net/socket.h"

namespace sb::net {

namespace {

bool parse_item(std::string_view item, HostPort* out) {
  for (unsigned char ch : item) {
    if (ch <= ' ' || ch == 0x7f) return false;
  }
  size_t colon = item.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view host = item.substr(0, colon);
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    host = host.substr(1, host.size() - 2);
  } else if (host.find_first_of(":[]") != std::string_view::npos) {
    return false;  // an unbracketed IPv6 address: its port would be ambiguous
  }
  if (host.empty() || !parse_port(item.substr(colon + 1), &out->port) || out->port == 0) return false;
  out->host = std::string(host);
  return true;
}

}  // namespace

bool parse_server_list(std::string_view text, std::vector<HostPort>* out, std::string* error) {
  std::vector<HostPort> servers;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    HostPort server;
    if (!parse_item(item, &server)) {
      *error = "'" + std::string(item) + "' is not HOST:PORT (an IPv6 address as [ADDRESS]:PORT)";
      return false;
    }
    servers.push_back(std::move(server));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  *out = std::move(servers);
  return true;
}

std::string format_host_port(const HostPort& server) {
  bool v6 = server.host.find(':') != std::string::npos;
  return (v6 ? "[" + server.host + "]" : server.host) + ":" + std::to_string(server.port);
}

}  // namespace sb::net
