// Server: construction of the rooms, the loop iteration, ticks, signals and shutdown.
#include "server/server.h"

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "server/server_limits.h"

namespace sb::server {

namespace {

size_t wheel_slots_for(uint64_t longest_ticks) {
  size_t slots = 256;
  while (slots < longest_ticks + 2 && slots < (1u << 16)) slots <<= 1;
  return slots;
}

// The slab is reserved once; it never needs more slots than the process can hold descriptors.
size_t slab_capacity(size_t max_conns) {
  rlimit rl{};
  size_t fd_limit = 1u << 20;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) fd_limit = rl.rlim_cur;
  return std::min(max_conns, fd_limit);
}

}  // namespace

Server::Server(const ServerOptions& options, log::Logger* logger, bool handle_signals)
    : options_(options),
      log_(logger),
      handle_signals_(handle_signals),
      timeouts_(options_),
      loop_(slab_capacity(options_.max_conns) + kLoopDescriptors),
      admission_(options_),
      slab_(slab_capacity(options_.max_conns), &pool_, options_.max_payload),
      wheel_(wheel_slots_for(std::max(timeouts_.idle, timeouts_.handshake))),
      pressure_(slab_, lists_, stats_, options_.max_outbuf),
      router_(slab_, pool_, pressure_, loop_, log_),
      io_(ConnectionIoDeps{loop_, slab_, lists_, wheel_, pressure_, router_, admission_, stats_, log_}, options_),
      commands_(options_, loop_, router_, io_, admission_, stats_, log_),
      listener_(options_, loop_, io_, admission_, stats_, log_) {
  io_.set_frame_handler(&commands_);
  if (!options_.cluster.empty()) {
    cluster_ = std::make_unique<Cluster>(ClusterDeps{loop_, pool_, slab_, lists_, pressure_, router_, io_, log_}, options_);
    router_.set_remote(cluster_.get());
    commands_.set_cluster(cluster_.get());
  }
}

bool Server::open(std::string* error, bool* port_in_use) {
  *port_in_use = false;
  if (!admission_.load(error)) return false;
  if (admission_.auth_enabled()) {
    SB_LOG(*log_, info, "auth_loaded", {"file", std::string_view(options_.auth_file)},
           {"ids", uint64_t(admission_.credential_count())});
    if (admission_.plaintext_count() > 0)
      SB_LOG(*log_, warn, "auth_plaintext_tokens", {"count", uint64_t(admission_.plaintext_count())},
             {"hint", "store sha256:<hex> digests instead"});
  }
  if (!loop_.open(handle_signals_, error) || !listener_.open(error, port_in_use)) return false;
  SB_LOG(*log_, info, "listening", {"addr", std::string_view(listener_.address())},
         {"max_conns", uint64_t(options_.max_conns)}, {"idle_timeout_ms", uint64_t(options_.idle_timeout_s * 1000)});
  if (cluster_ != nullptr) {
    std::string name = options_.server_name.empty() ? listener_.address() : options_.server_name;
    if (!cluster_->open(std::move(name), &commands_, error)) return false;
  }
  return true;
}

int Server::run() {
  while (!finished_) {
    // Connections with input left over (read budget spent, or just unblocked) must not wait for an
    // edge that will never come: poll without sleeping while there are any (nginx posted events).
    const bool more = !lists_.pending.empty() || (cluster_ != nullptr && cluster_->has_pending_input());
    if (!run_once(more ? 0 : -1)) return 1;
  }
  SB_LOG(*log_, info, "shutdown_complete", {"msgs_in", stats_.msgs_in}, {"msgs_out", stats_.msgs_out},
         {"dropped", stats_.dropped});
  return 0;
}

bool Server::run_once(int timeout_ms) {
  const int n = loop_.wait(timeout_ms);
  if (n < 0) {
    SB_LOG(*log_, error, "epoll_wait_failed", {"error", std::strerror(errno)});
    return false;
  }
  for (int i = 0; i < n; ++i) dispatch(loop_.event(i));
  io_.run_pending_input();
  if (cluster_ != nullptr) {
    if (cluster_->has_pending_input()) cluster_->run_pending_input();
    cluster_->flush();  // after the commands: every PUB of this iteration leaves in one write
  }
  io_.flush_dirty();
  io_.reap_closed();
  if (shutting_down_ && io_.count() == 0) finished_ = true;
  return true;
}

void Server::dispatch(const epoll_event& ev) {
  switch (ev.data.u64) {
    case kListenerTag:
      listener_.accept_connections();
      return;
    case kTimerTag:
      loop_.advance(loop_.read_ticks());
      on_ticks_advanced();
      return;
    case kSignalTag:
      on_signal();
      return;
    case kWakeTag:
      loop_.clear_wake();
      begin_shutdown();
      return;
    case kBackboneTag:
      if (cluster_ != nullptr) cluster_->on_event(ev.events);
      return;
    default:
      io_.on_event(ev);
  }
}

void Server::advance_ticks(uint64_t ticks) {
  loop_.advance(ticks);
  on_ticks_advanced();
  io_.flush_dirty();
  io_.reap_closed();
}

void Server::on_ticks_advanced() {
  const uint64_t now = loop_.now_tick();
  wheel_.advance(now, [this](TimerNode& node) { io_.on_deadline(slab_[node.owner]); });
  for (Connection* c : pressure_.expired(now, timeouts_.slow_consumer)) io_.evict_slow(*c);
  if (!shutting_down_) listener_.on_tick();
  if (cluster_ != nullptr) cluster_->on_tick();
  if (shutting_down_ && now >= shutdown_deadline_) io_.close_all("shutdown-grace-expired");
  if (now - last_summary_tick_ >= kSummaryTicks) {
    last_summary_tick_ = now;
    log_summary();
  }
}

void Server::log_summary() {
  SB_LOG(*log_, info, "stats", {"connections", uint64_t(io_.count())}, {"nodes", uint64_t(router_.nodes())},
         {"msgs_in", stats_.msgs_in}, {"msgs_out", stats_.msgs_out}, {"dropped", stats_.dropped},
         {"evicted_idle", stats_.evicted_idle}, {"evicted_slow", stats_.evicted_slow},
         {"log_dropped", log_->dropped()});
}

void Server::on_signal() {
  for (int signo : loop_.read_signals()) {
    if (signo == SIGHUP) {
      reload();
    } else {
      SB_LOG(*log_, info, "signal", {"signal", signo == SIGINT ? "SIGINT" : "SIGTERM"});
      begin_shutdown();
    }
  }
}

void Server::reload() {
  SB_LOG(*log_, info, "reopen_log", {"signal", "SIGHUP"});
  log_->reopen();
  std::string error;
  if (!admission_.reload(&error)) {
    SB_LOG(*log_, error, "auth_reload_failed", {"error", std::string_view(error)}, {"kept", "previous credentials"});
  } else if (admission_.auth_enabled()) {
    SB_LOG(*log_, info, "auth_reloaded", {"ids", uint64_t(admission_.credential_count())});
  }
}

void Server::begin_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_deadline_ = loop_.now_tick() + timeouts_.shutdown_grace;
  SB_LOG(*log_, info, "shutdown_begin", {"connections", uint64_t(io_.count())},
         {"grace_ms", uint64_t(options_.shutdown_grace_s * 1000)});
  listener_.close();
  io_.begin_shutdown();
}

}  // namespace sb::server
