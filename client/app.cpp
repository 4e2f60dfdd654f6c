// The client's poll() loop. Everything that touches the socket is here; the Session does the
// protocol, the Frontend does the talking to the person or script. Status and error wording is
// decided here once, so both front ends say the same things.
#include "client/app.h"

#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "client/replies.h"
#include "client/text.h"
#include "common/net/socket.h"
#include "common/timing/clock.h"

namespace sb::client {

namespace {

constexpr size_t kReadChunk = 64 * 1024;
// Bytes read from the socket per wakeup before stdin gets a turn (poll is level-triggered, so
// the rest is picked up on the next iteration; nothing is lost).
constexpr size_t kReadBudget = 1 << 20;
constexpr int64_t kQuitWaitMs = 5000;        // BYE must come this long after our last progress
constexpr int64_t kFirstBackoffMs = 250;
constexpr int64_t kMaxBackoffMs = 8000;
constexpr int64_t kMinKeepaliveMs = 500;

int64_t monotonic_us() { return static_cast<int64_t>(monotonic_ns() / 1000); }

bool is_refusal(proto::ErrorCode code) {
  using proto::ErrorCode;
  return code == ErrorCode::bad_id || code == ErrorCode::id_taken || code == ErrorCode::auth ||
         code == ErrorCode::server_full;
}

}  // namespace

void Frontend::on_interrupt() {
  if (app_ != nullptr) app_->quit();
}

App::~App() { close_connection(); }

App::Clock App::now_ms() { return monotonic_us() / 1000; }

void App::handle_signals() {
  int signo = 0;
  while (signals_.next(&signo)) {
    switch (signo) {
      case SIGTSTP:
        frontend_.on_suspend();
        break;
      case SIGWINCH:
        frontend_.on_resize();
        break;
      default:  // SIGINT, SIGTERM, SIGHUP
        SB_LOG(log_, info, "signal", {"signal", signo});
        // The first one asks for a clean QUIT; a second one means "now".
        if (quitting_) finish(kExitFailure);
        else frontend_.on_interrupt();
        break;
    }
  }
}

void App::connect() {
  close_connection();
  session_.reset();
  quit_deadline_ = -1;
  const auto timeout_ms = std::max<int64_t>(1, static_cast<int64_t>(options_.connect_timeout_s * 1000 + 0.5));
  const net::HostPort server = server_at(options_, server_index_);
  SB_LOG(log_, info, "connecting", {"host", std::string_view(server.host)}, {"port", unsigned{server.port}},
         {"timeout_ms", static_cast<long long>(timeout_ms)});
  on_connect_status(connector_.start(server.host, server.port, timeout_ms, now_ms()));
}

void App::on_connect_status(net::Connector::Status status) {
  using Status = net::Connector::Status;
  if (status == Status::connecting) return;
  peer_ = connector_.peer().empty() ? server_at(options_, server_index_).host : connector_.peer();
  if (status == Status::connected) {
    fd_ = connector_.release();
    SB_LOG(log_, info, "connect", {"peer", peer_});
    return;
  }
  const std::string error = connector_.error();
  SB_LOG(log_, warn, "connect_failed", {"peer", peer_}, {"error", error});
  connector_.reset();
  frontend_.show_error("Error: cannot connect to the server: " + error);
  if (options_.reconnect) schedule_reconnect();
  else finish(kExitFailure);
}

void App::close_connection() {
  connector_.reset();
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  session_.reset();
  if (e2e_) e2e_->on_disconnected();
}

void App::register_as(const std::string& id) {
  id_ = id;
  if (options_.e2e && !start_e2e(id)) return;
  if (!link_up()) connect();
  if (!link_up()) return;  // the failure has been reported
  session_.hello(id, options_.token);
  queued(now_ms());
}

bool App::send(std::string_view target, std::string_view payload) {
  if (!registered() || quitting_) return false;
  if (e2e_) e2e_->send(target, payload);
  else session_.send(target, payload);
  queued(now_ms());
  SB_LOG(log_, debug, "sent", {"target", target}, {"bytes", payload.size()});
  return true;
}

bool App::request(std::string_view verb, std::string_view arg1, std::string_view arg2) {
  if (!registered()) return false;
  session_.request(verb, arg1, arg2);
  queued(now_ms());
  return true;
}

void App::quit() {
  if (quitting_ || finished_) return;
  if (fd_ < 0 || session_.state() == Session::State::idle) {
    SB_LOG(log_, info, "quit", {"connected", 0});
    finish(failed_ ? kExitFailure : kExitOk);
    return;
  }
  quitting_ = true;
  reconnect_at_ = -1;
  send_quit_when_drained();
}

void App::finish(int exit_code) {
  if (finished_) return;
  finished_ = true;
  exit_code_ = exit_code;
}

void App::schedule_reconnect() {
  reconnect_delay_ms_ = reconnect_delay_ms_ == 0 ? kFirstBackoffMs
                                                  : std::min(reconnect_delay_ms_ * 2, kMaxBackoffMs);
  // +-20% jitter so that every client of a restarted server does not knock at the same instant.
  uint16_t r = 0;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r) r = 32768;
  int64_t delay = reconnect_delay_ms_ * (80 + static_cast<int64_t>(r % 41)) / 100;
  reconnect_at_ = now_ms() + delay;
  server_index_ = (server_index_ + 1) % server_count(options_);
  SB_LOG(log_, info, "reconnect_wait", {"delay_ms", static_cast<long long>(delay)});
  frontend_.show_status("Reconnecting in " + seconds_text(delay) + "...");
}

