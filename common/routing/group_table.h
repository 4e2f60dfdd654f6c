// GroupTable: named groups of nodes, for group fan-out (`#g`) and anycast (`~g`). A node is any
// uint32 the caller picks (the server uses the connection slot). Every membership is recorded on
// both sides, each side holding its position in the other, so leaving one group is O(1) after
// finding it among the node's own few groups, and a node's disconnect costs O(its groups), never
// a scan of the groups. A group exists while it has members. Socket-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "common/routing/routing_table.h"

namespace sb {

class GroupTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr size_t kMaxNameLen = 64;

  // One member as the group sees it: the node, and where this membership sits in its list.
  struct Member {
    uint32_t node;
    uint32_t index;
  };

  GroupTable(size_t max_groups, size_t max_groups_per_node) : max_groups_(max_groups), max_per_node_(max_groups_per_node) {}
  // Seeded name hash for reproducible tests (the default seed is random per process).
  GroupTable(size_t max_groups, size_t max_groups_per_node, uint64_t seed)
      : by_name_(seed), max_groups_(max_groups), max_per_node_(max_groups_per_node) {}

  enum class JoinStatus : uint8_t { joined, already_member, node_limit, table_limit };
  struct JoinResult {
    JoinStatus status;
    uint32_t members;  // after the call
    bool created;      // the group did not exist before
  };
  // `name` is the bare group name (1..kMaxNameLen bytes, validated by the caller).
  JoinResult join(uint32_t node, std::string_view name);

  struct LeaveResult {
    bool was_member;
    uint32_t members;  // after the call
    bool emptied;      // the group is gone
  };
  LeaveResult leave(uint32_t node, std::string_view name);

  // Takes `node` out of every group it is in; on_left(name, members_after) once per group.
  template <typename F>
  void leave_all(uint32_t node, F&& on_left);

  // The group's index, or kNone. Indexes stay valid until the group is emptied.
  uint32_t find(std::string_view name) const {
    const uint32_t* g = by_name_.find(name);
    return g == nullptr ? kNone : *g;
  }
  const std::vector<Member>& members(uint32_t group) const { return groups_[group].members; }
  // Whether `node` is in `group`: O(the node's groups).
  bool is_member(uint32_t group, uint32_t node) const {
    if (node >= by_node_.size()) return false;
    for (const Membership& m : by_node_[node])
      if (m.group == group) return true;
    return false;
  }
  std::string_view name(uint32_t group) const { return {groups_[group].name, groups_[group].name_len}; }

  // f(name, member_count) for every group, in no particular order.
  template <typename F>
  void for_each_group(F&& f) const {
    for (const auto& entry : by_name_) f(entry.id(), groups_[entry.slot].members.size());
  }

  // Anycast: the member after the group's rotation cursor, other than `exclude`, for which
  // ready(node) holds; the cursor then moves past it. When no member is ready, the first other
  // member in rotation order comes back with ready == false (the cursor stays). node == kNone:
  // the group has no member other than `exclude`.
  struct Pick {
    uint32_t node;
    bool ready;
  };
  template <typename Ready>
  Pick pick(uint32_t group, uint32_t exclude, Ready&& ready);

  size_t groups() const { return by_name_.size(); }
  size_t memberships() const { return memberships_; }
  size_t groups_of(uint32_t node) const { return node < by_node_.size() ? by_node_[node].size() : 0; }
  // Heap bytes held, for the memory figures in docs/PERFORMANCE.md.
  size_t memory_bytes() const;
  // O(memberships) cross-check of both sides, for tests.
  bool check_invariants() const;

 private:
  // One membership as the node sees it: the group, and where the node sits in its members.
  struct Membership {
    uint32_t group;
    uint32_t index;
  };
  struct Group {
    std::vector<Member> members;
    uint32_t cursor = 0;  // anycast rotation: the next member to try
    uint8_t name_len = 0;
    char name[kMaxNameLen];
  };

  uint32_t create(std::string_view name);
  // Removes the node's k-th membership; returns the group's member count after it.
  uint32_t unlink(uint32_t node, size_t k);
  void destroy(uint32_t group);

  RoutingTable by_name_;  // name -> group index
  std::vector<Group> groups_;
  std::vector<uint32_t> free_groups_;
  std::vector<std::vector<Membership>> by_node_;
  size_t memberships_ = 0;
  size_t max_groups_;
  size_t max_per_node_;
};

template <typename F>
void GroupTable::leave_all(uint32_t node, F&& on_left) {
  if (node >= by_node_.size()) return;
  while (!by_node_[node].empty()) {
    const size_t k = by_node_[node].size() - 1;
    const Group& g = groups_[by_node_[node][k].group];
    char name[kMaxNameLen];  // the group may be destroyed (and its slot reused) by unlink
    const size_t len = g.name_len;
    std::memcpy(name, g.name, len);
    const uint32_t left = unlink(node, k);
    on_left(std::string_view(name, len), left);
  }
  std::vector<Membership>().swap(by_node_[node]);  // a departed node keeps no memory
}

template <typename Ready>
GroupTable::Pick GroupTable::pick(uint32_t group, uint32_t exclude, Ready&& ready) {
  Group& g = groups_[group];
  const size_t n = g.members.size();
  if (g.cursor >= n) g.cursor = 0;  // members left since the cursor was set
  uint32_t fallback = kNone;
  for (size_t k = 0, i = g.cursor; k < n; ++k, i = i + 1 == n ? 0 : i + 1) {
    const uint32_t node = g.members[i].node;
    if (node == exclude) continue;
    if (ready(node)) {
      g.cursor = static_cast<uint32_t>(i + 1 == n ? 0 : i + 1);
      return {node, true};
    }
    if (fallback == kNone) fallback = node;
  }
  return {fallback, false};
}

}  // namespace sb
