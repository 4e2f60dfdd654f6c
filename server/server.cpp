// Server setup and the event loop itself: epoll dispatch, accept, timers, signals, shutdown.
// Per-connection I/O is in connection_io.cpp and command handling in commands.cpp.
#include "server/server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "common/net/socket.h"
#include "server/server_limits.h"

namespace sb::server {

namespace {

constexpr uint64_t kListenerTag = 0xFFFF'FFFF'FFFF'FF01ull;
constexpr uint64_t kTimerTag = 0xFFFF'FFFF'FFFF'FF02ull;
constexpr uint64_t kSignalTag = 0xFFFF'FFFF'FFFF'FF03ull;
constexpr uint64_t kWakeTag = 0xFFFF'FFFF'FFFF'FF04ull;

uint64_t ticks_for(double seconds) {
  return static_cast<uint64_t>(std::ceil(seconds * 1000.0 / kTickMs));
}

size_t wheel_slots_for(uint64_t longest_ticks) {
  size_t slots = 256;
  while (slots < longest_ticks + 2 && slots < (1u << 16)) slots <<= 1;
  return slots;
}

// The slab is reserved once; it never needs more slots than the process can hold descriptors.
size_t slab_capacity(size_t max_conns) {
  rlimit rl{};
  size_t fd_limit = 1u << 20;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) fd_limit = rl.rlim_cur;
  return std::min(max_conns, fd_limit);
}

int add_to_epoll(int epfd, int fd, uint32_t events, uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

}  // namespace

Server::Server(const ServerOptions& options, log::Logger* logger, bool handle_signals)
    : options_(options),
      admission_(options_),
      log_(logger),
      handle_signals_(handle_signals),
      slab_(slab_capacity(options.max_conns), &pool_, options.max_payload),
      wheel_(wheel_slots_for(ticks_for(std::max(options.idle_timeout_s, options.handshake_timeout_s)))),
      idle_ticks_(ticks_for(options.idle_timeout_s)),
      handshake_ticks_(ticks_for(options.handshake_timeout_s)),
      slow_ticks_(ticks_for(options.slow_consumer_timeout_s)),
      grace_ticks_(ticks_for(options.shutdown_grace_s)),
      events_(kMaxEvents),
      scratch_(new char[kScratchSize]) {}

Server::~Server() {
  for (int fd : {epfd_, listen_fd_, timer_fd_, signal_fd_, wake_fd_, spare_fd_})
    if (fd >= 0) ::close(fd);
  for (size_t i = 0; i < slab_.size(); ++i) {
    Connection& c = slab_[static_cast<uint32_t>(i)];
    wheel_.cancel(c.timer);
    if (c.state != ConnState::free && c.fd >= 0) ::close(c.fd);
  }
  delete[] scratch_;
}

bool Server::open(std::string* error, bool* port_in_use) {
  *port_in_use = false;
  if (!admission_.load(error)) return false;
  if (admission_.auth_enabled()) {
    SB_LOG(*log_, info, "auth_loaded", {"file", std::string_view(options_.auth_file)},
           {"ids", uint64_t(admission_.credential_count())});
    if (admission_.plaintext_count() > 0)
      SB_LOG(*log_, warn, "auth_plaintext_tokens", {"count", uint64_t(admission_.plaintext_count())},
             {"hint", "store sha256:<hex> digests instead"});
  }
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

  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (epfd_ < 0 || timer_fd_ < 0 || wake_fd_ < 0 || spare_fd_ < 0) {
    *error = std::string("creating loop descriptors: ") + std::strerror(errno);
    return false;
  }
  itimerspec tick{};
  tick.it_interval.tv_nsec = kTickMs * 1'000'000;
  tick.it_value = tick.it_interval;
  timerfd_settime(timer_fd_, 0, &tick, nullptr);

  if (handle_signals_) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd_ < 0 || add_to_epoll(epfd_, signal_fd_, EPOLLIN, kSignalTag) != 0) {
      *error = std::string("signalfd: ") + std::strerror(errno);
      return false;
    }
  }
  // The listener is level-triggered: the accept batch cap may leave connections queued, and
  // level-triggering reports them again without bookkeeping. Everything else is edge-triggered.
  if (add_to_epoll(epfd_, listen_fd_, EPOLLIN, kListenerTag) != 0 ||
      add_to_epoll(epfd_, timer_fd_, EPOLLIN, kTimerTag) != 0 ||
      add_to_epoll(epfd_, wake_fd_, EPOLLIN, kWakeTag) != 0) {
    *error = std::string("epoll_ctl: ") + std::strerror(errno);
    return false;
  }
  start_ns_ = monotonic_ns();
  SB_LOG(*log_, info, "listening", {"addr", std::string_view(bound_address_)},
         {"max_conns", uint64_t(options_.max_conns)}, {"idle_timeout_ms", uint64_t(options_.idle_timeout_s * 1000)});
  return true;
}

