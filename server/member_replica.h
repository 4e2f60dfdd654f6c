// MemberReplica: this server's copy of the cluster's group memberships, fed by the watch of the
// sb_members bucket (server/cluster_groups.h). Per group it keeps the members held by other
// servers, with a count per server (so a group message finds the servers to publish to without
// walking the members) and the anycast rotation over them; the memberships recorded for this
// server (index 0) are kept apart, only to be checked against the local groups after a
// (re)connect. Liveness is the caller's: every query takes alive(server). Socket-free.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sb::server {

class MemberReplica {
 public:
  struct Member {
    std::string id;
    uint32_t server;
  };
  struct Group {
    std::vector<Member> members;  // held by other servers, in no particular order
    std::vector<std::pair<uint32_t, uint32_t>> servers;  // (server, members there), none with 0
    uint32_t cursor = 0;  // anycast: the next member to try
    uint64_t turns = 0;   // anycast: messages sent to the group from here (local and remote picks)
  };

  // `id` is a member of `group` on `server` (0: this one); a record for the same pair replaces it.
  void put(std::string_view group, std::string_view id, uint32_t server);
  void erase(std::string_view group, std::string_view id);

  const Group* find(std::string_view group) const;
  // Whether the replica has `id` in `group` on another server.
  bool held_elsewhere(std::string_view group, std::string_view id) const;
  Group* find(std::string_view group);
  // Members of `g` on live servers.
  template <typename Alive>
  uint32_t live_members(const Group& g, Alive&& alive) const;
  // The next member of `g` on a live server, rotating; nullptr when there is none.
  template <typename Alive>
  const Member* next_live(Group& g, Alive&& alive);

  // Memberships recorded for this server, as (group, id).
  const std::set<std::pair<std::string, std::string>>& own() const { return own_; }
  // f(name, group) for every group with members on other servers.
  void for_each_group(const std::function<void(std::string_view, const Group&)>& f) const;
  size_t groups() const { return groups_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Entry {
    Group group;
    std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> where;  // id -> index in members
  };
  void remove_remote(std::unordered_map<std::string, Entry, Hash, std::equal_to<>>::iterator it,
                     std::string_view id);
  static void count(Group& g, uint32_t server, int delta);

  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> groups_;
  std::set<std::pair<std::string, std::string>> own_;
};

template <typename Alive>
uint32_t MemberReplica::live_members(const Group& g, Alive&& alive) const {
  uint32_t n = 0;
  for (const auto& [server, members] : g.servers)
    if (alive(server)) n += members;
  return n;
}

template <typename Alive>
const MemberReplica::Member* MemberReplica::next_live(Group& g, Alive&& alive) {
  const size_t n = g.members.size();
  if (g.cursor >= n) g.cursor = 0;  // members left since the cursor was set
  for (size_t k = 0, i = g.cursor; k < n; ++k, i = i + 1 == n ? 0 : i + 1) {
    if (!alive(g.members[i].server)) continue;
    g.cursor = static_cast<uint32_t>(i + 1 == n ? 0 : i + 1);
    return &g.members[i];
  }
  return nullptr;
}

}  // namespace sb::server
