// Backbone: connect, handshake, read, write and reconnect of the NATS link.
#include "server/backbone.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/nats/nats_writer.h"
#include "common/net/socket.h"
#include "server/server_limits.h"

namespace sb::server {

namespace {

constexpr int64_t kConnectTimeoutMs = 2000;
constexpr uint64_t kFirstBackoffMs = 100;
constexpr uint64_t kMaxBackoffMs = 2000;
// A PING every interval; two unanswered in a row mean the member is gone (or the path to it).
constexpr uint64_t kPingIntervalMs = 2000;
constexpr unsigned kMaxPingsOut = 2;
constexpr size_t kBackboneReadBudget = 1 << 20;

}  // namespace

Backbone::Backbone(EventLoop& loop, BlockPool& pool, log::Logger* log) : loop_(loop), log_(log), out_(&pool) {}

Backbone::~Backbone() { stop(); }

bool Backbone::configure(std::string_view urls, std::string name, BackboneHandler* handler, std::string* error) {
  handler_ = handler;
  name_ = std::move(name);
  members_.clear();
  size_t start = 0;
  while (start <= urls.size()) {
    size_t comma = urls.find(',', start);
    if (comma == std::string_view::npos) comma = urls.size();
    std::string_view url = urls.substr(start, comma - start);
    start = comma + 1;
    if (url.substr(0, 7) == "nats://") url.remove_prefix(7);
    size_t colon = url.rfind(':');
    uint16_t port = 4222;
    std::string_view host = url;
    if (colon != std::string_view::npos && url.find(']') == std::string_view::npos ? url.find(':') == colon
                                                                                    : colon > url.find(']')) {
      if (!net::parse_port(url.substr(colon + 1), &port)) {
        *error = "bad port in --cluster URL: " + std::string(url);
        return false;
      }
      host = url.substr(0, colon);
    }
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    net::Endpoint ep;
    std::string why;
    if (host.empty() || !net::resolve(host, port, &ep, &why)) {
      *error = "bad --cluster URL " + std::string(url) + (why.empty() ? "" : ": " + why);
      return false;
    }
    members_.push_back(ep);
  }
  if (members_.empty()) *error = "--cluster needs at least one nats://HOST:PORT";
  return !members_.empty();
}

void Backbone::start(uint64_t now_ms) { attempt(now_ms); }

void Backbone::stop() {
  connector_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  state_ = State::idle;
}

void Backbone::attempt(uint64_t now_ms) {
  const net::Endpoint& to = members_[next_member_];
  next_member_ = (next_member_ + 1) % members_.size();
  state_ = State::connecting;
  auto status = connector_.start(std::vector<net::Endpoint>{to}, kConnectTimeoutMs, int64_t(now_ms));
  if (status == net::Connector::Status::connected) return connected(now_ms);
  if (status == net::Connector::Status::failed) return lose(connector_.error().c_str(), now_ms);
  loop_.add(connector_.fd(), EPOLLOUT | EPOLLET, kBackboneTag);
}

void Backbone::connected(uint64_t now_ms) {
  loop_.remove(connector_.fd());
  fd_ = connector_.release();
  net::set_nodelay(fd_);
  if (!loop_.add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, kBackboneTag)) return lose("epoll-add", now_ms);
  state_ = State::handshake;  // nats-server speaks first: INFO
  writable_ = true;
  last_ping_ms_ = now_ms;
  pings_unanswered_ = 0;
}

void Backbone::on_event(uint32_t events, uint64_t now_ms) {
  if (state_ == State::connecting) {
    auto status = connector_.on_writable(int64_t(now_ms));
    if (status == net::Connector::Status::connected) connected(now_ms);
    else if (status == net::Connector::Status::failed) lose(connector_.error().c_str(), now_ms);
    return;
  }
  if (fd_ < 0) return;
  if (events & EPOLLOUT) writable_ = true;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read_input(now_ms);
}

void Backbone::run_pending_input(uint64_t now_ms) {
  pending_input_ = false;
  if (fd_ >= 0) read_input(now_ms);
}

void Backbone::read_input(uint64_t now_ms) {
  for (size_t budget = kBackboneReadBudget;;) {
    if (budget == 0) {
      pending_input_ = true;
      return;
    }
    size_t room = 0;
    char* tail = in_.writable(64 * 1024, &room);
    ssize_t n = ::read(fd_, tail, room);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) return lose(n == 0 ? "closed-by-peer" : std::strerror(errno), now_ms);
    budget -= std::min(budget, size_t(n));
    in_.commit(size_t(n));
    for (;;) {
      nats::Event ev = parser_.next(in_.view());
      if (ev.kind == nats::Event::Kind::need_more) break;
      if (!handle(ev)) return lose(ev.kind == nats::Event::Kind::error ? "protocol-error" : "refused", now_ms);
      in_.consume(ev.consumed);
      if (fd_ < 0) return;
    }
  }
}

