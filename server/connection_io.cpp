// ConnectionIo: reads and command batches, flushes, and the drain / linger / close sequence.
#include "server/connection_io.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/net/socket.h"
#include "server/server_limits.h"

namespace sb::server {

ConnectionIo::ConnectionIo(const ConnectionIoDeps& d, const ServerOptions& options, const Timeouts& timeouts)
    : loop_(d.loop),
      slab_(d.slab),
      lists_(d.lists),
      wheel_(d.wheel),
      pressure_(d.pressure),
      router_(d.router),
      admission_(d.admission),
      stats_(d.stats),
      log_(d.log),
      options_(options),
      timeouts_(timeouts),
      scratch_(new char[kScratchSize]) {}

ConnectionIo::~ConnectionIo() {
  for (size_t i = 0; i < slab_.size(); ++i) {
    Connection& c = slab_[static_cast<uint32_t>(i)];
    wheel_.cancel(c.timer);
    if (c.state != ConnState::free && c.fd >= 0) ::close(c.fd);
  }
  delete[] scratch_;
}

bool ConnectionIo::open(int fd, std::string_view peer) {
  uint32_t slot = slab_.acquire();
  if (slot == UINT32_MAX) return false;
  Connection& c = slab_[slot];
  // Registered once for both directions, edge-triggered: EPOLLOUT then fires only after a write
  // hit a full socket buffer, so no epoll_ctl is needed to arm or disarm it (nginx does the same).
  if (!loop_.add(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, c.handle().pack())) {
    SB_LOG(*log_, error, "epoll_add_failed", {"error", std::strerror(errno)});
    slab_.release(slot);
    return false;
  }
  net::set_nodelay(fd);
  c.fd = fd;
  c.state = ConnState::handshake;
  c.writable = true;
  size_t n = std::min(peer.size(), sizeof c.peer - 1);
  std::memcpy(c.peer, peer.data(), n);
  c.peer[n] = '\0';
  c.timer.owner = slot;
  wheel_.schedule(c.timer, loop_.now_tick() + timeouts_.handshake);
  ++count_;
  ++stats_.accepted;
  SB_LOG(*log_, info, "connect", {"peer", std::string_view(c.peer)}, {"conn", slot});
  return true;
}

void ConnectionIo::on_event(const epoll_event& ev) {
  // A stale event (its connection was closed earlier in this batch) finds nothing.
  Connection* c = slab_.find(Handle::unpack(ev.data.u64));
  if (c == nullptr) return;
  if (ev.events & EPOLLOUT) {
    c->writable = true;
    if (!c->out.empty()) lists_.mark_dirty(*c);
  }
  if (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    c->readable = true;
    if (ev.events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->peer_shut = true;
    handle_input(*c);
  }
}

void ConnectionIo::run_pending_input() {
  // Swap first: handling input may mark connections pending again (budget spent again).
  pending_batch_.swap(lists_.pending);
  for (uint64_t packed : pending_batch_) {
    Connection* c = slab_.find(Handle::unpack(packed));
    if (c == nullptr) continue;
    c->pending = false;
    handle_input(*c);
  }
  pending_batch_.clear();
}

void ConnectionIo::handle_input(Connection& c) {
  if (c.state == ConnState::lingering) {
    discard_input(c);
    return;
  }
  size_t budget = kReadBudget;
  for (;;) {
    if (!c.takes_commands() || c.blocked_on.valid()) return;
    // Commands left buffered by an earlier stop (back-pressure) go before any new bytes.
    if (!c.in.empty()) {
      c.in.consume(process_input(c, c.in.view()));
      if (!c.takes_commands() || c.blocked_on.valid()) return;
    }
    if (c.eof) {
      begin_drain(c, "peer-closed");
      return;
    }
    if (!c.readable) return;
    if (budget == 0) {  // fairness: let every other ready connection have its turn first
      lists_.mark_pending(c);
      return;
    }
    if (!read_once(c, &budget)) return;
  }
}

// One read into the connection's leftover buffer and/or the shared scratch buffer, then parse.
// Returns false when the connection was closed.
bool ConnectionIo::read_once(Connection& c, size_t* budget) {
  ssize_t n;
  size_t requested;
  if (c.in.empty()) {
    // The usual case: nothing left over, so read straight into the shared buffer and parse there;
    // only an incomplete trailing frame is copied into the connection.
    requested = std::min(kScratchSize, *budget);
    do {
      n = ::read(c.fd, scratch_, requested);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
      stats_.bytes_in += size_t(n);
      size_t used = process_input(c, {scratch_, size_t(n)});
      if (used < size_t(n) && c.takes_commands()) c.in.append(scratch_ + used, size_t(n) - used);
    }
  } else {
    // Part of a frame is buffered. Make room for all of it when its size is known (a large
    // payload then lands in place with no second copy); overflow goes to the scratch buffer.
    size_t want = c.parser.bytes_wanted(c.in.size());
    size_t room = 0;
    char* tail = c.in.writable(std::max<size_t>(want, 1), &room);
    iovec iov[2] = {{tail, room}, {scratch_, std::min(kScratchSize, *budget)}};
    requested = room + iov[1].iov_len;
    do {
      n = ::readv(c.fd, iov, 2);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
      stats_.bytes_in += size_t(n);
      if (size_t(n) <= room) {
        c.in.commit(size_t(n));
      } else {
        c.in.commit(room);
        c.in.append(scratch_, size_t(n) - room);
      }
      c.in.consume(process_input(c, c.in.view()));
    }
  }
  if (n > 0) {
    // Bytes arriving are activity, complete frames or not: a node streaming a large payload
    // slowly is not idle. (Re-arming within the same tick only stores the deadline.)
    if (c.state == ConnState::registered) wheel_.schedule(c.timer, loop_.now_tick() + timeouts_.idle);
    *budget -= std::min(*budget, size_t(n));
    // A short read emptied the socket. An edge-triggered epoll reports any byte that arrives
    // later as a new event, so skipping the read that would only say EAGAIN loses nothing --
    // unless the peer's FIN was already reported with the data (EPOLLRDHUP): no edge follows
    // that, so read on until read() says 0.
    if (size_t(n) < requested && !c.peer_shut) c.readable = false;
    return c.state != ConnState::closing;
  }
  if (n == 0) {
    c.readable = false;
    c.eof = true;
    return true;  // the loop in handle_input drains after the buffered commands
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    c.readable = false;
    return true;
  }
  close_now(c, errno == ECONNRESET ? "reset-by-peer" : "read-error");
  return false;
}

// Parses and executes every complete command in `input`; returns the bytes consumed. Stops early
// when the connection blocks on a full target, starts draining, or closes.
size_t ConnectionIo::process_input(Connection& c, std::string_view input) {
  size_t done = 0;
  bool touched = false;
  proto::ParseResult r;  // one for the whole batch: see FrameParser::next
  while (c.takes_commands() && !c.blocked_on.valid()) {
    // A client that sends commands but never reads the replies would grow its own queue without
    // bound: stop taking its commands until it reads (the slow-consumer timer also runs).
    if (pressure_.full(c)) {
      pressure_.block(c, c, loop_.now_tick());
      break;
    }
    c.parser.next(input.substr(done), r);
    if (r.status == proto::ParseResult::Status::frame) {
      touched = true;
      if (!handler_->handle_frame(c, r.frame)) break;  // blocked: the same frame is parsed again on resume
      done += r.consumed;
    } else if (r.status == proto::ParseResult::Status::error) {
      touched = true;
      handler_->handle_refusal(c, r);
      done += r.consumed;
      if (r.fatal) {
        SB_LOG(*log_, info, "protocol_error", {"peer", std::string_view(c.peer)},
               {"error", proto::error_code_name(r.error)});
        begin_drain(c, proto::error_code_name(r.error).data());
        break;
      }
    } else {
      done += r.consumed;
      if (r.consumed == 0) break;
    }
  }
  // One re-arm per batch: every command in it arrived at the same "now".
  if (touched && c.state == ConnState::registered) wheel_.schedule(c.timer, loop_.now_tick() + timeouts_.idle);
  return done;
}

void ConnectionIo::flush_dirty() {
  for (uint32_t slot : lists_.dirty) {  // write_out may wake senders, never adds dirt here
    Connection& c = slab_[slot];
    c.dirty = false;
    if (c.live() && c.writable) write_out(c);
  }
  lists_.dirty.clear();
}

void ConnectionIo::write_out(Connection& c) {
  iovec iov[kMaxIov];
  bool progressed = false;
  while (!c.out.empty()) {
    int count = c.out.gather(iov, kMaxIov);
    size_t requested = 0;
    for (int i = 0; i < count; ++i) requested += iov[i].iov_len;
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(count);
    ssize_t n = ::sendmsg(c.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);  // writev cannot say NOSIGNAL
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        c.writable = false;  // EPOLLOUT will report when the peer has read
        break;
      }
      close_now(c, errno == EPIPE || errno == ECONNRESET ? "reset-by-peer" : "write-error");
      return;
    }
    progressed = true;
    stats_.bytes_out += size_t(n);
    stats_.msgs_out += c.out.consume(size_t(n));
    if (size_t(n) < requested) {  // the socket buffer is full; the kernel will raise EPOLLOUT
      c.writable = false;
      break;
    }
  }
  pressure_.after_write(c);
  if (c.state == ConnState::draining) {
    if (c.out.empty()) {
      linger_then_close(c);
    } else if (progressed) {
      wheel_.schedule(c.timer, loop_.now_tick() + kDrainStallTicks);
    }
  }
}

