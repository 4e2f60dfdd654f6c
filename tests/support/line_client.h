// Test support: a deliberately simple loopback client for integration tests. It speaks protocol v1
// by hand (lines and FROM frames) so the tests check the server against the spec, not against the
// project's own parser. Every read takes a deadline; failures come back as readable values
// ("<timeout>", "<eof>") so an EXPECT_EQ on a reply prints what really happened.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/escape.h"
#include "tests/support/loopback.h"
#include "tests/support/process.h"

namespace sb::test {

inline constexpr std::string_view kTimeout = "<timeout>";
inline constexpr std::string_view kEof = "<eof>";

// One routed message as a client receives it: "FROM <source> <len>[ <via>]\n<payload>\n" (the via
// token, protocol v2, names the group or pattern the message came through).
struct FromFrame {
  std::string source;
  std::string payload;
  std::string via;    // empty for direct messages and broadcast
  std::string error;  // empty when the frame was read and well formed
  bool ok() const { return error.empty(); }
};

inline std::ostream& operator<<(std::ostream& os, const FromFrame& f) {
  if (!f.ok()) return os << "FromFrame{error: " << f.error << "}";
  return os << "FromFrame{" << f.source << (f.via.empty() ? "" : " via " + f.via) << ", " << f.payload.size()
            << " bytes}";
}

class LineClient {
 public:
  // Connects to 127.0.0.1:port. `rcvbuf`/`sndbuf` > 0 shrink the socket buffers before connecting
  // (a small receive buffer makes a non-reading client fill the server's queue quickly).
  explicit LineClient(uint16_t port, int rcvbuf = 0, int sndbuf = 0) {
    const sockaddr_in remote = loopback_address(port);
    open(AF_INET, nullptr, reinterpret_cast<const sockaddr*>(&remote), sizeof remote, rcvbuf, sndbuf);
  }
  // Connects from the chosen source address `source` (127.0.0.x, or an IPv6 address with
  // `family` AF_INET6) to the loopback address of that family, ::1 for IPv6.
  LineClient(const char* source, uint16_t port, int family = AF_INET) {
    sockaddr_storage local{}, remote{};
    socklen_t len;
    if (family == AF_INET) {
      auto* l = reinterpret_cast<sockaddr_in*>(&local);
      auto* r = reinterpret_cast<sockaddr_in*>(&remote);
      *r = loopback_address(port);
      l->sin_family = AF_INET;
      inet_pton(AF_INET, source, &l->sin_addr);
      len = sizeof(sockaddr_in);
    } else {
      auto* l = reinterpret_cast<sockaddr_in6*>(&local);
      auto* r = reinterpret_cast<sockaddr_in6*>(&remote);
      l->sin6_family = r->sin6_family = AF_INET6;
      inet_pton(AF_INET6, source, &l->sin6_addr);
      r->sin6_addr = in6addr_loopback;
      r->sin6_port = htons(port);
      len = sizeof(sockaddr_in6);
    }
    open(family, reinterpret_cast<const sockaddr*>(&local), reinterpret_cast<const sockaddr*>(&remote), len, 0, 0);
  }
  ~LineClient() { close(); }
  LineClient(const LineClient&) = delete;
  LineClient& operator=(const LineClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  int fd() const { return fd_; }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // Closes with an RST instead of a FIN (SO_LINGER 0): the abrupt disconnect.
  void reset() {
    if (fd_ < 0) return;
    linger lg{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close();
  }
  // Half-close: the server sees EOF on input but may still write to us.
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  // ---------------------------------------------------------------------------------------------
  // Sending

  // Writes all of `data`, waiting for room as needed. False on error or timeout.
  bool send_all(std::string_view data, milliseconds timeout = kDefaultWait) {
    const auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
      if (!wait_fd(POLLOUT, deadline)) return false;
    }
    return true;
  }
  bool send_line(std::string_view line, milliseconds timeout = kDefaultWait) {
    return send_all(std::string(line) + "\n", timeout);
  }
  // Writes what the socket accepts right now: bytes written (0 when full), or -1 on error.
  ssize_t send_some(std::string_view data) {
    ssize_t n;
    do {
      n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    return n;
  }
  // Waits until the socket accepts more bytes; false if it stayed full for `timeout`.
  bool wait_writable(milliseconds timeout) { return wait_fd(POLLOUT, Clock::now() + timeout); }

  // ---------------------------------------------------------------------------------------------
  // Receiving

  // The next line without its "\n" (a "\r" before it is kept: the server never sends one), or
  // kTimeout / kEof / "<error: ...>".
  std::string read_line(milliseconds timeout = kDefaultWait) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        std::string line = buf_.substr(pos_, nl - pos_);
        pos_ = nl + 1;
        compact();
        return line;
      }
      std::string status = fill(deadline);
      if (!status.empty()) return status;
    }
  }

