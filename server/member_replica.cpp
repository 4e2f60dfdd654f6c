// MemberReplica: memberships of other servers per group, and this server's own apart.
#include "server/member_replica.h"

namespace sb::server {

void MemberReplica::put(std::string_view group, std::string_view id, uint32_t server) {
  auto it = groups_.find(group);
  if (it != groups_.end()) {
    auto at = it->second.where.find(id);
    if (at != it->second.where.end()) {
      Member& m = it->second.group.members[at->second];
      if (m.server == server) return;
      if (server != 0) {  // the id moved to another server: same place in the rotation
        count(it->second.group, m.server, -1);
        count(it->second.group, server, +1);
        m.server = server;
        return;
      }
      remove_remote(it, id);
    }
  }
  if (server == 0) {
    own_.emplace(std::string(group), std::string(id));
    return;
  }
  own_.erase({std::string(group), std::string(id)});
  if (it == groups_.end()) it = groups_.emplace(std::string(group), Entry{}).first;
  Group& g = it->second.group;
  it->second.where.emplace(std::string(id), static_cast<uint32_t>(g.members.size()));
  g.members.push_back({std::string(id), server});
  count(g, server, +1);
}

void MemberReplica::erase(std::string_view group, std::string_view id) {
  own_.erase({std::string(group), std::string(id)});
  auto it = groups_.find(group);
  if (it != groups_.end()) remove_remote(it, id);
}

void MemberReplica::remove_remote(std::unordered_map<std::string, Entry, Hash, std::equal_to<>>::iterator it,
                                  std::string_view id) {
  Entry& e = it->second;
  auto at = e.where.find(id);
  if (at == e.where.end()) return;
  const uint32_t index = at->second;
  Group& g = e.group;
  count(g, g.members[index].server, -1);
  e.where.erase(at);
  if (index + 1 != g.members.size()) {  // the last member takes the hole
    g.members[index] = std::move(g.members.back());
    e.where.find(g.members[index].id)->second = index;
  }
  g.members.pop_back();
  if (g.members.empty()) groups_.erase(it);
}

void MemberReplica::count(Group& g, uint32_t server, int delta) {
  for (size_t i = 0; i < g.servers.size(); ++i) {
    if (g.servers[i].first != server) continue;
    g.servers[i].second += delta;
    if (g.servers[i].second == 0) {
      g.servers[i] = g.servers.back();
      g.servers.pop_back();
    }
    return;
  }
  if (delta > 0) g.servers.emplace_back(server, uint32_t(delta));
}

bool MemberReplica::held_elsewhere(std::string_view group, std::string_view id) const {
  auto it = groups_.find(group);
  return it != groups_.end() && it->second.where.find(id) != it->second.where.end();
}

const MemberReplica::Group* MemberReplica::find(std::string_view group) const {
  auto it = groups_.find(group);
  return it == groups_.end() ? nullptr : &it->second.group;
}

MemberReplica::Group* MemberReplica::find(std::string_view group) {
  auto it = groups_.find(group);
  return it == groups_.end() ? nullptr : &it->second.group;
}

void MemberReplica::for_each_group(const std::function<void(std::string_view, const Group&)>& f) const {
  for (const auto& [name, e] : groups_) f(name, e.group);
}

}  // namespace sb::server
