// Node buffers and the write path.
#include "bench/node.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace sb::bench {

char* ByteBuffer::prepare(size_t n) {
  if (end_ + n <= cap_) return buf_.get() + end_;
  size_t live = end_ - begin_;
  if (live + n <= cap_) {
    std::memmove(buf_.get(), buf_.get() + begin_, live);  // slide down instead of growing
  } else {
    size_t cap = std::max<size_t>({cap_ * 2, live + n, 512});
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (live > 0) std::memcpy(bigger.get(), buf_.get() + begin_, live);
    buf_ = std::move(bigger);
    cap_ = cap;
  }
  begin_ = 0;
  end_ = live;
  return buf_.get() + end_;
}

void ByteBuffer::consume(size_t n) {
  begin_ += n;
  if (begin_ >= end_) begin_ = end_ = 0;
}

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
