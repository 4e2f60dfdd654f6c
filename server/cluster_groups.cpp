// ClusterGroups: the sb_members bucket and its replica, and `#g`, `~g` and patterns across servers.
#include "server/cluster_groups.h"

#include <algorithm>

#include "common/nats/jetstream.h"
#include "common/nats/nats_writer.h"
#include "common/protocol/target.h"
#include "server/server_limits.h"

namespace sb::server {

using proto::has_wildcard;

void ClusterGroups::configure(std::string server_name, std::string inbox, uint64_t ttl_ms) {
  name_ = std::move(server_name);
  inbox_ = std::move(inbox);
  ttl_ms_ = ttl_ms;
}

bool ClusterGroups::alive(uint32_t server) const {
  return dir_.alive(server, loop_.now_tick() * uint64_t(kTickMs), ttl_ms_);
}

void ClusterGroups::request_stream(unsigned replicas) {
  caught_up_ = false;
  scratch_.clear();
  nats::write_pub(&scratch_, "$JS.API.STREAM.CREATE.KV_sb_members", inbox_ + std::string(kStreamToken),
                  nats::kv_stream_config("sb_members", 0, replicas));
  backbone_.send(scratch_);
}

// As Cluster::watch(), a fresh deliver subject per attempt. The replica
// starts over: the watch delivers every key's last record, so it ends up exactly the bucket's.
void ClusterGroups::watch(uint64_t generation) {
  replica_ = MemberReplica{};
  const std::string deliver = inbox_ + "w.mem" + std::to_string(generation);
  scratch_.clear();
  nats::write_kv_watch(&scratch_, "sb_members", deliver, kSidWatch, inbox_ + std::string(kConsumerToken));
  backbone_.send(scratch_);
}

void ClusterGroups::on_consumer_created(uint64_t num_pending) {
  if (num_pending == 0) caught_up_ = true;
}

// "$KV.sb_members.<group token>.<id key>", the value the member's server.
void ClusterGroups::on_watch(const nats::Message& m) {
  nats::AckMetadata meta;
  if (!nats::parse_ack_reply(m.reply, &meta)) return;  // heartbeats and flow control of the consumer
  if (meta.pending == 0) caught_up_ = true;
  if (m.subject.substr(0, kBucketSubject.size()) != kBucketSubject) return;
  const std::string_view key = m.subject.substr(kBucketSubject.size());
  const size_t dot = key.find('.');
  std::string group, id;
  if (dot == std::string_view::npos || !nats::id_from_kv_key(key.substr(0, dot), &group) ||
      !nats::id_from_kv_key(key.substr(dot + 1), &id))
    return;
  const std::string_view op = nats::header_value(m.headers, "KV-Operation");
  if (op == "DEL" || op == "PURGE" || m.payload.empty()) replica_.erase(group, id);
  else replica_.put(group, id, dir_.server_index(m.payload));
}

void ClusterGroups::reconcile() {
  std::vector<std::pair<std::string, std::string>> stale;
  for (const auto& [group, id] : replica_.own()) {
    const uint32_t* slot = router_.table().find(id);
    const uint32_t g = router_.groups().find(group);
    if (slot == nullptr || g == GroupTable::kNone || !router_.groups().is_member(g, *slot)) stale.emplace_back(group, id);
  }
  for (const auto& [group, id] : stale) erase(group, id);
  router_.groups().for_each_group([&](std::string_view group, size_t) {
    for (const GroupTable::Member& m : router_.groups().members(router_.groups().find(group))) {
      const std::string_view id = slab_[m.node].node_id();
      if (replica_.own().count({std::string(group), std::string(id)}) == 0) put(group, id);
    }
  });
}

void ClusterGroups::id_changed(std::string_view id) {
  const Directory::Entry* e = dir_.find(id);
  if (e != nullptr && e->held && e->server != dir_.self()) remote_ids_.set(id, e->server);
  else remote_ids_.erase(id);
}

std::string ClusterGroups::key(std::string_view group, std::string_view id) const {
  return std::string(kBucketSubject) + nats::kv_hex_token(group) + "." + nats::kv_key(id);
}

void ClusterGroups::put(std::string_view group, std::string_view id) {
  scratch_.clear();
  nats::write_pub(&scratch_, key(group, id), {}, name_);
  backbone_.send(scratch_);  // refused while the link is down: reconcile() publishes it later
}

void ClusterGroups::erase(std::string_view group, std::string_view id) {
  scratch_.clear();
  nats::write_hpub(&scratch_, key(group, id), {}, "KV-Operation: DEL\r\n", {});
  backbone_.send(scratch_);
}

void ClusterGroups::joined(std::string_view id, std::string_view group) { put(group, id); }

void ClusterGroups::left(std::string_view id, std::string_view group) {
  // The id was taken over by another server, whose node joined the group there: its record.
  if (!replica_.held_elsewhere(group, id)) erase(group, id);
}

bool ClusterGroups::publish(uint32_t server, std::string_view head, std::string_view payload) {
  if (!backbone_.publish(dir_.subject(server), head, payload)) return false;
  ++published_;
  return true;
}

RemoteRoutes::Result ClusterGroups::fan_out(std::string_view source, std::string_view target,
                                            std::string_view payload, uint32_t* copies) {
  servers_.clear();
  *copies = 0;
  if (target[0] == '#') {
    const MemberReplica::Group* g = replica_.find(target.substr(1));
    if (g != nullptr)
      for (const auto& [server, members] : g->servers)
        if (alive(server)) {
          servers_.push_back(server);
          *copies += members;
        }
  } else {
    remote_ids_.match(target, [&](std::string_view, uint32_t server) {
      if (!alive(server)) return;
      ++*copies;
      if (std::find(servers_.begin(), servers_.end(), server) == servers_.end()) servers_.push_back(server);
    });
  }
  head_.assign(source).append(" ").append(target).append("\n");
  for (uint32_t server : servers_)
    if (!publish(server, head_, payload)) return RemoteRoutes::Result::unavailable;
  return RemoteRoutes::Result::sent;
}

// One rotation over the members here and elsewhere: of every local + remote turns, the first
// `local` go to the local rotation (GroupTable::pick), the others to the replica's.
RemoteRoutes::Pick ClusterGroups::anycast(std::string_view source, std::string_view target,
                                          std::string_view payload, uint32_t local) {
  MemberReplica::Group* g = replica_.find(target.substr(1));
  const auto live = [this](uint32_t server) { return alive(server); };
  const uint32_t remote = g == nullptr ? 0 : replica_.live_members(*g, live);
  if (remote == 0) return local == 0 ? RemoteRoutes::Pick::none : RemoteRoutes::Pick::local;
  if (g->turns++ % (local + remote) < local) return RemoteRoutes::Pick::local;
  const MemberReplica::Member* m = replica_.next_live(*g, live);
  head_.assign(source).append(" ").append(target).append(" ").append(m->id).append("\n");
  return publish(m->server, head_, payload) ? RemoteRoutes::Pick::sent : RemoteRoutes::Pick::unavailable;
}

bool ClusterGroups::from_server(std::string_view source, std::string_view target, std::string_view payload) {
  if (target.empty()) return false;
  if (target[0] == '#') {
    delivery_.group(source, target, payload);
  } else if (target[0] == '~') {
    const size_t sp = target.find(' ');
    if (sp != std::string_view::npos) delivery_.direct(source, target.substr(sp + 1), payload, target.substr(0, sp));
  } else if (has_wildcard(target)) {
    delivery_.pattern(source, target, payload);
  } else {
    return false;
  }
  return true;
}

void ClusterGroups::who(std::string_view target, std::vector<std::string_view>* ids) const {
  if (target[0] == '#' || target[0] == '~') {
    const MemberReplica::Group* g = replica_.find(target.substr(1));
    if (g == nullptr) return;
    for (const MemberReplica::Member& m : g->members)
      if (alive(m.server)) ids->push_back(m.id);
  } else if (has_wildcard(target)) {
    remote_ids_.match(target, [&](std::string_view id, uint32_t server) {
      if (alive(server)) ids->push_back(id);
    });
  } else {
    const uint32_t server = remote_ids_.server_of(target);
    if (server != PatternIndex::kNone && alive(server)) ids->push_back(target);
  }
}

uint32_t ClusterGroups::remote_members(std::string_view group) const {
  const MemberReplica::Group* g = replica_.find(group);
  return g == nullptr ? 0 : replica_.live_members(*g, [this](uint32_t server) { return alive(server); });
}

void ClusterGroups::for_each_group(const std::function<void(std::string_view, uint32_t)>& f) const {
  replica_.for_each_group([&](std::string_view name, const MemberReplica::Group& g) {
    const uint32_t members = replica_.live_members(g, [this](uint32_t server) { return alive(server); });
    if (members > 0) f(name, members);
  });
}

}  // namespace sb::server
