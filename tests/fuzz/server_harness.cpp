// The whole-server fuzz driver. Each input is a program run against a fresh in-process Server:
//
//   opcode byte: low 4 bits pick the operation, bit 7 asks for one run_once(0) after it.
//     0  connect       socketpair + adopt; operand: bit 0 small server SO_SNDBUF, bit 1 small
//                      peer SO_SNDBUF (so back-pressure and slow consumers need little data)
//     1  tcp connect   a real loopback connection to the server's listener (accept path, server-full)
//     2  write raw     peer, length L, then L bytes of the input
//     3-5 write frag   peer, fragment, id, n: a protocol-shaped fragment (HELLO/SEND/MSG/...);
//                      fragment bytes 200..254 pick the protocol v2 fragments (JOIN, LEAVE,
//                      GROUPS, OPT, INFO, WHO <target>, group/anycast/pattern sends), id bytes
//                      192..255 the v2 targets and dotted ids; lower bytes keep the meaning the
//                      kept inputs were found with
//     6  bulk          peer, id, shape: up to 16 SENDs of 1000..4097 bytes (fills queues)
//     7  read          peer, n: read up to n+1 bytes
//     8  drain         peer: read until the socket is empty
//     9  half-close    peer: shutdown(SHUT_WR)
//     10 close         peer, how: close (bit 0 on TCP: with SO_LINGER 0, i.e. RST)
//     11 ticks         n: advance_ticks(n % 24)
//     12, 15 run       n: run_once(0) (n % 4 + 1) times
//     13 drain all     every peer
//     14 hello all     every peer sends HELLO with an id from the dictionary
//   A "peer" operand picks among the open sockets (modulo their count); missing operands read 0.
//   After the program: request_shutdown(), iterate (reading every peer) until finished(), bounded.
//
// Checked throughout: connections() <= max_conns, msgs_out + dropped <= copies; every byte the
// server sends parses as client-role frames without error (but see known_long_line) and nothing
// follows a terminal frame (BYE, ERR idle-timeout|slow-consumer|shutting-down|line-too-long|
// server-full, fatal bad-command).
// Checked at the end: finished within the bound, connections() == 0, copies == msgs_out + dropped,
// every peer sees end-of-stream, a socketpair peer's stream does not end inside a frame (unless
// it stopped reading long enough for the drain-stall cut), bytes and FROM frames seen by peers
// <= what the server reports.
//
// The shutdown phase advances the clock only when an iteration delivered nothing, so the grace
// period never cuts off a queue that is still flowing.
//
// Determinism: the server's own timerfd still ticks in real time, so an input that runs for more
// than 100 ms may see an extra tick. Programs are short enough that this is rare.
#include "tests/fuzz/server_harness.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "common/protocol/frame.h"
#include "common/protocol/frame_parser.h"
#include "server/options.h"
#include "server/server.h"
#include "server/server_limits.h"

