// A list of servers given on the command line as "HOST:PORT[,HOST:PORT...]" (client --server,
// bench --servers). An IPv6 address is written in brackets: "[::1]:2004". Parsing is pure: a
// name is only resolved when connecting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb::net {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 address
  uint16_t port = 0;
};

// False with *error (one sentence naming the bad item) for an empty item, a missing or bad
// port (1..65535), an empty host, a blank or control byte, or unbalanced brackets.
bool parse_server_list(std::string_view text, std::vector<HostPort>* out, std::string* error);

// "127.0.0.1:2004" / "[::1]:2004".
std::string format_host_port(const HostPort& server);

}  // namespace sb::net