std::string Server::listen_address() const { return bound_address_; }
uint16_t Server::port() const { return bound_port_; }

void Server::request_shutdown() {
  uint64_t one = 1;
  ssize_t rc = ::write(wake_fd_, &one, sizeof one);
  (void)rc;  // the eventfd counter cannot overflow from a handful of requests
}

int Server::run() {
  while (!finished_) {
    // Connections with input left over (read budget spent, or just unblocked) must not wait for an
    // edge that will never come: poll without sleeping while there are any (nginx posted events).
    if (!run_once(pending_.empty() ? -1 : 0)) return 1;
  }
  SB_LOG(*log_, info, "shutdown_complete", {"msgs_in", stats_.msgs_in}, {"msgs_out", stats_.msgs_out},
         {"dropped", stats_.dropped});
  return 0;
}

bool Server::run_once(int timeout_ms) {
  int n = epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return true;
    SB_LOG(*log_, error, "epoll_wait_failed", {"error", std::strerror(errno)});
    return false;
  }
  // Ready connections are random slab slots: ask for all of them before touching the first.
  for (int i = 0; i < n; ++i) slab_.prefetch_slot(static_cast<uint32_t>(events_[i].data.u64));
  for (int i = 0; i < n; ++i) dispatch(events_[i]);
  run_pending_input();
  flush_dirty();
  reap_closed();
  if (shutting_down_ && connections_ == 0) finished_ = true;
  return true;
}

void Server::advance_ticks(uint64_t ticks) {
  now_tick_ += ticks;
  on_ticks_advanced();
  flush_dirty();
  reap_closed();
}

void Server::adopt(int fd, const char* peer) {
  open_connection(fd, peer);
}

