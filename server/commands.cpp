// What each protocol v1 command does. Called by the I/O layer with a complete, syntactically valid
// frame; returns false only when the sender must pause (back-pressure) and the frame be retried.
#include <charconv>
#include <cstring>

#include "common/protocol/from_header.h"
#include "server/server.h"
#include "server/server_limits.h"

namespace sb::server {

namespace {

using proto::ErrorCode;
using proto::FromHeader;
using proto::Verb;

}  // namespace

bool Server::handle_frame(Connection& c, const proto::Frame& f) {
  if (c.state != ConnState::registered) {
    if (f.verb == Verb::hello) {
      handle_hello(c, f);
    } else {
      reply_error(c, ErrorCode::not_registered, {});
    }
    return true;
  }
  switch (f.verb) {
    case Verb::send:
    case Verb::msg:
      return route(c, f.args[0], f.payload);
    case Verb::ping:
      c.out.append({f.argc ? "PONG " : "PONG", f.argc ? f.args[0] : "", "\n"});
      break;
    case Verb::who:
      reply_who(c);
      break;
    case Verb::stats:
      reply_stats(c);
      break;
    case Verb::quit:
      c.out.append({"BYE\n"});
      begin_drain(c, "quit");
      return true;
    case Verb::hello:  // already registered: one id per connection
    default:
      reply_error(c, ErrorCode::bad_command, f.verb_text);
      return true;
  }
  mark_dirty(c);
  return true;
}

void Server::handle_hello(Connection& c, const proto::Frame& f) {
  std::string_view id = f.args[0];
  uint32_t slot = slot_of(c);
  if (!authenticate(c, id, f.argc >= 2 ? f.args[1] : std::string_view{})) return;
  if (!routes_.insert(id, slot)) {
    SB_LOG(*log_, info, "reject", {"reason", "id-taken"}, {"node", id}, {"peer", std::string_view(c.peer)});
    reply_error(c, ErrorCode::id_taken, id);
    return;
  }
  std::memcpy(c.id, id.data(), id.size());
  c.id_len = static_cast<uint8_t>(id.size());
  c.state = ConnState::registered;
  wheel_.schedule(c.timer, now_tick_ + idle_ticks_);
  char secs[24];
  // Rounded down (--idle-timeout is at least 1 s): a client pacing keepalives from this number
  // then pings early rather than late.
  auto idle = static_cast<uint64_t>(options_.idle_timeout_s);
  size_t n = static_cast<size_t>(std::to_chars(secs, secs + sizeof secs, idle).ptr - secs);
  c.out.append({"WELCOME ", id, " ", {secs, n}, "\n"});
  mark_dirty(c);
  SB_LOG(*log_, info, "register", {"node", id}, {"peer", std::string_view(c.peer)}, {"conn", slot});
}

bool Server::authenticate(Connection& c, std::string_view id, std::string_view token) {
  std::string_view reason;
  const std::string_view peer(c.peer);
  auto verdict = admission_.authenticate(Admission::address_of(peer), id, token,
                                         now_tick_ * uint64_t(kTickMs), &reason);
  if (verdict == Admission::Verdict::ok) return true;
  SB_LOG(*log_, warn, "auth_failed", {"node", id}, {"peer", peer}, {"reason", reason});
  // No detail: whether the id exists or the token was wrong is not the client's to learn.
  reply_error(c, ErrorCode::auth, {});
  begin_drain(c, "auth");
  return false;
}

bool Server::route(Connection& c, std::string_view target, std::string_view payload) {
  if (target == "*") return broadcast(c, payload);
  const uint32_t* slot = routes_.find(target);
  if (slot == nullptr) {
    ++stats_.msgs_in;
    ++stats_.rejected;
    reply_error(c, ErrorCode::no_such_node, target);
    return true;
  }
  Connection& t = slab_[*slot];
  if (t.out.bytes() >= options_.max_outbuf) return block_on(c, t);
  ++stats_.msgs_in;
  ++stats_.copies;
  FromHeader header(c.node_id(), payload.size());
  t.out.append_message({header.view(), payload, "\n"});
  note_output_growth(t);
  SB_LOG(*log_, debug, "route", {"from", c.node_id()}, {"to", target}, {"bytes", uint64_t(payload.size())});
  return true;
}

bool Server::broadcast(Connection& c, std::string_view payload) {
  // All or nothing: a full target pauses the broadcast before any copy is queued, so no node gets
  // a message twice when it resumes.
  for (const auto& entry : routes_) {
    Connection& t = slab_[entry.slot];
    if (&t != &c && t.out.bytes() >= options_.max_outbuf) return block_on(c, t);
  }
  ++stats_.msgs_in;
  if (routes_.size() <= 1) return true;
  FromHeader header(c.node_id(), payload.size());
  const size_t frame = header.size + payload.size() + 1;
  // One copy of the frame, referenced from every target's queue.
  Block* block = pool_.acquire(frame);
  std::memcpy(block->data, header.bytes, header.size);
  // An empty payload may have data() == nullptr ("MSG *"); memcpy from null is undefined even for 0.
  if (!payload.empty()) std::memcpy(block->data + header.size, payload.data(), payload.size());
  block->data[frame - 1] = '\n';
  block->size = static_cast<uint32_t>(frame);
  for (const auto& entry : routes_) {
    Connection& t = slab_[entry.slot];
    if (&t == &c) continue;
    t.out.append_shared_message(block, 0, static_cast<uint32_t>(frame));
    ++stats_.copies;
    note_output_growth(t);
  }
  pool_.unref(block);
  SB_LOG(*log_, debug, "broadcast", {"from", c.node_id()}, {"targets", uint64_t(routes_.size() - 1)},
         {"bytes", uint64_t(payload.size())});
  return true;
}

void Server::reply_who(Connection& c) {
  char count[24];
  size_t n = static_cast<size_t>(std::to_chars(count, count + sizeof count, routes_.size()).ptr - count);
  c.out.append({"NODES ", {count, n}});
  for (const auto& entry : routes_) c.out.append({" ", entry.id()});
  c.out.append({"\n"});
}

void Server::reply_stats(Connection& c) {
  const uint64_t now_ns = monotonic_ns();
  const uint64_t queued = stats_.copies - stats_.msgs_out - stats_.dropped;
  const std::pair<const char*, uint64_t> fields[] = {
      {"connections", connections_},   {"nodes", routes_.size()},
      {"msgs_in", stats_.msgs_in},     {"msgs_out", stats_.msgs_out},
      {"bytes_in", stats_.bytes_in},   {"bytes_out", stats_.bytes_out},
      {"dropped", stats_.dropped},     {"rejected", stats_.rejected},
      {"copies", stats_.copies},       {"queued", queued},
      {"evicted_idle", stats_.evicted_idle}, {"evicted_slow", stats_.evicted_slow},
      {"blocked", stats_.blocked},     {"accepted", stats_.accepted},
      {"refused", stats_.refused},     {"log_dropped", log_->dropped()},
      {"uptime_s", (now_ns - start_ns_) / 1'000'000'000u},
  };
  c.out.append({"STATS"});
  for (const auto& [key, value] : fields) {
    char num[24];
    size_t n = static_cast<size_t>(std::to_chars(num, num + sizeof num, value).ptr - num);
    c.out.append({" ", key, "=", {num, n}});
  }
  c.out.append({"\n"});
}

void Server::reply_error(Connection& c, proto::ErrorCode code, std::string_view detail) {
  // The detail echoes client input (a verb, an id); a 1000-byte bad id is not worth sending back.
  detail = detail.substr(0, proto::kMaxErrorDetail);
  if (detail.empty()) {
    c.out.append({"ERR ", proto::error_code_name(code), "\n"});
  } else {
    c.out.append({"ERR ", proto::error_code_name(code), " ", detail, "\n"});
  }
  mark_dirty(c);
}

}  // namespace sb::server
