// Socket helpers: address parsing and formatting, listen and connect with readable errors.
#include "common/net/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/text/number.h"

namespace sb::net {

namespace {
std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }
}  // namespace

bool parse_port(std::string_view text, uint16_t* out) { return text::parse_uint<uint16_t>(text, 0, 65535, out); }

bool parse_host_port(std::string_view text, std::string_view default_host, std::string* host, uint16_t* port) {
  if (text.find(':') == std::string_view::npos) {
    *host = std::string(default_host);
    return !text.empty() && parse_port(text, port);
  }
  std::string_view h, p;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    h = text.substr(1, close - 1);
    p = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
    if (h.find(':') != std::string_view::npos) return false;  // an IPv6 address needs its brackets
  }
  if (h.empty() || !parse_port(p, port)) return false;
  *host = std::string(h);
  return true;
}

bool resolve_all(std::string_view host, uint16_t port, std::vector<Endpoint>* out, std::string* error) {
  out->clear();
  std::string h(host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) {
    if (error) *error = "empty host name";
    return false;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  // No AI_ADDRCONFIG: it counts only non-loopback interfaces, so on a host with loopback alone it
  // hides "::1" and "localhost". An address family the host cannot reach fails its connect at
  // once (ENETUNREACH), and the caller moves on to the next address.
  hints.ai_flags = AI_NUMERICSERV;
  const std::string service = std::to_string(port);
  addrinfo* list = nullptr;
  int rc = getaddrinfo(h.c_str(), service.c_str(), &hints, &list);
  if (rc != 0) {
    if (error) {
      *error = "cannot resolve '" + std::string(host) + "': " +
               (rc == EAI_SYSTEM ? std::strerror(errno) : gai_strerror(rc));
    }
    return false;
  }
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) || ai->ai_addrlen > sizeof(sockaddr_storage))
      continue;
    Endpoint ep;
    std::memcpy(&ep.addr, ai->ai_addr, ai->ai_addrlen);
    ep.len = ai->ai_addrlen;
    out->push_back(ep);
  }
  freeaddrinfo(list);
  if (out->empty()) {
    if (error) *error = "no IPv4 or IPv6 address for '" + std::string(host) + "'";
    return false;
  }
  return true;
}

bool resolve(std::string_view host, uint16_t port, Endpoint* out, std::string* error) {
  std::string h(host);
  if (h == "localhost") h = "127.0.0.1";
  if (!h.empty() && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  *out = Endpoint{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out->addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out->addr);
  if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out->len = sizeof(sockaddr_in);
    return true;
  }
  if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    out->len = sizeof(sockaddr_in6);
    return true;
  }
  if (error) *error = "not a numeric IPv4/IPv6 address: '" + std::string(host) + "'";
  return false;
}

std::string format_endpoint(const sockaddr* addr, socklen_t len) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    auto* v4 = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(v4->sin_port));
  }
  if (addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    auto* v6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(v6->sin6_port));
  }
  return "unknown";
}

int start_connect(const Endpoint& to, bool* in_progress, std::string* error) {
  *in_progress = false;
  const std::string where = " (" + format_endpoint(reinterpret_cast<const sockaddr*>(&to.addr), to.len) + ")";
  int fd = socket(to.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    if (error) *error = errno_text("socket") + where;
    return -1;
  }
  set_nodelay(fd);
  // A non-blocking connect interrupted by a signal carries on in the background; the socket then
  // reports the outcome like any in-progress connect, so EINTR is treated as EINPROGRESS.
  if (connect(fd, reinterpret_cast<const sockaddr*>(&to.addr), to.len) != 0) {
    if (errno != EINPROGRESS && errno != EINTR) {
      if (error) *error = errno_text("connect") + where;
      close(fd);
      return -1;
    }
    *in_progress = true;
  }
  return fd;
}

int finish_connect(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  if (err != 0) return err;
  // SO_ERROR is 0 both when connected and while still in progress (a spurious wakeup): ask the
  // kernel for the peer to tell them apart.
  sockaddr_storage peer{};
  socklen_t peer_len = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0)
    return errno == ENOTCONN ? EINPROGRESS : errno;
  return 0;
}

bool set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int listen_tcp(const Endpoint& at, int backlog, std::string* error, bool* in_use) {
  if (in_use) *in_use = false;
  int fd = socket(at.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    if (error) *error = errno_text("socket");
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&at.addr), at.len) != 0) {
    if (in_use) *in_use = errno == EADDRINUSE;
    if (error) *error = errno_text("bind");
    close(fd);
    return -1;
  }
  if (listen(fd, backlog) != 0) {
    if (error) *error = errno_text("listen");
    close(fd);
    return -1;
  }
  return fd;
}

uint16_t local_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return 0;
}

int connect_tcp(const Endpoint& to, const Endpoint* source, bool nonblocking, std::string* error) {
  int fd = socket(to.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    if (error) *error = errno_text("socket");
    return -1;
  }
  if (source != nullptr) {
    int one = 1;
    // Lets many nodes share a source address: the 4-tuple, not the local port, must be unique.
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, reinterpret_cast<const sockaddr*>(&source->addr), source->len) != 0) {
      if (error) *error = errno_text("bind source address");
      close(fd);
      return -1;
    }
  }
  int rc;
  do {
    rc = connect(fd, reinterpret_cast<const sockaddr*>(&to.addr), to.len);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    if (error) *error = errno_text("connect") + " (" +
                        format_endpoint(reinterpret_cast<const sockaddr*>(&to.addr), to.len) + ")";
    close(fd);
    return -1;
  }
  set_nodelay(fd);
  if (nonblocking && !set_nonblocking(fd)) {
    if (error) *error = errno_text("fcntl");
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace sb::net