void ConnectionIo::reply_error(Connection& c, proto::ErrorCode code, std::string_view detail) {
  // The detail echoes client input (a verb, an id); a 1000-byte bad id is not worth sending back.
  detail = detail.substr(0, proto::kMaxErrorDetail);
  if (detail.empty()) {
    c.out.append({"ERR ", proto::error_code_name(code), "\n"});
  } else {
    c.out.append({"ERR ", proto::error_code_name(code), " ", detail, "\n"});
  }
  lists_.mark_dirty(c);
}

void ConnectionIo::leave(Connection& c, const char* reason) {
  if (c.state == ConnState::registered) {
    router_.remove(c.node_id());
    handler_->node_left(c);
    SB_LOG(*log_, info, "disconnect", {"node", c.node_id()}, {"peer", std::string_view(c.peer)},
           {"reason", reason}, {"queued", uint64_t(c.out.messages())});
  } else {
    SB_LOG(*log_, info, "disconnect", {"peer", std::string_view(c.peer)}, {"reason", reason});
  }
}

void ConnectionIo::begin_drain(Connection& c, const char* reason) {
  if (!c.takes_commands()) return;
  leave(c, reason);
  c.state = ConnState::draining;
  // Senders blocked on this connection resume; their retried SEND now finds no such node.
  pressure_.wake_waiters(c);
  // Whoever this connection was blocked on no longer needs to wake it. (Its input buffer is
  // freed at reap, not here: the parse loop that called us may still be consuming from it.)
  c.blocked_on = Handle{};
  wheel_.schedule(c.timer, loop_.now_tick() + kDrainStallTicks);
  if (c.out.empty()) {
    linger_then_close(c);
  } else {
    lists_.mark_dirty(c);
  }
}

