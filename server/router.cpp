// Router: direct, broadcast, group, anycast and pattern delivery into the targets' output queues,
// and the hand-over of targets that are not local to the cluster (--cluster).
#include "server/router.h"

#include <array>

#include "common/protocol/from_header.h"
#include "common/protocol/target.h"
#include "server/from_block.h"

namespace sb::server {

namespace {

using proto::FromHeader;
using proto::has_wildcard;
using Kind = Router::Outcome::Kind;
using Via = Router::Outcome::Via;

// First bytes that no node id starts with: `*` (broadcast, or a pattern), `>`, `#`, `~`. One
// table lookup sends everything else down the direct path, which is what a v1 message costs.
constexpr std::array<bool, 256> kV2Sigil = [] {
  std::array<bool, 256> t{};
  t['*'] = t['>'] = t['#'] = t['~'] = true;
  return t;
}();

}  // namespace

Router::~Router() {
  if (arena_ != nullptr) pool_.unref(arena_);
}

bool Router::add(std::string_view id, uint32_t slot) {
  if (!routes_.insert(id, slot)) return false;
  patterns_.insert(id, slot);
  return true;
}

void Router::remove(std::string_view id) {
  const uint32_t* found = routes_.find(id);
  if (found == nullptr) return;
  const Connection& c = slab_[*found];
  groups_.leave_all(c.slot, [&](std::string_view name, uint32_t members) { on_left(c, name, members); });
  patterns_.erase(id);
  routes_.erase(id);
  if (remote_ != nullptr) remote_->released(id);
}

Router::Outcome Router::route(Connection& source, std::string_view target, std::string_view payload) {
  if (kV2Sigil[static_cast<uint8_t>(target[0])]) return route_v2(source, target, payload);
  return direct(source, target, payload);
}

Router::Outcome Router::direct(Connection& source, std::string_view target, std::string_view payload) {
  const uint32_t* slot = routes_.find(target);
  if (slot == nullptr) [[unlikely]] {
    // A pattern that starts like an id (`plant1.*`) is no registered id: it is recognised here,
    // on the miss, so a direct message never looks for wildcards.
    if (has_wildcard(target)) return pattern(source, target, payload);
    return remote_ == nullptr ? Outcome{Kind::no_such_node, Via::direct, 0} : remote_direct(source, target, payload);
  }
  Connection& t = slab_[*slot];
  if (pressure_.full(t)) {
    pressure_.block(source, t, loop_.now_tick());
    return {Kind::blocked, Via::direct, 0};
  }
  FromHeader header(source.node_id(), payload.size());
  t.out.append_message({header.view(), payload, "\n"});
  pressure_.note_output_growth(t, loop_.now_tick());
  SB_LOG(*log_, debug, "route", {"from", source.node_id()}, {"to", target}, {"bytes", uint64_t(payload.size())});
  return {Kind::queued, Via::direct, 1};
}

Router::Outcome Router::broadcast(Connection& source, std::string_view payload) {
  // All or nothing: a full target pauses the broadcast before any copy is queued, so no node gets
  // a message twice when it resumes.
  for (const auto& entry : routes_) {
    Connection& t = slab_[entry.slot];
    if (&t != &source && pressure_.full(t)) {
      pressure_.block(source, t, loop_.now_tick());
      return {Kind::blocked, Via::broadcast, 0};
    }
  }
  if (routes_.size() <= 1) return remote_broadcast(source, payload, 0);
  FromHeader header(source.node_id(), payload.size());
  // One copy of the frame, referenced from every target's queue.
  Block* block = make_from_block(pool_, header, payload);
  const uint32_t frame = block->size;
  uint32_t copies = 0;
  for (const auto& entry : routes_) {
    Connection& t = slab_[entry.slot];
    if (&t == &source) continue;
    t.out.append_shared_message(block, 0, frame);
    ++copies;
    pressure_.note_output_growth(t, loop_.now_tick());
  }
  pool_.unref(block);
  SB_LOG(*log_, debug, "broadcast", {"from", source.node_id()}, {"targets", uint64_t(copies)},
         {"bytes", uint64_t(payload.size())});
  return remote_broadcast(source, payload, copies);
}

Router::Outcome Router::remote_direct(Connection& source, std::string_view target, std::string_view payload) {
  switch (remote_->direct(source.node_id(), target, payload)) {
    case RemoteRoutes::Result::sent:
      return {Kind::queued, Via::direct, 1};
    case RemoteRoutes::Result::no_such_node:
      return {Kind::no_such_node, Via::direct, 0};
    case RemoteRoutes::Result::unavailable:
      break;
  }
  return {Kind::unavailable, Via::direct, 0};
}

// The local copies are queued; the other servers get the broadcast once each through the backbone.
Router::Outcome Router::remote_broadcast(Connection& source, std::string_view payload, uint32_t copies) {
  if (remote_ != nullptr && remote_->broadcast(source.node_id(), payload) == RemoteRoutes::Result::unavailable)
    return {Kind::unavailable, Via::broadcast, copies};
  return {Kind::queued, Via::broadcast, copies};
}

// Routing dispatch for the targets that begin with a sigil.
Router::Outcome Router::route_v2(Connection& source, std::string_view target, std::string_view payload) {
  switch (target[0]) {
    case '#': return group(source, target, payload);
    case '~': return anycast(source, target, payload);
    default:  // '*' or '>'
      if (target.size() == 1 && target[0] == '*') return broadcast(source, payload);
      return pattern(source, target, payload);
  }
}

Router::Outcome Router::group(Connection& source, std::string_view target, std::string_view payload) {
  targets_.clear();
  const uint32_t g = groups_.find(target.substr(1));
  if (g != GroupTable::kNone) {
    for (const GroupTable::Member& m : groups_.members(g))
      if (m.node != source.slot) targets_.push_back(m.node);
  }
  if (remote_ != nullptr) return remote_fan_out(source, target, payload, Via::group);
  return fan_out(source, target, payload, Via::group);
}

Router::Outcome Router::pattern(Connection& source, std::string_view target, std::string_view payload) {
  targets_.clear();
  patterns_.match(target, [&](uint32_t slot) {
    if (slot != source.slot) targets_.push_back(slot);
  });
  if (remote_ != nullptr) return remote_fan_out(source, target, payload, Via::pattern);
  return fan_out(source, target, payload, Via::pattern);
}

// --cluster: the local copies first (a full local member pauses the sender before anything left),
// then one message to each other server concerned; the receipt counts both.
Router::Outcome Router::remote_fan_out(Connection& source, std::string_view target, std::string_view payload,
                                       Via kind) {
  Outcome local{Kind::queued, kind, 0};
  if (!targets_.empty()) local = fan_out(source, target, payload, kind);
  if (local.kind == Kind::blocked) return local;
  uint32_t remote = 0;
  if (remote_->fan_out(source.node_id(), target, payload, &remote) == RemoteRoutes::Result::unavailable)
    return {Kind::unavailable, kind, local.copies};
  if (local.copies + remote == 0) return {Kind::no_receivers, kind, 0};
  return {Kind::queued, kind, local.copies + remote};
}

Router::Outcome Router::anycast(Connection& source, std::string_view target, std::string_view payload) {
  const uint32_t g = groups_.find(target.substr(1));
  if (remote_ != nullptr) {
    const uint32_t local = g == GroupTable::kNone ? 0
                           : static_cast<uint32_t>(groups_.members(g).size()) - groups_.is_member(g, source.slot);
    switch (remote_->anycast(source.node_id(), target, payload, local)) {
      case RemoteRoutes::Pick::local: break;
      case RemoteRoutes::Pick::sent: return {Kind::queued, Via::anycast, 1};
      case RemoteRoutes::Pick::none: return {Kind::no_receivers, Via::anycast, 0};
      case RemoteRoutes::Pick::unavailable: return {Kind::unavailable, Via::anycast, 0};
    }
  }
  if (g == GroupTable::kNone) return {Kind::no_receivers, Via::anycast, 0};
  // Members over the slow-consumer bound are skipped; only when every one is over it does the
  // sender wait, on the next member in rotation, as a direct message would.
  const GroupTable::Pick pick =
      groups_.pick(g, source.slot, [this](uint32_t slot) { return !pressure_.full(slab_[slot]); });
  if (pick.node == GroupTable::kNone) return {Kind::no_receivers, Via::anycast, 0};
  Connection& t = slab_[pick.node];
  if (!pick.ready) {
    pressure_.block(source, t, loop_.now_tick());
    return {Kind::blocked, Via::anycast, 0};
  }
  FromHeader header(source.node_id(), payload.size(), target);
  t.out.append_message({header.view(), payload, "\n"});
  pressure_.note_output_growth(t, loop_.now_tick());
  SB_LOG(*log_, debug, "anycast", {"from", source.node_id()}, {"group", target}, {"to", t.node_id()},
         {"bytes", uint64_t(payload.size())});
  return {Kind::queued, Via::anycast, 1};
}

Router::Outcome Router::fan_out(Connection& source, std::string_view via, std::string_view payload, Via kind) {
  if (targets_.empty()) return {Kind::no_receivers, kind, 0};
  // All or nothing, as for broadcast: no member gets a copy twice when a paused sender resumes.
  for (uint32_t slot : targets_) {
    Connection& t = slab_[slot];
    if (pressure_.full(t)) {
      pressure_.block(source, t, loop_.now_tick());
      return {Kind::blocked, kind, 0};
    }
  }
  FromHeader header(source.node_id(), payload.size(), via);
  const auto frame = static_cast<uint32_t>(from_frame_size(header, payload));
  uint32_t offset = 0;
  Block* block = reserve_shared(frame, &offset);
  write_from_frame(block->data + offset, header, payload);
  for (uint32_t slot : targets_) {
    Connection& t = slab_[slot];
    t.out.append_shared_message(block, offset, frame);
    pressure_.note_output_growth(t, loop_.now_tick());
  }
  SB_LOG(*log_, debug, "fan_out", {"from", source.node_id()}, {"via", via}, {"targets", uint64_t(targets_.size())},
         {"bytes", uint64_t(payload.size())});
  return {Kind::queued, kind, static_cast<uint32_t>(targets_.size())};
}

Block* Router::reserve_shared(uint32_t frame, uint32_t* offset) {
  if (arena_ == nullptr || arena_->capacity - arena_->size < frame) {
    // The queues that reference the old block keep it alive; the router lets go of it.
    if (arena_ != nullptr) pool_.unref(arena_);
    arena_ = pool_.acquire(frame);
  }
  *offset = arena_->size;
  arena_->size += frame;
  return arena_;
}

GroupTable::JoinResult Router::join(const Connection& c, std::string_view name) {
  GroupTable::JoinResult r = groups_.join(c.slot, name);
  if (r.status == GroupTable::JoinStatus::joined) {
    if (r.created) SB_LOG(*log_, info, "group_created", {"group", name}, {"node", c.node_id()});
    SB_LOG(*log_, debug, "join", {"node", c.node_id()}, {"group", name}, {"members", uint64_t(r.members)});
    if (remote_ != nullptr) remote_->joined(c.node_id(), name);
  }
  if (remote_ != nullptr) r.members += remote_->remote_members(name);
  return r;
}

GroupTable::LeaveResult Router::leave(const Connection& c, std::string_view name) {
  GroupTable::LeaveResult r = groups_.leave(c.slot, name);
  if (r.was_member) on_left(c, name, r.members);
  if (remote_ != nullptr) r.members += remote_->remote_members(name);
  return r;
}

void Router::on_left(const Connection& c, std::string_view name, uint32_t members) {
  SB_LOG(*log_, debug, "leave", {"node", c.node_id()}, {"group", name}, {"members", uint64_t(members)});
  if (remote_ != nullptr) remote_->left(c.node_id(), name);
  if (members == 0) SB_LOG(*log_, info, "group_emptied", {"group", name}, {"node", c.node_id()});
}

void Router::who(std::string_view target, std::vector<std::string_view>* ids) const {
  ids->clear();
  if (target == "*") {
    for (const auto& entry : routes_) ids->push_back(entry.id());
  } else if (target[0] == '#' || target[0] == '~') {
    const uint32_t g = groups_.find(target.substr(1));
    if (g != GroupTable::kNone)
      for (const GroupTable::Member& m : groups_.members(g)) ids->push_back(slab_[m.node].node_id());
  } else if (has_wildcard(target)) {
    patterns_.match(target, [&](uint32_t slot) { ids->push_back(slab_[slot].node_id()); });
  } else if (routes_.find(target) != nullptr) {
    ids->push_back(target);
  }
  if (remote_ != nullptr) remote_->who(target, ids);
}

void Router::group_sizes(std::vector<std::pair<std::string_view, uint32_t>>* sizes) const {
  sizes->clear();
  groups_.for_each_group([&](std::string_view name, size_t members) {
    const uint32_t remote = remote_ == nullptr ? 0 : remote_->remote_members(name);
    sizes->emplace_back(name, static_cast<uint32_t>(members) + remote);
  });
  if (remote_ == nullptr) return;
  remote_->for_each_group([&](std::string_view name, uint32_t members) {
    if (groups_.find(name) == GroupTable::kNone) sizes->emplace_back(name, members);
  });
}

}  // namespace sb::server
