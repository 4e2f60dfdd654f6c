// ClusterGroups: groups, anycast and id patterns across the servers of a cluster. It owns the
// membership bucket sb_members (its stream, its watch, this server's puts and deletes: one key per
// membership, "<group as =hex>.<id as in sb_ids>", the value naming the member's server), the
// MemberReplica that watch feeds, the RemoteIdIndex that the Directory's claims feed, and the
// routing of `#g`, `~g` and patterns to other servers (one PUB per server concerned) and from
// them to local nodes. Cluster drives it: the set-up after each (re)connect, the records, the
// readiness, the messages from other servers. docs/CLUSTER.md describes the design.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/nats/nats_parser.h"
#include "server/backbone.h"
#include "server/connection_slab.h"
#include "server/directory.h"
#include "server/member_replica.h"
#include "server/remote_delivery.h"
#include "server/remote_id_index.h"
#include "server/remote_routes.h"
#include "server/router.h"

namespace sb::server {

class ClusterGroups {
 public:
  static constexpr std::string_view kBucketSubject = "$KV.sb_members.";
  // The watch's subscription id, and the reply tokens of its stream and consumer requests (apart
  // from Cluster's own: sids 1..6, tokens r1..r4 and c<n>).
  static constexpr std::string_view kSidWatch = "20", kStreamToken = "g1", kConsumerToken = "g2";

  ClusterGroups(Backbone& backbone, Directory& dir, const Router& router, const ConnectionSlab& slab,
                RemoteDelivery& delivery, const EventLoop& loop)
      : backbone_(backbone), dir_(dir), router_(router), slab_(slab), delivery_(delivery), loop_(loop) {}

  // `inbox` is "_INBOX.<server token>." (replies to the set-up requests come there).
  void configure(std::string server_name, std::string inbox, uint64_t ttl_ms);

  // Set-up, after each (re)connect: the stream (created if missing), then the watch with a fresh
  // deliver subject; caught_up() once the consumer said nothing is pending or the last pending
  // record arrived.
  void request_stream(unsigned replicas);
  void watch(uint64_t generation);
  void on_consumer_created(uint64_t num_pending);
  bool caught_up() const { return caught_up_; }
  void on_watch(const nats::Message& m);
  // The cluster is ready: publish the local memberships the bucket lacks, delete this server's
  // records that no local membership backs (a restart, or changes while cut off).
  void reconcile();
  // The Directory's record of `id` changed: keeps the index of other servers' ids.
  void id_changed(std::string_view id);

  // Routing, while the cluster is ready (RemoteRoutes says what each answers).
  RemoteRoutes::Result fan_out(std::string_view source, std::string_view target, std::string_view payload,
                               uint32_t* copies);
  RemoteRoutes::Pick anycast(std::string_view source, std::string_view target, std::string_view payload,
                             uint32_t local);
  // From another server: "<target>" is `#g`, `~g <member>` or a pattern; false for anything else.
  bool from_server(std::string_view source, std::string_view target, std::string_view payload);

  // Membership changes of local nodes (fire and forget; reconcile() repairs what got lost).
  void joined(std::string_view id, std::string_view group);
  void left(std::string_view id, std::string_view group);

  // WHO, GROUPS: other live servers' part.
  void who(std::string_view target, std::vector<std::string_view>* ids) const;
  uint32_t remote_members(std::string_view group) const;
  void for_each_group(const std::function<void(std::string_view, uint32_t)>& f) const;

  uint64_t published() const { return published_; }  // messages sent to other servers

 private:
  bool alive(uint32_t server) const;
  std::string key(std::string_view group, std::string_view id) const;
  void put(std::string_view group, std::string_view id);
  void erase(std::string_view group, std::string_view id);
  bool publish(uint32_t server, std::string_view head, std::string_view payload);

  Backbone& backbone_;
  Directory& dir_;
  const Router& router_;
  const ConnectionSlab& slab_;
  RemoteDelivery& delivery_;
  const EventLoop& loop_;
  std::string name_;
  std::string inbox_;
  uint64_t ttl_ms_ = 3000;
  bool caught_up_ = false;
  MemberReplica replica_;
  RemoteIdIndex remote_ids_;
  std::vector<uint32_t> servers_;  // the servers a message goes to (reused)
  std::string head_;               // its "<source> <target>\n" (reused)
  std::string scratch_;
  uint64_t published_ = 0;
};

}  // namespace sb::server
