// Test support: a man in the middle for the end-to-end tests. It listens on 127.0.0.1 (port chosen
// by the kernel), forwards each client connection to the server, records every byte in both
// directions, and on request tampers with the FROM frames on their way to one node: flips a byte,
// truncates the payload, swaps the source, replays the last frame, or hands over a copy of a frame
// another node got. It knows just enough protocol for that: a connection's node is the id of its
// first line (HELLO), and server-to-client bytes are cut into lines and whole FROM frames, so
// whatever it injects or rewrites keeps the framing intact. One thread; header-only.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback.h"

namespace sb::test {

class TcpProxy {
 public:
  enum class Tamper { flip_byte, truncate, swap_source };

  explicit TcpProxy(uint16_t server_port) : server_port_(server_port) {
    uint16_t port = 0;
    listen_fd_ = listen_on_loopback(64, &port, SOCK_NONBLOCK);
    if (listen_fd_ < 0 || ::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) return;
    port_ = port;
    thread_ = std::thread([this] { run(); });
  }
  ~TcpProxy() {
    stop_ = true;
    wake();
    if (thread_.joinable()) thread_.join();
    for (auto& p : pairs_) p->close_both();
    for (int fd : {listen_fd_, wake_[0], wake_[1]})
      if (fd >= 0) ::close(fd);
  }
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  bool ok() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  std::string port_text() const { return std::to_string(port_); }

  // Every byte so far, all connections together: clients to server, and server to clients (as the
  // server sent them, before any tampering).
  std::string upstream() const {
    std::lock_guard<std::mutex> lock(mu_);
    return upstream_;
  }
  std::string downstream() const {
    std::lock_guard<std::mutex> lock(mu_);
    return downstream_;
  }

