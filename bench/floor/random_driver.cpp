// The driver process of `--mode random`: `window` frames in flight per connection to uniformly
// random other connections. A frame's arrival credits its sender (named in the frame), which
// sends a replacement at once; the measured window counts arrivals, then sending stops and the
// driver drains until every frame sent has arrived (or a deadline passes).
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "bench/floor/floor_util.h"
#include "bench/floor/frame_io.h"
#include "bench/floor/random_floor.h"
#include "common/timing/clock.h"

namespace sb::floor {
namespace {

constexpr uint64_t kDrainNs = 10'000'000'000ull;
constexpr size_t kReadBudget = 64 * 1024;  // per read call; the driver reads each socket to EAGAIN

class RandomDriver {
 public:
  RandomDriver(std::vector<int> fds, const RandomArgs& a)
      : fds_(std::move(fds)), a_(a), tails_(fds_.size()), out_(fds_.size()), credits_(fds_.size()),
        blocked_(fds_.size()), seq_(fds_.size()), frame_(a.size), scratch_(kReadBudget + a.size),
        events_(fds_.size()) {}

  RandomResult run(pid_t relay) {
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    for (uint32_t s = 0; s < fds_.size(); ++s) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.u64 = s;
      epoll_ctl(ep, EPOLL_CTL_ADD, fds_[s], &ev);
      credit(s, a_.window);
    }
    const uint64_t t0 = monotonic_ns();
    const uint64_t measure_from = t0 + static_cast<uint64_t>(a_.warmup * 1e9);
    const uint64_t stop = measure_from + static_cast<uint64_t>(a_.duration * 1e9);
    uint64_t received_at_start = 0, started = 0;
    double relay_cpu0 = 0, driver_cpu0 = 0;
    bool measuring = false;
    for (;;) {
      send_credited();
      const uint64_t now = monotonic_ns();
      if (!measuring && sending_ && now >= measure_from) {
        measuring = true;
        started = now;
        received_at_start = r_.received;
        relay_cpu0 = cpu_seconds(relay);
        driver_cpu0 = cpu_seconds(0);
      }
      if (measuring && now >= stop) {
        measuring = false;
        sending_ = false;
        r_.seconds = static_cast<double>(now - started) / 1e9;
        r_.measured = r_.received - received_at_start;
        r_.relay_cpu_s = cpu_seconds(relay) - relay_cpu0;
        r_.driver_cpu_s = cpu_seconds(0) - driver_cpu0;
      }
      if (r_.failure != nullptr || (!sending_ && r_.received == r_.sent) || now >= stop + kDrainNs) break;
      const uint64_t next = sending_ ? (measuring ? stop : measure_from) : stop + kDrainNs;
      const int timeout = static_cast<int>((next - std::min(next, now)) / 1'000'000 + 1);
      const int n = epoll_wait(ep, events_.data(), static_cast<int>(events_.size()), timeout);
      for (int k = 0; k < n; ++k) serve(static_cast<uint32_t>(events_[k].data.u64), events_[k].events);
    }
    close(ep);
    for (int fd : fds_) close(fd);
    return r_;
  }

 private:
  void serve(uint32_t i, uint32_t ev) {
    if ((ev & EPOLLOUT) && blocked_[i]) {
      blocked_[i] = 0;
      if (out_[i].flush(fds_[i]) == Outbox::Flush::blocked) blocked_[i] = 1;
    }
    if (!(ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) return;
    const ReadEnd end = read_frames(fds_[i], a_.size, kReadBudget, tails_[i], scratch_, [&](const char* f) {
      uint32_t target, sender;
      std::memcpy(&target, f, sizeof target);
      std::memcpy(&sender, f + 4, sizeof sender);
      ++r_.received;
      if (target != i || sender >= fds_.size()) {
        ++r_.misrouted;
        return;
      }
      credit(sender, 1);
    });
    if (end == ReadEnd::closed) r_.failure = "the relay closed a connection";
  }

  void credit(uint32_t sender, uint32_t n) {
    if (credits_[sender] == 0) credited_.push_back(sender);
    credits_[sender] += n;
  }

  // Every sender credited since the last call replaces its arrived frames, in one send.
  void send_credited() {
    for (uint32_t s : credited_) {
      if (sending_) {
        for (uint32_t k = 0; k < credits_[s]; ++k) append_frame(s);
        if (!blocked_[s] && out_[s].flush(fds_[s]) == Outbox::Flush::blocked) blocked_[s] = 1;
      }
      credits_[s] = 0;
    }
    credited_.clear();
  }

  void append_frame(uint32_t s) {
    // A uniformly random target other than the sender (multiply-shift keeps it free of division).
    uint32_t t = static_cast<uint32_t>((static_cast<uint64_t>(next_random()) * (fds_.size() - 1)) >> 32);
    if (t >= s) ++t;
    std::memcpy(frame_.data(), &t, 4);
    std::memcpy(frame_.data() + 4, &s, 4);
    std::memcpy(frame_.data() + 8, &seq_[s], 8);
    ++seq_[s];
    out_[s].append(frame_.data(), frame_.size());
    ++r_.sent;
  }

  uint32_t next_random() {  // xorshift64*
    rng_ ^= rng_ >> 12;
    rng_ ^= rng_ << 25;
    rng_ ^= rng_ >> 27;
    return static_cast<uint32_t>((rng_ * 2685821657736338717ull) >> 32);
  }

  std::vector<int> fds_;
  const RandomArgs a_;
  std::vector<std::vector<char>> tails_;
  std::vector<Outbox> out_;
  std::vector<uint32_t> credits_;
  std::vector<char> blocked_;
  std::vector<uint64_t> seq_;
  std::vector<uint32_t> credited_;
  std::vector<char> frame_, scratch_;
  std::vector<epoll_event> events_;
  uint64_t rng_ = 0x9E3779B97F4A7C15ull;
  bool sending_ = true;
  RandomResult r_;
};

}  // namespace

RandomResult run_random_driver(const net::Endpoint& at, const RandomArgs& args, pid_t relay) {
  std::vector<int> fds;
  std::string error;
  for (uint32_t i = 0; i < args.conns; ++i) {
    const int c = net::connect_tcp(at, nullptr, false, &error);
    if (c < 0 || send(c, &i, sizeof i, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof i)) {
      for (int fd : fds) close(fd);
      RandomResult failed;
      failed.failure = "cannot connect to the relay";
      return failed;
    }
    net::set_nodelay(c);
    net::set_nonblocking(c);
    fds.push_back(c);
  }
  pin_to(1);
  RandomDriver driver(std::move(fds), args);
  return driver.run(relay);
}

}  // namespace sb::floor
