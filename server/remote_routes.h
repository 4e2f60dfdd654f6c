// What the Router asks of the cluster (server/cluster.h) when a target may reach nodes that are
// not local, and tells it when local nodes leave or change their groups. Without --cluster the
// Router holds none and never calls.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace sb::server {

class RemoteRoutes {
 public:
  enum class Result : uint8_t { sent, no_such_node, unavailable };
  // `target` is no local node: forward it to the server holding it.
  virtual Result direct(std::string_view source, std::string_view target, std::string_view payload) = 0;
  // A broadcast, after the local copies: every other server fans it out to its own nodes.
  virtual Result broadcast(std::string_view source, std::string_view payload) = 0;
  // A registered local node left: its id is released in the cluster.
  virtual void released(std::string_view id) = 0;

  // `#g` or a pattern, after the local copies: every other server with members (matches) gets it
  // once and fans it out to its own; *copies is how many members (matches) they have.
  virtual Result fan_out(std::string_view source, std::string_view target, std::string_view payload,
                         uint32_t* copies) = 0;
  // `~g`: `local` members other than the sender are here. local: pick one of them as a server
  // alone does; sent: a member elsewhere got it; none: no member anywhere but the sender.
  enum class Pick : uint8_t { local, sent, none, unavailable };
  virtual Pick anycast(std::string_view source, std::string_view target, std::string_view payload,
                       uint32_t local) = 0;
  // A local node joined or left a group (`group` without its sigil).
  virtual void joined(std::string_view id, std::string_view group) = 0;
  virtual void left(std::string_view id, std::string_view group) = 0;
  // WHO <target> (not `*`): appends the ids of other servers' nodes it names.
  virtual void who(std::string_view target, std::vector<std::string_view>* ids) const = 0;
  // GROUPS: members of `group` on other servers; f(name, members) for every group with members on
  // other servers.
  virtual uint32_t remote_members(std::string_view group) const = 0;
  virtual void for_each_group(const std::function<void(std::string_view, uint32_t)>& f) const = 0;

 protected:
  ~RemoteRoutes() = default;
};

}  // namespace sb::server
