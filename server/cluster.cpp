// Cluster: the backbone's subscriptions and JetStream set-up, the watches, id claims and release,
// heartbeats, and routing to and from other servers.
#include "server/cluster.h"

#include <charconv>
#include <cstring>

#include "common/nats/jetstream.h"
#include "common/nats/nats_writer.h"
#include "server/cluster_names.h"
#include "server/commands.h"
#include "server/node_list_reply.h"
#include "server/server_limits.h"

namespace sb::server {

namespace {

// Subscription ids: the inbox of replies, this server's subject, broadcast, the two watches.
constexpr std::string_view kSidReplies = "1", kSidServer = "3", kSidAll = "4", kSidWatchIds = "5",
                           kSidWatchServers = "6";
constexpr std::string_view kAllSubject = "sb.all";
constexpr std::string_view kServersSubject = "$KV.sb_servers.";
constexpr uint64_t kClaimTimeoutMs = 5000;
constexpr uint64_t kStreamRetryMs = 500;

std::string_view decimal(uint64_t value, char (&buf)[24]) {
  return {buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, value).ptr - buf)};
}

}  // namespace

Cluster::Cluster(const ClusterDeps& d, const ServerOptions& options)
    : options_(options),
      loop_(d.loop),
      slab_(d.slab),
      lists_(d.lists),
      router_(d.router),
      io_(d.io),
      log_(d.log),
      backbone_(d.loop, d.pool, d.log),
      claims_(backbone_, dir_, *this, d.log),
      keys_(backbone_, d.log),
      delivery_(d.slab, d.pool, d.pressure, d.loop, d.router),
      groups_(backbone_, dir_, d.router, d.slab, delivery_, d.loop) {}

uint64_t Cluster::now_ms() const { return loop_.now_tick() * uint64_t(kTickMs); }

bool Cluster::open(std::string name, Commands* commands, std::string* error) {
  commands_ = commands;
  name_ = std::move(name);
  token_ = subject_token(name_);
  inbox_ = "_INBOX." + token_ + ".";
  dir_.set_self(name_);
  claims_.configure(inbox_ + "c", name_, kClaimTimeoutMs, ttl_ms());
  keys_.configure(inbox_, name_, replicas());
  groups_.configure(name_, inbox_, ttl_ms());
  if (!backbone_.configure(options_.cluster, name_, this, error)) return false;
  SB_LOG(*log_, info, "cluster_join", {"server", std::string_view(name_)}, {"cluster", std::string_view(options_.cluster)});
  backbone_.start(now_ms());
  return true;
}

void Cluster::on_backbone_up() {
  std::string s;
  nats::write_sub(&s, inbox_ + "*", kSidReplies);
  nats::write_sub(&s, "sb.srv." + token_, kSidServer);
  nats::write_sub(&s, kAllSubject, kSidAll);
  backbone_.send(s);
  request_streams();
  keys_.start(now_ms());
}

// As many replicas as members named, up to three: every named member can then fail alone.
unsigned Cluster::replicas() const {
  return std::min(3u, 1 + unsigned(std::count(options_.cluster.begin(), options_.cluster.end(), ',')));
}

void Cluster::request_streams() {
  sync_ = Sync::streams;
  streams_ok_ = 0;
  ids_caught_up_ = servers_caught_up_ = false;
  request("$JS.API.STREAM.CREATE.KV_sb_ids", "r1", nats::kv_stream_config("sb_ids", 0, replicas()));
  request("$JS.API.STREAM.CREATE.KV_sb_servers", "r2",
          nats::kv_stream_config("sb_servers", ttl_ms() * 1'000'000, replicas()));
  groups_.request_stream(replicas());
  retry_streams_ms_ = now_ms() + kStreamRetryMs * 4;
}

void Cluster::request(std::string_view subject, std::string_view token, std::string_view body) {
  std::string s;
  nats::write_pub(&s, subject, inbox_ + std::string(token), body);
  backbone_.send(s);
}

void Cluster::on_backbone_down() {
  sync_ = Sync::down;
  claims_.set_ready(false, now_ms());
  claims_.fail_all();
  keys_.down();
}

void Cluster::on_backbone_message(const nats::Message& m) {
  if (m.sid == kSidServer || m.sid == kSidAll) return from_server(m, m.sid == kSidAll);
  if (m.sid == kSidWatchIds || m.sid == kSidWatchServers) return on_watch(m);
  if (m.sid == ClusterKeys::kSid) return keys_.on_watch(m);
  if (m.sid == ClusterGroups::kSidWatch) {
    groups_.on_watch(m);
    return maybe_ready();
  }
  if (m.sid != kSidReplies || m.subject.size() <= inbox_.size()) return;
  std::string_view token = m.subject.substr(inbox_.size());
  if (token.front() == 'c') {
    uint64_t n = 0;
    std::from_chars(token.data() + 1, token.data() + token.size(), n);
    return claims_.on_reply(n, m, now_ms());
  }
  if (ClusterKeys::is_reply_token(token)) return keys_.on_reply(token, m, now_ms());
  on_reply(token, m);
}

