// Listener: the accept path. Accepts until EAGAIN (at most kAcceptBatch per wakeup), applies
// --max-conns and the per-address cap, refuses with one ERR line and a lingering close, and keeps a spare descriptor so
// that at the descriptor limit a waiting connection can still be accepted and refused instead of
// spinning the loop. Accepted sockets go to ConnectionIo.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/log/logger.h"
#include "server/admission.h"
#include "server/connection_io.h"
#include "server/event_loop.h"
#include "server/lingering_refusals.h"
#include "server/options.h"
#include "server/stats.h"

namespace sb::server {

class Listener {
 public:
  Listener(const ServerOptions& options, EventLoop& loop, ConnectionIo& io, Admission& admission, ServerStats& stats,
           log::Logger* log)
      : options_(options), loop_(loop), io_(io), admission_(admission), stats_(stats), log_(log) {}
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds and listens. *port_in_use tells EADDRINUSE apart so main can say so plainly.
  bool open(std::string* error, bool* port_in_use);
  std::string address() const { return bound_address_; }
  uint16_t port() const { return bound_port_; }

  // The listener is readable.
  void accept_connections();
  // Serves an already connected socket as if it had been accepted (tests, the fuzzer).
  void adopt(int fd, std::string_view peer);
  // Each tick: a listener paused for lack of descriptors tries again; lingering refusals close.
  void on_tick();
  // Shutdown: stop accepting for good (refusals still lingering are closed too).
  void close();

 private:
  // Sends `reply` and closes: with a lingering close, or at once when out of descriptors (holding
  // one then would refuse the next client for lack of it) or when the lingering list is full.
  void refuse(int fd, const char* reply, bool linger = true);
  bool shed_with_spare_fd();  // true if a waiting connection was refused

  const ServerOptions& options_;
  EventLoop& loop_;
  ConnectionIo& io_;
  Admission& admission_;
  ServerStats& stats_;
  log::Logger* log_;
  int listen_fd_ = -1;
  LingeringRefusals refusals_;
  int spare_fd_ = -1;  // held open so EMFILE can still accept-and-refuse (muduo, libuv)
  bool paused_ = false;  // out of descriptors even for the spare: retry next tick
  uint64_t last_fd_warning_tick_ = UINT64_MAX;
  std::string bound_address_;
  uint16_t bound_port_ = 0;
};

}  // namespace sb::server