  // Exactly `n` bytes, or fewer if the stream ended or the deadline passed.
  std::string read_exact(size_t n, milliseconds timeout = kDefaultWait) {
    const auto deadline = Clock::now() + timeout;
    while (buf_.size() - pos_ < n) {
      if (!fill(deadline).empty()) break;
    }
    size_t take = std::min(n, buf_.size() - pos_);
    std::string out = buf_.substr(pos_, take);
    pos_ += take;
    compact();
    return out;
  }

  // A "FROM <source> <len>[ <via>]\n<payload>\n" frame.
  FromFrame read_frame(milliseconds timeout = kDefaultWait) {
    const auto deadline = Clock::now() + timeout;
    FromFrame f;
    std::string line = read_line(remaining(deadline));
    // "FROM" SP source SP len [SP via]: the source is a node id and the via a target, so neither
    // holds a space.
    size_t sp1 = line.find(' '), sp2 = line.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
    size_t sp3 = sp2 == std::string::npos ? std::string::npos : line.find(' ', sp2 + 1);
    if (line.rfind("FROM ", 0) != 0 || sp2 == std::string::npos ||
        (sp3 != std::string::npos && (sp3 + 1 == line.size() || line.find(' ', sp3 + 1) != std::string::npos))) {
      f.error = "expected 'FROM <source> <len>[ <via>]', got '" + escape_bytes(line) + "'";
      return f;
    }
    f.source = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (sp3 != std::string::npos) f.via = line.substr(sp3 + 1);
    std::string len_text = line.substr(sp2 + 1, sp3 == std::string::npos ? std::string::npos : sp3 - sp2 - 1);
    if (len_text.empty() || len_text.find_first_not_of("0123456789") != std::string::npos) {
      f.error = "bad length in '" + escape_bytes(line) + "'";
      return f;
    }
    size_t len = std::stoull(len_text);
    f.payload = read_exact(len, remaining(deadline));
    if (f.payload.size() != len) {
      f.error = "payload cut short: " + std::to_string(f.payload.size()) + " of " + std::to_string(len) + " bytes";
      return f;
    }
    std::string term = read_exact(1, remaining(deadline));
    if (term != "\n") f.error = "payload not followed by '\\n' but '" + escape_bytes(term) + "'";
    return f;
  }

  // Reads everything up to end of stream; true if the stream ended (FIN or RST) before the
  // deadline. The bytes that came first are stored in *before (if given).
  bool read_until_eof(std::string* before = nullptr, milliseconds timeout = kDefaultWait) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      std::string status = fill(deadline);
      if (status == kEof || status.rfind("<error", 0) == 0) break;
      if (status == kTimeout) {
        if (before != nullptr) *before = buf_.substr(pos_);
        return false;
      }
    }
    if (before != nullptr) *before = buf_.substr(pos_);
    pos_ = 0;
    buf_.clear();
    return true;
  }

  // The stream ends with nothing more to read.
  bool expect_eof(milliseconds timeout = kDefaultWait) {
    std::string rest;
    return read_until_eof(&rest, timeout) && rest.empty();
  }

  // Bytes received and not yet consumed by a read_* call.
  size_t buffered() const { return buf_.size() - pos_; }

  // ---------------------------------------------------------------------------------------------
  // Conveniences

  // Sends `line` and returns the next line received.
  std::string request(std::string_view line, milliseconds timeout = kDefaultWait) {
    if (!send_line(line, timeout)) return "<send failed>";
    return read_line(timeout);
  }
  // "HELLO id"; returns the reply ("WELCOME id 60" on success).
  std::string hello(std::string_view id, milliseconds timeout = kDefaultWait) {
    return request("HELLO " + std::string(id), timeout);
  }
  // The SEND frame for `payload`, to be sent with send_all.
  static std::string send_frame(std::string_view target, std::string_view payload) {
    std::string out = "SEND " + std::string(target) + " " + std::to_string(payload.size()) + "\n";
    out.append(payload);
    out += '\n';
    return out;
  }

 private:
  // The socket, bound to `local` if given, connected to `remote`, then non-blocking.
  void open(int family, const sockaddr* local, const sockaddr* remote, socklen_t len, int rcvbuf, int sndbuf) {
    fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      error_ = std::string("socket: ") + std::strerror(errno);
      return;
    }
    if (rcvbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (sndbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    if (local != nullptr && ::bind(fd_, local, len) != 0) {
      error_ = std::string("bind: ") + std::strerror(errno);
      close();
      return;
    }
    int rc;
    do {
      rc = ::connect(fd_, remote, len);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      error_ = std::string("connect: ") + std::strerror(errno);
      close();
      return;
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }

  static milliseconds remaining(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? left : milliseconds(0);
  }

  bool wait_fd(short events, Clock::time_point deadline) {
    for (;;) {
      auto left = remaining(deadline).count();
      pollfd p{fd_, events, 0};
      int r = ::poll(&p, 1, static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      return r > 0;
    }
  }

  // Reads once into the buffer, waiting until `deadline`; "" when bytes arrived, else the status.
  std::string fill(Clock::time_point deadline) {
    if (fd_ < 0) return "<error: not connected>";
    for (;;) {
      char chunk[64 * 1024];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        buf_.append(chunk, static_cast<size_t>(n));
        return {};
      }
      if (n == 0) return std::string(kEof);
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) return std::string(kEof);  // the server closed with data unread
      if (errno != EAGAIN && errno != EWOULDBLOCK) return std::string("<error: ") + std::strerror(errno) + ">";
      if (!wait_fd(POLLIN, deadline)) return std::string(kTimeout);
    }
  }

  void compact() {
    if (pos_ > 64 * 1024 && pos_ * 2 > buf_.size()) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
  }

  int fd_ = -1;
  std::string error_;
  std::string buf_;
  size_t pos_ = 0;
};

