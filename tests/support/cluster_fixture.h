// Test support: switchboard servers joined through real nats-server members (nats_process.h).
// ClusterRig starts the NATS members, then each server with --cluster, --server-name s<i> and a
// short --cluster-heartbeat (and any `extra` flags), and waits until each logged cluster_ready;
// node() registers clients on them. hello(), welcome() and who_becomes() are what the cluster tests
// ask of a node; ClusterPairTest is the two-server fixture with a node on each.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/line_client.h"
#include "tests/support/nats_process.h"
#include "tests/support/server_process.h"

namespace sb::test {

class ClusterRig {
 public:
  ClusterRig(size_t nats_members, size_t servers, const std::string& heartbeat = "1",
             std::vector<std::string> extra = {})
      : nats_(nats_members), extra_(std::move(extra)) {
    if (!nats_.start()) {
      error_ = "nats-server did not start";
      return;
    }
    for (size_t i = 0; i < servers; ++i) {
      if (!add_server(heartbeat)) return;
    }
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  NatsGroup& nats() { return nats_; }
  ServerProcess& server(size_t i) { return *servers_[i]; }
  size_t servers() const { return servers_.size(); }
  // A client registered as `id` on server `i` (the WELCOME expected), open as long as the rig.
  LineClient& node(size_t i, const std::string& id) { return nodes_.add_at(servers_[i]->port(), id); }

  bool add_server(const std::string& heartbeat = "1") {
    const std::string name = "s" + std::to_string(servers_.size());
    std::vector<std::string> flags{"--cluster", nats_.urls(), "--server-name", name, "--cluster-heartbeat", heartbeat};
    flags.insert(flags.end(), extra_.begin(), extra_.end());
    servers_.push_back(std::make_unique<ServerProcess>(flags));
    ServerProcess& s = *servers_.back();
    if (!s.ok()) error_ = name + ": " + s.error() + " " + s.stderr_text();
    else if (!s.wait_log_contains("event=cluster_ready")) error_ = name + " never became ready:\n" + s.log();
    return error_.empty();
  }

 private:
  NatsGroup nats_;
  std::vector<std::string> extra_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
  std::string error_;
  Nodes nodes_;
};

// Connects to `port` and says HELLO `id`; the reply line is in *reply.
inline std::unique_ptr<LineClient> hello(uint16_t port, const std::string& id, std::string* reply) {
  auto c = std::make_unique<LineClient>(port);
  c->send_line("HELLO " + id);
  *reply = c->read_line();
  return c;
}

inline std::string welcome(const std::string& id) { return "WELCOME " + id + " 60"; }

// "NODES <n> <id>..." as the sorted ids; {"<bad>"} when the count and the list disagree.
inline std::vector<std::string> listed(const std::string& reply) {
  std::istringstream in(reply);
  std::string word;
  size_t count = 0;
  if (!(in >> word >> count) || word != "NODES") return {"<bad>"};
  std::vector<std::string> ids;
  while (in >> word) ids.push_back(word);
  std::sort(ids.begin(), ids.end());
  if (ids.size() != count) return {"<bad>"};
  return ids;
}

// Waits until `WHO <target>` asked through `c` lists exactly `ids` (replication is eventual).
inline bool who_becomes(LineClient& c, const std::string& target, std::vector<std::string> ids,
                        std::chrono::milliseconds timeout = kDefaultWait) {
  std::sort(ids.begin(), ids.end());
  return wait_until([&] { return listed(c.request("WHO " + target)) == ids; }, timeout);
}

// Two servers on `nats_members` NATS members, alice registered on the first and bob on the second,
// started by start_pair() once each server has heard of the other's node (the directory is
// eventually consistent: before that a SEND between them gets ERR no-such-node).
class ClusterPairTest : public ::testing::Test {
 protected:
  void start_pair(size_t nats_members) {
    rig_ = std::make_unique<ClusterRig>(nats_members, 2);
    ASSERT_TRUE(rig_->ok()) << rig_->error();
    alice_ = &rig_->node(0, "alice");
    bob_ = &rig_->node(1, "bob");
    ASSERT_TRUE(who_becomes(*alice_, "bob", {"bob"}));
    ASSERT_TRUE(who_becomes(*bob_, "alice", {"alice"}));
  }

  std::unique_ptr<ClusterRig> rig_;
  LineClient* alice_ = nullptr;
  LineClient* bob_ = nullptr;
};

}  // namespace sb::test
