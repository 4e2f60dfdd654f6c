// The bench event loop: one epoll instance, edge-triggered, every node a non-blocking socket.
// Each iteration: wait, read and account every arrival, let ready senders fill their windows (or
// open-loop slots that came due), then flush every node that has output, one send() each.
#include "bench/worker.h"

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <vector>

#include "bench/node.h"
#include "bench/pattern.h"
#include "bench/progress.h"
#include "bench/sequence_tracker.h"
#include "bench/server_probe.h"
#include "bench/stamp.h"
#include "common/net/socket.h"
#include "common/timing/clock.h"

namespace sb::bench {

namespace {

constexpr uint32_t kConnectBatch = 256;         // connected but not yet registered, at most
constexpr uint64_t kConnectStallNs = 15'000'000'000ull;
constexpr uint64_t kProgressNs = 250'000'000;
constexpr uint64_t kLingerQuietNs = 100'000'000;  // --procs broadcast: quiet time before closing
constexpr uint64_t kFinishTag = UINT64_MAX;

enum class Phase : uint8_t { connect, warmup, measure, drain, wait_finish, linger, done };

class Worker {
 public:
  Worker(const Options& o, uint32_t w, const std::string& prefix, WorkerHooks& hooks, bool progress)
      : o_(o), part_(partition_for(o, w)), hooks_(hooks), progress_(progress), sample_server_(w == 0),
        picker_(o.pattern, part_.size(), o.seed * 1000003u + w, o.group_size),
        tracker_(o.nodes, part_.lo, part_.size()) {
    for (uint32_t i = part_.lo; i < part_.hi; ++i) ids_.push_back(node_id(prefix, w, i - part_.lo));
    for (const auto& id : ids_) prefixes_.push_back(wire_send_prefix(o.proto, id));
    broadcast_prefix_ = wire_send_prefix(o.proto, "*");
    if (row_pattern(o.pattern)) make_rows(prefix, w);
    eol_ = wire_eol(o.proto);
    scratch_size_ = std::max<size_t>(256 * 1024, 2 * (size_t{o.size_max} + 2048));
    scratch_.reset(new char[scratch_size_]);
    fanout_ = o.pattern == Pattern::broadcast ? part_.size() - 1 : copies_per_message(o);
    events_.resize(part_.size() + 2);  // + the finish pipe
    result_.nodes = part_.size();
    result_.senders = part_.senders;
  }

  WorkerResult run();

 private:
  std::string node_id(const std::string& prefix, uint32_t w, uint32_t local) const;
  void make_rows(const std::string& prefix, uint32_t w);
  uint32_t row_of(uint32_t local) const { return local / o_.group_size; }
  void on_anycast_arrival(uint32_t sender, uint32_t receiver, uint32_t seq);
  bool setup(std::string* error);
  bool connect_phase();
  void run_phase();
  bool connect_one(uint32_t local, std::string* error);
  void wait_events(uint64_t timeout_ns);
  void on_readable(Node& n);
  void on_event(Node& n, const WireEvent& ev);
  void on_message(Node& receiver, std::string_view payload);
  void account_arrivals(Node& receiver);
  void close_node(Node& n, bool expected);
  void schedule_slots();
  void fill_ready();
  void refill(Node& s);
  void emit(Node& s, uint32_t target, uint64_t stamp_ns);
  void mark_dirty(Node& n);
  void flush_dirty();
  void make_ready(Node& s);
  bool can_send(const Node& s) const;
  uint64_t slot_time(uint64_t slot) const;
  void draw_progress(bool final_line);
  void begin_measure();
  void end_measure();
  void fail(const std::string& why) {
    if (result_.first_error.empty()) result_.first_error = why;
  }