void App::connection_lost(const std::string& why) {
  bool was_quitting = quitting_;
  close_connection();
  SB_LOG(log_, info, "disconnect", {"peer", peer_}, {"reason", why});
  if (finished_) return;
  if (was_quitting) {
    frontend_.show_error("Error: the connection closed before the server confirmed QUIT (" + why + ")");
    finish(kExitFailure);
    return;
  }
  frontend_.show_error("Error: lost connection to the server at " + peer_ + ": " + why);
  // Taken over: the newest HELLO with the id's token wins, and the one it replaced does not
  // reconnect, or two clients sharing a token would take the id from each other forever.
  bool retry = options_.reconnect && ever_registered_ && !taken_over_;
  frontend_.on_disconnected(retry);
  if (retry) schedule_reconnect();
  else finish(kExitFailure);
}

void App::on_readable() {
  char buf[kReadChunk];
  size_t budget = kReadBudget;
  while (fd_ >= 0 && budget > 0 && !finished_) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      connection_lost(n == 0 ? "the server closed the connection" : std::strerror(errno));
      return;
    }
    budget -= std::min(budget, static_cast<size_t>(n));
    if (quit_deadline_ >= 0) quit_deadline_ = now_ms() + kQuitWaitMs;  // still making progress
    std::string error;
    // Callbacks only record what must happen to the connection (bye_, refused_): resetting the
    // session from inside feed() would free the buffer it is parsing.
    bool ok = session_.feed(std::string_view(buf, static_cast<size_t>(n)),
                            [this](const ServerEvent& ev) { on_event(ev); }, &error);
    if (!ok) {
      SB_LOG(log_, error, "protocol_error", {"error", error});
      connection_lost(error);
      return;
    }
    if (bye_) {
      bye_ = false;
      SB_LOG(log_, info, "disconnect", {"peer", peer_}, {"reason", "quit"});
      close_connection();
      finish(failed_ ? kExitFailure : kExitOk);
      return;
    }
    if (refused_ != proto::ErrorCode::none) {
      proto::ErrorCode code = refused_;
      refused_ = proto::ErrorCode::none;
      close_connection();
      if (quitting_) {
        finish(kExitFailure);
      } else if (ever_registered_ && options_.reconnect &&
                 (code == proto::ErrorCode::id_taken || code == proto::ErrorCode::server_full)) {
        schedule_reconnect();  // our previous connection may not have been noticed as gone yet
      } else {
        frontend_.on_registration_refused(code);
      }
      return;
    }
  }
}