// Replies to the set-up requests: r1/r2 and the members' the three streams, r3/r4 and the
// members' the three watch consumers.
void Cluster::on_reply(std::string_view token, const nats::Message& m) {
  const nats::ApiReply r = nats::parse_api_reply(m.payload);
  const bool stream = token == "r1" || token == "r2" || token == ClusterGroups::kStreamToken;
  const bool ok = nats::header_status(m.headers) == 0 && (r.ok || (stream && r.err_code == nats::kErrStreamNameInUse));
  if (!ok) {
    SB_LOG(*log_, warn, "cluster_setup_failed", {"request", token},
           {"reason", r.description.empty() ? std::string_view("no responders") : r.description});
    sync_ = Sync::streams;  // JetStream may still be electing its leaders: start the set-up again
    retry_streams_ms_ = now_ms() + kStreamRetryMs;
    return;
  }
  if (stream && sync_ == Sync::streams && ++streams_ok_ == 3) {
    sync_ = Sync::watches;
    watch();
    heartbeat();
  } else if (token == "r3" && r.num_pending == 0) {
    ids_caught_up_ = true;
  } else if (token == "r4" && r.num_pending == 0) {
    servers_caught_up_ = true;
  } else if (token == ClusterGroups::kConsumerToken) {
    groups_.on_consumer_created(r.num_pending);
  }
  maybe_ready();
}

// A pushed record keeps its own subject ($KV.<bucket>.<key>); the sid says it is a watch's.
void Cluster::on_watch(const nats::Message& m) {
  nats::AckMetadata meta;
  if (!nats::parse_ack_reply(m.reply, &meta)) return;  // heartbeats and flow control of the consumer
  if (m.subject.substr(0, IdClaims::kBucketSubject.size()) == IdClaims::kBucketSubject) {
    on_id_record(m.subject.substr(IdClaims::kBucketSubject.size()), meta.stream_seq, m);
    if (meta.pending == 0) ids_caught_up_ = true;
  } else if (m.subject.substr(0, kServersSubject.size()) == kServersSubject) {
    if (!m.payload.empty()) dir_.heard_from(m.payload, now_ms());
    if (meta.pending == 0) servers_caught_up_ = true;
  }
  maybe_ready();
}

void Cluster::on_id_record(std::string_view key, uint64_t seq, const nats::Message& m) {
  std::string id;
  if (!nats::id_from_kv_key(key, &id)) return;
  const std::string_view op = nats::header_value(m.headers, "KV-Operation");
  if (op == "DEL" || op == "PURGE") {
    dir_.released(id, seq);
  } else {
    dir_.claimed(id, seq, m.payload);
    auto own = own_seq_.find(id);
    // Another server swapped our claim (our heartbeat expired while we were cut off).
    if (own != own_seq_.end() && own->second < seq && m.payload != name_) take_over_local(id);
  }
  claims_.on_directory(id, now_ms());
  groups_.id_changed(id);
}

void Cluster::maybe_ready() {
  if (sync_ == Sync::watches && ids_caught_up_ && servers_caught_up_ && groups_.caught_up()) become_ready();
}

void Cluster::become_ready() {
  sync_ = Sync::ready;
  SB_LOG(*log_, info, "cluster_ready", {"servers", uint64_t(dir_.servers_alive(now_ms(), ttl_ms()))},
         {"local_nodes", uint64_t(router_.nodes())});
  // After a reconnect: claim this server's ids again (one claimed elsewhere meanwhile wins), and
  // release those whose node left while the backbone was down.
  for (const auto& entry : router_.table())
    claims_.claim(slab_[entry.slot].handle().pack(), entry.id(), true, now_ms());
  for (const std::string& id : dir_.held_by_self()) {
    if (router_.table().find(id) != nullptr || claims_.pending(id)) continue;
    claims_.release(id, dir_.find(id)->seq);
  }
  claims_.set_ready(true, now_ms());
  groups_.reconcile();
}

// One SUB per watch on a fresh deliver subject per attempt (nats::write_kv_watch says why).
void Cluster::watch() {
  const std::string ids = inbox_ + "w.ids" + std::to_string(++watch_generation_);
  const std::string servers = inbox_ + "w.srv" + std::to_string(watch_generation_);
  std::string s;
  nats::write_kv_watch(&s, "sb_ids", ids, kSidWatchIds, inbox_ + "r3");
  nats::write_kv_watch(&s, "sb_servers", servers, kSidWatchServers, inbox_ + "r4");
  backbone_.send(s);
  groups_.watch(watch_generation_);
}

