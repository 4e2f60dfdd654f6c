// Directory: this server's copy of the cluster's id space, fed by the watch of the sb_ids bucket
// (every claim and release, in stream order) and of the sb_servers bucket (heartbeats). It answers
// "which server holds this id, and is that server alive" without a round trip; it is eventually
// consistent (docs/CLUSTER.md gives the window). Socket-free.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sb::server {

class Directory {
 public:
  struct Entry {
    uint64_t seq = 0;       // the stream sequence of the id's last claim or release
    uint32_t server = 0;    // index into the server names; meaningless when released
    bool held = false;      // false: the last record released the id
  };

  Directory() { servers_.push_back({}); }
  // Names server 0, this one; called once before any record.
  void set_self(const std::string& name);

  // The claim or release stored at `seq` (an older one than already known changes nothing).
  void claimed(std::string_view id, uint64_t seq, std::string_view server);
  void released(std::string_view id, uint64_t seq);
  const Entry* find(std::string_view id) const;

  uint32_t self() const { return 0; }
  std::string_view server_name(uint32_t index) const { return servers_[index].name; }
  // The index of the server named so (a new one for a name not seen before).
  uint32_t server_index(std::string_view server);
  // "sb.srv.<name as one token>": the subject that server reads its messages from.
  const std::string& subject(uint32_t server);
  // A heartbeat of `server` arrived at `now_ms`.
  void heard_from(std::string_view server, uint64_t now_ms);
  // This server is always alive; another is alive while its last heartbeat is younger than `ttl_ms`.
  bool alive(uint32_t server, uint64_t now_ms, uint64_t ttl_ms) const;
  size_t servers_alive(uint64_t now_ms, uint64_t ttl_ms) const;

  // Every held id whose server is alive and is not this one.
  void for_each_remote(uint64_t now_ms, uint64_t ttl_ms, const std::function<void(std::string_view)>& f) const;
  // Every held id this server holds in the directory.
  std::vector<std::string> held_by_self() const;

 private:
  struct Server {
    std::string name;
    std::string subject;  // made on first use
    uint64_t heard_ms = 0;
    bool heard = false;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Server> servers_;  // [0] is this server
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> server_index_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> ids_;
};

}  // namespace sb::server
