// MetricsServer: the --metrics endpoint, a minimal HTTP/1.1 responder on the server's own loop.
// It owns its listening socket and a small table of its own connections (never the client slab),
// reads one bounded request per connection, answers GET /metrics with the text `render` returns
// (404/405/400/431 otherwise), shuts its side down and lingers for the scraper's EOF. Every
// connection has a deadline checked on the tick, and the table is small: a scraper that is slow,
// silent, too big or too many costs a handful of descriptors and nothing else. Its descriptors are
// level-triggered: a scrape is rare, so re-arming with epoll_ctl costs nothing that matters and
// spares the readiness bookkeeping edge triggering would need.
#pragma once

#include <sys/epoll.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "common/log/logger.h"
#include "server/event_loop.h"

namespace sb::server {

class MetricsServer {
 public:
  static constexpr size_t kMaxConnections = 8;
  static constexpr size_t kMaxRequest = 8192;   // request line and headers; beyond: 431
  static constexpr uint64_t kTimeoutTicks = 50;  // a connection's whole life (5 s)

  using Render = std::function<std::string()>;
  MetricsServer(EventLoop& loop, log::Logger* log, Render render) : loop_(loop), log_(log), render_(std::move(render)) {}
  ~MetricsServer() { close(); }
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Listens on "ADDR:PORT" (or "PORT" on 127.0.0.1); false with *error.
  bool open(const std::string& spec, std::string* error);
  std::string address() const { return address_; }

  static bool owns(uint64_t tag) { return tag - kMetricsConnTag < kMaxConnections; }
  void accept_connections();
  void on_event(const epoll_event& ev);
  void on_tick(uint64_t now_tick);
  // Shutdown: the listener and every connection close.
  void close();

 private:
  enum class State : uint8_t { free, reading, writing, lingering };
  struct Conn {
    int fd = -1;
    State state = State::free;
    uint64_t deadline = 0;
    std::string in;
    std::string out;
    size_t sent = 0;
  };

  void on_readable(size_t index);
  void answer(size_t index);
  void write_out(size_t index);
  void close_conn(size_t index);

  EventLoop& loop_;
  log::Logger* log_;
  Render render_;
  int listen_fd_ = -1;
  std::string address_;
  std::array<Conn, kMaxConnections> conns_;
};

}  // namespace sb::server
