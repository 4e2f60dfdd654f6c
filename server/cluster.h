// Cluster: what --cluster adds to a server. It joins this server to the others through the NATS
// backbone: ids are claimed in the JetStream KV bucket sb_ids (IdClaims), the Directory mirrors
// that bucket and the sb_servers heartbeats, messages for nodes elsewhere are published to their
// server's subject sb.srv.<server> (broadcast: sb.all, once per message), and messages arriving
// from other servers are queued to local nodes (RemoteDelivery); published end-to-end keys are
// shared through the KV bucket sb_keys (ClusterKeys); groups, anycast and patterns across servers
// are ClusterGroups' (the sb_members bucket). It is the Router's RemoteRoutes.
// Without --cluster the server builds none of it. docs/CLUSTER.md describes the design.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/buffer/output_queue.h"
#include "common/security/public_key.h"
#include "server/backbone.h"
#include "server/cluster_groups.h"
#include "server/cluster_keys.h"
#include "server/connection_io.h"
#include "server/directory.h"
#include "server/id_claims.h"
#include "server/options.h"
#include "server/remote_delivery.h"
#include "server/remote_routes.h"
#include "server/router.h"
#include "server/stats.h"
#include "server/work_lists.h"

namespace sb::server {

class Commands;

struct ClusterDeps {
  EventLoop& loop;
  BlockPool& pool;
  ConnectionSlab& slab;
  WorkLists& lists;
  BackPressure& pressure;
  Router& router;
  ConnectionIo& io;
  log::Logger* log;
};

class Cluster final : public BackboneHandler, public RemoteRoutes, public IdClaims::Listener {
 public:
  Cluster(const ClusterDeps& deps, const ServerOptions& options);

  // Resolves the members and starts connecting; `name` is this server's name in the cluster.
  bool open(std::string name, Commands* commands, std::string* error);
  const std::string& name() const { return name_; }

  // HELLO for an id no local node holds. waiting: the connection takes no more commands until
  // the claim is decided (Commands::complete_hello, or an ERR); unavailable: no backbone.
  enum class HelloStart : uint8_t { waiting, unavailable };
  HelloStart begin_hello(Connection& c, std::string_view id);
  bool claiming(std::string_view id) const { return claims_.pending(id); }
  // KEY GET for an id no local node holds: no_such_node unless a live server other than this one
  // holds it; unavailable while the backbone or the key mirror is not in sync; else the key its
  // holder published (*key) or none (ClusterKeys).
  enum class RemoteKey : uint8_t { no_such_node, unavailable, no_key, found };
  RemoteKey remote_key(std::string_view id, const security::PublicKey** key) const;
  // KEY SET of the local node `id`: its key goes to the cluster's key bucket.
  void key_published(std::string_view id, const security::PublicKey& key);

  // The loop's calls.
  void on_event(uint32_t events) { backbone_.on_event(events, now_ms()); }
  void on_tick();
  void flush() { backbone_.flush(); }
  bool has_pending_input() const { return backbone_.has_pending_input(); }
  void run_pending_input() { backbone_.run_pending_input(now_ms()); }

  // WHO: "NODES <count> <id> ..." for this server's nodes and those of every live server, listing
  // ids while they fit in `room` bytes (node_list_reply.h).
  void append_who(OutputQueue& out, size_t room) const;
  // STATS: cluster_servers, cluster_nodes, remote_in, remote_out, backbone_up.
  void append_stats(OutputQueue& out) const;

  // RemoteRoutes
  Result direct(std::string_view source, std::string_view target, std::string_view payload) override;
  Result broadcast(std::string_view source, std::string_view payload) override;
  void released(std::string_view id) override;
  Result fan_out(std::string_view source, std::string_view target, std::string_view payload,
                 uint32_t* copies) override;
  Pick anycast(std::string_view source, std::string_view target, std::string_view payload, uint32_t local) override;
  void joined(std::string_view id, std::string_view group) override { groups_.joined(id, group); }
  void left(std::string_view id, std::string_view group) override { groups_.left(id, group); }
  void who(std::string_view target, std::vector<std::string_view>* ids) const override { groups_.who(target, ids); }
  uint32_t remote_members(std::string_view group) const override { return groups_.remote_members(group); }
  void for_each_group(const std::function<void(std::string_view, uint32_t)>& f) const override {
    groups_.for_each_group(f);
  }

  // BackboneHandler
  void on_backbone_up() override;
  void on_backbone_down() override;
  void on_backbone_message(const nats::Message& m) override;

  // IdClaims::Listener
  void claim_won(uint64_t owner, std::string_view id, uint64_t seq, bool reclaim) override;
  void claim_lost(uint64_t owner, std::string_view id, IdClaims::Refusal why, bool reclaim) override;

 private:
  enum class Sync : uint8_t { down, streams, watches, ready };
  uint64_t now_ms() const;
  uint64_t ttl_ms() const { return uint64_t(options_.cluster_heartbeat_s * 1000); }
  unsigned replicas() const;
  void request_streams();
  void request(std::string_view subject, std::string_view token, std::string_view body);
  void on_reply(std::string_view token, const nats::Message& m);
  void on_watch(const nats::Message& m);
  void on_id_record(std::string_view key, uint64_t seq, const nats::Message& m);
  void watch();
  void become_ready();
  // Every watch caught up after a (re)connect: the cluster becomes ready.
  void maybe_ready();
  void heartbeat();
  void from_server(const nats::Message& m, bool to_all);
  Connection* waiting_connection(uint64_t owner, std::string_view id);
  void take_over_local(std::string_view id);

  const ServerOptions& options_;
  EventLoop& loop_;
  ConnectionSlab& slab_;
  WorkLists& lists_;
  Router& router_;
  ConnectionIo& io_;
  log::Logger* log_;
  Commands* commands_ = nullptr;
  std::string name_;
  std::string token_;  // name_ as one subject token
  std::string inbox_;  // "_INBOX.<token>."
  Backbone backbone_;
  Directory dir_;
  IdClaims claims_;
  ClusterKeys keys_;
  RemoteDelivery delivery_;
  ClusterGroups groups_;
  Sync sync_ = Sync::down;
  unsigned streams_ok_ = 0;
  bool ids_caught_up_ = false;
  bool servers_caught_up_ = false;
  uint64_t next_heartbeat_ms_ = 0;
  uint64_t retry_streams_ms_ = 0;
  uint64_t watch_generation_ = 0;
  std::unordered_map<std::string, uint64_t> own_seq_;  // local ids -> the sequence of our claim
  uint64_t remote_in_ = 0;
  uint64_t remote_out_ = 0;
  uint64_t unavailable_ = 0;
};

}  // namespace sb::server
