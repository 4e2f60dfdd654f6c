// MetricsServer: accept, read one request, answer, linger, close; deadlines on the tick.
#include "server/metrics_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/net/socket.h"
#include "server/metrics_http.h"
#include "server/metrics_text.h"

namespace sb::server {

bool MetricsServer::open(const std::string& spec, std::string* error) {
  std::string host;
  uint16_t port = 0;
  net::Endpoint ep;
  if (!net::parse_host_port(spec, "127.0.0.1", &host, &port) || !net::resolve(host, port, &ep, error)) {
    if (error->empty()) *error = "invalid --metrics address '" + spec + "'";
    return false;
  }
  bool in_use = false;
  listen_fd_ = net::listen_tcp(ep, 64, error, &in_use);
  if (listen_fd_ < 0) {
    *error = "--metrics " + spec + ": " + (in_use ? std::string("address already in use") : *error);
    return false;
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len);
  address_ = net::format_endpoint(reinterpret_cast<sockaddr*>(&ss), len);
  if (!loop_.add(listen_fd_, EPOLLIN, kMetricsListenerTag)) {
    *error = std::string("epoll_ctl: ") + std::strerror(errno);
    return false;
  }
  return true;
}

void MetricsServer::accept_connections() {
  for (int i = 0; i < 16; ++i) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or an error the level-triggered listener reports again
    size_t index = 0;
    while (index < kMaxConnections && conns_[index].state != State::free) ++index;
    if (index == kMaxConnections || !loop_.add(fd, EPOLLIN | EPOLLRDHUP, kMetricsConnTag + index)) {
      // Table full: refuse at once, so a flood of scrapers neither grows it nor spins the loop.
      ::close(fd);
      SB_LOG(*log_, warn, "metrics_refused", {"reason", "too-many-connections"});
      continue;
    }
    Conn& c = conns_[index];
    c.fd = fd;
    c.state = State::reading;
    c.deadline = loop_.now_tick() + kTimeoutTicks;
  }
}

void MetricsServer::on_event(const epoll_event& ev) {
  const size_t index = ev.data.u64 - kMetricsConnTag;
  if (conns_[index].state == State::free) return;
  if (conns_[index].state == State::writing && (ev.events & EPOLLOUT)) {
    write_out(index);
    return;
  }
  if (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(index);
}

void MetricsServer::on_readable(size_t index) {
  Conn& c = conns_[index];
  char buf[4096];
  const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {  // the scraper is done (or gone)
    close_conn(index);
    return;
  }
  if (c.state != State::reading) return;  // lingering (or writing): discard
  c.in.append(buf, size_t(n));
  const HttpRequestHead head = parse_request_head(c.in);
  if (head.status == HttpRequestHead::Status::incomplete) {
    if (c.in.size() < kMaxRequest) return;
    c.out = http_response(431, "text/plain; charset=utf-8", "request too large\n", true);
  } else {
    const HttpAnswer a = route_request(head);
    if (a.status == 200) {
      c.out = http_response(200, kExpositionContentType, render_(), a.body_wanted);
    } else {
      static constexpr std::string_view kBodies[] = {"bad request\n", "not found\n", "only GET and HEAD\n"};
      const std::string_view body = a.status == 400 ? kBodies[0] : a.status == 404 ? kBodies[1] : kBodies[2];
      c.out = http_response(a.status, "text/plain; charset=utf-8", body, a.body_wanted);
    }
  }
  c.in.clear();
  c.in.shrink_to_fit();
  c.state = State::writing;
  write_out(index);
}

void MetricsServer::write_out(size_t index) {
  Conn& c = conns_[index];
  while (c.sent < c.out.size()) {
    const ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.sent += size_t(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      loop_.modify(c.fd, EPOLLOUT, kMetricsConnTag + index);  // told when the scraper has read
      return;
    } else {
      close_conn(index);
      return;
    }
  }
  // All sent: our FIN follows, then what the scraper still sends is discarded until its EOF, so
  // that unread bytes never turn the close into a reset that could cut the response short.
  c.out.clear();
  c.out.shrink_to_fit();
  ::shutdown(c.fd, SHUT_WR);
  c.state = State::lingering;
  loop_.modify(c.fd, EPOLLIN | EPOLLRDHUP, kMetricsConnTag + index);
}

void MetricsServer::on_tick(uint64_t now_tick) {
  for (size_t i = 0; i < kMaxConnections; ++i)
    if (conns_[i].state != State::free && now_tick >= conns_[i].deadline) close_conn(i);
}

void MetricsServer::close_conn(size_t index) {
  Conn& c = conns_[index];
  ::close(c.fd);  // also leaves the epoll set
  c = Conn{};
}

void MetricsServer::close() {
  for (size_t i = 0; i < kMaxConnections; ++i)
    if (conns_[i].state != State::free) close_conn(i);
  if (listen_fd_ >= 0) {
    loop_.remove(listen_fd_);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

}  // namespace sb::server
