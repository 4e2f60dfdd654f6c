// sd_notify without libsystemd: a datagram socket, one sendto, close.
#include "server/service_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "common/timing/clock.h"

namespace sb::server {

bool notify_service(std::string_view state, std::string* error) {
  const char* where = std::getenv("NOTIFY_SOCKET");
  if (where == nullptr || *where == '\0') return true;
  auto fail = [&](const std::string& why) {
    if (error != nullptr) *error = "NOTIFY_SOCKET '" + std::string(where) + "': " + why;
    return false;
  };
  const size_t len = std::strlen(where);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if ((where[0] != '/' && where[0] != '@') || len >= sizeof addr.sun_path)
    return fail("not an absolute path or @abstract name that fits a unix socket address");
  std::memcpy(addr.sun_path, where, len);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract: no file, the name is the bytes
  const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);

  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(std::string("socket: ") + std::strerror(errno));
  ssize_t sent;
  do {
    sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                    reinterpret_cast<const sockaddr*>(&addr), addr_len);
  } while (sent < 0 && errno == EINTR);
  const int saved = errno;
  ::close(fd);
  if (sent < 0) return fail(std::string("sendto: ") + std::strerror(saved));
  return true;
}

bool notify_ready(std::string_view status, std::string* error) {
  return notify_service("READY=1\nSTATUS=" + std::string(status), error);
}

bool notify_reloading(std::string* error) {
  return notify_service("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_ns() / 1000), error);
}

bool notify_stopping(std::string* error) { return notify_service("STOPPING=1", error); }

}  // namespace sb::server