void Cluster::heartbeat() {
  std::string s;
  nats::write_pub(&s, std::string(kServersSubject) + token_, {}, name_);
  backbone_.send(s);
  next_heartbeat_ms_ = now_ms() + ttl_ms() / 4;
}

void Cluster::on_tick() {
  const uint64_t now = now_ms();
  backbone_.on_tick(now);
  claims_.on_tick(now);
  keys_.on_tick(now);
  if (!backbone_.up()) return;
  // A set-up step whose reply never came (a member still recovering JetStream): start again.
  if ((sync_ == Sync::streams || sync_ == Sync::watches) && now >= retry_streams_ms_) request_streams();
  if (sync_ >= Sync::watches && now >= next_heartbeat_ms_) heartbeat();
}

Cluster::HelloStart Cluster::begin_hello(Connection& c, std::string_view id) {
  if (!backbone_.up()) {
    ++unavailable_;
    return HelloStart::unavailable;
  }
  claims_.claim(c.handle().pack(), id, false, now_ms());
  return HelloStart::waiting;
}

Connection* Cluster::waiting_connection(uint64_t owner, std::string_view id) {
  Connection* c = slab_.find(Handle::unpack(owner));
  if (c == nullptr || c->state != ConnState::handshake || !(c->blocked_on == c->handle())) return nullptr;
  (void)id;
  return c;
}

void Cluster::claim_won(uint64_t owner, std::string_view id, uint64_t seq, bool reclaim) {
  if (reclaim) {
    own_seq_[std::string(id)] = seq;
    keys_.reclaimed(id, seq);
    return;
  }
  Connection* c = waiting_connection(owner, id);
  if (c == nullptr) return claims_.release(id, seq);  // its connection left while we waited
  own_seq_[std::string(id)] = seq;
  c->blocked_on = Handle{};
  commands_->complete_hello(*c, id);
  io_.rearm_idle(*c);
  lists_.mark_pending(*c);
}

void Cluster::claim_lost(uint64_t owner, std::string_view id, IdClaims::Refusal why, bool reclaim) {
  if (reclaim) {
    if (why == IdClaims::Refusal::taken) take_over_local(id);
    return;
  }
  Connection* c = waiting_connection(owner, id);
  if (c == nullptr) return;
  c->blocked_on = Handle{};
  if (why == IdClaims::Refusal::taken) {
    SB_LOG(*log_, info, "reject", {"reason", "id-taken"}, {"node", id}, {"peer", std::string_view(c->peer)});
    io_.reply_error(*c, proto::ErrorCode::id_taken, id);
    lists_.mark_pending(*c);
    return;
  }
  ++unavailable_;
  SB_LOG(*log_, warn, "reject", {"reason", "unavailable"}, {"node", id}, {"peer", std::string_view(c->peer)});
  io_.reply_error(*c, proto::ErrorCode::unavailable, "cluster");
  io_.begin_drain(*c, "cluster-unavailable");
}

void Cluster::take_over_local(std::string_view id) {
  own_seq_.erase(std::string(id));  // the id is another server's now: leaving must not release it
  const uint32_t* slot = router_.table().find(id);
  if (slot == nullptr) return;
  Connection& c = slab_[*slot];
  SB_LOG(*log_, warn, "taken_over", {"node", id}, {"peer", std::string_view(c.peer)}, {"by", "another server"});
  io_.reply_error(c, proto::ErrorCode::taken_over, id);
  io_.begin_drain(c, "taken-over");
}

void Cluster::released(std::string_view id) {
  keys_.left(id);
  auto it = own_seq_.find(std::string(id));
  if (it == own_seq_.end()) return;
  claims_.release(id, it->second);  // while the backbone is down, become_ready() releases it later
  own_seq_.erase(it);
}

Cluster::RemoteKey Cluster::remote_key(std::string_view id, const security::PublicKey** key) const {
  const Directory::Entry* e = dir_.find(id);
  if (e == nullptr || !e->held || e->server == dir_.self() || !dir_.alive(e->server, now_ms(), ttl_ms()))
    return RemoteKey::no_such_node;
  if (sync_ != Sync::ready || !keys_.ready()) return RemoteKey::unavailable;
  *key = keys_.find(id, e->seq);
  return *key != nullptr ? RemoteKey::found : RemoteKey::no_key;
}

void Cluster::key_published(std::string_view id, const security::PublicKey& key) {
  auto own = own_seq_.find(std::string(id));
  if (own != own_seq_.end()) keys_.published(id, own->second, key);
}

