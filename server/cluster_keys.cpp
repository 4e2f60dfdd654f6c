// ClusterKeys: the sb_keys bucket's set-up and watch, and this server's records in it.
#include "server/cluster_keys.h"

#include "common/nats/jetstream.h"
#include "common/nats/nats_writer.h"

namespace sb::server {

namespace {
constexpr uint64_t kRetryMs = 500;
}  // namespace

void ClusterKeys::configure(std::string inbox, std::string server_name, unsigned replicas) {
  inbox_ = std::move(inbox);
  name_ = std::move(server_name);
  replicas_ = replicas;
}

void ClusterKeys::request(std::string_view subject, std::string_view token, std::string_view body) {
  scratch_.clear();
  nats::write_pub(&scratch_, subject, inbox_ + std::string(token), body);
  backbone_.send(scratch_);
}

void ClusterKeys::start(uint64_t now_ms) {
  sync_ = Sync::stream;
  // The watch starts again from every key's last record: what the mirror held may be stale.
  mirror_.clear();
  leaving_.clear();
  scratch_.clear();
  nats::write_unsub(&scratch_, kSid);
  backbone_.send(scratch_);
  request("$JS.API.STREAM.CREATE.KV_sb_keys", "ks", nats::kv_stream_config("sb_keys", 0, replicas_));
  retry_ms_ = now_ms + kRetryMs * 4;
}

void ClusterKeys::down() {
  sync_ = Sync::down;
  leaving_.clear();
}

void ClusterKeys::on_tick(uint64_t now_ms) {
  if (backbone_.up() && (sync_ == Sync::stream || sync_ == Sync::watch) && now_ms >= retry_ms_) start(now_ms);
}

void ClusterKeys::on_reply(std::string_view token, const nats::Message& m, uint64_t now_ms) {
  const nats::ApiReply r = nats::parse_api_reply(m.payload);
  const bool ok = nats::header_status(m.headers) == 0 &&
                  (r.ok || (token == "ks" && r.err_code == nats::kErrStreamNameInUse));
  if (!ok) {
    SB_LOG(*log_, warn, "cluster_setup_failed", {"request", token},
           {"reason", r.description.empty() ? std::string_view("no responders") : r.description});
    sync_ = Sync::stream;  // JetStream may still be electing its leaders: on_tick starts again
    retry_ms_ = now_ms + kRetryMs;
    return;
  }
  if (token == "ks" && sync_ == Sync::stream) watch();
  else if (token == "kw" && sync_ == Sync::watch && r.num_pending == 0) caught_up();
}

// A fresh deliver subject per attempt, as Cluster::watch() does for sb_ids.
void ClusterKeys::watch() {
  sync_ = Sync::watch;
  const std::string deliver = inbox_ + "w.keys" + std::to_string(++generation_);
  scratch_.clear();
  nats::write_kv_watch(&scratch_, "sb_keys", deliver, kSid, inbox_ + "kw");
  backbone_.send(scratch_);
}

void ClusterKeys::on_watch(const nats::Message& m) {
  nats::AckMetadata meta;
  if (!nats::parse_ack_reply(m.reply, &meta)) return;  // the consumer's heartbeats and flow control
  if (m.subject.substr(0, kBucketSubject.size()) != kBucketSubject) return;
  std::string id;
  if (nats::id_from_kv_key(m.subject.substr(kBucketSubject.size()), &id)) on_record(id, meta.stream_seq, m);
  if (meta.pending == 0 && sync_ == Sync::watch) caught_up();
}

void ClusterKeys::on_record(std::string_view id, uint64_t seq, const nats::Message& m) {
  const std::string_view op = nats::header_value(m.headers, "KV-Operation");
  auto leaving = leaving_.find(std::string(id));
  if (op == "DEL" || op == "PURGE") {
    mirror_.erase(id, seq);
    if (leaving != leaving_.end()) leaving_.erase(leaving);
    return;
  }
  if (!mirror_.put(id, seq, m.payload)) SB_LOG(*log_, warn, "key_record_invalid", {"node", id});
  if (leaving == leaving_.end()) return;
  // A record of a node that already left (its put crossed the node's leaving): delete it too.
  const KeyMirror::Record* r = mirror_.find(id);
  if (r != nullptr && r->server == name_ && r->claim_seq == leaving->second) remove(id, r->seq);
  else leaving_.erase(leaving);
}

// The mirror is complete: delete this server's records that no local node stands behind (nodes
// that left while the link was down, or records from before a restart under the same name), and
// put those of local nodes the bucket lacks (published while the link was down).
void ClusterKeys::caught_up() {
  sync_ = Sync::ready;
  mirror_.for_each_of(name_, [&](const std::string& id, const KeyMirror::Record& r) {
    if (local_.count(id) == 0) remove(id, r.seq);
  });
  for (const auto& [id, local] : local_) {
    const KeyMirror::Record* r = mirror_.find(id);
    if (r == nullptr || r->server != name_ || r->claim_seq != local.claim_seq || r->key != local.key) put(id, local);
  }
  SB_LOG(*log_, info, "cluster_keys_ready", {"keys", uint64_t(mirror_.size())}, {"local", uint64_t(local_.size())});
}

void ClusterKeys::published(std::string_view id, uint64_t claim_seq, const security::PublicKey& key) {
  Local& local = local_[std::string(id)];
  local = {claim_seq, key};
  if (ready()) put(id, local);
}

void ClusterKeys::reclaimed(std::string_view id, uint64_t claim_seq) {
  auto it = local_.find(std::string(id));
  if (it == local_.end() || it->second.claim_seq == claim_seq) return;
  it->second.claim_seq = claim_seq;
  if (ready()) put(id, it->second);
}

void ClusterKeys::left(std::string_view id) {
  auto it = local_.find(std::string(id));
  if (it == local_.end()) return;
  const uint64_t claim_seq = it->second.claim_seq;
  local_.erase(it);
  if (!ready()) return;  // caught_up() deletes the record once the mirror is complete again
  const KeyMirror::Record* r = mirror_.find(id);
  if (r != nullptr && r->server == name_ && r->claim_seq == claim_seq) remove(id, r->seq);
  // Until its deletion comes back, a put of this node's still on its way is deleted as it arrives.
  if (r == nullptr || r->server == name_) leaving_[std::string(id)] = claim_seq;
}

void ClusterKeys::put(std::string_view id, const Local& local) {
  scratch_.clear();
  nats::write_pub(&scratch_, std::string(kBucketSubject) + nats::kv_key(id), {},
                  KeyMirror::encode(local.claim_seq, name_, local.key));
  backbone_.send(scratch_);  // refused while the link is down: caught_up() puts it after reconnect
}

void ClusterKeys::remove(std::string_view id, uint64_t record_seq) {
  scratch_.clear();
  nats::write_kv_delete(&scratch_, std::string(kBucketSubject) + nats::kv_key(id), record_seq);
  backbone_.send(scratch_);
}

}  // namespace sb::server
