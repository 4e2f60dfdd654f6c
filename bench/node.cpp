// The node write path.
#include "bench/node.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace sb::bench {

IoStatus flush_output(Node& node, int* err) {
  while (!node.out.empty()) {
    std::string_view v = node.out.view();
    ssize_t n = ::send(node.fd, v.data(), v.size(), MSG_NOSIGNAL);
    if (n > 0) {
      node.out.consume(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      node.writable = false;
      return IoStatus::blocked;
    }
    *err = n < 0 ? errno : 0;
    return IoStatus::failed;
  }
  return IoStatus::ok;
}

}  // namespace sb::bench