// Registered clients kept open together for one test: add() connects, says HELLO and expects the
// WELCOME with the default idle timeout. The clients live as long as the Nodes.
class Nodes {
 public:
  // `port`: the server add() connects to; add_at() names another one (a cluster's).
  explicit Nodes(uint16_t port = 0) : port_(port) {}
  // `rcvbuf`/`sndbuf` as for LineClient.
  LineClient& add(const std::string& id, int rcvbuf = 0, int sndbuf = 0) { return add_at(port_, id, rcvbuf, sndbuf); }
  LineClient& add_at(uint16_t port, const std::string& id, int rcvbuf = 0, int sndbuf = 0) {
    clients_.push_back(std::make_unique<LineClient>(port, rcvbuf, sndbuf));
    EXPECT_EQ(clients_.back()->hello(id), "WELCOME " + id + " 60");
    return *clients_.back();
  }

 private:
  uint16_t port_;
  std::vector<std::unique_ptr<LineClient>> clients_;
};

// The key=value pairs of a STATS reply (empty if the line is not one).
inline std::map<std::string, uint64_t> parse_stats(std::string_view line) {
  return line.rfind("STATS", 0) == 0 ? parse_kv(line) : std::map<std::string, uint64_t>{};
}

// Asks `c` for STATS and parses the reply.
inline std::map<std::string, uint64_t> stats_of(LineClient& c) { return parse_stats(c.request("STATS")); }

using Stats = std::map<std::string, uint64_t>;

// The balance every STATS reply must satisfy, and the unicast one when nothing is queued.
inline void expect_balanced(Stats s, uint64_t broadcast_extra_copies = 0) {
  EXPECT_EQ(s["copies"], s["msgs_out"] + s["dropped"] + s["queued"]);
  EXPECT_EQ(s["queued"], 0u);
  EXPECT_EQ(s["msgs_in"] - s["rejected"] + broadcast_extra_copies, s["copies"]);
  if (broadcast_extra_copies == 0) {
    EXPECT_EQ(s["msgs_in"], s["msgs_out"] + s["dropped"] + s["rejected"]);
  }
}

// The counters a failure message needs, on one line.
inline std::string stats_text(Stats s) {
  std::string out;
  for (const char* k : {"msgs_in", "msgs_out", "dropped", "rejected", "copies", "queued", "evicted_idle",
                        "evicted_slow", "blocked", "accepted", "refused", "log_dropped"})
    out += std::string(k) + "=" + std::to_string(s[k]) + " ";
  return out;
}

// Asserts the connection is still usable: a PING gets its PONG as the very next line.
inline void expect_usable(LineClient& c, const std::string& word = "alive") {
  EXPECT_EQ(c.request("PING " + word), "PONG " + word);
}

// The next frame `c` reads is well formed, from `source`, and carries `payload` (its via token is
// not looked at).
inline ::testing::AssertionResult next_frame_is(LineClient& c, std::string_view source, std::string_view payload) {
  FromFrame f = c.read_frame();
  if (f.ok() && f.source == source && f.payload == payload) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected a FROM " << source << " carrying '" << escape_bytes(payload)
                                       << "', got " << f << (f.ok() ? " '" + escape_bytes(f.payload) + "'" : "");
}

// `line` gets `reply`, and the connection stays usable after it (an error costs nothing more).
inline void expect_reply_then_usable(LineClient& c, const std::string& line, const std::string& reply) {
  SCOPED_TRACE("for: " + escape_bytes(line));
  EXPECT_EQ(c.request(line), reply);
  expect_usable(c);
}

}  // namespace sb::test
