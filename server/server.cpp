// Server: construction of the rooms, the loop iteration, ticks, signals and shutdown.
#include "server/server.h"

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cerrno>
#include <cstring>

#include "common/timing/clock.h"
#include "server/server_limits.h"
#include "server/service_notify.h"

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
      router_(slab_, pool_, pressure_, loop_, log_, RouterLimits{options_.max_groups, options_.max_groups_per_node}),
      io_(ConnectionIoDeps{loop_, slab_, lists_, wheel_, pressure_, router_, admission_, stats_, log_}, options_,
          timeouts_),
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
           {"ids", uint64_t(admission_.credential_count())}, {"pinned_keys", uint64_t(admission_.pinned_count())});
    if (admission_.plaintext_count() > 0)
      SB_LOG(*log_, warn, "auth_plaintext_tokens", {"count", uint64_t(admission_.plaintext_count())},
             {"hint", "store sha256:<hex> digests instead"});
  }
  if (!loop_.open(handle_signals_, error) || !listener_.open(error, port_in_use) || !open_metrics(error))
    return false;
  // This server's name: INFO's `server=`, and its name in the cluster.
  std::string name = options_.server_name.empty() ? listener_.address() : options_.server_name;
  commands_.set_server_name(name);
  SB_LOG(*log_, info, "listening", {"addr", std::string_view(listener_.address())},
         {"max_conns", uint64_t(options_.max_conns)}, {"idle_timeout_ms", uint64_t(options_.idle_timeout_s * 1000)});
  if (cluster_ != nullptr && !cluster_->open(std::move(name), &commands_, error)) return false;
  return true;
}

bool Server::open_metrics(std::string* error) {
  if (options_.metrics.empty()) return true;
  report_ = std::make_unique<MetricsReport>(stats_, [this] { return commands_.readings(); });
  metrics_ = std::make_unique<MetricsServer>(loop_, log_, [this] { return report_->render(); });
  if (!metrics_->open(options_.metrics, error)) return false;
  SB_LOG(*log_, info, "metrics_listening", {"addr", std::string_view(metrics_->address())});
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
  // Two vDSO clock reads per iteration, only when someone scrapes them (--metrics).
  const uint64_t start_ns = report_ ? monotonic_ns() : 0;
  for (int i = 0; i < n; ++i) dispatch(loop_.event(i));
  io_.run_pending_input();
  if (cluster_ != nullptr) {
    if (cluster_->has_pending_input()) cluster_->run_pending_input();
    cluster_->flush();  // after the commands: every PUB of this iteration leaves in one write
  }
  io_.flush_dirty();
  io_.reap_closed();
  if (report_) report_->record_iteration(monotonic_ns() - start_ns);
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
    case kMetricsListenerTag:
      metrics_->accept_connections();
      return;
    default:
      if (MetricsServer::owns(ev.data.u64)) {
        metrics_->on_event(ev);
      } else {
        io_.on_event(ev);
      }
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
  if (metrics_) metrics_->on_tick(now);
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

// SIGHUP: reopen the log, then read the settings again as a start would (the config file, the
// command line on top) and apply those that may change live; the others are named in the log and
// wait for a restart. An unreadable or invalid file changes nothing. The auth file is re-read
// either way (its contents may have changed under the same name).
void Server::reload() {
  notify_reloading();
  SB_LOG(*log_, info, "reopen_log", {"signal", "SIGHUP"});
  log_->reopen();
  std::string error;
  ServerOptions next;
  if (reread_options(options_, &next, &error)) {
    apply_settings(next);
  } else {
    log_reload_failure(error);
    reload_credentials(options_);
  }
  if (!notify_ready("listening on " + listener_.address(), &error))
    SB_LOG(*log_, warn, "notify_failed", {"error", std::string_view(error)});
}

// The error is "FILE:LINE: why". A log string keeps 48 bytes, so the file, the line and the reason
// go in fields of their own, and the whole text also goes to stderr (the journal under systemd,
// where a bad file at start is reported too).
void Server::log_reload_failure(const std::string& error) {
  std::fprintf(stderr, "switchboard-server: reload: %s (running settings kept)\n", error.c_str());
  const std::string& file = options_.config_file;
  std::string_view rest(error);
  uint64_t line = 0;
  if (!file.empty() && rest.substr(0, file.size()) == file && rest.size() > file.size() && rest[file.size()] == ':') {
    rest.remove_prefix(file.size() + 1);
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), line);
    if (ec == std::errc() && end != rest.data() + rest.size() && *end == ':') rest.remove_prefix(size_t(end - rest.data()) + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  SB_LOG(*log_, error, "config_reload_failed", {"file", std::string_view(file)}, {"line", line},
         {"error", rest}, {"kept", "running settings"});
}

void Server::apply_settings(const ServerOptions& next) {
  const ReloadPlan plan = diff_reloadable(options_, next);
  const ServerOptions previous = options_;
  options_ = apply_reloadable(options_, next);
  reload_credentials(previous);
  log_->set_level(options_.log_level);
  timeouts_ = Timeouts(options_);
  if (options_.max_conns_per_ip != previous.max_conns_per_ip) recount_addresses();
  const std::string live = ReloadPlan::names(plan.live), restart = ReloadPlan::names(plan.restart);
  SB_LOG(*log_, info, "config_reloaded", {"live", std::string_view(live)}, {"restart", std::string_view(restart)});
}

// Admission reads the auth settings from options_; when the file fails to load, the credentials
// in force stay, and so do the settings that describe them.
void Server::reload_credentials(const ServerOptions& previous) {
  std::string error;
  if (!admission_.reload(&error)) {
    options_.auth_file = previous.auth_file;
    options_.allow_unknown_ids = previous.allow_unknown_ids;
    SB_LOG(*log_, error, "auth_reload_failed", {"error", std::string_view(error)}, {"kept", "previous credentials"});
  } else if (admission_.auth_enabled()) {
    SB_LOG(*log_, info, "auth_reloaded", {"ids", uint64_t(admission_.credential_count())});
  }
}

// Per-address counts are kept only while a limit is set: when the limit is switched on (or
// changed), count every connection that holds a slot, including those on the close list, whose
// reap releases their address.
void Server::recount_addresses() {
  admission_.clear_address_counts();
  if (options_.max_conns_per_ip == 0) return;
  for (size_t i = 0; i < slab_.size(); ++i) {
    const Connection& c = slab_[static_cast<uint32_t>(i)];
    if (c.state != ConnState::free) admission_.count_address(Admission::address_of(c.peer));
  }
}

void Server::begin_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_deadline_ = loop_.now_tick() + timeouts_.shutdown_grace;
  notify_stopping();
  SB_LOG(*log_, info, "shutdown_begin", {"connections", uint64_t(io_.count())},
         {"grace_ms", uint64_t(options_.shutdown_grace_s * 1000)});
  listener_.close();
  if (metrics_) metrics_->close();
  io_.begin_shutdown();
}

}  // namespace sb::server
