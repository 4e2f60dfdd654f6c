// Outbox::flush: one send per call, the unsent rest kept at the front of the buffer.
#include "bench/floor/frame_io.h"

#include <sys/socket.h>

namespace sb::floor {

Outbox::Flush Outbox::flush(int fd) {
  if (bytes_.empty()) return Flush::done;
  ssize_t w;
  do {
    w = send(fd, bytes_.data(), bytes_.size(), MSG_NOSIGNAL);
  } while (w < 0 && errno == EINTR);
  if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Flush::blocked;
  if (w < 0) {
    bytes_.clear();
    return Flush::failed;
  }
  // Erasing keeps the capacity, so a connection's buffer stops allocating once it has grown.
  bytes_.erase(bytes_.begin(), bytes_.begin() + w);
  return bytes_.empty() ? Flush::done : Flush::blocked;
}

}  // namespace sb::floor