  // The next FROM frame on its way to node `to` is changed: a byte in the middle of its payload
  // flipped, its payload cut to half (the length in the header follows), or its source replaced
  // by `arg`.
  void tamper_next(const std::string& to, Tamper t, const std::string& arg = {}) {
    std::lock_guard<std::mutex> lock(mu_);
    tampers_[to] = {t, arg};
  }
  // FROM frames delivered to node `to` so far (tampered and injected ones included).
  size_t frames_to(const std::string& to) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = counts_.find(to);
    return it == counts_.end() ? 0 : it->second;
  }
  // Delivers to `to` another copy of the last FROM frame that `of` received (of == to: a replay).
  // False if `of` got none yet or `to` has no connection.
  bool deliver_copy(const std::string& of, const std::string& to) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = last_frame_.find(of);
      if (it == last_frame_.end()) return false;
      injections_.push_back({to, it->second});
    }
    wake();
    return true;
  }
  bool replay_last(const std::string& to) { return deliver_copy(to, to); }

 private:
  struct Direction {
    int from = -1, to = -1;
    std::string pending;  // bytes read, not yet written on
    bool eof = false;     // `from` is done; shut `to` down once pending is written
    bool shut = false;
  };
  struct Pair {
    Direction up, down;  // client -> server, server -> client
    std::string node;    // from the client's first line
    std::string first_line;
    std::string down_in;  // server bytes not yet cut into whole units
    bool dead = false;
    void close_both() {
      if (up.from >= 0) ::close(up.from);
      if (down.from >= 0) ::close(down.from);
      up.from = up.to = down.from = down.to = -1;
    }
  };
  struct Pending {
    Tamper tamper;
    std::string arg;
  };
  struct Injection {
    std::string to, frame;
  };

  void wake() {
    if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
  }

  void accept_one() {
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) return;
    const int server = connect_to_loopback(server_port_);
    if (server < 0) {
      ::close(client);
      return;
    }
    ::fcntl(server, F_SETFL, ::fcntl(server, F_GETFL) | O_NONBLOCK);
    int one = 1;
    ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto p = std::make_unique<Pair>();
    p->up.from = p->down.to = client;
    p->up.to = p->down.from = server;
    pairs_.push_back(std::move(p));
  }

  // Reads what `d.from` has; false when the connection is to be torn down.
  bool read_side(Pair& p, bool upstream) {
    Direction& d = upstream ? p.up : p.down;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(d.from, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (n <= 0) {
        d.eof = true;
        return n == 0;
      }
      const std::string_view got(buf, static_cast<size_t>(n));
      {
        std::lock_guard<std::mutex> lock(mu_);
        (upstream ? upstream_ : downstream_).append(got);
      }
      if (upstream) {
        if (p.node.empty()) learn_node(p, got);
        d.pending.append(got);
      } else {
        p.down_in.append(got);
        cut_units(p);
      }
    }
  }

  void learn_node(Pair& p, std::string_view got) {
    p.first_line.append(got.substr(0, got.find('\n')));
    if (got.find('\n') == std::string_view::npos) return;
    // "HELLO <id> [token]"
    const std::string& line = p.first_line;
    if (line.rfind("HELLO ", 0) != 0) return;
    const size_t end = line.find(' ', 6);
    p.node = line.substr(6, end == std::string::npos ? std::string::npos : end - 6);
  }

  // Moves whole lines and FROM frames from down_in to the client's pending bytes, tampering with
  // FROM frames as asked.
  void cut_units(Pair& p) {
    for (;;) {
      const size_t nl = p.down_in.find('\n');
      if (nl == std::string::npos) return;
      std::string header = p.down_in.substr(0, nl);
      if (header.rfind("FROM ", 0) != 0) {
        p.down.pending.append(p.down_in, 0, nl + 1);
        p.down_in.erase(0, nl + 1);
        continue;
      }
      const size_t sp1 = header.find(' ', 5);
      const size_t sp2 = sp1 == std::string::npos ? std::string::npos : header.find(' ', sp1 + 1);
      const size_t len = std::stoull(header.substr(sp1 + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp1 - 1));
      if (p.down_in.size() < nl + 1 + len + 1) return;  // the frame is not complete yet
      std::string payload = p.down_in.substr(nl + 1, len);
      p.down_in.erase(0, nl + 1 + len + 1);
      deliver(p, header, payload);
    }
  }

  void deliver(Pair& p, std::string header, std::string payload) {
    std::lock_guard<std::mutex> lock(mu_);
    last_frame_[p.node] = header + "\n" + payload + "\n";
    if (auto it = tampers_.find(p.node); it != tampers_.end()) {
      const size_t sp1 = header.find(' ', 5);
      switch (it->second.tamper) {
        case Tamper::flip_byte:
          if (!payload.empty()) payload[payload.size() / 2] = static_cast<char>(payload[payload.size() / 2] ^ 0x20);
          break;
        case Tamper::truncate:
          payload.resize(payload.size() / 2);
          break;
        case Tamper::swap_source:
          header = "FROM " + it->second.arg + header.substr(sp1);
          break;
      }
      // The length token follows the (possibly new) source: rewrite it for the payload's size.
      const size_t s1 = header.find(' ', 5), s2 = header.find(' ', s1 + 1);
      header = header.substr(0, s1 + 1) + std::to_string(payload.size()) +
               (s2 == std::string::npos ? std::string() : header.substr(s2));
      tampers_.erase(it);
    }
    p.down.pending += header + "\n" + payload + "\n";
    ++counts_[p.node];
  }

  void run_injections() {
    std::vector<Injection> todo;
    {
      std::lock_guard<std::mutex> lock(mu_);
      todo.swap(injections_);
    }
    for (Injection& inj : todo) {
      for (auto it = pairs_.rbegin(); it != pairs_.rend(); ++it) {
        Pair& p = **it;
        if (p.dead || p.node != inj.to) continue;
        p.down.pending += inj.frame;
        std::lock_guard<std::mutex> lock(mu_);
        ++counts_[p.node];
        break;
      }
    }
  }

  // Writes what is pending; shuts the far side once the near side ended and all is written.
  bool flush(Direction& d) {
    while (!d.pending.empty()) {
      const ssize_t n = ::send(d.to, d.pending.data(), d.pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (n <= 0) return false;
      d.pending.erase(0, static_cast<size_t>(n));
    }
    if (d.eof && !d.shut) {
      ::shutdown(d.to, SHUT_WR);
      d.shut = true;
    }
    return true;
  }

  void run() {
    while (!stop_) {
      run_injections();
      std::vector<pollfd> fds = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      std::vector<std::pair<Pair*, bool>> owners;  // pair, upstream side
      for (auto& p : pairs_) {
        if (p->dead) continue;
        for (bool upstream : {true, false}) {
          Direction& d = upstream ? p->up : p->down;
          short events = static_cast<short>((d.eof ? 0 : POLLIN) | (d.pending.empty() ? 0 : POLLOUT));
          // POLLOUT is about d.to; POLLIN about d.from: poll them as two entries.
          fds.push_back({d.from, static_cast<short>(events & POLLIN), 0});
          owners.push_back({p.get(), upstream});
          fds.push_back({d.to, static_cast<short>(events & POLLOUT), 0});
          owners.push_back({p.get(), upstream});
        }
      }
      if (::poll(fds.data(), fds.size(), 50) < 0 && errno != EINTR) return;
      if (fds[0].revents & POLLIN) accept_one();
      if (fds[1].revents & POLLIN) {
        char buf[64];
        while (::read(wake_[0], buf, sizeof buf) > 0) {
        }
      }
      for (size_t i = 2; i < fds.size(); ++i) {
        Pair& p = *owners[i - 2].first;
        const bool upstream = owners[i - 2].second;
        if (p.dead || fds[i].revents == 0) continue;
        const bool from_entry = (i % 2) == 0;
        if (from_entry && !(upstream ? p.up : p.down).eof && !read_side(p, upstream)) p.dead = true;
      }
      for (auto& p : pairs_) {
        if (p->dead) continue;
        if (!flush(p->up) || !flush(p->down) || (p->up.shut && p->down.shut)) p->dead = true;
      }
      for (auto& p : pairs_) {
        if (p->dead) p->close_both();
      }
    }
  }

  uint16_t server_port_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::unique_ptr<Pair>> pairs_;  // the proxy thread's only

  mutable std::mutex mu_;  // guards what the test thread reads or asks for
  std::string upstream_, downstream_;
  std::map<std::string, Pending> tampers_;
  std::map<std::string, std::string> last_frame_;
  std::map<std::string, size_t> counts_;
  std::vector<Injection> injections_;
};

}  // namespace sb::test
