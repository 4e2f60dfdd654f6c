// Test support for the adversarial integration tests: a forked helper process ("Adversary") that
// holds, floods or starves thousands of connections on command, plus a lowered descriptor limit
// to start the server with and a test-side reader of its output stream (the /proc probes of the
// server process are in tests/support/process_probes.h). Header-only, like the other helpers.
//
// Why a separate process: the tests need more sockets than one process may own (the limit here is
// 20,000 per process and cannot be raised), they need the connecting side to run on the other core
// while the test thread measures, and a crashed helper must not take the test binary with it.
#pragma once

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/process_probes.h"
#include "tests/support/sanitizers.h"  // kSanitized: sanitizer builds run the scenarios at smaller sizes

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace sb::test {

// Lowers this process's soft descriptor limit for its lifetime, so a server started meanwhile
// inherits the lower limit (the server sizes its slab from RLIMIT_NOFILE at start and meets
// EMFILE at that limit). The test process's own descriptors stay valid; restored on destruction.
class ScopedFdLimit {
 public:
  explicit ScopedFdLimit(rlim_t soft) {
    ok_ = getrlimit(RLIMIT_NOFILE, &saved_) == 0;
    if (!ok_) return;
    rlimit lowered = saved_;
    lowered.rlim_cur = std::min<rlim_t>(soft, saved_.rlim_max);
    ok_ = setrlimit(RLIMIT_NOFILE, &lowered) == 0;
  }
  ~ScopedFdLimit() {
    if (ok_) setrlimit(RLIMIT_NOFILE, &saved_);
  }
  ScopedFdLimit(const ScopedFdLimit&) = delete;
  ScopedFdLimit& operator=(const ScopedFdLimit&) = delete;
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

inline uint64_t median_us(std::vector<uint64_t> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// ---------------------------------------------------------------------------------------------
// The server's output stream split into lines and FROM frames, for tests that multiplex many
// non-blocking sockets and so cannot use LineClient's blocking reads.

struct ServerEvent {
  bool is_frame = false;
  std::string text;     // the line (without "\n"), or the frame's source
  std::string payload;  // frames only
};

class ServerStream {
 public:
  void feed(const char* data, size_t n) { buf_.append(data, n); }
  // The next complete event; false when more bytes are needed (or the stream is malformed:
  // then malformed() is true).
  bool next(ServerEvent* ev) {
    if (malformed_) return false;
    size_t nl = buf_.find('\n', pos_);
    if (nl == std::string::npos) return false;
    std::string_view line(buf_.data() + pos_, nl - pos_);
    if (line.rfind("FROM ", 0) != 0) {
      ev->is_frame = false;
      ev->text.assign(line);
      ev->payload.clear();
      pos_ = nl + 1;
      compact();
      return true;
    }
    size_t sp = line.find(' ', 5);
    if (sp == std::string_view::npos) {
      malformed_ = true;
      return false;
    }
    std::string len_text(line.substr(sp + 1));
    if (len_text.empty() || len_text.find_first_not_of("0123456789") != std::string::npos) {
      malformed_ = true;
      return false;
    }
    size_t len = std::stoull(len_text);
    if (buf_.size() - (nl + 1) < len + 1) return false;
    if (buf_[nl + 1 + len] != '\n') {
      malformed_ = true;
      return false;
    }
    ev->is_frame = true;
    ev->text.assign(line.substr(5, sp - 5));
    ev->payload.assign(buf_, nl + 1, len);
    pos_ = nl + 1 + len + 1;
    compact();
    return true;
  }
  bool malformed() const { return malformed_; }
  size_t leftover() const { return buf_.size() - pos_; }

 private:
  void compact() {
    if (pos_ > 4096 && pos_ * 2 > buf_.size()) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
  }
  std::string buf_;
  size_t pos_ = 0;
  bool malformed_ = false;
};

// ---------------------------------------------------------------------------------------------
// Raw sockets.

namespace adversary_detail {

// A non-blocking TCP socket from 127.0.0.<source> (1..254) with its connect to 127.0.0.1:port
// started. Spreading sources keeps tens of thousands of short connections from exhausting the
// ephemeral ports of one address pair (TIME_WAIT). -1 on failure.
inline int start_connect(uint16_t port, int source) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  src.sin_addr.s_addr = htonl(0x7f000000u | uint32_t(source & 0xff));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
    ::close(fd);
    return -1;
  }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port);
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline void reset_close(int fd) {
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(fd);
}

inline bool send_nb(int fd, std::string_view s) {
  ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  return n == static_cast<ssize_t>(s.size());
}

inline int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(Clock::now().time_since_epoch()).count();
}

// What became of one connection that asked to be served.
enum class Outcome { pending, welcome, full, eof, other, connect_failed, hung };

// One connection from connect to its first reply line (or end of stream).
struct Probe {
  int fd = -1;
  bool connected = false;
  std::string greeting;  // sent once connected ("" sends nothing)
  std::string in;
  std::string first_line;
  Outcome outcome = Outcome::pending;
};

// Advances every pending probe until it has an outcome or `deadline_ms` passes (then: hung).
// `expect_line` false: a connected probe is done as soon as the connect completed.
inline void resolve(std::vector<Probe*>& probes, int64_t deadline_ms, bool expect_line = true) {
  std::vector<pollfd> pfds;
  std::vector<Probe*> live;
  for (;;) {
    pfds.clear();
    live.clear();
    for (Probe* p : probes) {
      if (p->outcome != Outcome::pending) continue;
      pfds.push_back(pollfd{p->fd, short(p->connected ? POLLIN : POLLOUT), 0});
      live.push_back(p);
    }
    if (live.empty()) return;
    int64_t left = deadline_ms - now_ms();
    if (left <= 0) {
      for (Probe* p : live) p->outcome = p->connected ? Outcome::hung : Outcome::connect_failed;
      return;
    }
    int r = ::poll(pfds.data(), pfds.size(), int(std::min<int64_t>(left, 100)));
    if (r <= 0) continue;
    for (size_t i = 0; i < live.size(); ++i) {
      Probe* p = live[i];
      if (pfds[i].revents == 0) continue;
      if (!p->connected) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          p->outcome = Outcome::connect_failed;
          continue;
        }
        p->connected = true;
        if (!p->greeting.empty()) send_nb(p->fd, p->greeting);  // failure shows up as EOF/RST
        if (!expect_line) p->outcome = Outcome::welcome;
        continue;
      }
      char buf[4096];
      ssize_t n = ::recv(p->fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        p->in.append(buf, size_t(n));
        size_t nl = p->in.find('\n');
        if (nl != std::string::npos) {
          p->first_line = p->in.substr(0, nl);
          p->in.erase(0, nl + 1);
          if (p->first_line.rfind("WELCOME ", 0) == 0) {
            p->outcome = Outcome::welcome;
          } else if (p->first_line.rfind("ERR server-full", 0) == 0) {
            p->outcome = Outcome::full;
          } else {
            p->outcome = Outcome::other;
          }
        }
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        p->outcome = Outcome::eof;  // FIN, or RST (the refusing close may destroy the ERR line)
      }
    }
  }
}