  const Options& o_;
  Partition part_;
  WorkerHooks& hooks_;
  bool progress_;
  bool sample_server_;  // one worker samples the server's CPU for everyone
  TargetPicker picker_;
  SequenceTracker tracker_;
  std::vector<std::string> ids_, prefixes_;
  std::string broadcast_prefix_;
  // group/anycast/subject: per row, the group each member joins ("#g" or, for NATS queue groups,
  // "~g") and the send prefixes (subject: two per row, the `*` and the `>` pattern).
  std::vector<std::string> row_groups_, row_prefixes_;
  std::vector<uint32_t> anycast_next_;  // anycast: [sender][receiver's rank in the row]: last seq + 1
  std::string_view eol_;
  std::unique_ptr<char[]> scratch_;
  size_t scratch_size_ = 0;
  uint64_t fanout_ = 0;

  int ep_ = -1;
  std::vector<net::Endpoint> servers_;  // node i connects to servers_[i % size]
  std::vector<net::Endpoint> sources_;
  std::vector<Node> nodes_;
  std::vector<uint32_t> dirty_, ready_, ready_swap_;
  // Room for every node's event at once: with a smaller batch, one round of arrivals spans two
  // iterations and every sender is flushed twice with half the messages.
  std::vector<epoll_event> events_;
  // A read's arrivals are decoded first and accounted after the read, and a sender's next
  // targets are drawn before its messages are built: both lists are known ahead, so the
  // per-pair sequence slots and sender nodes they touch are prefetched together instead of
  // missing one by one.
  struct Arrival {
    Stamp stamp;
    uint32_t size;
  };
  std::vector<Arrival> arrivals_;
  std::vector<uint32_t> targets_;
  Phase phase_ = Phase::connect;
  uint64_t now_ = 0;       // cached once per loop iteration
  uint64_t read_now_ = 0;  // cached once per node read: arrival time of what that read returns
  uint32_t registered_ = 0, pending_ = 0;
  bool finish_seen_ = false;

  // Sending phases, all CLOCK_MONOTONIC ns.
  uint64_t t0_ = 0, measure_start_ = 0, measure_end_ = 0, drain_deadline_ = 0, last_arrival_ = 0;
  uint64_t outstanding_ = 0;  // sent but not completed, over all local senders
  double worker_rate_ = 0;    // open loop msgs/s for this worker's senders
  uint64_t slots_issued_ = 0;

  double server_cpu_at_start_ = -1, own_cpu_at_start_ = 0;

