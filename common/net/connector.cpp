// The non-blocking connect state machine: resolve once, then one attempt at a time until one
// connects, every address has failed, or the time is up.
#include "common/net/connector.h"

#include <unistd.h>

#include <cstring>

namespace sb::net {

Connector::Status Connector::start(const std::string& host, uint16_t port, int64_t timeout_ms, int64_t now_ms) {
  reset();
  std::vector<Endpoint> addresses;
  std::string why;
  if (!resolve_all(host, port, &addresses, &why)) {
    error_ = why;
    return status_ = Status::failed;
  }
  return start(std::move(addresses), timeout_ms, now_ms);
}

Connector::Status Connector::start(std::vector<Endpoint> addresses, int64_t timeout_ms, int64_t now_ms) {
  reset();
  error_.clear();
  addresses_ = std::move(addresses);
  end_ = now_ms + timeout_ms;
  return next_attempt(now_ms);
}

Connector::Status Connector::next_attempt(int64_t now_ms) {
  while (next_ < addresses_.size()) {
    const Endpoint& to = addresses_[next_++];
    peer_ = format_endpoint(reinterpret_cast<const sockaddr*>(&to.addr), to.len);
    if (now_ms >= end_) {
      attempt_failed("connect: timed out (" + peer_ + ")");
      continue;
    }
    bool in_progress = false;
    std::string why;
    fd_ = start_connect(to, &in_progress, &why);
    if (fd_ < 0) {
      attempt_failed(why);
      continue;
    }
    if (!in_progress) {
      deadline_ = -1;
      return status_ = Status::connected;
    }
    const int64_t left = end_ - now_ms;
    const int64_t remaining = static_cast<int64_t>(addresses_.size() - next_) + 1;
    deadline_ = now_ms + (left + remaining - 1) / remaining;
    return status_ = Status::connecting;
  }
  deadline_ = -1;
  return status_ = Status::failed;
}

void Connector::attempt_failed(const std::string& why) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!error_.empty()) error_ += "; ";
  error_ += why;
}

Connector::Status Connector::on_writable(int64_t now_ms) {
  if (status_ != Status::connecting) return status_;
  int err = finish_connect(fd_);
  if (err == EINPROGRESS) return status_;  // woken early: keep waiting
  if (err == 0) {
    deadline_ = -1;
    return status_ = Status::connected;
  }
  attempt_failed(std::string("connect: ") + std::strerror(err) + " (" + peer_ + ")");
  return next_attempt(now_ms);
}

Connector::Status Connector::on_timer(int64_t now_ms) {
  if (status_ != Status::connecting || now_ms < deadline_) return status_;
  attempt_failed("connect: timed out (" + peer_ + ")");
  return next_attempt(now_ms);
}

int Connector::release() {
  int fd = status_ == Status::connected ? fd_ : -1;
  if (fd >= 0) fd_ = -1;
  reset();
  return fd;
}

void Connector::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  addresses_.clear();
  next_ = 0;
  deadline_ = -1;
  status_ = Status::idle;
}

}  // namespace sb::net