struct OutcomeCounts {
  long welcome = 0, full = 0, eof = 0, other = 0, connect_failed = 0, hung = 0;
  void add(Outcome o) {
    switch (o) {
      case Outcome::welcome: ++welcome; break;
      case Outcome::full: ++full; break;
      case Outcome::eof: ++eof; break;
      case Outcome::other: ++other; break;
      case Outcome::connect_failed: ++connect_failed; break;
      case Outcome::hung: case Outcome::pending: ++hung; break;
    }
  }
  std::string text() const {
    return "welcome=" + std::to_string(welcome) + " full=" + std::to_string(full) + " eof=" + std::to_string(eof) +
           " other=" + std::to_string(other) + " connect_failed=" + std::to_string(connect_failed) +
           " hung=" + std::to_string(hung);
  }
};

// The helper process: reads one command line at a time from `cmd_fd`, answers on `reply_fd`.
class AdversaryChild {
 public:
  AdversaryChild(uint16_t port, int first_source, int cmd_fd, int reply_fd)
      : port_(port), source_(first_source), cmd_fd_(cmd_fd), reply_fd_(reply_fd) {}

  [[noreturn]] void run() {
    std::string pending;
    for (;;) {
      size_t nl;
      while ((nl = pending.find('\n')) == std::string::npos) {
        char buf[512];
        ssize_t n = ::read(cmd_fd_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) _exit(0);  // the test went away
        pending.append(buf, size_t(n));
      }
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      std::vector<std::string> a = split(line);
      if (a.empty()) continue;
      if (a[0] == "quit") {
        for (const Held& h : held_) ::close(h.fd);
        reply("bye");
        _exit(0);
      }
      reply(execute(a));
    }
  }