  WorkerResult result_;
  ProgressMeter meter_;
};

// Subject ids are <prefix>s<w>.<row>.<k>, three tokens for the patterns; all others <prefix><i>.
std::string Worker::node_id(const std::string& prefix, uint32_t w, uint32_t local) const {
  if (o_.pattern != Pattern::subject) return prefix + std::to_string(part_.lo + local);
  return prefix + "s" + std::to_string(w) + "." + std::to_string(row_of(local)) + "." +
         std::to_string(local % o_.group_size);
}

void Worker::make_rows(const std::string& prefix, uint32_t w) {
  const uint32_t rows = part_.size() / o_.group_size;
  for (uint32_t r = 0; r < rows; ++r) {
    const std::string name = prefix + "g" + std::to_string(w) + "-" + std::to_string(r);
    if (o_.pattern == Pattern::subject) {
      const std::string row = prefix + "s" + std::to_string(w) + "." + std::to_string(r);
      row_prefixes_.push_back(wire_send_prefix(o_.proto, row + ".*"));
      row_prefixes_.push_back(wire_send_prefix(o_.proto, row + ".>"));
      continue;
    }
    const std::string target = (o_.pattern == Pattern::group ? "#" : "~") + name;
    row_groups_.push_back(o_.proto == Proto::nats ? target : "#" + name);
    row_prefixes_.push_back(wire_send_prefix(o_.proto, target));
  }
  if (o_.pattern == Pattern::anycast) anycast_next_.assign(size_t{part_.size()} * o_.group_size, 0);
}

bool Worker::setup(std::string* error) {
  ep_ = epoll_create1(EPOLL_CLOEXEC);
  if (ep_ < 0) {
    *error = std::string("epoll_create1: ") + std::strerror(errno);
    return false;
  }
  bool loopback4 = true;
  for (const net::HostPort& s : o_.servers) {
    net::Endpoint server;
    if (!net::resolve(s.host, s.port, &server, error)) return false;
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&server.addr);
    loopback4 = loopback4 && server.addr.ss_family == AF_INET && (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    servers_.push_back(server);
  }
  // Spread nodes over 127.0.0.1..S so each source address needs at most nodes/S ephemeral ports.
  if (loopback4) {
    for (uint32_t i = 1; i <= o_.sources; ++i) {
      net::Endpoint src;
      net::resolve("127.0.0." + std::to_string(i), 0, &src, nullptr);
      sources_.push_back(src);
    }
  }
  nodes_.resize(part_.size());
  for (uint32_t i = 0; i < part_.size(); ++i) nodes_[i].index = part_.lo + i;
  if (o_.rate > 0 && effective_senders(o_) > 0)
    worker_rate_ = o_.rate * part_.senders / effective_senders(o_);
  // Open-loop slots are tens of microseconds apart: the default 50 us timer slack would blur them.
  if (o_.rate > 0) prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  return true;
}

bool Worker::connect_one(uint32_t local, std::string* error) {
  Node& n = nodes_[local];
  const net::Endpoint* src = sources_.empty() ? nullptr : &sources_[n.index % sources_.size()];
  // Blocking connect: on loopback it completes inside the call while the listen queue has room,
  // and kConnectBatch keeps the number of unregistered connections below any sane backlog.
  n.fd = net::connect_tcp(servers_[n.index % servers_.size()], src, true, error);
  if (n.fd < 0) return false;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
  ev.data.u64 = local;
  if (epoll_ctl(ep_, EPOLL_CTL_ADD, n.fd, &ev) != 0) {
    *error = std::string("epoll_ctl: ") + std::strerror(errno);
    return false;
  }
  const std::string_view group = row_groups_.empty() ? std::string_view{} : row_groups_[row_of(local)];
  n.out.append(wire_hello(o_.proto, ids_[local], o_.pattern == Pattern::broadcast, group));
  mark_dirty(n);
  return true;
}

bool Worker::connect_phase() {
  uint64_t start = monotonic_ns(), last_change = start;
  uint32_t next = 0, last_registered = 0;
  while (registered_ < part_.size()) {
    std::string error;
    while (next < part_.size() && pending_ < kConnectBatch) {
      if (!connect_one(next, &error)) {
        fail("cannot connect node " + std::to_string(part_.lo + next) + ": " + error);
        return false;
      }
      ++next;
      ++pending_;
    }
    flush_dirty();
    wait_events(kProgressNs);
    if (!result_.first_error.empty()) return false;
    if (registered_ != last_registered) {
      last_registered = registered_;
      last_change = now_;
    } else if (now_ - last_change > kConnectStallNs) {
      fail("registration stalled at " + std::to_string(registered_) + "/" + std::to_string(part_.size()) +
           " nodes for 15 s");
      return false;
    }
    draw_progress(false);
  }
  result_.connect_ns = monotonic_ns() - start;
  return true;
}

void Worker::wait_events(uint64_t timeout_ns) {
  timespec ts{static_cast<time_t>(timeout_ns / 1'000'000'000ull), static_cast<long>(timeout_ns % 1'000'000'000ull)};
  epoll_event* events = events_.data();
  int n = epoll_pwait2(ep_, events, static_cast<int>(events_.size()), &ts, nullptr);
  now_ = monotonic_ns();
  if (n < 0) {
    if (errno != EINTR) fail(std::string("epoll_pwait2: ") + std::strerror(errno));
    return;
  }
  // Ready nodes are random: ask for all of them before touching the first.
  for (int i = 0; i < n; ++i)
    if (events[i].data.u64 < nodes_.size()) prefetch(&nodes_[events[i].data.u64]);
  for (int i = 0; i < n; ++i) {
    if (events[i].data.u64 == kFinishTag) {
      finish_seen_ = true;
      epoll_ctl(ep_, EPOLL_CTL_DEL, hooks_.finish_fd(), nullptr);
      continue;
    }
    Node& node = nodes_[events[i].data.u64];
    if (node.closed) continue;
    if (events[i].events & EPOLLOUT) {
      node.writable = true;
      if (!node.out.empty()) mark_dirty(node);
    }
    if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(node);
  }
}

void Worker::on_readable(Node& n) {
  int err = 0;
  read_now_ = monotonic_ns();
  IoStatus st = read_events(n, o_.proto, scratch_.get(), scratch_size_, &err,
                            [&](const WireEvent& ev) { on_event(n, ev); });
  account_arrivals(n);
  if (st == IoStatus::closed) {
    close_node(n, false);
  } else if (st == IoStatus::failed) {
    if (err != 0) fail("node " + ids_[n.index - part_.lo] + ": read: " + std::strerror(err));
    close_node(n, false);
  }
}

void Worker::on_event(Node& n, const WireEvent& ev) {
  switch (ev.kind) {
    case WireEvent::Kind::message:
      on_message(n, ev.payload);
      break;
    case WireEvent::Kind::registered:
    case WireEvent::Kind::joined:
      // A switchboard node that joins a group is ready at JOINED, which follows WELCOME.
      if (ev.kind == WireEvent::Kind::registered && o_.proto == Proto::switchboard && !row_groups_.empty()) break;
      if (!n.registered) {
        n.registered = true;
        ++registered_;
        --pending_;
      }
      break;
    case WireEvent::Kind::ping:
      n.out.append(wire_pong(o_.proto));
      mark_dirty(n);
      break;
    case WireEvent::Kind::server_error:
      ++result_.server_errors;
      fail("server said to " + ids_[n.index - part_.lo] + ": " + std::string(ev.text));
      break;
    default:
      break;
  }
}

void Worker::on_message(Node& receiver, std::string_view payload) {
  Stamp st;
  if (!read_stamp(payload, &st) || payload.size() < o_.size_min || payload.size() > o_.size_max ||
      st.sender >= o_.nodes) {
    ++result_.corrupt;
    return;
  }
  tracker_.prefetch_receive(st.sender, receiver.index);
  if (st.sender >= part_.lo && st.sender < part_.hi) prefetch(&nodes_[st.sender - part_.lo]);
  arrivals_.push_back({st, static_cast<uint32_t>(payload.size())});
}

void Worker::account_arrivals(Node& receiver) {
  // One clock read per socket read (see on_readable): the frames of one read were all waiting
  // in the socket together, and a clock read per message would be a visible share of the driver.
  const uint64_t now = read_now_;
  if (!arrivals_.empty()) last_arrival_ = now;
  for (const Arrival& a : arrivals_) {
    const Stamp& st = a.stamp;
    if (o_.pattern == Pattern::anycast) {
      // Each message goes to one member: "exactly once" is per sender over all its members
      // (the (sender, sender) pair), order per (sender, member).
      if (tracker_.on_receive(st.sender, st.sender, st.seq) == SequenceTracker::Arrival::duplicate) continue;
      on_anycast_arrival(st.sender, receiver.index, st.seq);
    } else {
      auto arrival = tracker_.on_receive(st.sender, receiver.index, st.seq);
      if (arrival == SequenceTracker::Arrival::duplicate) continue;
      if (arrival == SequenceTracker::Arrival::late) ++result_.reordered;
    }
    uint64_t latency = now > st.sent_ns ? now - st.sent_ns : 0;
    if (now >= measure_start_ && now < measure_end_) {
      ++result_.measured_delivered;
      result_.measured_bytes += a.size;
    }
    if (st.sent_ns >= measure_start_ && st.sent_ns < measure_end_) result_.latency.record(latency);
    if (progress_) meter_.record(latency);
    if (st.sender < part_.lo || st.sender >= part_.hi) continue;  // another worker's broadcast
    Node& s = nodes_[st.sender - part_.lo];
    uint64_t before = s.completed;
    if (fanout_ > 1) {  // broadcast, group, subject: complete once every copy arrived
      s.completed = ++s.copies / fanout_;
    } else {
      ++s.completed;
    }
    outstanding_ -= s.completed - before;
    if (!s.ready && can_send(s)) make_ready(s);
  }
  arrivals_.clear();
}

void Worker::on_anycast_arrival(uint32_t sender, uint32_t receiver, uint32_t seq) {
  if (sender < part_.lo || sender >= part_.hi || receiver < part_.lo) return;
  uint32_t& next = anycast_next_[size_t{sender - part_.lo} * o_.group_size + (receiver - part_.lo) % o_.group_size];
  if (seq < next) ++result_.reordered;  // an older message after a newer one, on one pair
  else next = seq + 1;
}

void Worker::close_node(Node& n, bool expected) {
  if (n.closed) return;
  n.closed = true;
  ::close(n.fd);
  if (!expected) {
    ++result_.disconnects;
    fail("server closed the connection of " + ids_[n.index - part_.lo]);
  }
}

bool Worker::can_send(const Node& s) const {
  if (s.closed || (phase_ != Phase::warmup && phase_ != Phase::measure)) return false;
  if (s.inflight() >= o_.window) return false;
  return o_.rate <= 0 || s.sent < s.due;
}

void Worker::make_ready(Node& s) {
  s.ready = true;
  ready_.push_back(s.index - part_.lo);
}

void Worker::mark_dirty(Node& n) {
  if (n.dirty) return;
  n.dirty = true;
  dirty_.push_back(n.index - part_.lo);
}

uint64_t Worker::slot_time(uint64_t slot) const {
  return t0_ + static_cast<uint64_t>(static_cast<double>(slot) * 1e9 / worker_rate_);
}

void Worker::schedule_slots() {
  // Slot k belongs to sender k mod senders, so each sender runs at rate/senders, phases staggered.
  if (worker_rate_ <= 0) return;
  uint64_t until = std::min(now_, measure_end_ - 1);
  while (slot_time(slots_issued_) <= until) {
    Node& s = nodes_[part_.first_sender - part_.lo + slots_issued_ % part_.senders];
    ++s.due;
    ++slots_issued_;
    if (!s.ready && can_send(s)) make_ready(s);
  }
}

void Worker::emit(Node& s, uint32_t t, uint64_t stamp_ns) {
  // Fan-out and anycast messages are numbered per sender (the (sender, sender) pair), as every
  // member of the row gets all of them (anycast: one member each, accounted per sender).
  const bool all = t == TargetPicker::kAll, row = t == TargetPicker::kRow;
  const uint32_t local = s.index - part_.lo;
  const std::string& prefix = all   ? broadcast_prefix_
                              : row ? (o_.pattern == Pattern::subject ? row_prefixes_[row_of(local) * 2 + (s.sent & 1)]
                                                                      : row_prefixes_[row_of(local)])
                                    : prefixes_[t];
  uint32_t len = picker_.uniform(o_.size_min, o_.size_max);
  Stamp st{stamp_ns, s.index, tracker_.next_send(s.index, all || row ? s.index : part_.lo + t)};
  char* p = s.out.prepare(prefix.size() + 16 + len + 2 * eol_.size());
  char* start = p;
  std::memcpy(p, prefix.data(), prefix.size());
  p += prefix.size();
  p = std::to_chars(p, p + 16, len).ptr;
  std::memcpy(p, eol_.data(), eol_.size());
  p += eol_.size();
  write_payload(p, len, st);
  p += len;
  std::memcpy(p, eol_.data(), eol_.size());
  p += eol_.size();
  s.out.commit(static_cast<size_t>(p - start));
  ++s.sent;
  ++outstanding_;
  ++result_.sent;
  result_.expected += copies_per_message(o_);
  if (phase_ == Phase::measure) ++result_.measured_sent;
  if (progress_) meter_.sent();
  mark_dirty(s);
}

void Worker::fill_ready() {
  ready_swap_.swap(ready_);
  for (uint32_t local : ready_swap_) {
    Node& s = nodes_[local];
    s.ready = false;
    refill(s);
  }
  ready_swap_.clear();
}

void Worker::refill(Node& s) {
  while (can_send(s)) {
    // How many can go now (the window's room; open loop: also the slots that came due).
    uint64_t room = o_.window - s.inflight();
    if (o_.rate > 0) room = std::min<uint64_t>(room, s.due - s.sent);
    const size_t k = static_cast<size_t>(std::min<uint64_t>(room, 256));
    targets_.clear();
    for (size_t i = 0; i < k; ++i) {
      uint32_t t = picker_.pick(s.index - part_.lo);
      targets_.push_back(t);
      tracker_.prefetch_send(s.index, t >= TargetPicker::kRow ? s.index : part_.lo + t);
    }
    for (uint32_t t : targets_) {
      // Open loop stamps the intended time, not now: a message held back by the window is charged
      // the wait.
      emit(s, t, o_.rate > 0 ? slot_time(s.sent * part_.senders + (s.index - part_.first_sender)) : now_);
    }
  }
}

void Worker::flush_dirty() {
  for (size_t i = 0; i < dirty_.size(); ++i) {
    // Each send takes microseconds: bring in the next nodes and their output meanwhile.
    if (i + 2 < dirty_.size()) prefetch(&nodes_[dirty_[i + 2]]);
    if (i + 1 < dirty_.size()) prefetch(nodes_[dirty_[i + 1]].out.view().data());
    const uint32_t local = dirty_[i];
    Node& n = nodes_[local];
    n.dirty = false;
    if (n.closed || !n.writable) continue;
    int err = 0;
    if (flush_output(n, &err) == IoStatus::failed) {
      if (err != 0) fail("node " + ids_[local] + ": send: " + std::strerror(err));
      close_node(n, false);
    }
  }
  dirty_.clear();
}

void Worker::run_phase() {
  now_ = monotonic_ns();
  t0_ = now_;
  measure_start_ = t0_ + static_cast<uint64_t>(o_.warmup_s * 1e9);
  measure_end_ = measure_start_ + static_cast<uint64_t>(o_.duration_s * 1e9);
  drain_deadline_ = measure_end_ + static_cast<uint64_t>(o_.drain_s * 1e9);
  result_.measured_ns = measure_end_ - measure_start_;
  phase_ = o_.warmup_s > 0 ? Phase::warmup : Phase::measure;
  meter_.start(now_);
  for (uint32_t i = 0; i < part_.senders; ++i) {
    Node& s = nodes_[part_.first_sender - part_.lo + i];
    if (can_send(s)) make_ready(s);
  }
  const bool linger = o_.procs > 1 && o_.pattern == Pattern::broadcast;
  const int finish_fd = hooks_.finish_fd();
  if (finish_fd >= 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kFinishTag;
    epoll_ctl(ep_, EPOLL_CTL_ADD, finish_fd, &ev);
  }
  if (phase_ == Phase::measure) begin_measure();
  while (phase_ != Phase::done) {
    if (phase_ == Phase::warmup && now_ >= measure_start_) {
      phase_ = Phase::measure;
      begin_measure();
    }
    if (phase_ == Phase::measure && now_ >= measure_end_) {
      phase_ = Phase::drain;
      end_measure();
      if (o_.rate > 0) {
        for (const Node& s : nodes_) result_.behind += s.due - std::min(s.due, s.sent);
      }
    }
    if (phase_ == Phase::drain && (outstanding_ == 0 || now_ >= drain_deadline_)) {
      result_.drain_timed_out = outstanding_ > 0;
      hooks_.drained();
      phase_ = finish_fd >= 0 ? Phase::wait_finish : Phase::done;
    }
    if (phase_ == Phase::wait_finish && finish_seen_) phase_ = linger ? Phase::linger : Phase::done;
    if (phase_ == Phase::linger && (now_ - last_arrival_ >= kLingerQuietNs || now_ >= drain_deadline_))
      phase_ = Phase::done;
    if (phase_ == Phase::done) break;

    if (o_.rate > 0 && (phase_ == Phase::warmup || phase_ == Phase::measure)) schedule_slots();
    fill_ready();
    flush_dirty();
    draw_progress(false);

    uint64_t timeout = kProgressNs;
    if (phase_ == Phase::warmup) timeout = std::min(timeout, measure_start_ - now_);
    if (phase_ == Phase::warmup || phase_ == Phase::measure) {
      timeout = std::min(timeout, measure_end_ - now_);
      if (worker_rate_ > 0) {
        uint64_t next = slot_time(slots_issued_);
        timeout = std::min(timeout, next > now_ ? next - now_ : 0);
      }
    }
    if (phase_ == Phase::drain) timeout = std::min(timeout, drain_deadline_ > now_ ? drain_deadline_ - now_ : 0);
    if (phase_ == Phase::linger) timeout = std::min<uint64_t>(timeout, 10'000'000);
    // A sleeping driver adds its own wakeup (tens of us on a VM, plus timer slack) to every
    // open-loop send and every arrival: --busy-poll measures the server, not the driver's naps.
    if (o_.busy_poll && phase_ != Phase::wait_finish && phase_ != Phase::linger) timeout = 0;
    wait_events(timeout);
  }
}

void Worker::begin_measure() {
  if (sample_server_) server_cpu_at_start_ = read_process_cpu_s(o_.server_pid);
  own_cpu_at_start_ = own_cpu_s();
}

void Worker::end_measure() {
  if (server_cpu_at_start_ >= 0) {
    double end = read_process_cpu_s(o_.server_pid);
    if (end >= server_cpu_at_start_) result_.server_cpu_ns = static_cast<uint64_t>((end - server_cpu_at_start_) * 1e9);
  }
  result_.driver_cpu_ns = static_cast<uint64_t>((own_cpu_s() - own_cpu_at_start_) * 1e9);
}

void Worker::draw_progress(bool final_line) {
  if (!progress_ || (!final_line && !meter_.due(now_))) return;
  const char* label = "connect";
  switch (phase_) {
    case Phase::warmup: label = "warmup"; break;
    case Phase::measure: label = "measure"; break;
    case Phase::drain:
    case Phase::wait_finish:
    case Phase::linger: label = "drain"; break;
    default: break;
  }
  meter_.draw(now_, label, registered_, part_.size(), o_.procs > 1, final_line);
}

WorkerResult Worker::run() {
  std::string error;
  if (!setup(&error)) {
    fail(error);
  } else if (connect_phase()) {
    draw_progress(true);
    hooks_.connected();
    hooks_.wait_start();
    run_phase();
    draw_progress(true);
  }
  result_.received = tracker_.received();
  result_.duplicates = tracker_.duplicates();
  for (Node& n : nodes_)
    if (n.fd >= 0) close_node(n, true);
  if (ep_ >= 0) ::close(ep_);
  return result_;
}

}  // namespace

WorkerResult run_worker(const Options& options, uint32_t worker, const std::string& id_prefix, WorkerHooks& hooks,
                        bool progress) {
  Worker w(options, worker, id_prefix, hooks, progress);
  return w.run();
}

}  // namespace sb::bench
