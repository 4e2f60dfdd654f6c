// What the Router asks of the cluster (server/cluster.h) when a target is not a local node, and
// tells it when a local node leaves. Without --cluster the Router holds none and never calls.
#pragma once

#include <cstdint>
#include <string_view>

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

 protected:
  ~RemoteRoutes() = default;
};

}  // namespace sb::server