 private:
  struct Held {
    int fd;
    std::string id;
    std::string in;  // bytes after WELCOME not yet consumed
  };

  static std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < s.size()) {
      size_t end = s.find(' ', pos);
      if (end == std::string::npos) end = s.size();
      if (end > pos) out.push_back(s.substr(pos, end - pos));
      pos = end + 1;
    }
    return out;
  }

  void reply(const std::string& text) {
    std::string out = text + "\n";
    const char* p = out.data();
    size_t left = out.size();
    while (left > 0) {
      ssize_t n = ::write(reply_fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) _exit(1);
      p += n;
      left -= size_t(n);
    }
  }

  int next_source() {
    int s = source_;
    source_ = source_ >= 250 ? 2 : source_ + 1;
    return s;
  }

  std::string execute(const std::vector<std::string>& a) {
    auto num = [&](size_t i, long dflt) { return i < a.size() ? std::strtol(a[i].c_str(), nullptr, 10) : dflt; };
    if (a[0] == "open") return open(num(1, 0), a.size() > 2 ? a[2] : "n-");
    if (a[0] == "attempt") return attempt(num(1, 1000), num(2, 1), num(3, 0));
    if (a[0] == "ping") return ping();
    if (a[0] == "msg" && a.size() >= 4) return msg(size_t(num(1, 0)), a[2], a[3]);
    if (a[0] == "recv") return recv_frame(size_t(num(1, 0)), num(2, 5000));
    if (a[0] == "close") return close_some(size_t(num(1, 0)));
    if (a[0] == "slowloris") return slowloris(num(1, 0), num(2, 500), num(3, 20000));
    if (a[0] == "flood") return flood(num(1, 0), uint64_t(num(2, 1)));
    return "error unknown-command " + a[0];
  }

  // "open N PREFIX": N connections that each send "HELLO <PREFIX><i>"; those welcomed are held.
  std::string open(long count, const std::string& prefix) {
    std::vector<Probe> probes(size_t(std::max(0L, count)));
    OutcomeCounts counts;
    const size_t kOutstanding = 512;  // below the listen backlog, so no SYN is ever dropped
    const int64_t deadline = now_ms() + 60000;
    size_t started = 0;
    std::vector<Probe*> batch;
    while (started < probes.size()) {
      batch.clear();
      for (; started < probes.size() && batch.size() < kOutstanding; ++started) {
        Probe& p = probes[started];
        p.greeting = "HELLO " + prefix + std::to_string(held_.size() + started) + "\n";
        p.fd = start_connect(port_, next_source());
        if (p.fd < 0) {
          p.outcome = Outcome::connect_failed;
          continue;
        }
        batch.push_back(&p);
      }
      resolve(batch, deadline);
    }
    const size_t base = held_.size();
    for (size_t i = 0; i < probes.size(); ++i) {
      Probe& p = probes[i];
      counts.add(p.outcome);
      if (p.outcome == Outcome::welcome) {
        held_.push_back(Held{p.fd, prefix + std::to_string(base + i), p.in});
      } else if (p.fd >= 0) {
        ::close(p.fd);
      }
    }
    return "opened " + counts.text() + " held=" + std::to_string(held_.size());
  }

  // "attempt MS CONC PAUSE_US": for MS milliseconds keep CONC connection attempts (HELLO) in
  // flight, each waited for to its first reply or close, pausing PAUSE_US between rounds.
  std::string attempt(long duration_ms, long concurrency, long pause_us) {
    OutcomeCounts counts;
    long n = 0;
    const int64_t end = now_ms() + duration_ms;
    while (now_ms() < end) {
      std::vector<Probe> probes(size_t(std::max(1L, concurrency)));
      std::vector<Probe*> batch;
      for (Probe& p : probes) {
        p.greeting = "HELLO late-" + std::to_string(n++) + "\n";
        p.fd = start_connect(port_, next_source());
        if (p.fd < 0) {
          p.outcome = Outcome::connect_failed;
          continue;
        }
        batch.push_back(&p);
      }
      resolve(batch, now_ms() + 10000);
      for (Probe& p : probes) {
        counts.add(p.outcome);
        if (p.fd >= 0) ::close(p.fd);
      }
      if (pause_us > 0) usleep(useconds_t(pause_us));
    }
    return "attempts n=" + std::to_string(n) + " " + counts.text();
  }

  // Reads held connection `h` until `pred` holds for its buffer or the deadline passes.
  template <typename Pred>
  bool read_until(Held& h, int64_t deadline, Pred pred) {
    for (;;) {
      if (pred(h.in)) return true;
      int64_t left = deadline - now_ms();
      if (left <= 0) return false;
      pollfd p{h.fd, POLLIN, 0};
      if (::poll(&p, 1, int(left)) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(h.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        h.in.append(buf, size_t(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        return pred(h.in);
      }
    }
  }

  // "ping": PING on every held connection (all written first, then all replies read).
  std::string ping() {
    long ok = 0, bad = 0;
    for (Held& h : held_) send_nb(h.fd, "PING herd\n");
    const int64_t deadline = now_ms() + 30000;
    for (Held& h : held_) {
      bool got = read_until(h, deadline, [](const std::string& in) { return in.find('\n') != std::string::npos; });
      size_t nl = h.in.find('\n');
      if (got && h.in.compare(0, nl, "PONG herd") == 0) {
        ++ok;
        h.in.erase(0, nl + 1);
      } else {
        ++bad;
      }
    }
    return "pong ok=" + std::to_string(ok) + " bad=" + std::to_string(bad);
  }

  // "msg I TARGET TEXT": held connection I sends "MSG TARGET TEXT".
  std::string msg(size_t index, const std::string& target, const std::string& text) {
    if (index >= held_.size()) return "error no-such-connection";
    return send_nb(held_[index].fd, "MSG " + target + " " + text + "\n") ? "sent from=" + held_[index].id
                                                                          : "error send";
  }

  // "recv I MS": the next FROM frame on held connection I, as "from SOURCE PAYLOAD".
  std::string recv_frame(size_t index, long timeout_ms) {
    if (index >= held_.size()) return "error no-such-connection";
    Held& h = held_[index];
    ServerStream s;
    ServerEvent ev;
    bool got = read_until(h, now_ms() + timeout_ms, [&](const std::string& in) {
      ServerStream probe;
      probe.feed(in.data(), in.size());
      return probe.next(&ev);
    });
    if (!got) return "none " + escape(h.in);
    s.feed(h.in.data(), h.in.size());
    s.next(&ev);
    h.in.erase(0, h.in.size() - s.leftover());
    if (!ev.is_frame) return "line " + escape(ev.text);
    return "from " + ev.text + " " + escape(ev.payload);
  }

  static std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) out += (c == '\n' || c == ' ') ? '_' : c;
    return out.empty() ? "-" : out;
  }

  // "close K": closes the K most recently opened held connections (a FIN, like a node leaving).
  std::string close_some(size_t k) {
    k = std::min(k, held_.size());
    for (size_t i = 0; i < k; ++i) {
      ::close(held_.back().fd);
      held_.pop_back();
    }
    return "closed n=" + std::to_string(k) + " held=" + std::to_string(held_.size());
  }

  // "slowloris N INTERVAL_MS DEADLINE_MS": N connections that never finish a line: each sends one
  // byte of "HELLO slowloris..." every INTERVAL_MS (staggered). Answers "connected" once all are
  // connected, then "slowloris ..." when every one was closed by the server or the deadline passed.
  std::string slowloris(long count, long interval_ms, long deadline_ms) {
    struct Slow {
      int fd = -1;
      int64_t next_send = 0;
      size_t sent = 0;
      std::string in;
      bool closed = false;
    };
    std::vector<Probe> probes(size_t(std::max(0L, count)));
    std::vector<Probe*> ptrs;
    for (Probe& p : probes) {
      p.fd = start_connect(port_, next_source());
      if (p.fd < 0) {
        p.outcome = Outcome::connect_failed;
        continue;
      }
      ptrs.push_back(&p);
    }
    resolve(ptrs, now_ms() + 30000, /*expect_line=*/false);
    std::vector<Slow> conns;
    long failed = 0;
    const int64_t start = now_ms();
    for (Probe& p : probes) {
      if (p.outcome != Outcome::welcome) {
        ++failed;
        if (p.fd >= 0) ::close(p.fd);
        continue;
      }
      Slow s;
      s.fd = p.fd;
      s.next_send = start + int64_t(conns.size()) * interval_ms / std::max(1L, count);
      conns.push_back(s);
    }
    reply("connected n=" + std::to_string(conns.size()) + " failed=" + std::to_string(failed));

    static constexpr std::string_view kDrip = "HELLO slowloris-never-ends-this-line ";
    const int64_t end = now_ms() + deadline_ms;
    long open_now = long(conns.size()), bytes = 0, send_errors = 0;
    int64_t first_close = 0, last_close = 0;
    std::vector<pollfd> pfds;
    std::vector<size_t> idx;
    while (open_now > 0 && now_ms() < end) {
      const int64_t now = now_ms();
      for (Slow& s : conns) {
        if (s.closed || now < s.next_send) continue;
        char byte = kDrip[s.sent % kDrip.size()];
        if (::send(s.fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) {
          ++bytes;
          ++s.sent;
        } else {
          ++send_errors;  // the server closed already; the read below sees the end
        }
        s.next_send += interval_ms;
      }
      pfds.clear();
      idx.clear();
      for (size_t i = 0; i < conns.size(); ++i) {
        if (conns[i].closed) continue;
        pfds.push_back(pollfd{conns[i].fd, POLLIN, 0});
        idx.push_back(i);
      }
      if (::poll(pfds.data(), pfds.size(), 10) <= 0) continue;
      for (size_t j = 0; j < pfds.size(); ++j) {
        if (pfds[j].revents == 0) continue;
        Slow& s = conns[idx[j]];
        char buf[512];
        ssize_t n = ::recv(s.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
          s.in.append(buf, size_t(n));
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          s.closed = true;
          --open_now;
          last_close = now_ms();
          if (first_close == 0) first_close = last_close;
          ::close(s.fd);
        }
      }
    }
    long line_ok = 0, other = 0;
    std::string example;
    for (Slow& s : conns) {
      if (s.in == "ERR idle-timeout handshake\n") {
        ++line_ok;
      } else {
        ++other;
        if (example.empty()) example = escape(s.in);
      }
      if (!s.closed) ::close(s.fd);
    }
    return "slowloris closed=" + std::to_string(long(conns.size()) - open_now) + " open=" + std::to_string(open_now) +
           " line_ok=" + std::to_string(line_ok) + " other=" + std::to_string(other) + " bytes=" +
           std::to_string(bytes) + " send_errors=" + std::to_string(send_errors) + " first_close_ms=" +
           std::to_string(first_close ? first_close - start : -1) + " last_close_ms=" +
           std::to_string(last_close ? last_close - start : -1) + " example=" + (example.empty() ? "-" : example);
  }

  // "flood N SEED": N connections opened and dropped as fast as possible, in five manners.
  std::string flood(long count, uint64_t seed) {
    std::mt19937_64 rng(seed);
    long kinds[5] = {0, 0, 0, 0, 0};
    long failed = 0, welcomed = 0;
    for (long i = 0; i < count; ++i) {
      const int kind = int(rng() % 5);
      Probe p;
      p.fd = start_connect(port_, next_source());
      if (p.fd < 0) {
        ++failed;
        continue;
      }
      std::vector<Probe*> one{&p};
      const std::string id = "fl" + std::to_string(seed) + "-" + std::to_string(i);
      switch (kind) {
        case 0:  // connect and close at once (often before the server even accepted)
          ::close(p.fd);
          break;
        case 1:  // connect and reset at once
          reset_close(p.fd);
          break;
        case 2:  // HELLO and close without reading the WELCOME
          p.greeting = "HELLO " + id + "\n";
          resolve(one, now_ms() + 10000, /*expect_line=*/false);
          ::close(p.fd);
          break;
        case 3:  // registered, then reset in the middle of a SEND payload
          p.greeting = "HELLO " + id + "\n";
          resolve(one, now_ms() + 10000);
          if (p.outcome == Outcome::welcome) ++welcomed;
          send_nb(p.fd, "SEND " + id + " 100\n0123456789abcdefghijklmnopqrstuvwxyz");
          reset_close(p.fd);
          break;
        default:  // half a line, then close
          resolve(one, now_ms() + 10000, /*expect_line=*/false);
          send_nb(p.fd, "HELLO " + id.substr(0, 3));
          ::close(p.fd);
          break;
      }
      if (p.outcome == Outcome::connect_failed) ++failed;
      ++kinds[kind];
    }
    return "flooded n=" + std::to_string(count) + " close=" + std::to_string(kinds[0]) + " rst=" +
           std::to_string(kinds[1]) + " hello_close=" + std::to_string(kinds[2]) + " mid_payload_rst=" +
           std::to_string(kinds[3]) + " mid_line=" + std::to_string(kinds[4]) + " welcomed=" +
           std::to_string(welcomed) + " failed=" + std::to_string(failed);
  }

  uint16_t port_;
  int source_;
  int cmd_fd_;
  int reply_fd_;
  std::vector<Held> held_;
};

// Closes every descriptor of this (freshly forked) process except the ones listed: the child
// must not keep the test's sockets alive (a test closing a client expects the server to see it).
inline void close_inherited_fds(std::initializer_list<int> keep) {
  std::vector<int> fds;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      fds.push_back(std::atoi(e->d_name));
    }
    closedir(d);
  }
  for (int fd : fds) {
    if (fd <= 2 || std::find(keep.begin(), keep.end(), fd) != keep.end()) continue;
    ::close(fd);  // includes the directory's own descriptor, already closed: EBADF is harmless
  }
}

}  // namespace adversary_detail

