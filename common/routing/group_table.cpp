// GroupTable: join, leave and the two-sided swap-remove that keeps both lists dense.
#include "common/routing/group_table.h"

#include "common/routing/free_slots.h"

namespace sb {

GroupTable::JoinResult GroupTable::join(uint32_t node, std::string_view name) {
  uint32_t g = find(name);
  if (g != kNone && node < by_node_.size()) {
    for (const Membership& m : by_node_[node])
      if (m.group == g) return {JoinStatus::already_member, static_cast<uint32_t>(groups_[g].members.size()), false};
  }
  if (groups_of(node) >= max_per_node_) {
    return {JoinStatus::node_limit, g == kNone ? 0 : static_cast<uint32_t>(groups_[g].members.size()), false};
  }
  const bool created = g == kNone;
  if (created) {
    if (groups() >= max_groups_) return {JoinStatus::table_limit, 0, false};
    g = create(name);
  }
  if (node >= by_node_.size()) by_node_.resize(size_t{node} + 1);
  std::vector<Membership>& mine = by_node_[node];
  std::vector<Member>& members = groups_[g].members;
  members.push_back({node, static_cast<uint32_t>(mine.size())});
  mine.push_back({g, static_cast<uint32_t>(members.size() - 1)});
  ++memberships_;
  return {JoinStatus::joined, static_cast<uint32_t>(members.size()), created};
}

GroupTable::LeaveResult GroupTable::leave(uint32_t node, std::string_view name) {
  const uint32_t g = find(name);
  if (g == kNone) return {false, 0, false};
  for (size_t k = 0; k < groups_of(node); ++k) {
    if (by_node_[node][k].group != g) continue;
    const uint32_t left = unlink(node, k);
    return {true, left, left == 0};
  }
  return {false, static_cast<uint32_t>(groups_[g].members.size()), false};
}

uint32_t GroupTable::create(std::string_view name) {
  uint32_t g;
  if (!take_free_slot(free_groups_, &g)) {
    g = static_cast<uint32_t>(groups_.size());
    groups_.emplace_back();
  }
  Group& group = groups_[g];
  group.cursor = 0;
  group.name_len = static_cast<uint8_t>(name.size());
  std::memcpy(group.name, name.data(), name.size());
  by_name_.insert(name, g);
  return g;
}

uint32_t GroupTable::unlink(uint32_t node, size_t k) {
  std::vector<Membership>& mine = by_node_[node];
  const Membership m = mine[k];
  std::vector<Member>& members = groups_[m.group].members;
  // Swap-remove on the group's side; the member moved into the hole learns its new position.
  if (m.index + 1 != members.size()) {
    members[m.index] = members.back();
    const Member moved = members[m.index];
    by_node_[moved.node][moved.index].index = m.index;
  }
  members.pop_back();
  // The same on the node's side.
  if (k + 1 != mine.size()) {
    mine[k] = mine.back();
    const Membership moved = mine[k];
    groups_[moved.group].members[moved.index].index = static_cast<uint32_t>(k);
  }
  mine.pop_back();
  --memberships_;
  const auto left = static_cast<uint32_t>(members.size());
  if (left == 0) destroy(m.group);
  return left;
}

void GroupTable::destroy(uint32_t g) {
  Group& group = groups_[g];
  by_name_.erase(std::string_view(group.name, group.name_len));
  std::vector<Member>().swap(group.members);
  group.name_len = 0;
  free_groups_.push_back(g);
}

size_t GroupTable::memory_bytes() const {
  size_t bytes = groups_.capacity() * sizeof(Group) + free_groups_.capacity() * sizeof(uint32_t) +
                 by_node_.capacity() * sizeof(std::vector<Membership>) +
                 by_name_.size() * sizeof(RoutingTable::Entry) + by_name_.bucket_count() * 8;
  for (const Group& g : groups_) bytes += g.members.capacity() * sizeof(Member);
  for (const auto& mine : by_node_) bytes += mine.capacity() * sizeof(Membership);
  return bytes;
}

bool GroupTable::check_invariants() const {
  size_t total = 0;
  for (uint32_t node = 0; node < by_node_.size(); ++node) {
    const auto& mine = by_node_[node];
    if (mine.size() > max_per_node_) return false;
    for (uint32_t k = 0; k < mine.size(); ++k) {
      const Membership& m = mine[k];
      if (m.group >= groups_.size() || m.index >= groups_[m.group].members.size()) return false;
      const Member& back = groups_[m.group].members[m.index];
      if (back.node != node || back.index != k) return false;
      ++total;
    }
  }
  size_t listed = 0;
  for (const auto& entry : by_name_) {
    const Group& g = groups_[entry.slot];
    if (g.members.empty() || name(entry.slot) != entry.id()) return false;
    listed += g.members.size();
  }
  return total == memberships_ && listed == memberships_ && groups() <= max_groups_;
}

}  // namespace sb
