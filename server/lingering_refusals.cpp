// LingeringRefusals: shut down, discard input until EOF or the deadline, close.
#include "server/lingering_refusals.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sb::server {

bool LingeringRefusals::add(int fd, uint64_t deadline_tick) {
  if (list_.size() == kCapacity) return false;
  ::shutdown(fd, SHUT_WR);  // the ERR line is followed by our FIN
  if (drained(fd)) {
    ::close(fd);
    return true;
  }
  list_.push_back({fd, deadline_tick});
  return true;
}

void LingeringRefusals::on_tick(uint64_t now_tick) {
  for (size_t i = 0; i < list_.size();) {
    if (drained(list_[i].fd) || now_tick >= list_[i].deadline) {
      ::close(list_[i].fd);
      list_[i] = list_.back();
      list_.pop_back();
    } else {
      ++i;
    }
  }
}

void LingeringRefusals::close_all() {
  for (const Refusal& r : list_) ::close(r.fd);
  list_.clear();
}

bool LingeringRefusals::drained(int fd) {
  // A bounded amount per tick: a client streaming at a refused socket is closed at the deadline.
  char sink[4096];
  for (int reads = 0; reads < 16; ++reads) {
    ssize_t n = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
  }
  return false;
}

}  // namespace sb::server
