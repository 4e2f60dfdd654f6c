// Thin, error-reporting wrappers over the BSD socket calls that server, client and bench share.
// Every function returns -1 (or false) and fills *error with a sentence on failure; none throws.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb::net {

// An IPv4 or IPv6 address with port, as the kernel wants it.
struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

// Resolves a numeric host ("127.0.0.1", "::1", "localhost") and port; no DNS beyond localhost.
bool resolve(std::string_view host, uint16_t port, Endpoint* out, std::string* error);
// "127.0.0.1:53122" / "[::1]:2004".
std::string format_endpoint(const sockaddr* addr, socklen_t len);
// Every TCP address `host` names, in getaddrinfo's order (RFC 6724: the one most likely to work
// first). Numeric addresses ("::1", "[::1]", "127.0.0.1") never reach the resolver; a name goes
// through /etc/hosts and DNS as nsswitch.conf says, so this can block for the resolver's timeout.
bool resolve_all(std::string_view host, uint16_t port, std::vector<Endpoint>* out, std::string* error);
// Strict port parse for flags: 0..65535 (common/text/number.h's rule).
bool parse_port(std::string_view text, uint16_t* out);
// "HOST:PORT", "[V6]:PORT", or a bare "PORT" (then *host is `default_host`), for flags that name
// one listening address. The host is returned as written (without brackets); false if malformed.
bool parse_host_port(std::string_view text, std::string_view default_host, std::string* host, uint16_t* port);

// Non-blocking, close-on-exec listening socket with SO_REUSEADDR. `in_use` is set when the
// failure was EADDRINUSE so callers can print the operator-friendly message.
int listen_tcp(const Endpoint& at, int backlog, std::string* error, bool* in_use = nullptr);
// The port a bound socket really got (after binding port 0).
uint16_t local_port(int fd);

// Blocking connect (then optionally switched to non-blocking). `source` may bind a local
// address first (bench spreads nodes over 127.0.0.x); pass nullptr for any.
int connect_tcp(const Endpoint& to, const Endpoint* source, bool nonblocking, std::string* error);

// Starts a non-blocking connect: returns the socket (non-blocking, close-on-exec, TCP_NODELAY)
// with *in_progress set when the handshake is still under way (poll for POLLOUT, then call
// finish_connect), or -1 with *error when the attempt failed at once (on loopback a refused port
// usually fails here).
int start_connect(const Endpoint& to, bool* in_progress, std::string* error);
// After a connecting socket polled writable (or with an error): 0 when connected, else the errno
// the connect failed with.
int finish_connect(int fd);

bool set_nonblocking(int fd);
void set_nodelay(int fd);

}  // namespace sb::net
