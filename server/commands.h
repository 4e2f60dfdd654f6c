// Commands: what each protocol verb does. One function per verb turns a parsed frame into calls
// on the Router and replies on the connection; this is also the one place that counts messages
// received and refused. It never reads or writes a socket.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/log/logger.h"
#include "server/admission.h"
#include "server/connection_io.h"
#include "server/event_loop.h"
#include "server/frame_handler.h"
#include "server/key_directory.h"
#include "server/group_commands.h"
#include "server/options.h"
#include "server/router.h"
#include "server/stats.h"
#include "server/stats_table.h"

namespace sb::server {

class Cluster;

class Commands final : public FrameHandler {
 public:
  Commands(const ServerOptions& options, const EventLoop& loop, Router& router, ConnectionIo& io, Admission& admission,
           ServerStats& stats, log::Logger* log);

  bool handle_frame(Connection& c, const proto::Frame& f) override;
  void handle_refusal(Connection& c, const proto::ParseResult& r) override;
  // What STATS reports beside ServerStats (connections, nodes, log drops, uptime); also for GET /metrics.
  StatsReadings readings() const;
  void node_left(Connection& c) override;
  // INFO's `server=`: set once the listener knows its address.
  void set_server_name(std::string name) { server_name_ = std::move(name); }

  // --cluster: HELLO waits for the cluster-wide claim of its id (nullptr: a server alone).
  void set_cluster(Cluster* cluster) { cluster_ = cluster; }
  // The id is this connection's: registers it and says WELCOME.
  void complete_hello(Connection& c, std::string_view id);

 private:
  bool before_hello(Connection& c, const proto::Frame& f);
  bool refused_before_hello(Connection& c, const proto::ParseResult& r);
  void hello(Connection& c, const proto::Frame& f);
  void register_node(Connection& c, std::string_view id);
  // False (after replying) when refused; *proven: the token proved the id (takeover allowed).
  bool authenticate(Connection& c, std::string_view id, std::string_view token, bool* proven);
  bool take_over(Connection& c, std::string_view id);
  bool send(Connection& c, std::string_view target, std::string_view payload);
  void ping(Connection& c, const proto::Frame& f);
  void who(Connection& c, const proto::Frame& f);
  void stats(Connection& c);
  void quit(Connection& c);
  // KEY SET / KEY GET (server/commands_key.cpp).
  void key(Connection& c, const proto::Frame& f);
  void key_set(Connection& c, std::string_view text);
  void key_get(Connection& c, std::string_view id);
  void opt(Connection& c, const proto::Frame& f);
  void info(Connection& c);
  // With receipts on: `OK <copies>` for an accepted SEND/MSG.
  void receipt(Connection& c, uint32_t copies);
  // The per-kind counters beside msgs_in (direct messages are the accepted rest).
  void count_via(Router::Outcome::Via via);
  // Every SEND/MSG from a registered node passes here once, accepted or not.
  void count_message(bool accepted) {
    ++stats_.msgs_in;
    if (!accepted) ++stats_.rejected;
  }

  const ServerOptions& options_;
  const EventLoop& loop_;
  Router& router_;
  ConnectionIo& io_;
  Admission& admission_;
  ServerStats& stats_;
  log::Logger* log_;
  const uint64_t start_ns_;
  Cluster* cluster_ = nullptr;
  KeyDirectory keys_;
  GroupCommands groups_;
  std::string server_name_;
};

}  // namespace sb::server
