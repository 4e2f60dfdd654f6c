// Test support: a loopback listener that never answers a new connection. It accepts nothing and
// its accept queue is filled first, so the kernel drops further SYNs and a connect to it stays in
// progress, as one to a host that went silent would, without any packet leaving the machine.
// Header-only.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <vector>

#include "tests/support/loopback.h"

namespace sb::test {

class SilentListener {
 public:
  SilentListener() {
    fd_ = listen_on_loopback(0, &port_);
    if (fd_ < 0) return;
    sockaddr_in addr = loopback_address(port_);
    // Connect until one stays in progress: that one proves the queue is full (backlog 0 still
    // admits one or two, depending on the kernel).
    for (int i = 0; i < 32 && !silent_; ++i) {
      int s = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (s < 0) break;
      fillers_.push_back(s);
      if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) break;
      pollfd p{s, POLLOUT, 0};
      silent_ = ::poll(&p, 1, 200) == 0;
    }
  }
  ~SilentListener() {
    for (int s : fillers_) ::close(s);
    if (fd_ >= 0) ::close(fd_);
  }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  // False when this kernel completed every connect: the test then has nothing to wait on.
  bool silent() const { return silent_; }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  bool silent_ = false;
  std::vector<int> fillers_;
};

}  // namespace sb::test
