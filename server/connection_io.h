// ConnectionIo: everything that happens on a client socket. Reading under a per-wakeup budget and
// handing complete frames to the FrameHandler, flushing queued output with one sendmsg per
// connection per iteration, and the way out: drain (flush what is queued), linger (discard input
// until the peer's EOF so the last reply is not destroyed by an RST), close, and the reap at the
// end of the iteration. It does not decide what a command means or where a message goes.
#pragma once

#include <sys/epoll.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/log/logger.h"
#include "common/protocol/frame.h"
#include "common/timing/timing_wheel.h"
#include "server/admission.h"
#include "server/back_pressure.h"
#include "server/connection_slab.h"
#include "server/event_loop.h"
#include "server/frame_handler.h"
#include "server/router.h"
#include "server/stats.h"
#include "server/timeouts.h"
#include "server/work_lists.h"

namespace sb::server {

struct ConnectionIoDeps {
  EventLoop& loop;
  ConnectionSlab& slab;
  WorkLists& lists;
  TimingWheel& wheel;
  BackPressure& pressure;
  Router& router;
  Admission& admission;
  ServerStats& stats;
  log::Logger* log;
};

class ConnectionIo {
 public:
  // `options` and `timeouts` are the Server's live settings: a SIGHUP reload may change the
  // reloadable ones (handshake timeout) between two events, so they are read where they are used.
  ConnectionIo(const ConnectionIoDeps& deps, const ServerOptions& options, const Timeouts& timeouts);
  ~ConnectionIo();
  ConnectionIo(const ConnectionIo&) = delete;
  ConnectionIo& operator=(const ConnectionIo&) = delete;

  void set_frame_handler(FrameHandler* handler) { handler_ = handler; }

  // Takes an accepted socket (the address was admitted by the caller). False when there is no
  // slot or epoll refuses it: the caller still owns the fd then.
  bool open(int fd, std::string_view peer);
  // epoll reported readiness for the connection this event's tag names (stale tags are ignored).
  void on_event(const epoll_event& ev);

  // The loop's per-iteration steps, in this order.
  void run_pending_input();
  void flush_dirty();
  void reap_closed();

  // A connection's timer expired (handshake, idle, drain stall or linger).
  void on_deadline(Connection& c);
  // Full for --slow-consumer-timeout: drop what it has not started receiving, say why, drain.
  void evict_slow(Connection& c);

  // Queues "ERR <code> [detail]" and schedules the flush.
  void reply_error(Connection& c, proto::ErrorCode code, std::string_view detail);
  // A command completed outside an input batch (a cluster claim): the idle clock starts now.
  void rearm_idle(Connection& c) { wheel_.schedule(c.timer, loop_.now_tick() + timeouts_.idle); }
  // Queued a reply on `c`: flush it this iteration.
  void reply_queued(Connection& c) { lists_.mark_dirty(c); }
  // Takes no more commands; closes once the queued output is written (or stalls).
  void begin_drain(Connection& c, const char* reason);
  // Graceful shutdown: every connection gets `ERR shutting-down` and drains; lingering is skipped.
  void begin_shutdown();
  // The shutdown grace ran out: closes what is still open.
  void close_all(const char* reason);

  size_t count() const { return count_; }

 private:
  void handle_input(Connection& c);
  bool read_once(Connection& c, size_t* budget);
  size_t process_input(Connection& c, std::string_view input);
  void write_out(Connection& c);
  void linger_then_close(Connection& c);
  void discard_input(Connection& c);
  void close_now(Connection& c, const char* reason);
  // Unregisters a connection that took commands and writes its one "disconnect" record.
  void leave(Connection& c, const char* reason);

  EventLoop& loop_;
  ConnectionSlab& slab_;
  WorkLists& lists_;
  TimingWheel& wheel_;
  BackPressure& pressure_;
  Router& router_;
  Admission& admission_;
  ServerStats& stats_;
  log::Logger* log_;
  FrameHandler* handler_ = nullptr;
  const ServerOptions& options_;
  const Timeouts& timeouts_;
  size_t count_ = 0;
  bool shutting_down_ = false;
  std::vector<uint64_t> pending_batch_;
  char* scratch_;  // the shared read buffer (muduo's extrabuf), kScratchSize bytes
};

}  // namespace sb::server
