// Connects to the first address of a host that answers, without ever blocking the caller's loop:
// the loop polls fd() for POLLOUT and calls on_writable(), and calls on_timer() once deadline()
// has passed. The addresses are tried in turn; each attempt gets an equal share of the time left,
// so one address that never answers (a dropped SYN) cannot use up the whole timeout alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/net/socket.h"

namespace sb::net {

class Connector {
 public:
  enum class Status { idle, connecting, connected, failed };

  Connector() = default;
  ~Connector() { reset(); }
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  // Resolves `host` (which may block in the resolver for a name; numeric addresses do not) and
  // starts the first attempt. `timeout_ms` bounds the whole connect; times are CLOCK_MONOTONIC ms.
  Status start(const std::string& host, uint16_t port, int64_t timeout_ms, int64_t now_ms);
  // The same over addresses already resolved, tried in this order.
  Status start(std::vector<Endpoint> addresses, int64_t timeout_ms, int64_t now_ms);
  // The socket polled writable or with an error: finished, or on to the next address.
  Status on_writable(int64_t now_ms);
  // Call when now_ms >= deadline(): the current attempt is abandoned for the next address.
  Status on_timer(int64_t now_ms);

  Status status() const { return status_; }
  int fd() const { return fd_; }             // the socket to poll while connecting, else -1
  int64_t deadline() const { return deadline_; }  // of the current attempt; -1 when not connecting
  // The connected socket, now the caller's (the Connector returns to idle).
  int release();
  // "127.0.0.1:2004" of the address connected to or being tried.
  const std::string& peer() const { return peer_; }
  // Why the connect failed: every address's reason, "; "-separated.
  const std::string& error() const { return error_; }
  // Abandons any attempt (closing its socket) and returns to idle.
  void reset();

 private:
  Status next_attempt(int64_t now_ms);
  void attempt_failed(const std::string& why);

  std::vector<Endpoint> addresses_;
  size_t next_ = 0;
  int fd_ = -1;
  int64_t end_ = 0;        // the whole connect's deadline
  int64_t deadline_ = -1;  // the current attempt's
  Status status_ = Status::idle;
  std::string peer_;
  std::string error_;
};

}  // namespace sb::net