// A forked helper process driven by text commands (see AdversaryChild::execute):
//   open N PREFIX          N connections with "HELLO PREFIX<i>"; the welcomed ones are held
//   attempt MS CONC PAUSE  keep connection attempts going for MS ms; outcome counts
//   ping                   PING on every held connection
//   msg I TARGET TEXT      held connection I sends "MSG TARGET TEXT"
//   recv I MS              the next FROM frame on held connection I
//   close K                close the K newest held connections
//   slowloris N IV DL      (two replies) N connections dripping a byte every IV ms
//   flood N SEED           N connections opened and dropped in various rude ways
// Replies are one line of "word key=value ...". The helper is forked before any test thread
// exists, uses only its own sockets, and leaves by _exit.
class Adversary {
 public:
  // `first_source`: the last octet of the first 127.0.0.x source address to use.
  explicit Adversary(uint16_t port, int first_source = 2) {
    int to_child[2], from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0) return;
    if (pipe2(from_child, O_CLOEXEC) != 0) {
      ::close(to_child[0]);
      ::close(to_child[1]);
      return;
    }
    pid_ = fork();
    if (pid_ == 0) {
      adversary_detail::close_inherited_fds({to_child[0], from_child[1]});
      adversary_detail::AdversaryChild(port, first_source, to_child[0], from_child[1]).run();
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    cmd_fd_ = to_child[1];
    reply_fd_ = from_child[0];
  }
  ~Adversary() {
    if (pid_ <= 0) return;
    send("quit");
    if (!wait_for_exit(pid_, milliseconds(10000))) {
      kill(pid_, SIGKILL);
      wait_for_exit(pid_, kDefaultWait);
    }
    ::close(cmd_fd_);
    ::close(reply_fd_);
  }
  Adversary(const Adversary&) = delete;
  Adversary& operator=(const Adversary&) = delete;

