// ClusterKeys: the end-to-end public keys of the whole cluster, for KEY GET. When a local node
// publishes a key (KEY SET) this server puts it into the JetStream KV bucket sb_keys (created if
// missing), under the node's id as sb_ids keys it, with the sequence of the node's claim and this
// server's name (KeyMirror::encode); when the node leaves, its record is deleted. Every server
// watches the bucket and keeps a KeyMirror, so KEY GET for a node elsewhere is answered without a
// round trip, and only with a key its current holder published (the claim sequences must match).
// The mirror is eventually consistent (docs/CLUSTER.md gives the window). Socket-free but for
// Backbone::send; Cluster routes the bucket's replies and watch to it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/log/logger.h"
#include "common/nats/nats_parser.h"
#include "common/security/public_key.h"
#include "server/backbone.h"
#include "server/key_mirror.h"

namespace sb::server {

class ClusterKeys {
 public:
  static constexpr std::string_view kBucketSubject = "$KV.sb_keys.";
  // The watch's subscription id; replies to the set-up requests come to "<inbox>k..." tokens.
  static constexpr std::string_view kSid = "keys";
  static bool is_reply_token(std::string_view token) { return !token.empty() && token.front() == 'k'; }

  ClusterKeys(Backbone& backbone, log::Logger* log) : backbone_(backbone), log_(log) {}

  // `inbox` is "_INBOX.<server token>.", `replicas` the bucket's as for sb_ids.
  void configure(std::string inbox, std::string server_name, unsigned replicas);
  // The link is up: create the bucket's stream if missing, then watch it from a cleared mirror.
  void start(uint64_t now_ms);
  void down();
  // The mirror holds every record the bucket had when the watch started, and what came since.
  bool ready() const { return sync_ == Sync::ready; }
  // Starts the set-up again when a step failed or got no reply.
  void on_tick(uint64_t now_ms);
  void on_reply(std::string_view token, const nats::Message& m, uint64_t now_ms);
  void on_watch(const nats::Message& m);

  // A local node holding the claim stored at `claim_seq` published `key`.
  void published(std::string_view id, uint64_t claim_seq, const security::PublicKey& key);
  // After a reconnect this server claimed `id` again, stored at `claim_seq`.
  void reclaimed(std::string_view id, uint64_t claim_seq);
  // The local node `id` left: its record goes.
  void left(std::string_view id);

  // The key the holder of the claim at `claim_seq` published, or null.
  const security::PublicKey* find(std::string_view id, uint64_t claim_seq) const {
    return mirror_.key_for(id, claim_seq);
  }
  size_t size() const { return mirror_.size(); }

 private:
  enum class Sync : uint8_t { down, stream, watch, ready };
  struct Local {
    uint64_t claim_seq;
    security::PublicKey key;
  };
  void request(std::string_view subject, std::string_view token, std::string_view body);
  void watch();
  void caught_up();
  void on_record(std::string_view id, uint64_t seq, const nats::Message& m);
  void put(std::string_view id, const Local& local);
  void remove(std::string_view id, uint64_t record_seq);

  Backbone& backbone_;
  log::Logger* log_;
  std::string inbox_;
  std::string name_;
  unsigned replicas_ = 1;
  Sync sync_ = Sync::down;
  uint64_t retry_ms_ = 0;
  uint64_t generation_ = 0;
  KeyMirror mirror_;
  std::unordered_map<std::string, Local> local_;  // this server's nodes that published a key
  // Nodes that left before the watch brought their record back: id -> their claim's sequence.
  std::unordered_map<std::string, uint64_t> leaving_;
  std::string scratch_;
};

}  // namespace sb::server