namespace sb::fuzz {
namespace {

using L = ServerFuzzLimits;

// SWITCHBOARD_FUZZ_TRACE=1 prints each operation and the shutdown iterations to stderr, for
// working out what a saved input does (e.g. fuzz_server <input> with the variable set).
bool tracing() {
  static const bool on = std::getenv("SWITCHBOARD_FUZZ_TRACE") != nullptr;
  return on;
}

#define TRACE(...)                          \
  do {                                      \
    if (tracing()) {                        \
      std::fprintf(stderr, "[fuzz] ");      \
      std::fprintf(stderr, __VA_ARGS__);    \
      std::fputc('\n', stderr);             \
    }                                       \
  } while (0)

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::string_view bytes(size_t n) {
    n = std::min(n, size_ - pos_);
    std::string_view v(reinterpret_cast<const char*>(data_) + pos_, n);
    pos_ += n;
    return v;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// One client-side socket and what it has received so far.
struct Peer {
  int fd = -1;
  bool tcp = false;
  std::string inbox;  // received bytes not yet parsed into frames
  proto::FrameParser parser{proto::Role::client};
  bool terminal = false;   // a frame after which the server must send nothing
  bool broken = false;     // the stream stopped parsing (already reported)
  bool eof = false;
  // Drain-stall bookkeeping: the server closes a draining connection whose writes made no
  // progress for kDrainStallTicks, mid-frame if need be. That is allowed only for a peer that
  // really stopped reading that long, so the harness tracks when this peer last emptied its
  // socket and the server then had a loop iteration to refill it.
  bool emptied = false;          // read until empty since the last run_once
  uint64_t served_tick = 0;      // harness tick of the last run_once after the socket was emptied
  bool may_be_cut = false;       // stalled long enough that a torn ending is legitimate
};

// Node ids the fragments use: four short ones, the longest valid one, and the broadcast target.
const std::string kLongId(proto::kMaxIdLen, 'z');
const std::string_view kIds[] = {"a", "b", "c", "d", kLongId, "*"};

// Dotted ids for the patterns to match, groups, anycast, patterns, and an id with an empty token.
const std::string_view kV2Ids[] = {"x.a", "x.b", "#g", "~g", "x.*", ">", "a..b", "x.>"};

std::string_view pick_id(uint8_t b) {
  return b >= 192 ? kV2Ids[b % std::size(kV2Ids)] : kIds[b % std::size(kIds)];
}

std::string payload_of(size_t n) {
  std::string p(n, 'x');
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<char>('a' + i % 26);
  return p;
}

std::string send_frame(std::string_view target, size_t n) {
  return "SEND " + std::string(target) + " " + std::to_string(n) + "\n" + payload_of(n) + "\n";
}

// Protocol v2: the group verbs, receipts, INFO, WHO <target>, the new targets, and their refusals.
std::string v2_fragment(uint8_t which, const std::string& id, uint8_t n) {
  switch (which % 18) {
    case 0: return "JOIN #g\n";
    case 1: return "JOIN ~h\n";
    case 2: return "LEAVE #g\n";
    case 3: return "GROUPS\n";
    case 4: return "OPT receipts on\n";
    case 5: return "OPT receipts off\n";
    case 6: return "INFO\n";
    case 7: return "WHO " + id + "\n";
    case 8: return send_frame("#g", n);
    case 9: return send_frame("~g", n);
    case 10: return send_frame("x.*", n);
    case 11: return "MSG > hi\n";
    case 12: return "JOIN bad!\n";
    case 13: return "OPT x y\n";
    case 14: return send_frame("a..*", n);  // a malformed pattern: bad-id, payload skipped
    case 15: return "LEAVE #nosuch\n";
    case 16: return "MSG ~h job\n";
    default: return "JOIN " + id + "\n";
  }
}

// A protocol-shaped fragment: valid commands, each refusal the parser knows, and partial frames.
std::string fragment(uint8_t which, uint8_t id_byte, uint8_t n) {
  const std::string id(pick_id(id_byte));
  if (which >= 200 && which < 255) return v2_fragment(static_cast<uint8_t>(which - 200), id, n);
  switch (which % 26) {
    case 0: return "HELLO " + id + "\n";
    case 1: return "HELLO " + id + " tok3n\n";
    case 2: return send_frame(id, n);
    case 3: return send_frame("*", n);
    case 4: return "MSG " + id + " hello  there \n";
    case 5: return "MSG * hi\n";
    case 6: return "PING\n";
    case 7: return "PING w" + std::to_string(n) + "\n";
    case 8: return "WHO\n";
    case 9: return "STATS\n";
    case 10: return "QUIT\n";
    case 11: return "SEND " + id + " 5000\n";  // too large: the next 5000 bytes are skipped
    case 12: return "SEND " + id + " 3\r\nabc\r\n";
    case 13: return "SEND " + id + " abc\n";  // no length: fatal
    case 14: return "SEND " + id + " 3\nabcX";  // no terminator: fatal
    case 15: return "SEND bad!id 3\nabc\n";
    // 900..1410 bytes: an unknown verb echoed in ERR bad-command below 1025, fatal line-too-long above
    case 16: return std::string(900 + 2 * size_t(n), 'L') + "\n";
    case 17: return n & 1 ? "\n" : "   \r\n";
    case 18: return "MSG bad!id x\n";
    case 19: return "HELLO bad!id\n";
    case 20: return "SEN";  // a verb split across writes
    case 21: return send_frame(id, L::kMaxPayload);
    case 22: return "send " + id + " 1\nx\n";  // unknown verb (case-sensitive)
    case 23: return "WHO extra\n";
    case 24: return "SEND " + id + " " + std::to_string(n) + "\n";  // header only; payload follows later
    default: return "MSG " + id + "\n";  // no separator after the target: an empty message
  }
}

// KNOWN ISSUE, tolerated so the fuzzer can look past it: the server's replies can exceed the
// protocol's 1024-byte control line, which the client-role parser (the project's own client)
// refuses as line-too-long. "ERR bad-command <verb>", "ERR bad-id <id>" and "ERR too-large
// <target>" echo a token of the offending line (up to 1024 bytes) after their prefix, and
// "NODES <n> <id>..." grows with the number of nodes. Set SWITCHBOARD_FUZZ_STRICT_LINES=1 to
// treat these as failures again (tests/fuzz/README.md).
bool known_long_line(std::string_view line) {
  static const bool strict = std::getenv("SWITCHBOARD_FUZZ_STRICT_LINES") != nullptr;
  if (strict) return false;
  for (std::string_view prefix : {"ERR bad-command ", "ERR bad-id ", "ERR too-large ", "NODES "})
    if (line.substr(0, prefix.size()) == prefix) return true;
  return false;
}

bool is_terminal(const proto::Frame& f) {
  if (f.verb == proto::Verb::bye) return true;
  if (f.verb != proto::Verb::err || f.argc == 0) return false;
  const proto::ErrorCode code = proto::parse_error_code(f.args[0]);
  switch (code) {
    case proto::ErrorCode::idle_timeout:
    case proto::ErrorCode::slow_consumer:
    case proto::ErrorCode::shutting_down:
    case proto::ErrorCode::line_too_long:
    case proto::ErrorCode::server_full:
      return true;
    case proto::ErrorCode::bad_command:  // the fatal ones: framing is lost, the server drains
      return f.tail == "payload not followed by newline" || f.tail == "SEND";
    default:
      return false;
  }
}

class Harness {
 public:
  explicit Harness(log::Logger* logger) : logger_(logger) {}
  ~Harness() {
    for (Peer& p : peers_)
      if (p.fd >= 0) ::close(p.fd);
  }

  std::string run(const uint8_t* data, size_t size);

 private:
  void fail(std::string why) {
    if (failure_.empty()) failure_ = std::move(why);
  }
  bool ok() const { return failure_.empty(); }

  Peer* peer(uint8_t b);
  void connect_pair(uint8_t how);
  void connect_tcp();
  void write_to(Peer& p, std::string_view bytes);
  void read_from(Peer& p, size_t max);
  void parse_inbox(Peer& p);
  void close_peer(Peer& p, bool reset);
  void check_running_invariants();
  bool run_loop();
  void tick(uint64_t n);
  void finish();

  log::Logger* logger_;
  std::unique_ptr<server::Server> server_;
  std::array<Peer, L::kMaxPeers> peers_;
  size_t connects_ = 0;
  uint64_t now_tick_ = 0;  // ticks this harness advanced (the real timerfd may add a few more)
  bool shutdown_requested_ = false;
  // Totals over every peer the program had (slots are reused, so not kept per peer).
  uint64_t written_ = 0;
  uint64_t received_ = 0;
  uint64_t from_frames_ = 0;
  std::string failure_;
};

Peer* Harness::peer(uint8_t b) {
  size_t open = 0;
  for (const Peer& p : peers_) open += p.fd >= 0;
  if (open == 0) return nullptr;
  size_t k = b % open;
  for (Peer& p : peers_)
    if (p.fd >= 0 && k-- == 0) return &p;
  return nullptr;
}

Peer* free_slot(std::array<Peer, L::kMaxPeers>& peers) {
  for (Peer& p : peers)
    if (p.fd < 0) return &p;
  return nullptr;
}

void Harness::connect_pair(uint8_t how) {
  // adopt() during shutdown would hand the server a socket it never greets with shutting-down:
  // a misuse of the test API, not something a client can do (the listener is closed by then).
  Peer* slot = free_slot(peers_);
  if (slot == nullptr || connects_ >= L::kMaxConnects || shutdown_requested_) return;
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) {
    fail(std::string("socketpair: ") + std::strerror(errno));
    return;
  }
  ++connects_;
  const int small = 4096;  // the kernel doubles it and enforces a floor; still a few KiB
  if (how & 1) ::setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  if (how & 2) ::setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  *slot = Peer{};
  slot->fd = sv[0];
  slot->served_tick = now_tick_;
  server_->adopt(sv[1], "fuzz-peer");  // on a full slab the server refuses and closes sv[1]
}

void Harness::connect_tcp() {
  Peer* slot = free_slot(peers_);
  if (slot == nullptr || connects_ >= L::kMaxConnects) return;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    fail(std::string("socket: ") + std::strerror(errno));
    return;
  }
  ++connects_;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Loopback completes the handshake at once or reports EINPROGRESS; after shutdown the
  // listener is gone and the refusal shows up as a reset when the peer is read.
  ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  *slot = Peer{};
  slot->fd = fd;
  slot->served_tick = now_tick_;
  slot->tcp = true;
}

void Harness::write_to(Peer& p, std::string_view bytes) {
  TRACE("write fd=%d %zu bytes: %.40s", p.fd, bytes.size(), std::string(bytes.substr(0, 40)).c_str());
  while (!bytes.empty()) {
    ssize_t n = ::send(p.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // full (the server is not reading: back-pressure), shut, or reset
    written_ += size_t(n);
    bytes.remove_prefix(size_t(n));
  }
}

void Harness::read_from(Peer& p, size_t max) {
  char buf[16384];
  while (max > 0 && !p.eof) {
    ssize_t n = ::recv(p.fd, buf, std::min(max, sizeof buf), MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      p.emptied = true;
      return;
    }
    if (n < 0 && errno == ENOTCONN && p.tcp) return;  // connect still in progress
    if (n <= 0) {  // end of stream, or reset (TCP)
      p.eof = true;
      TRACE("read fd=%d: %s", p.fd, n == 0 ? "end of stream" : std::strerror(errno));
      return;
    }
    max -= size_t(n);
    received_ += size_t(n);
    TRACE("read fd=%d %zd bytes", p.fd, n);
    p.inbox.append(buf, size_t(n));
    parse_inbox(p);
  }
}

void Harness::parse_inbox(Peer& p) {
  if (p.broken) {
    p.inbox.clear();
    return;
  }
  size_t done = 0;
  for (;;) {
    std::string_view in = std::string_view(p.inbox).substr(done);
    if (p.terminal && !in.empty()) {
      fail("server sent bytes after a terminal frame: '" + std::string(in.substr(0, 80)) + "'");
      p.broken = true;
      break;
    }
    proto::ParseResult r;
    p.parser.next(in, r);
    if (r.status == proto::ParseResult::Status::error && r.error == proto::ErrorCode::line_too_long &&
        known_long_line(in)) {
      // Known and reported, not yet decided (see known_long_line): skip the line, or wait for
      // the rest of it, and go on checking what follows.
      p.parser.reset();
      const size_t nl = in.find('\n');
      if (nl == std::string_view::npos) break;
      done += nl + 1;
      continue;
    }
    if (r.status == proto::ParseResult::Status::error) {
      fail("server output does not parse (client role): " + std::string(proto::error_code_name(r.error)) + " " +
           std::string(r.error_detail.substr(0, 80)) + " near '" + std::string(in.substr(0, 80)) + "'");
      p.broken = true;
      break;
    }
    done += r.consumed;
    if (r.status == proto::ParseResult::Status::frame) {
      if (r.frame.verb == proto::Verb::from) ++from_frames_;
      if (is_terminal(r.frame)) p.terminal = true;
    } else if (r.consumed == 0) {
      break;
    }
  }
  p.inbox.erase(0, done);
}

void Harness::close_peer(Peer& p, bool reset) {
  if (reset && p.tcp) {
    linger lg{1, 0};
    ::setsockopt(p.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  ::close(p.fd);
  p.fd = -1;
}

void Harness::check_running_invariants() {
  const server::ServerStats& s = server_->stats();
  if (server_->connections() > L::kMaxConns)
    fail("connections() " + std::to_string(server_->connections()) + " over max_conns");
  if (s.msgs_out + s.dropped > s.copies)
    fail("msgs_out " + std::to_string(s.msgs_out) + " + dropped " + std::to_string(s.dropped) + " > copies " +
         std::to_string(s.copies));
  if (s.rejected > s.msgs_in) fail("rejected > msgs_in");
}

bool Harness::run_loop() {
  if (!server_->run_once(0)) return false;
  for (Peer& p : peers_) {
    if (p.fd >= 0 && p.emptied) {
      p.emptied = false;
      p.served_tick = now_tick_;
    }
  }
  return true;
}

void Harness::tick(uint64_t n) {
  now_tick_ += n;
  // A margin below the server's 20 ticks covers the real timerfd ticking during a slow input.
  constexpr uint64_t kStall = server::kDrainStallTicks - 5;
  for (Peer& p : peers_)
    if (p.fd >= 0 && now_tick_ - p.served_tick >= kStall) p.may_be_cut = true;
  server_->advance_ticks(n);
}

void Harness::finish() {
  if (!shutdown_requested_) server_->request_shutdown();
  shutdown_requested_ = true;
  // Peers read everything. The clock moves only when an iteration delivered nothing, so the grace
  // period cuts off only connections that really stopped (a torn frame at the end is then a bug),
  // not a long queue trickling through a small socket buffer.
  constexpr int kMaxIterations = 400;
  for (int i = 0; i < kMaxIterations && !server_->finished(); ++i) {
    if (!run_loop()) {
      fail("run_once failed during shutdown");
      return;
    }
    const uint64_t before = received_;
    for (Peer& p : peers_)
      if (p.fd >= 0) read_from(p, SIZE_MAX);
    check_running_invariants();
    TRACE("shutdown iteration %d: connections %zu, received %llu", i, server_->connections(),
          static_cast<unsigned long long>(received_ - before));
    if (!server_->finished() && received_ == before) tick(1);
  }
  if (!server_->finished()) {
    fail("server did not finish shutting down within " + std::to_string(kMaxIterations) +
         " iterations; connections() = " + std::to_string(server_->connections()));
    return;
  }
  if (server_->connections() != 0) fail("finished with connections() = " + std::to_string(server_->connections()));
  const server::ServerStats& s = server_->stats();
  if (s.copies != s.msgs_out + s.dropped)
    fail("after shutdown copies " + std::to_string(s.copies) + " != msgs_out " + std::to_string(s.msgs_out) +
         " + dropped " + std::to_string(s.dropped));
  for (Peer& p : peers_) {
    if (p.fd < 0) continue;
    read_from(p, SIZE_MAX);
    if (!p.eof) fail("a peer's socket is still open on the server side after shutdown");
    // Only socketpairs: when a TCP peer wrote after the server stopped reading, the server's
    // close() finds unread input and the kernel aborts the connection (RST), discarding what is
    // still in the server's send buffer; the peer then sees a reset or even a plain end of
    // stream after a torn frame. That is TCP's doing (a lingering close would avoid it), so
    // the TCP peers are checked for well-formed frames but not for a complete ending.
    if (!p.inbox.empty() && !p.broken && !p.tcp && !p.may_be_cut) fail("server output ends inside a frame: '" + p.inbox.substr(0, 80) + "'");
  }
  if (s.bytes_in > written_)
    fail("server counts bytes_in " + std::to_string(s.bytes_in) + ", peers wrote only " + std::to_string(written_));
  // A refused connection's one line is sent outside the output queues, so bytes_out omits it.
  const uint64_t refusals = s.refused * (sizeof "ERR server-full\n" - 1);
  if (received_ > s.bytes_out + refusals)
    fail("peers received " + std::to_string(received_) + " bytes, server counts bytes_out " +
         std::to_string(s.bytes_out) + " + " + std::to_string(refusals) + " in refusals");
  if (from_frames_ > s.msgs_out)
    fail("peers got " + std::to_string(from_frames_) + " FROM frames, server counts msgs_out " + std::to_string(s.msgs_out));
}

std::string Harness::run(const uint8_t* data, size_t size) {
  server::ServerOptions options;
  options.bind = "127.0.0.1";
  options.port = 0;
  options.max_conns = L::kMaxConns;
  options.max_payload = L::kMaxPayload;
  options.max_outbuf = L::kMaxOutbuf;
  options.idle_timeout_s = 0.5;
  options.handshake_timeout_s = 0.3;
  options.slow_consumer_timeout_s = 0.5;
  options.shutdown_grace_s = 0.5;
  server_ = std::make_unique<server::Server>(options, logger_, /*handle_signals=*/false);
  std::string error;
  bool in_use = false;
  if (!server_->open(&error, &in_use)) return "server open failed: " + error;

  Reader in(data, size);
  for (size_t ops = 0; ok() && !in.done() && ops < L::kMaxOps; ++ops) {
    const uint8_t op = in.byte();
    TRACE("op %d%s (connections %zu)", op & 0x0F, op & 0x80 ? " +run" : "", server_->connections());
    switch (op & 0x0F) {
      case 0:
        connect_pair(in.byte());
        break;
      case 1:
        connect_tcp();
        break;
      case 2: {
        Peer* p = peer(in.byte());
        std::string_view bytes = in.bytes(in.byte());
        if (p) write_to(*p, bytes);
        break;
      }
      case 3:
      case 4:
      case 5: {
        Peer* p = peer(in.byte());
        uint8_t which = in.byte(), id = in.byte(), n = in.byte();
        if (p) write_to(*p, fragment(which, id, n));
        break;
      }
      case 6: {
        Peer* p = peer(in.byte());
        uint8_t id = in.byte(), shape = in.byte();
        static constexpr size_t kSizes[] = {1000, 4000, L::kMaxPayload, L::kMaxPayload + 1};
        if (p) {
          std::string one = send_frame(pick_id(id), kSizes[shape & 3]);
          std::string all;
          for (int i = 0; i <= (shape >> 4); ++i) all += one;
          write_to(*p, all);
        }
        break;
      }
      case 7: {
        Peer* p = peer(in.byte());
        size_t n = size_t(in.byte()) + 1;
        if (p) read_from(*p, n);
        break;
      }
      case 8: {
        if (Peer* p = peer(in.byte())) read_from(*p, SIZE_MAX);
        break;
      }
      case 9: {
        if (Peer* p = peer(in.byte())) ::shutdown(p->fd, SHUT_WR);
        break;
      }
      case 10: {
        Peer* p = peer(in.byte());
        uint8_t how = in.byte();
        if (p) close_peer(*p, how & 1);
        break;
      }
      case 11:
        tick(in.byte() % 24);
        break;
      case 12:
      case 15: {
        int n = in.byte() % 4 + 1;
        for (int i = 0; i < n && ok(); ++i)
          if (!run_loop()) fail("run_once failed");
        break;
      }
      case 13:
        for (Peer& p : peers_)
          if (p.fd >= 0) read_from(p, SIZE_MAX);
        break;
      case 14: {
        uint8_t base = in.byte();
        for (size_t i = 0; i < peers_.size(); ++i)
          if (peers_[i].fd >= 0) write_to(peers_[i], "HELLO " + std::string(pick_id(uint8_t(base + i) % 5)) + "\n");
        break;
      }
    }
    if ((op & 0x80) && ok() && !run_loop()) fail("run_once failed");
    check_running_invariants();
  }
  if (ok()) finish();
  server_.reset();
  if (logger_ != nullptr) logger_->flush();
  return failure_;
}

}  // namespace

std::string run_server_program(const uint8_t* data, size_t size, log::Logger* logger) {
  log::Logger quiet;  // never started: every SB_LOG is a disabled no-op
  Harness harness(logger != nullptr ? logger : &quiet);
  return harness.run(data, size);
}

}  // namespace sb::fuzz
