// Listener: accept, admit or refuse, and the EMFILE spare-descriptor path.
#include "server/listener.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/net/socket.h"
#include "server/server_limits.h"

namespace sb::server {

Listener::~Listener() {
  for (int fd : {listen_fd_, spare_fd_})
    if (fd >= 0) ::close(fd);
}

bool Listener::open(std::string* error, bool* port_in_use) {
  net::Endpoint ep;
  if (!net::resolve(options_.bind, options_.port, &ep, error)) return false;
  listen_fd_ = net::listen_tcp(ep, kListenBacklog, error, port_in_use);
  if (listen_fd_ < 0) {
    if (*port_in_use) *error = "address " + options_.bind + ":" + std::to_string(options_.port) + " is already in use";
    return false;
  }
  bound_port_ = net::local_port(listen_fd_);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len);
  bound_address_ = net::format_endpoint(reinterpret_cast<sockaddr*>(&ss), len);
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (spare_fd_ < 0) {
    *error = std::string("opening the spare descriptor: ") + std::strerror(errno);
    return false;
  }
  // Level-triggered: the accept batch cap may leave connections queued, and level-triggering
  // reports them again without bookkeeping. Every connection is edge-triggered.
  if (!loop_.add(listen_fd_, EPOLLIN, kListenerTag)) {
    *error = std::string("epoll_ctl: ") + std::strerror(errno);
    return false;
  }
  return true;
}

void Listener::accept_connections() {
  for (int i = 0; i < kAcceptBatch; ++i) {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      switch (errno) {
        case EAGAIN:
          return;
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
          continue;
        case EMFILE:
        case ENFILE:
          // EMFILE comes before the kernel looks at the accept queue: once a shed finds the queue
          // empty, retrying would only cycle the spare descriptor for nothing.
          if (!shed_with_spare_fd()) return;
          continue;
        default:
          SB_LOG(*log_, error, "accept_failed", {"error", std::strerror(errno)});
          return;
      }
    }
    if (io_.count() >= options_.max_conns) {
      refuse(fd, "ERR server-full\n");
      continue;
    }
    adopt(fd, net::format_endpoint(reinterpret_cast<sockaddr*>(&ss), len));
  }
  // Batch cap reached: the level-triggered listener reports the rest after the others are served.
}

void Listener::adopt(int fd, std::string_view peer) {
  const std::string_view address = Admission::address_of(peer);
  if (!admission_.admit_address(address)) {
    SB_LOG(*log_, warn, "reject", {"reason", "max-conns-per-ip"}, {"peer", peer});
    refuse(fd, "ERR server-full too-many-connections-from-address\n");
    return;
  }
  if (!io_.open(fd, peer)) {
    admission_.release_address(address);
    refuse(fd, "ERR server-full\n");
  }
}

void Listener::refuse(int fd, const char* reply, bool linger) {
  ++stats_.refused;
  // Best effort and never blocking: a refused client gets one line if its buffer has room.
  ssize_t rc = ::send(fd, reply, std::strlen(reply), MSG_NOSIGNAL | MSG_DONTWAIT);
  (void)rc;
  if (linger && refusals_.add(fd, loop_.now_tick() + kLingerTicks)) return;
  if (linger) ++stats_.refused_unlingered;
  ::close(fd);
}

bool Listener::shed_with_spare_fd() {
  // Out of descriptors: free the spare, accept the waiting connection only to refuse it, and take
  // the spare back. Without this the listener stays readable and the loop spins (libuv once did).
  if (spare_fd_ >= 0) {
    ::close(spare_fd_);
    spare_fd_ = -1;
  }
  int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd >= 0) refuse(fd, "ERR server-full\n", /*linger=*/false);
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (last_fd_warning_tick_ != loop_.now_tick()) {  // one line per tick, not one per refused connection
    last_fd_warning_tick_ = loop_.now_tick();
    SB_LOG(*log_, warn, "fd_exhausted", {"connections", uint64_t(io_.count())}, {"refused", stats_.refused});
  }
  if (fd < 0 && spare_fd_ < 0) {
    // Even the spare could not be had back: stop accepting until the next tick instead of spinning.
    loop_.remove(listen_fd_);
    paused_ = true;
  }
  return fd >= 0;
}

void Listener::on_tick() {
  refusals_.on_tick(loop_.now_tick());
  if (!paused_ || listen_fd_ < 0) return;
  if (spare_fd_ < 0) spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  paused_ = !loop_.add(listen_fd_, EPOLLIN, kListenerTag);
}

void Listener::close() {
  refusals_.close_all();
  if (listen_fd_ < 0) return;
  loop_.remove(listen_fd_);
  ::close(listen_fd_);
  listen_fd_ = -1;
  paused_ = false;
}

}  // namespace sb::server
