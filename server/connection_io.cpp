// Per-connection I/O: reading and parsing under a budget, back-pressure, batched writev flushes,
// draining and deferred closing.
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "server/server.h"
#include "server/server_limits.h"

namespace sb::server {

void Server::mark_dirty(Connection& c) {
  if (c.dirty) return;
  c.dirty = true;
  dirty_.push_back(slot_of(c));
}

void Server::mark_pending(Connection& c) {
  if (c.pending) return;
  c.pending = true;
  pending_.push_back(c.handle(slot_of(c)).pack());
}

void Server::handle_input(Connection& c) {
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
      mark_pending(c);
      return;
    }
    if (!read_once(c, &budget)) return;
  }
}

// One read into the connection's leftover buffer and/or the shared scratch buffer, then parse.
// Returns false when the connection was closed.
bool Server::read_once(Connection& c, size_t* budget) {
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
      if (used < size_t(n) && c.takes_commands())
        c.in.append(scratch_ + used, size_t(n) - used);
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
    *budget -= std::min(*budget, size_t(n));
    // A short read emptied the socket. An edge-triggered epoll reports any byte that arrives
    // later as a new event, so skipping the read that would only say EAGAIN loses nothing --
    // unless the peer's FIN was already reported with the data (EPOLLRDHUP): no edge follows
    // that, so read on until read() says 0.
    if (size_t(n) < requested && !c.peer_shut) c.readable = false;
    return !c.closing;
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
size_t Server::process_input(Connection& c, std::string_view input) {
  size_t done = 0;
  bool touched = false;
  proto::ParseResult r;  // one for the whole batch: see FrameParser::next(input, out)
  size_t prefetched = 0;  // frames ahead whose routing data prefetch_routes has requested
  while (c.takes_commands() && !c.blocked_on.valid()) {
    // A client that sends commands but never reads the replies would grow its own queue without
    // bound: stop taking its commands until it reads (the slow-consumer timer also runs).
    if (c.out.bytes() >= options_.max_outbuf) {
      block_on(c, c);
      break;
    }
    if (prefetched == 0 && c.state == ConnState::registered) prefetched = prefetch_routes(input.substr(done));
    c.parser.next(input.substr(done), r);
    if (r.status == proto::ParseResult::Status::frame) {
      if (prefetched > 0) --prefetched;
      touched = true;
      if (!handle_frame(c, r.frame)) break;  // blocked: the same frame is parsed again on resume
      done += r.consumed;
    } else if (r.status == proto::ParseResult::Status::error) {
      touched = true;
      if (r.frame.verb == proto::Verb::send || r.frame.verb == proto::Verb::msg) {
        if (c.state == ConnState::registered) {  // a refused message still counts as received
          ++stats_.msgs_in;
          ++stats_.rejected;
        } else {
          r.error = proto::ErrorCode::not_registered;  // the first problem is not having said HELLO
          r.error_detail = {};
        }
      }
      reply_error(c, r.error, r.error_detail);
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
  if (touched && c.state == ConnState::registered) wheel_.schedule(c.timer, now_tick_ + idle_ticks_);
  return done;
}

bool Server::block_on(Connection& sender, Connection& target) {
  // The target is at its bound: make sure the slow-consumer clock runs for it (its own replies,
  // when sender == target, never went through the routing path that starts it).
  note_output_growth(target);
  sender.blocked_on = target.handle(slot_of(target));
  target.waiters.push_back(sender.handle(slot_of(sender)).pack());
  ++stats_.blocked;
  return false;
}

void Server::wake_waiters(Connection& c) {
  if (c.waiters.empty()) return;
  Handle self = c.handle(slot_of(c));
  std::vector<uint64_t> waiters;
  waiters.swap(c.waiters);
  for (uint64_t packed : waiters) {
    Connection* w = slab_.find(Handle::unpack(packed));
    if (w == nullptr || !(w->blocked_on == self)) continue;  // closed, or woken already
    w->blocked_on = Handle{};
    mark_pending(*w);
  }
}

void Server::note_output_growth(Connection& t) {
  mark_dirty(t);
  if (t.out.bytes() >= options_.max_outbuf && !t.in_over_list) {
    t.in_over_list = true;
    t.over_since = now_tick_;
    over_limit_.push_back(t.handle(slot_of(t)).pack());
  }
}

void Server::write_out(Connection& c) {
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
  if (!c.waiters.empty() && c.out.bytes() <= options_.max_outbuf / kLowWaterDivisor) wake_waiters(c);
  if (c.state == ConnState::draining) {
    if (c.out.empty()) {
      linger_then_close(c);
    } else if (progressed) {
      wheel_.schedule(c.timer, now_tick_ + kDrainStallTicks);
    }
  }
}

void Server::unregister(Connection& c, const char* reason) {
  if (c.state != ConnState::registered) return;
  routes_.erase(c.node_id());
  SB_LOG(*log_, info, "disconnect", {"node", c.node_id()}, {"peer", std::string_view(c.peer)},
         {"reason", reason}, {"queued", uint64_t(c.out.messages())});
}

void Server::begin_drain(Connection& c, const char* reason) {
  if (!c.takes_commands()) return;
  unregister(c, reason);
  if (c.state == ConnState::handshake)
    SB_LOG(*log_, info, "disconnect", {"peer", std::string_view(c.peer)}, {"reason", reason});
  c.state = ConnState::draining;
  // Senders blocked on this connection resume; their retried SEND now finds no such node.
  wake_waiters(c);
  // Whoever this connection was blocked on no longer needs to wake it. (Its input buffer is
  // freed at reap, not here: the parse loop that called us may still be consuming from it.)
  c.blocked_on = Handle{};
  wheel_.schedule(c.timer, now_tick_ + kDrainStallTicks);
  if (c.out.empty()) {
    linger_then_close(c);
  } else {
    mark_dirty(c);
  }
}

void Server::linger_then_close(Connection& c) {
  // A peer that already finished sending leaves nothing unread to trigger an RST; at shutdown the
  // grace period is for flushing output, not for waiting on peers to hang up.
  if (c.eof || shutting_down_) {
    close_now(c, "drained");
    return;
  }
  ::shutdown(c.fd, SHUT_WR);
  c.state = ConnState::lingering;
  wheel_.schedule(c.timer, now_tick_ + kLingerTicks);
  if (c.readable) discard_input(c);
}

void Server::discard_input(Connection& c) {
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
  mark_pending(c);  // a peer still streaming at us: keep discarding next iteration, until the timer
}

void Server::close_now(Connection& c, const char* reason) {
  if (c.closing) return;
  if (c.state == ConnState::registered || c.state == ConnState::handshake) {
    unregister(c, reason);
    if (c.state == ConnState::handshake)
      SB_LOG(*log_, info, "disconnect", {"peer", std::string_view(c.peer)}, {"reason", reason});
  }
  size_t lost = c.out.messages();
  if (lost > 0)
    SB_LOG(*log_, warn, "dropped_on_close", {"node", c.node_id()}, {"peer", std::string_view(c.peer)},
           {"messages", uint64_t(lost)}, {"reason", reason});
  c.closing = true;
  wake_waiters(c);
  closing_.push_back(slot_of(c));
}

}  // namespace sb::server
