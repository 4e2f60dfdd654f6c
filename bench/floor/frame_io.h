// Fixed-size frames over a non-blocking stream socket, for the random-target floor: read every
// complete frame a socket holds (keeping a partial tail for next time), and an output buffer
// flushed with one send. No parsing: a frame is `size` opaque bytes.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <vector>

namespace sb::floor {

enum class ReadEnd { drained, budget_spent, closed };

// Reads `fd` until EAGAIN, EOF/error, or `budget` bytes, calling on_frame(const char*) for each
// complete frame. `tail` holds the partial frame between calls; `scratch` must hold at least
// budget + frame bytes and is only working space.
template <typename OnFrame>
ReadEnd read_frames(int fd, size_t frame, size_t budget, std::vector<char>& tail, std::vector<char>& scratch,
                    OnFrame&& on_frame) {
  size_t held = tail.size();
  if (held > 0) std::memcpy(scratch.data(), tail.data(), held);
  size_t total = 0;
  ReadEnd end = ReadEnd::drained;
  for (;;) {
    const ssize_t r = read(fd, scratch.data() + held, scratch.size() - held);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (r <= 0) {
      end = ReadEnd::closed;
      break;
    }
    const size_t have = held + static_cast<size_t>(r);
    size_t off = 0;
    for (; off + frame <= have; off += frame) on_frame(scratch.data() + off);
    held = have - off;
    if (held > 0 && off > 0) std::memmove(scratch.data(), scratch.data() + off, held);
    total += static_cast<size_t>(r);
    if (total >= budget) {
      end = ReadEnd::budget_spent;
      break;
    }
  }
  tail.assign(scratch.data(), scratch.data() + held);
  return end;
}

// Bytes waiting to be sent on one connection.
class Outbox {
 public:
  void append(const char* data, size_t n) { bytes_.insert(bytes_.end(), data, data + n); }
  bool empty() const { return bytes_.empty(); }

  enum class Flush { done, blocked, failed };
  // One send of everything queued; what the socket did not take stays queued (blocked: wait for
  // EPOLLOUT). A failed peer's output is dropped.
  Flush flush(int fd);

 private:
  std::vector<char> bytes_;
};

}  // namespace sb::floor