void Server::dispatch(const epoll_event& ev) {
  switch (ev.data.u64) {
    case kListenerTag:
      accept_connections();
      return;
    case kTimerTag:
      on_timer();
      return;
    case kSignalTag:
      on_signal();
      return;
    case kWakeTag: {
      uint64_t count;
      ssize_t rc = ::read(wake_fd_, &count, sizeof count);
      (void)rc;
      begin_shutdown();
      return;
    }
    default:
      break;
  }
  // A stale event (its connection was closed earlier in this batch) finds nothing.
  Connection* c = slab_.find(Handle::unpack(ev.data.u64));
  if (c == nullptr) return;
  if (ev.events & EPOLLOUT) {
    c->writable = true;
    if (!c->out.empty()) mark_dirty(*c);
  }
  if (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    c->readable = true;
    if (ev.events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->peer_shut = true;
    handle_input(*c);
  }
}

void Server::run_pending_input() {
  // Swap first: handling input may mark connections pending again (budget spent again).
  pending_batch_.swap(pending_);
  for (uint64_t packed : pending_batch_) {
    Connection* c = slab_.find(Handle::unpack(packed));
    if (c == nullptr) continue;
    c->pending = false;
    handle_input(*c);
  }
  pending_batch_.clear();
}

void Server::flush_dirty() {
  for (size_t i = 0; i < dirty_.size(); ++i) {  // write_out may wake senders, never adds dirt here
    // Each sendmsg takes microseconds: plenty of time for the next targets' lines to arrive.
    if (i + 2 < dirty_.size()) slab_.prefetch_slot(dirty_[i + 2]);
    Connection& c = slab_[dirty_[i]];
    c.dirty = false;
    if (c.state == ConnState::free || c.closing) continue;
    if (c.writable) write_out(c);
  }
  dirty_.clear();
}

void Server::reap_closed() {
  for (uint32_t slot : closing_) {
    Connection& c = slab_[slot];
    stats_.dropped += c.out.clear();
    wheel_.cancel(c.timer);
    ::close(c.fd);  // also removes it from the epoll set
    c.fd = -1;
    c.in.release();
    c.parser.reset();
    c.waiters.clear();
    c.waiters.shrink_to_fit();
    c.closing = c.readable = c.writable = c.eof = c.peer_shut = c.dirty = c.pending = c.in_over_list = false;
    c.blocked_on = Handle{};
    c.id_len = 0;
    admission_.release_address(Admission::address_of(c.peer));
    slab_.release(slot);
    --connections_;
  }
  closing_.clear();
}

void Server::on_timer() {
  uint64_t expirations = 0;
  if (::read(timer_fd_, &expirations, sizeof expirations) != sizeof expirations) return;
  // Every expiration is a tick: a loop delayed for 300 ms advances the wheel by 3 ticks.
  now_tick_ += expirations;
  on_ticks_advanced();
}

void Server::on_ticks_advanced() {
  wheel_.advance(now_tick_, [this](TimerNode& node) { on_deadline(slab_[node.owner]); });
  check_slow_consumers();
  if (listener_paused_ && !shutting_down_) {
    spare_fd_ = spare_fd_ >= 0 ? spare_fd_ : ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    listener_paused_ = add_to_epoll(epfd_, listen_fd_, EPOLLIN, kListenerTag) != 0;
  }
  if (shutting_down_ && now_tick_ >= shutdown_deadline_) {
    for (size_t i = 0; i < slab_.size(); ++i) {
      Connection& c = slab_[static_cast<uint32_t>(i)];
      if (c.state != ConnState::free && !c.closing) close_now(c, "shutdown-grace-expired");
    }
  }
  if (now_tick_ - last_summary_tick_ >= kSummaryTicks) {
    last_summary_tick_ = now_tick_;
    SB_LOG(*log_, info, "stats", {"connections", uint64_t(connections_)}, {"nodes", uint64_t(routes_.size())},
           {"msgs_in", stats_.msgs_in}, {"msgs_out", stats_.msgs_out}, {"dropped", stats_.dropped},
           {"evicted_idle", stats_.evicted_idle}, {"evicted_slow", stats_.evicted_slow},
           {"log_dropped", log_->dropped()});
  }
}

void Server::on_signal() {
  signalfd_siginfo info;
  while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
    if (info.ssi_signo == SIGHUP) {
      SB_LOG(*log_, info, "reopen_log", {"signal", "SIGHUP"});
      log_->reopen();
      std::string error;
      if (!admission_.reload(&error)) {
        SB_LOG(*log_, error, "auth_reload_failed", {"error", std::string_view(error)}, {"kept", "previous credentials"});
      } else if (admission_.auth_enabled()) {
        SB_LOG(*log_, info, "auth_reloaded", {"ids", uint64_t(admission_.credential_count())});
      }
    } else {
      SB_LOG(*log_, info, "signal", {"signal", info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM"});
      begin_shutdown();
    }
  }
}

void Server::begin_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_deadline_ = now_tick_ + grace_ticks_;
  SB_LOG(*log_, info, "shutdown_begin", {"connections", uint64_t(connections_)},
         {"grace_ms", uint64_t(options_.shutdown_grace_s * 1000)});
  epoll_ctl(epfd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  ::close(listen_fd_);
  listen_fd_ = -1;
  listener_paused_ = false;
  for (size_t i = 0; i < slab_.size(); ++i) {
    Connection& c = slab_[static_cast<uint32_t>(i)];
    if (c.state == ConnState::free || c.closing) continue;
    if (c.takes_commands()) {
      reply_error(c, proto::ErrorCode::shutting_down, {});
      begin_drain(c, "shutdown");
    }
  }
}

void Server::accept_connections() {
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
    if (connections_ >= options_.max_conns) {
      refuse(fd, "ERR server-full\n");
      continue;
    }
    open_connection(fd, net::format_endpoint(reinterpret_cast<sockaddr*>(&ss), len));
  }
  // Batch cap reached: the level-triggered listener reports the rest after the others are served.
}

void Server::refuse(int fd, const char* reply) {
  ++stats_.refused;
  // Best effort and never blocking: a refused client gets one line if its buffer has room.
  ssize_t rc = ::send(fd, reply, std::strlen(reply), MSG_NOSIGNAL | MSG_DONTWAIT);
  (void)rc;
  ::close(fd);
}

bool Server::shed_with_spare_fd() {
  // Out of descriptors: free the spare, accept the waiting connection only to refuse it, and take
  // the spare back. Without this the listener stays readable and the loop spins (libuv once did).
  if (spare_fd_ >= 0) {
    ::close(spare_fd_);
    spare_fd_ = -1;
  }
  int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd >= 0) refuse(fd, "ERR server-full\n");
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (last_fd_warning_tick_ != now_tick_) {  // one line per tick, not one per refused connection
    last_fd_warning_tick_ = now_tick_;
    SB_LOG(*log_, warn, "fd_exhausted", {"connections", uint64_t(connections_)}, {"refused", stats_.refused});
  }
  if (fd < 0 && spare_fd_ < 0) {
    // Even the spare could not be had back: stop accepting until the next tick instead of spinning.
    epoll_ctl(epfd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    listener_paused_ = true;
  }
  return fd >= 0;
}

Connection* Server::open_connection(int fd, std::string_view peer) {
  if (!admission_.admit_address(Admission::address_of(peer))) {
    SB_LOG(*log_, warn, "reject", {"reason", "max-conns-per-ip"}, {"peer", peer});
    refuse(fd, "ERR server-full too-many-connections-from-address\n");
    return nullptr;
  }
  uint32_t slot = slab_.acquire();
  if (slot == UINT32_MAX) {
    admission_.release_address(Admission::address_of(peer));
    refuse(fd, "ERR server-full\n");
    return nullptr;
  }
  Connection& c = slab_[slot];
  epoll_event ev{};
  // Registered once for both directions, edge-triggered: EPOLLOUT then fires only after a write
  // hit a full socket buffer, so no epoll_ctl is needed to arm or disarm it (nginx does the same).
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = Handle{slot, c.generation}.pack();
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    SB_LOG(*log_, error, "epoll_add_failed", {"error", std::strerror(errno)});
    slab_.release(slot);
    admission_.release_address(Admission::address_of(peer));
    refuse(fd, "ERR server-full\n");
    return nullptr;
  }
  net::set_nodelay(fd);
  c.fd = fd;
  c.state = ConnState::handshake;
  c.writable = true;
  size_t n = std::min(peer.size(), sizeof c.peer - 1);
  std::memcpy(c.peer, peer.data(), n);
  c.peer[n] = '\0';
  c.timer.owner = slot;
  wheel_.schedule(c.timer, now_tick_ + handshake_ticks_);
  ++connections_;
  ++stats_.accepted;
  SB_LOG(*log_, info, "connect", {"peer", std::string_view(c.peer)}, {"conn", slot});
  return &c;
}

