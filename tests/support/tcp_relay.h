// Test support: a loopback TCP relay standing in for a network path that can fail silently. Each
// connection accepted on its port is joined to a new connection to the target port, bytes are
// pumped both ways on a thread, and cut() drops the client's side only: the client sees its
// connection end while the server still holds a healthy-looking one, as after a network outage
// the server has not noticed. Header-only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/support/loopback.h"

namespace sb::test {

class TcpRelay {
 public:
  explicit TcpRelay(uint16_t target_port) : target_port_(target_port) {
    uint16_t port = 0;
    listen_fd_ = listen_on_loopback(16, &port);
    if (listen_fd_ < 0) return;
    port_ = port;
    thread_ = std::thread([this] { run(); });
  }
  ~TcpRelay() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (const Pair& p : pairs_)
      for (int fd : {p.client, p.server})
        if (fd >= 0) ::close(fd);
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  uint16_t port() const { return port_; }
  // Closes the client side of every relayed connection; the server sides stay open, unread.
  void cut() {
    std::lock_guard<std::mutex> lock(mu_);
    for (Pair& p : pairs_) {
      if (p.client >= 0) ::close(p.client);
      p.client = -1;
    }
  }

 private:
  struct Pair {
    int client;
    int server;
  };

  void run() {
    while (!stop_) {
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      std::vector<std::pair<size_t, bool>> owners;  // (pair, from client)
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (size_t i = 0; i < pairs_.size(); ++i) {
          if (pairs_[i].client < 0) continue;  // cut: the server side is left alone
          fds.push_back({pairs_[i].client, POLLIN, 0});
          owners.emplace_back(i, true);
          fds.push_back({pairs_[i].server, POLLIN, 0});
          owners.emplace_back(i, false);
        }
      }
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) accept_one();
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t k = 1; k < fds.size(); ++k) {
        if (fds[k].revents == 0) continue;
        Pair& p = pairs_[owners[k - 1].first];
        if (p.client < 0) continue;
        const int from = owners[k - 1].second ? p.client : p.server;
        const int to = owners[k - 1].second ? p.server : p.client;
        char buf[16384];
        ssize_t n = ::recv(from, buf, sizeof buf, 0);
        if (n <= 0) {  // either side ended: end both, as a working network would pass on
          ::close(p.client);
          ::close(p.server);
          p.client = p.server = -1;
          continue;
        }
        for (ssize_t sent = 0; sent < n;) {
          ssize_t w = ::send(to, buf + sent, size_t(n - sent), MSG_NOSIGNAL);
          if (w <= 0) break;
          sent += w;
        }
      }
    }
  }

  void accept_one() {
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) return;
    int server = connect_to_loopback(target_port_);
    if (server < 0) {
      ::close(client);
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    pairs_.push_back({client, server});
  }

  uint16_t target_port_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Pair> pairs_;
  std::thread thread_;
};

}  // namespace sb::test
