// Test support: real nats-server processes for the cluster tests. NatsMember runs one member
// with JetStream on free loopback ports (a client port and, in a group, a route port), with its
// config file and store in a fresh temporary directory; NatsGroup runs N of them clustered. They
// stop with SIGKILL or SIGTERM, and can be started again on the same ports and store.
// Header-only; the processes are run by tests/support/process.h.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/loopback.h"
#include "tests/support/process.h"

namespace sb::test {

inline constexpr const char* kNatsServerBinary = "/usr/sbin/nats-server";

inline bool port_accepts(uint16_t port) {
  const int fd = connect_to_loopback(port);
  if (fd >= 0) ::close(fd);
  return fd >= 0;
}

class NatsMember {
 public:
  NatsMember() : port_(free_port()), route_port_(free_port()) {}
  ~NatsMember() { kill_now(); }
  NatsMember(const NatsMember&) = delete;
  NatsMember& operator=(const NatsMember&) = delete;

  uint16_t port() const { return port_; }
  uint16_t route_port() const { return route_port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const { return dir_.path(); }

  // Writes the config (routes: the other members' route ports; none for a member alone) and
  // starts the process; true once it accepts clients.
  bool start(const std::string& name, const std::vector<uint16_t>& routes) {
    std::string conf = "server_name: " + name + "\nlisten: 127.0.0.1:" + std::to_string(port_) +
                       "\njetstream { store_dir: \"" + dir_.path() + "/js\" }\n";
    if (!routes.empty()) {
      conf += "cluster {\n  name: sbtest\n  listen: 127.0.0.1:" + std::to_string(route_port_) + "\n  routes: [";
      for (size_t i = 0; i < routes.size(); ++i)
        conf += (i ? ", " : " ") + std::string("nats-route://127.0.0.1:") + std::to_string(routes[i]);
      conf += " ]\n}\n";
    }
    std::ofstream(dir_.path() + "/nats.conf") << conf;
    Process::Options options;
    options.output_path = dir_.path() + "/nats.log";  // one log across restarts
    proc_ = std::make_unique<Process>();
    if (!proc_->start({kNatsServerBinary, "-c", dir_.path() + "/nats.conf"}, options)) return false;
    proc_->close_stdin();
    return wait_until([&] { return port_accepts(port_); });
  }
  // Sends `sig` and waits for the exit (killed if it does not come).
  void kill_now(int sig = SIGKILL) {
    if (!proc_) return;
    proc_->signal(sig);
    if (!proc_->wait_exit(kDefaultWait)) proc_->kill();
    proc_.reset();
  }
  bool running() const { return proc_ != nullptr; }

 private:
  TempDir dir_;
  uint16_t port_;
  uint16_t route_port_;
  std::unique_ptr<Process> proc_;
};

class NatsGroup {
 public:
  explicit NatsGroup(size_t n) {
    for (size_t i = 0; i < n; ++i) members_.push_back(std::make_unique<NatsMember>());
  }
  bool start() {
    for (size_t i = 0; i < members_.size(); ++i)
      if (!start_member(i)) return false;
    return true;
  }
  bool start_member(size_t i) {
    std::vector<uint16_t> routes;
    if (members_.size() > 1)
      for (size_t j = 0; j < members_.size(); ++j)
        if (j != i) routes.push_back(members_[j]->route_port());
    return members_[i]->start("sbtest" + std::to_string(i), routes);
  }
  NatsMember& operator[](size_t i) { return *members_[i]; }
  size_t size() const { return members_.size(); }
  // "nats://...,nats://..." for --cluster.
  std::string urls() const {
    std::string s;
    for (const auto& m : members_) s += (s.empty() ? "" : ",") + m->url();
    return s;
  }

 private:
  std::vector<std::unique_ptr<NatsMember>> members_;
};

}  // namespace sb::test