void ConnectionIo::linger_then_close(Connection& c) {
  // A peer that already finished sending leaves nothing unread to trigger an RST; at shutdown the
  // grace period is for flushing output, not for waiting on peers to hang up.
  if (c.eof || shutting_down_) {
    close_now(c, "drained");
    return;
  }
  ::shutdown(c.fd, SHUT_WR);
  c.state = ConnState::lingering;
  wheel_.schedule(c.timer, loop_.now_tick() + kLingerTicks);
  if (c.readable) discard_input(c);
}

void ConnectionIo::discard_input(Connection& c) {
  for (size_t budget = kReadBudget; budget > 0;) {
    ssize_t n = ::read(c.fd, scratch_, kScratchSize);
    if (n > 0) {
      budget -= std::min(budget, size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      c.readable = false;
      return;
    }
    close_now(c, "drained");  // EOF (or an error): the peer has everything we sent
    return;
  }
  lists_.mark_pending(c);  // a peer still streaming at us: keep discarding next iteration, until the timer
}

void ConnectionIo::close_now(Connection& c, const char* reason) {
  if (c.state == ConnState::closing) return;
  if (c.takes_commands()) leave(c, reason);
  size_t lost = c.out.messages();
  if (lost > 0)
    SB_LOG(*log_, warn, "dropped_on_close", {"node", c.node_id()}, {"peer", std::string_view(c.peer)},
           {"messages", uint64_t(lost)}, {"reason", reason});
  c.state = ConnState::closing;
  pressure_.wake_waiters(c);
  lists_.closing.push_back(c.slot);
}

void ConnectionIo::reap_closed() {
  for (uint32_t slot : lists_.closing) {
    Connection& c = slab_[slot];
    stats_.dropped += c.out.clear();
    wheel_.cancel(c.timer);
    ::close(c.fd);  // also removes it from the epoll set
    admission_.release_address(Admission::address_of(c.peer));
    c.reset();
    slab_.release(slot);
    --count_;
  }
  lists_.closing.clear();
}

void ConnectionIo::on_deadline(Connection& c) {
  switch (c.state) {
    case ConnState::handshake:
      SB_LOG(*log_, info, "evict_handshake", {"peer", std::string_view(c.peer)}, {"conn", c.slot});
      ++stats_.evicted_idle;
      reply_error(c, proto::ErrorCode::idle_timeout, "handshake");
      begin_drain(c, "handshake-timeout");
      break;
    case ConnState::registered:
      if (c.blocked_on.valid()) {  // paused by back-pressure, not silent: its commands are waiting
        wheel_.schedule(c.timer, loop_.now_tick() + timeouts_.idle);
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
    case ConnState::closing:
      break;
  }
}

void ConnectionIo::evict_slow(Connection& c) {
  size_t discarded = c.out.discard_unstarted();
  stats_.dropped += discarded;
  ++stats_.evicted_slow;
  SB_LOG(*log_, warn, "evict_slow", {"node", c.node_id()}, {"peer", std::string_view(c.peer)},
         {"dropped", uint64_t(discarded)}, {"queued_bytes", uint64_t(c.out.bytes())});
  reply_error(c, proto::ErrorCode::slow_consumer, {});
  begin_drain(c, "slow-consumer");
}

void ConnectionIo::begin_shutdown() {
  shutting_down_ = true;
  slab_.for_each_live([this](Connection& c) {
    if (!c.takes_commands()) return;
    reply_error(c, proto::ErrorCode::shutting_down, {});
    begin_drain(c, "shutdown");
  });
}

void ConnectionIo::close_all(const char* reason) {
  slab_.for_each_live([this, reason](Connection& c) { close_now(c, reason); });
}

}  // namespace sb::server