void Server::on_deadline(Connection& c) {
  if (c.state == ConnState::free || c.closing) return;
  switch (c.state) {
    case ConnState::handshake:
      SB_LOG(*log_, info, "evict_handshake", {"peer", std::string_view(c.peer)}, {"conn", slot_of(c)});
      ++stats_.evicted_idle;
      reply_error(c, proto::ErrorCode::idle_timeout, "handshake");
      begin_drain(c, "handshake-timeout");
      break;
    case ConnState::registered:
      if (c.blocked_on.valid()) {  // paused by back-pressure, not silent: its commands are waiting
        wheel_.schedule(c.timer, now_tick_ + idle_ticks_);
        break;
      }
      SB_LOG(*log_, info, "evict_idle", {"node", c.node_id()}, {"peer", std::string_view(c.peer)},
             {"idle_timeout_ms", uint64_t(options_.idle_timeout_s * 1000)});
      ++stats_.evicted_idle;
      reply_error(c, proto::ErrorCode::idle_timeout, {});
      begin_drain(c, "idle-timeout");
      break;
    case ConnState::draining:  // no write progress for kDrainStallTicks: give up on this peer
      close_now(c, "drain-stalled");
      break;
    case ConnState::lingering:
      close_now(c, "drained");
      break;
    case ConnState::free:
      break;
  }
}

void Server::check_slow_consumers() {
  size_t keep = 0;
  for (uint64_t packed : over_limit_) {
    Connection* c = slab_.find(Handle::unpack(packed));
    if (c == nullptr) continue;
    if (c->out.bytes() < options_.max_outbuf) {  // drained below the bound since: not slow
      c->in_over_list = false;
      continue;
    }
    if (now_tick_ - c->over_since < slow_ticks_ || c->state == ConnState::draining) {
      over_limit_[keep++] = packed;
      continue;
    }
    c->in_over_list = false;
    size_t discarded = c->out.discard_unstarted();
    stats_.dropped += discarded;
    ++stats_.evicted_slow;
    SB_LOG(*log_, warn, "evict_slow", {"node", c->node_id()}, {"peer", std::string_view(c->peer)},
           {"dropped", uint64_t(discarded)}, {"queued_bytes", uint64_t(c->out.bytes())});
    reply_error(*c, proto::ErrorCode::slow_consumer, {});
    begin_drain(*c, "slow-consumer");
  }
  over_limit_.resize(keep);
}

uint64_t Server::monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec);
}

uint32_t Server::slot_of(const Connection& c) const {
  return c.timer.owner;  // set at accept; the slot never changes while the connection lives
}

}  // namespace sb::server