  bool ok() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  bool send(const std::string& command) {
    std::string line = command + "\n";
    return ::write(cmd_fd_, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  }
  // True when a reply line is waiting (or arrives within `timeout`).
  bool reply_ready(milliseconds timeout = milliseconds(0)) {
    if (buf_.find('\n') != std::string::npos) return true;
    pollfd p{reply_fd_, POLLIN, 0};
    return ::poll(&p, 1, int(timeout.count())) > 0;
  }
  // The next reply line, or "<timeout>" / "<eof>".
  std::string reply(milliseconds timeout = milliseconds(120000)) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return std::string(kTimeoutText);
      pollfd p{reply_fd_, POLLIN, 0};
      if (::poll(&p, 1, int(left)) <= 0) continue;
      char chunk[1024];
      ssize_t n = ::read(reply_fd_, chunk, sizeof chunk);
      if (n <= 0) return "<eof>";
      buf_.append(chunk, size_t(n));
    }
  }
  std::string command(const std::string& cmd, milliseconds timeout = milliseconds(120000)) {
    if (!send(cmd)) return "<send failed>";
    return reply(timeout);
  }

 private:
  static constexpr std::string_view kTimeoutText = "<timeout>";
  pid_t pid_ = -1;
  int cmd_fd_ = -1;
  int reply_fd_ = -1;
  std::string buf_;
};

}  // namespace sb::test