RemoteRoutes::Result Cluster::direct(std::string_view source, std::string_view target, std::string_view payload) {
  if (sync_ != Sync::ready) {
    ++unavailable_;
    return Result::unavailable;
  }
  const Directory::Entry* e = dir_.find(target);
  if (e == nullptr || !e->held || e->server == dir_.self() || !dir_.alive(e->server, now_ms(), ttl_ms()))
    return Result::no_such_node;
  char head[2 * proto::kMaxIdLen + 2];
  std::memcpy(head, source.data(), source.size());
  head[source.size()] = ' ';
  std::memcpy(head + source.size() + 1, target.data(), target.size());
  head[source.size() + 1 + target.size()] = '\n';
  if (!backbone_.publish(dir_.subject(e->server), {head, source.size() + target.size() + 2}, payload)) {
    ++unavailable_;
    return Result::unavailable;
  }
  ++remote_out_;
  return Result::sent;
}

RemoteRoutes::Result Cluster::broadcast(std::string_view source, std::string_view payload) {
  if (sync_ != Sync::ready) {
    ++unavailable_;
    return Result::unavailable;
  }
  if (dir_.servers_alive(now_ms(), ttl_ms()) <= 1) return Result::sent;
  char head[proto::kMaxIdLen + 3];
  std::memcpy(head, source.data(), source.size());
  std::memcpy(head + source.size(), " *\n", 3);
  if (!backbone_.publish(kAllSubject, {head, source.size() + 3}, payload)) {
    ++unavailable_;
    return Result::unavailable;
  }
  ++remote_out_;
  return Result::sent;
}

// `#g` and patterns after their local copies, `~g` when its turn falls on a member elsewhere
// (server/cluster_groups.h); the backbone down: local delivery goes on, the rest is unavailable.
RemoteRoutes::Result Cluster::fan_out(std::string_view source, std::string_view target, std::string_view payload,
                                      uint32_t* copies) {
  *copies = 0;
  const Result r = sync_ == Sync::ready ? groups_.fan_out(source, target, payload, copies) : Result::unavailable;
  unavailable_ += r == Result::unavailable;
  return r;
}

RemoteRoutes::Pick Cluster::anycast(std::string_view source, std::string_view target, std::string_view payload,
                                    uint32_t local) {
  if (sync_ != Sync::ready && local > 0) return Pick::local;
  const Pick p = sync_ == Sync::ready ? groups_.anycast(source, target, payload, local) : Pick::unavailable;
  unavailable_ += p == Pick::unavailable;
  return p;
}

// "<source> <target>\n<payload>" from another server; target "*" is a broadcast, `#g`, `~g <id>`
// and patterns are ClusterGroups'.
void Cluster::from_server(const nats::Message& m, bool to_all) {
  const size_t nl = m.payload.find('\n');
  const size_t sp = m.payload.find(' ');
  if (nl == std::string_view::npos || sp == std::string_view::npos || sp > nl) return;
  const std::string_view source = m.payload.substr(0, sp);
  const std::string_view target = m.payload.substr(sp + 1, nl - sp - 1);
  const std::string_view payload = m.payload.substr(nl + 1);
  ++remote_in_;
  if (!to_all && groups_.from_server(source, target, payload)) return;
  if (to_all) delivery_.broadcast(source, payload);
  else delivery_.direct(source, target, payload);
}

void Cluster::append_who(OutputQueue& out, size_t room) const {
  size_t count = router_.nodes();
  dir_.for_each_remote(now_ms(), ttl_ms(), [&](std::string_view) { ++count; });
  NodeListReply reply(out, room, count);
  for (const auto& entry : router_.table())
    if (!reply.add(entry.id())) break;
  dir_.for_each_remote(now_ms(), ttl_ms(), [&](std::string_view id) { reply.add(id); });
  reply.finish();
}

void Cluster::append_stats(OutputQueue& out) const {
  size_t nodes = router_.nodes();
  dir_.for_each_remote(now_ms(), ttl_ms(), [&](std::string_view) { ++nodes; });
  const std::pair<const char*, uint64_t> fields[] = {
      {"cluster_servers", dir_.servers_alive(now_ms(), ttl_ms())}, {"cluster_nodes", nodes},
      {"remote_in", remote_in_}, {"remote_out", remote_out_ + groups_.published()}, {"remote_unavailable", unavailable_},
      {"backbone_up", backbone_.up() ? 1u : 0u},
  };
  for (const auto& [key, value] : fields) {
    char num[24];
    out.append({" ", key, "=", decimal(value, num)});
  }
}

}  // namespace sb::server