void App::flush_output() {
  while (fd_ >= 0 && session_.output_size() > 0) {
    std::string_view out = session_.output();
    ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      session_.consume_output(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    // The peer is gone. Read what it said last (ERR shutting-down, say) before reporting.
    std::string why = std::strerror(errno);
    on_readable();
    if (fd_ >= 0) connection_lost(why);
    return;
  }
  if (quitting_ && fd_ >= 0 && quit_deadline_ < 0) quit_deadline_ = now_ms() + kQuitWaitMs;
}

void App::on_event(const ServerEvent& ev) {
  using Kind = ServerEvent::Kind;
  if (e2e_ && e2e_->on_reply(ev)) return;
  switch (ev.kind) {
    case Kind::welcome:
      ever_registered_ = true;
      reconnect_delay_ms_ = 0;
      SB_LOG(log_, info, "register", {"node", ev.node}, {"peer", peer_},
             {"idle_timeout_s", static_cast<unsigned>(ev.idle_timeout_s)});
      frontend_.show_status("Connected to server as node '" + std::string(ev.node) + "'");
      for (const std::string& group : options_.joins) request("JOIN", group);
      frontend_.on_registered();
      if (e2e_) e2e_->on_registered();
      break;
    case Kind::message:
      SB_LOG(log_, debug, "received", {"from", ev.node}, {"bytes", ev.text.size()});
      deliver_message(ev);
      break;
    case Kind::receipt:
      frontend_.on_receipt(ev.count);
      break;
    case Kind::pong:
      on_pong(ev.text);
      break;
    case Kind::nodes:
    case Kind::stats:
    case Kind::joined:
    case Kind::left:
    case Kind::groups:
    case Kind::info:
      frontend_.show_status(describe_reply(ev));
      break;
    case Kind::bye:
      bye_ = true;
      break;
    case Kind::key:     // only the --e2e session asks for keys, and it took its answers
    case Kind::option:  // the answer to --receipts' OPT: nothing to show
      break;
    case Kind::error:
      on_error_reply(ev);
      break;
    case Kind::protocol_error:
      SB_LOG(log_, warn, "protocol_error", {"error", ev.text});
      frontend_.show_error("Error: " + std::string(ev.text));
      break;
  }
}

void App::on_error_reply(const ServerEvent& ev) {
  SB_LOG(log_, warn, "error", {"code", ev.code_text}, {"detail", ev.text});
  frontend_.show_error("Error: " + describe_error(ev.code_text, ev.text));
  using proto::ErrorCode;
  if (is_refusal(ev.code) && session_.state() == Session::State::idle) {
    SB_LOG(log_, warn, "register_refused", {"node", id_}, {"code", ev.code_text});
    refused_ = ev.code;
  } else if (ev.code == ErrorCode::taken_over) {
    taken_over_ = true;  // another connection proved this id: coming back would take it back
  } else if (ev.code == ErrorCode::no_such_node || ev.code == ErrorCode::too_large ||
             ev.code == ErrorCode::bad_id || ev.code == ErrorCode::no_receivers) {
    frontend_.on_refused(ev.code, ev.text);
  }
}

int App::poll_timeout() const {
  Clock now = now_ms();
  Clock next = -1;
  auto consider = [&](Clock at) {
    if (at >= 0 && (next < 0 || at < next)) next = at;
  };
  consider(quit_deadline_);
  consider(reconnect_at_);
  consider(connector_.deadline());
  consider(keepalive_at());
  if (next < 0) return -1;
  return next <= now ? 0 : static_cast<int>(std::min<Clock>(next - now, 60 * 60 * 1000));
}

App::Clock App::keepalive_at() const {
  if (!options_.keepalive || !registered() || quitting_ || session_.idle_timeout_s() == 0) return -1;
  // A third of the timeout leaves room for two lost or late pings before the server gives up.
  Clock interval = std::max<Clock>(kMinKeepaliveMs, session_.idle_timeout_s() * 1000 / 3);
  return last_sent_ + interval;
}

void App::run_timers() {
  Clock now = now_ms();
  if (quit_deadline_ >= 0 && now >= quit_deadline_) {
    frontend_.show_error("Error: the server did not confirm QUIT within " + seconds_text(kQuitWaitMs));
    SB_LOG(log_, warn, "disconnect", {"peer", peer_}, {"reason", "no BYE"});
    close_connection();
    finish(kExitFailure);
    return;
  }
  if (connecting() && now >= connector_.deadline()) on_connect_status(connector_.on_timer(now));
  if (finished_) return;
  if (reconnect_at_ >= 0 && now >= reconnect_at_) {
    reconnect_at_ = -1;
    connect();
    if (link_up()) {
      session_.hello(id_, options_.token);
      queued(now);
    }
  }
  Clock ka = keepalive_at();
  if (ka >= 0 && now >= ka) {
    session_.ping(kKeepaliveWord);
    queued(now);
    SB_LOG(log_, debug, "keepalive", {"node", id_});
  }
}

int App::run() {
  std::string error;
  if (!signals_.open(frontend_.owns_terminal(), &error)) {
    frontend_.show_error("Error: " + error);
    return kExitFailure;
  }
  if (!frontend_.start(*this)) return finished_ ? exit_code_ : kExitFailure;
  while (!finished_) {
    send_quit_when_drained();
    flush_output();
    if (finished_) break;

    pollfd fds[4];
    nfds_t n = 0;
    fds[n++] = {signals_.fd(), POLLIN, 0};
    int sock_index = -1, stdin_index = -1, connect_index = -1;
    if (connecting()) {
      connect_index = static_cast<int>(n);
      fds[n++] = {connector_.fd(), POLLOUT, 0};
    }
    const int polled_fd = fd_;
    if (fd_ >= 0) {
      sock_index = static_cast<int>(n);
      fds[n++] = {fd_, static_cast<short>(POLLIN | (session_.output_size() > 0 ? POLLOUT : 0)), 0};
    }
    if (stdin_open_ && frontend_.wants_input()) {
      stdin_index = static_cast<int>(n);
      fds[n++] = {STDIN_FILENO, POLLIN, 0};
    }
    int rc = ::poll(fds, n, poll_timeout());
    if (rc < 0) {
      if (errno == EINTR) continue;
      frontend_.show_error(std::string("Error: poll: ") + std::strerror(errno));
      finish(kExitFailure);
      break;
    }
    if (fds[0].revents != 0) handle_signals();
    if (connect_index >= 0 && fds[connect_index].revents != 0 && connecting() && !finished_)
      on_connect_status(connector_.on_writable(now_ms()));
    if (sock_index >= 0 && fds[sock_index].revents != 0 && fd_ == polled_fd && !finished_) {
      // POLLHUP/POLLERR are handled by reading: read() returns the pending bytes, then 0 or the
      // error, which is where we learn why.
      if (fds[sock_index].revents & (POLLIN | POLLHUP | POLLERR)) on_readable();
      if (fd_ == polled_fd && (fds[sock_index].revents & POLLOUT)) flush_output();
    }
    if (stdin_index >= 0 && fds[stdin_index].revents != 0 && !finished_) {
      char buf[kReadChunk];
      ssize_t got = ::read(STDIN_FILENO, buf, sizeof buf);
      if (got > 0) {
        frontend_.on_input(std::string_view(buf, static_cast<size_t>(got)));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        stdin_open_ = false;  // EOF, or EIO from a terminal that went away
        frontend_.on_input_end();
      }
    }
    if (!finished_) run_timers();
  }
  flush_output();  // a last QUIT or error reply still fits in the socket buffer, usually
  frontend_.stop();
  close_connection();
  return exit_code_;
}

}  // namespace sb::client
