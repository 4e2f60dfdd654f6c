// The switchboard event loop: one thread, one edge-triggered epoll instance owning the listener,
// every connection, the timerfd that drives idle eviction, and the signalfd. Commands are parsed
// in batches per read and output is flushed once per loop iteration per dirty connection.
#pragma once

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/buffer/block_pool.h"
#include "common/log/logger.h"
#include "common/routing/routing_table.h"
#include "common/timing/timing_wheel.h"
#include "server/admission.h"
#include "server/connection_slab.h"
#include "server/options.h"
#include "server/stats.h"

namespace sb::server {

class Server {
 public:
  // `handle_signals`: take SIGINT/SIGTERM/SIGHUP through a signalfd (the caller must have blocked
  // them in every thread). In-process tests pass false and use request_shutdown().
  Server(const ServerOptions& options, log::Logger* logger, bool handle_signals);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and creates the loop's descriptors. False with *error on failure;
  // *port_in_use tells EADDRINUSE apart so main can say so plainly.
  bool open(std::string* error, bool* port_in_use);
  // "127.0.0.1:2004": the address really bound (port 0 resolved).
  std::string listen_address() const;
  uint16_t port() const;

  // Runs until a graceful shutdown completes. Returns the process exit code.
  int run();
  // Starts a graceful shutdown; safe from any thread.
  void request_shutdown();

  // For tests and the in-process fuzzer: one loop iteration (epoll_wait with this timeout, then
  // dispatch, pending input, flush, reap); false on a fatal epoll error. run() is this in a loop.
  bool run_once(int timeout_ms);
  // Moves the loop's clock forward as if the timerfd had fired `ticks` times (100 ms each).
  void advance_ticks(uint64_t ticks);
  // Serves an already connected socket (a socketpair end) as if it had been accepted.
  void adopt(int fd, const char* peer);
  bool finished() const { return finished_; }
  size_t connections() const { return connections_; }

  const ServerStats& stats() const { return stats_; }

 private:
  // loop
  void dispatch(const epoll_event& ev);
  void run_pending_input();
  void flush_dirty();
  void reap_closed();
  void on_timer();
  void on_ticks_advanced();
  void on_signal();
  void begin_shutdown();

  // connections
  void accept_connections();
  void refuse(int fd, const char* reply);
  bool shed_with_spare_fd();  // true if a waiting connection was refused
  Connection* open_connection(int fd, std::string_view peer);
  void handle_input(Connection& c);
  bool read_once(Connection& c, size_t* budget);
  size_t process_input(Connection& c, std::string_view input);
  void write_out(Connection& c);
  void begin_drain(Connection& c, const char* reason);
  void linger_then_close(Connection& c);
  void discard_input(Connection& c);
  void close_now(Connection& c, const char* reason);
  void unregister(Connection& c, const char* reason);
  void wake_waiters(Connection& c);
  void on_deadline(Connection& c);
  void check_slow_consumers();
  void mark_dirty(Connection& c);
  void mark_pending(Connection& c);
  void note_output_growth(Connection& target);
  uint32_t slot_of(const Connection& c) const;
  static uint64_t monotonic_ns();

  // commands (server/commands.cpp)
  bool handle_frame(Connection& c, const proto::Frame& f);
  void handle_hello(Connection& c, const proto::Frame& f);
  bool route(Connection& c, std::string_view target, std::string_view payload);
  bool broadcast(Connection& c, std::string_view payload);
  // Hints for the next SENDs in `input` (server/route_prefetch.cpp); returns how many it covered.
  size_t prefetch_routes(std::string_view input) const;
  void reply_who(Connection& c);
  void reply_stats(Connection& c);
  void reply_error(Connection& c, proto::ErrorCode code, std::string_view detail);
  bool block_on(Connection& sender, Connection& target);
  bool authenticate(Connection& c, std::string_view id, std::string_view token);

  ServerOptions options_;
  Admission admission_;
  log::Logger* log_;
  bool handle_signals_;

  int epfd_ = -1;
  int listen_fd_ = -1;
  int timer_fd_ = -1;
  int signal_fd_ = -1;
  int wake_fd_ = -1;
  int spare_fd_ = -1;  // held open so EMFILE can still accept-and-refuse (muduo, libuv)
  std::string bound_address_;
  uint16_t bound_port_ = 0;

  BlockPool pool_;
  ConnectionSlab slab_;
  RoutingTable routes_;
  TimingWheel wheel_;
  ServerStats stats_;
  size_t connections_ = 0;

  // Ticks of the timerfd since start; the loop's cached "now" for every deadline.
  uint64_t now_tick_ = 0;
  uint64_t idle_ticks_, handshake_ticks_, slow_ticks_, grace_ticks_;
  uint64_t start_ns_ = 0;

  std::vector<uint32_t> dirty_;
  std::vector<uint64_t> pending_;   // packed handles: input left unread (budget) or unblocked
  std::vector<uint64_t> pending_batch_;
  std::vector<uint32_t> closing_;
  std::vector<uint64_t> over_limit_;  // packed handles of targets at or over --max-outbuf
  bool listener_paused_ = false;    // out of descriptors even for the spare: retry next tick
  bool shutting_down_ = false;
  bool finished_ = false;
  uint64_t shutdown_deadline_ = 0;
  uint64_t last_summary_tick_ = 0;
  uint64_t last_fd_warning_tick_ = UINT64_MAX;

  std::vector<epoll_event> events_;
  char* scratch_;  // the shared read buffer (muduo's extrabuf), kScratchSize bytes
};

}  // namespace sb::server
