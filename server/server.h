// The switchboard server: one thread, one edge-triggered epoll loop. Server builds the rooms and
// wires them together, and owns the order of one loop iteration:
//   EventLoop     epoll, timerfd ticks, signalfd, wake eventfd
//   Listener      accept, admit or refuse
//   ConnectionIo  reads, flushes, drain / linger / close of client sockets
//   Commands      what each verb does
//   Router        where a payload goes (routing table, fan-out)
//   BackPressure  full targets, paused senders, slow consumers
//   Cluster       --cluster: the NATS backbone, cluster-wide ids, routing to other servers
// docs/SERVER.md follows one message through them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/buffer/block_pool.h"
#include "common/log/logger.h"
#include "common/timing/timing_wheel.h"
#include "server/admission.h"
#include "server/back_pressure.h"
#include "server/cluster.h"
#include "server/commands.h"
#include "server/connection_io.h"
#include "server/connection_slab.h"
#include "server/event_loop.h"
#include "server/listener.h"
#include "server/metrics_report.h"
#include "server/metrics_server.h"
#include "server/options.h"
#include "server/router.h"
#include "server/stats.h"
#include "server/timeouts.h"
#include "server/work_lists.h"

namespace sb::server {

class Server {
 public:
  // `handle_signals`: take SIGINT/SIGTERM/SIGHUP through a signalfd (the caller must have blocked
  // them in every thread). In-process tests pass false and use request_shutdown().
  Server(const ServerOptions& options, log::Logger* logger, bool handle_signals);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads credentials, binds, listens and creates the loop's descriptors. False with *error on
  // failure; *port_in_use tells EADDRINUSE apart so main can say so plainly.
  bool open(std::string* error, bool* port_in_use);
  // "127.0.0.1:2004": the address really bound (port 0 resolved).
  std::string listen_address() const { return listener_.address(); }
  uint16_t port() const { return listener_.port(); }
  // The --metrics endpoint's address really bound ("127.0.0.1:9464"), empty without --metrics.
  std::string metrics_address() const { return metrics_ ? metrics_->address() : std::string(); }

  // Runs until a graceful shutdown completes. Returns the process exit code.
  int run();
  // Starts a graceful shutdown; safe from any thread.
  void request_shutdown() { loop_.wake(); }

  // For tests and the in-process fuzzer: one loop iteration (epoll_wait with this timeout, then
  // dispatch, pending input, flush, reap); false on a fatal epoll error. run() is this in a loop.
  bool run_once(int timeout_ms);
  // Moves the loop's clock forward as if the timerfd had fired `ticks` times (kTickMs each).
  void advance_ticks(uint64_t ticks);
  // Serves an already connected socket (a socketpair end) as if it had been accepted.
  void adopt(int fd, const char* peer) { listener_.adopt(fd, peer); }
  bool finished() const { return finished_; }
  size_t connections() const { return io_.count(); }

  const ServerStats& stats() const { return stats_; }

 private:
  void dispatch(const epoll_event& ev);
  bool open_metrics(std::string* error);
  void on_ticks_advanced();
  void on_signal();
  void reload();
  void log_reload_failure(const std::string& error);
  void apply_settings(const ServerOptions& next);
  void reload_credentials(const ServerOptions& previous);
  void recount_addresses();
  void begin_shutdown();
  void log_summary();

  // The running settings. Rooms hold references to options_ and timeouts_ and read the
  // reloadable settings where they use them, so a SIGHUP reload changes them in place (reload()).
  ServerOptions options_;
  log::Logger* log_;
  const bool handle_signals_;
  Timeouts timeouts_;

  // Construction order is dependency order: each room gets references to those above it.
  EventLoop loop_;
  ServerStats stats_;
  Admission admission_;
  BlockPool pool_;
  ConnectionSlab slab_;
  TimingWheel wheel_;
  WorkLists lists_;
  BackPressure pressure_;
  Router router_;
  ConnectionIo io_;
  Commands commands_;
  Listener listener_;
  std::unique_ptr<Cluster> cluster_;  // --cluster only
  // With --metrics only: the endpoint and what it reports (the loop times iterations for it).
  std::unique_ptr<MetricsReport> report_;
  std::unique_ptr<MetricsServer> metrics_;

  bool shutting_down_ = false;
  bool finished_ = false;
  uint64_t shutdown_deadline_ = 0;
  uint64_t last_summary_tick_ = 0;
};

}  // namespace sb::server
