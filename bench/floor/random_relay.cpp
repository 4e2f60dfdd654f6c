// The relay process of `--mode random`. One edge-triggered epoll loop with the switchboard
// server's batching: one epoll_wait batch holding every ready connection (the event array grows
// while waits fill it), each ready connection read until EAGAIN or a 64 KiB budget (the rest
// waits on a pending list, polled with timeout 0), every complete frame appended whole to the
// output of the connection its first four bytes name, and every dirty connection flushed once per
// iteration with one send.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "bench/floor/floor_util.h"
#include "bench/floor/frame_io.h"
#include "bench/floor/random_floor.h"

namespace sb::floor {
namespace {

constexpr size_t kReadBudget = 64 * 1024;

class RandomRelay {
 public:
  RandomRelay(std::vector<int> fds, uint32_t frame)
      : fds_(std::move(fds)), frame_(frame), tails_(fds_.size()), out_(fds_.size()), dirty_flag_(fds_.size()),
        pending_flag_(fds_.size()), blocked_(fds_.size()), closed_(fds_.size()), scratch_(kReadBudget + frame),
        events_(std::min<size_t>(1024, fds_.size())), open_(fds_.size()) {}

  // Returns once every connection has closed; false on a frame naming no connection.
  bool run() {
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    for (size_t i = 0; i < fds_.size(); ++i) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.u64 = i;
      if (epoll_ctl(ep, EPOLL_CTL_ADD, fds_[i], &ev) != 0) return false;
    }
    std::vector<uint32_t> retry;
    while (open_ > 0 && !bad_frame_) {
      const int n = epoll_wait(ep, events_.data(), static_cast<int>(events_.size()), pending_.empty() ? -1 : 0);
      if (n < 0 && errno != EINTR) return false;
      retry.swap(pending_);
      for (uint32_t i : retry) {
        pending_flag_[i] = 0;
        serve_read(i);
      }
      retry.clear();
      for (int k = 0; k < n; ++k) {
        const auto i = static_cast<uint32_t>(events_[k].data.u64);
        const uint32_t ev = events_[k].events;
        if ((ev & EPOLLOUT) && blocked_[i]) {
          blocked_[i] = 0;
          mark_dirty(i);
        }
        if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) serve_read(i);
      }
      // A full batch means more were ready: take them all in one wait next time.
      if (n == static_cast<int>(events_.size()) && events_.size() < fds_.size())
        events_.resize(std::min(events_.size() * 2, fds_.size()));
      flush_dirty();
    }
    return !bad_frame_;
  }

 private:
  void serve_read(uint32_t i) {
    if (closed_[i]) return;
    const ReadEnd end = read_frames(fds_[i], frame_, kReadBudget, tails_[i], scratch_, [this](const char* f) {
      uint32_t target;
      std::memcpy(&target, f, sizeof target);
      if (target >= fds_.size()) {
        bad_frame_ = true;
        return;
      }
      out_[target].append(f, frame_);
      mark_dirty(target);
    });
    if (end == ReadEnd::budget_spent && !pending_flag_[i]) {
      pending_flag_[i] = 1;
      pending_.push_back(i);
    } else if (end == ReadEnd::closed) {
      closed_[i] = 1;
      --open_;
    }
  }

  void mark_dirty(uint32_t i) {
    if (dirty_flag_[i] || blocked_[i]) return;  // a blocked connection flushes on EPOLLOUT
    dirty_flag_[i] = 1;
    dirty_.push_back(i);
  }

  void flush_dirty() {
    for (uint32_t i : dirty_) {
      dirty_flag_[i] = 0;
      if (out_[i].flush(fds_[i]) == Outbox::Flush::blocked) blocked_[i] = 1;
    }
    dirty_.clear();
  }

  std::vector<int> fds_;
  const uint32_t frame_;
  std::vector<std::vector<char>> tails_;
  std::vector<Outbox> out_;
  std::vector<char> dirty_flag_, pending_flag_, blocked_, closed_;
  std::vector<uint32_t> dirty_, pending_;
  std::vector<char> scratch_;
  std::vector<epoll_event> events_;
  size_t open_;
  bool bad_frame_ = false;
};

// Blocking accepts; each connection's first four bytes are its index, so the relay's numbering
// matches the driver's whatever order the handshakes finish in.
bool accept_all(int listener, uint32_t conns, std::vector<int>* fds) {
  const int flags = fcntl(listener, F_GETFL);
  if (flags < 0 || fcntl(listener, F_SETFL, flags & ~O_NONBLOCK) != 0) return false;
  fds->assign(conns, -1);
  for (uint32_t k = 0; k < conns; ++k) {
    int s;
    do {
      s = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    } while (s < 0 && errno == EINTR);
    if (s < 0) return false;
    uint32_t index = 0;
    if (recv(s, &index, sizeof index, MSG_WAITALL) != static_cast<ssize_t>(sizeof index)) return false;
    if (index >= conns || (*fds)[index] >= 0) return false;
    net::set_nonblocking(s);
    net::set_nodelay(s);
    (*fds)[index] = s;
  }
  return true;
}

}  // namespace

void run_random_relay(int listener, const RandomArgs& args) {
  pin_to(0);
  std::vector<int> fds;
  if (!accept_all(listener, args.conns, &fds)) _exit(3);
  close(listener);
  RandomRelay relay(std::move(fds), args.size);
  _exit(relay.run() ? 0 : 4);
}

}  // namespace sb::floor