// False when the link must be dropped.
bool Backbone::handle(const nats::Event& ev) {
  switch (ev.kind) {
    case nats::Event::Kind::msg:
      handler_->on_backbone_message(ev.msg);
      return true;
    case nats::Event::Kind::ping:
      return send("PONG\r\n") || state_ == State::handshake;
    case nats::Event::Kind::pong:
      pings_unanswered_ = 0;
      return true;
    case nats::Event::Kind::info:
      if (state_ == State::handshake) {
        std::string connect;
        nats::write_connect(&connect, {name_, false});
        state_ = State::up;
        send(connect);
        ++counters_.connects;
        backoff_ms_ = 0;
        SB_LOG(*log_, info, "backbone_up", {"peer", std::string_view(connector_.peer())});
        handler_->on_backbone_up();
      }
      return true;
    case nats::Event::Kind::ok:
      return true;
    case nats::Event::Kind::err:
      ++counters_.server_errors;
      SB_LOG(*log_, warn, "backbone_error", {"peer", std::string_view(connector_.peer())}, {"error", ev.text});
      // nats-server closes the link after most errors; "Permissions Violation" is the exception.
      return ev.text.find("Permissions") != std::string_view::npos;
    case nats::Event::Kind::error:
      SB_LOG(*log_, error, "backbone_protocol_error", {"error", ev.text});
      return false;
    case nats::Event::Kind::need_more:
      return true;
  }
  return true;
}

void Backbone::lose(const char* reason, uint64_t now_ms) {
  const bool was_up = state_ == State::up;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  connector_.reset();
  in_.release();
  out_.clear();
  parser_.reset();
  pending_input_ = false;
  state_ = State::idle;
  // A pause only after every member was tried once, so one dead member costs nothing.
  if (next_member_ == 0) backoff_ms_ = backoff_ms_ == 0 ? kFirstBackoffMs : std::min(backoff_ms_ * 2, kMaxBackoffMs);
  retry_at_ms_ = now_ms + (next_member_ == 0 ? backoff_ms_ : 0);
  if (was_up) {
    ++counters_.disconnects;
    SB_LOG(*log_, warn, "backbone_down", {"peer", std::string_view(connector_.peer())}, {"reason", reason});
    handler_->on_backbone_down();
  } else {
    SB_LOG(*log_, debug, "backbone_connect_failed", {"peer", std::string_view(connector_.peer())},
           {"reason", reason});
  }
}

void Backbone::on_tick(uint64_t now_ms) {
  switch (state_) {
    case State::idle:
      if (now_ms >= retry_at_ms_) attempt(now_ms);
      return;
    case State::connecting:
      if (connector_.deadline() >= 0 && int64_t(now_ms) >= connector_.deadline()) {
        auto status = connector_.on_timer(int64_t(now_ms));
        if (status == net::Connector::Status::failed) lose("connect-timeout", now_ms);
        else if (status == net::Connector::Status::connected) connected(now_ms);
      }
      return;
    case State::handshake:
    case State::up:
      if (now_ms - last_ping_ms_ < kPingIntervalMs) return;
      if (pings_unanswered_ >= kMaxPingsOut) return lose("ping-timeout", now_ms);
      last_ping_ms_ = now_ms;
      ++pings_unanswered_;
      if (state_ == State::up) send("PING\r\n");
      return;
  }
}

bool Backbone::send(std::string_view bytes) {
  if (state_ != State::up || out_.bytes() > kMaxOutput) {
    ++counters_.refused;
    return false;
  }
  out_.append({bytes});
  return true;
}

bool Backbone::publish(std::string_view subject, std::string_view head, std::string_view body) {
  if (state_ != State::up || out_.bytes() > kMaxOutput) {
    ++counters_.refused;
    return false;
  }
  nats::PubLine line(subject, {}, head.size() + body.size());
  out_.append({line.view(), head, body, "\r\n"});
  return true;
}

void Backbone::flush() {
  if (fd_ < 0 || !writable_) return;
  iovec iov[kMaxIov];
  while (!out_.empty()) {
    int count = out_.gather(iov, kMaxIov);
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(count);
    ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      writable_ = false;
      return;
    }
    if (n < 0) {
      // The read side sees the same failure and reports it; drop what cannot be sent.
      out_.clear();
      return;
    }
    out_.consume(size_t(n));
  }
}

}  // namespace sb::server
