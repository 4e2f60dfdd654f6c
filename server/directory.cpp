// Directory: ids and servers as the watches reported them.
#include "server/directory.h"

#include "server/cluster_names.h"

namespace sb::server {

void Directory::set_self(const std::string& name) {
  servers_[0].name = name;
  server_index_[name] = 0;
}

uint32_t Directory::server_index(std::string_view server) {
  auto it = server_index_.find(server);
  if (it != server_index_.end()) return it->second;
  const uint32_t index = static_cast<uint32_t>(servers_.size());
  servers_.push_back({std::string(server), {}, 0, false});
  server_index_.emplace(std::string(server), index);
  return index;
}

void Directory::claimed(std::string_view id, uint64_t seq, std::string_view server) {
  auto it = ids_.find(id);
  if (it == ids_.end()) it = ids_.emplace(std::string(id), Entry{}).first;
  else if (it->second.seq > seq) return;
  it->second = {seq, server_index(server), true};
}

void Directory::released(std::string_view id, uint64_t seq) {
  auto it = ids_.find(id);
  if (it == ids_.end()) it = ids_.emplace(std::string(id), Entry{}).first;
  else if (it->second.seq > seq) return;
  it->second = {seq, 0, false};
}

const Directory::Entry* Directory::find(std::string_view id) const {
  auto it = ids_.find(id);
  return it == ids_.end() ? nullptr : &it->second;
}

const std::string& Directory::subject(uint32_t server) {
  Server& s = servers_[server];
  if (s.subject.empty()) s.subject = "sb.srv." + subject_token(s.name);
  return s.subject;
}

void Directory::heard_from(std::string_view server, uint64_t now_ms) {
  Server& s = servers_[server_index(server)];
  s.heard_ms = now_ms;
  s.heard = true;
}

bool Directory::alive(uint32_t server, uint64_t now_ms, uint64_t ttl_ms) const {
  if (server == 0) return true;
  const Server& s = servers_[server];
  return s.heard && now_ms - s.heard_ms < ttl_ms;
}

size_t Directory::servers_alive(uint64_t now_ms, uint64_t ttl_ms) const {
  size_t n = 0;
  for (uint32_t i = 0; i < servers_.size(); ++i) n += alive(i, now_ms, ttl_ms);
  return n;
}

void Directory::for_each_remote(uint64_t now_ms, uint64_t ttl_ms,
                                const std::function<void(std::string_view)>& f) const {
  for (const auto& [id, e] : ids_)
    if (e.held && e.server != 0 && alive(e.server, now_ms, ttl_ms)) f(id);
}

std::vector<std::string> Directory::held_by_self() const {
  std::vector<std::string> out;
  for (const auto& [id, e] : ids_)
    if (e.held && e.server == 0) out.push_back(id);
  return out;
}

}  // namespace sb::server
