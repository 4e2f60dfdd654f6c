// Commands: the protocol verbs (the group verbs and WHO <target> are GroupCommands').
#include "server/commands.h"

#include <charconv>
#include <cstring>

#include "common/timing/clock.h"
#include "server/cluster.h"
#include "server/node_list_reply.h"
#include "common/version.h"
#include "server/server_limits.h"
#include "server/stats_table.h"

namespace sb::server {

namespace {

using proto::ErrorCode;
using proto::Verb;

std::string_view decimal(uint64_t value, char (&buf)[24]) {
  return {buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, value).ptr - buf)};
}

}  // namespace

Commands::Commands(const ServerOptions& options, const EventLoop& loop, Router& router, ConnectionIo& io,
                   Admission& admission, ServerStats& stats, log::Logger* log)
    : options_(options),
      loop_(loop),
      router_(router),
      io_(io),
      admission_(admission),
      stats_(stats),
      log_(log),
      start_ns_(monotonic_ns()),
      groups_(router, io, log, options.max_outbuf) {}

// The protocol's dispatch: one case per verb.
bool Commands::handle_frame(Connection& c, const proto::Frame& f) {
  if (c.state != ConnState::registered) return before_hello(c, f);
  switch (f.verb) {
    case Verb::send:
    case Verb::msg:
      return send(c, f.args[0], f.payload);
    case Verb::ping:
      ping(c, f);
      return true;
    case Verb::who:
      who(c, f);
      return true;
    case Verb::join:
      groups_.join(c, f.args[0]);
      return true;
    case Verb::leave:
      groups_.leave(c, f.args[0]);
      return true;
    case Verb::groups:
      groups_.groups(c);
      return true;
    case Verb::opt:
      opt(c, f);
      return true;
    case Verb::info:
      info(c);
      return true;
    case Verb::stats:
      stats(c);
      return true;
    case Verb::quit:
      quit(c);
      return true;
    case Verb::key:
      key(c, f);
      return true;
    case Verb::hello:  // already registered: one id per connection
    default:
      io_.reply_error(c, ErrorCode::bad_command, f.verb_text);
      return true;
  }
}

// Before HELLO only HELLO and QUIT mean anything: every other command, whatever it is, gets
// ERR not-registered (protocol-v2.md's clarification of v1).
bool Commands::before_hello(Connection& c, const proto::Frame& f) {
  if (f.verb == Verb::hello) {
    hello(c, f);
  } else if (f.verb == Verb::quit) {
    quit(c);
  } else {
    io_.reply_error(c, ErrorCode::not_registered, {});
  }
  return true;
}

// The same rule for frames the parser refused: an unknown verb or bad arguments before HELLO is
// first of all not registered. A line too long is no command at all and keeps its own answer;
// a fatal refusal closes the connection either way (ConnectionIo). True when it replied.
bool Commands::refused_before_hello(Connection& c, const proto::ParseResult& r) {
  if (r.frame.verb == Verb::hello || r.frame.verb == Verb::quit || r.error == ErrorCode::line_too_long) return false;
  io_.reply_error(c, ErrorCode::not_registered, {});
  return true;
}

void Commands::handle_refusal(Connection& c, const proto::ParseResult& r) {
  if (c.state != ConnState::registered && refused_before_hello(c, r)) return;
  const bool message = r.frame.verb == Verb::send || r.frame.verb == Verb::msg;
  if (message) count_message(false);  // a refused message still counts as received
  io_.reply_error(c, r.error, r.error_detail);
}

void Commands::hello(Connection& c, const proto::Frame& f) {
  std::string_view id = f.args[0];
  bool proven = false;
  if (!authenticate(c, id, f.argc >= 2 ? f.args[1] : std::string_view{}, &proven)) return;
  if (cluster_ != nullptr && router_.table().find(id) == nullptr && !cluster_->claiming(id)) {
    if (cluster_->begin_hello(c, id) == Cluster::HelloStart::waiting) {
      c.blocked_on = c.handle();  // no further commands until the claim is decided; input is kept
      return;
    }
    SB_LOG(*log_, warn, "reject", {"reason", "unavailable"}, {"node", id}, {"peer", std::string_view(c.peer)});
    io_.reply_error(c, ErrorCode::unavailable, "cluster");
    io_.begin_drain(c, "cluster-unavailable");
    return;
  }
  // Identity takeover is a single server's: with --cluster the id's claim is cluster-wide, and
  // handing it from one connection to another is not done, so id-taken stands there.
  const bool may_take_over = proven && cluster_ == nullptr;
  if ((cluster_ != nullptr && cluster_->claiming(id)) ||
      (!router_.add(id, c.slot) && !(may_take_over && take_over(c, id)))) {
    SB_LOG(*log_, info, "reject", {"reason", "id-taken"}, {"node", id}, {"peer", std::string_view(c.peer)});
    io_.reply_error(c, ErrorCode::id_taken, id);
    return;
  }
  register_node(c, id);
}

void Commands::complete_hello(Connection& c, std::string_view id) {
  if (!router_.add(id, c.slot)) {  // cannot happen: HELLO checked, and claims are one per id
    io_.reply_error(c, ErrorCode::id_taken, id);
    return;
  }
  register_node(c, id);
}

void Commands::register_node(Connection& c, std::string_view id) {
  std::memcpy(c.id, id.data(), id.size());
  c.id_len = static_cast<uint8_t>(id.size());
  c.state = ConnState::registered;  // ConnectionIo re-arms the idle timer at the end of the batch
  char secs[24];
  // Rounded down (--idle-timeout is at least 1 s): a client pacing keepalives from this number
  // then pings early rather than late.
  c.out.append({"WELCOME ", id, " ", decimal(static_cast<uint64_t>(options_.idle_timeout_s), secs), "\n"});
  io_.reply_queued(c);
  SB_LOG(*log_, info, "register", {"node", id}, {"peer", std::string_view(c.peer)}, {"conn", c.slot});
}

bool Commands::authenticate(Connection& c, std::string_view id, std::string_view token, bool* proven) {
  std::string_view reason;
  const std::string_view peer(c.peer);
  auto verdict = admission_.authenticate(Admission::address_of(peer), id, token,
                                         loop_.now_tick() * uint64_t(kTickMs), &reason);
  *proven = admission_.proves_identity(verdict);
  if (verdict == Admission::Verdict::ok || verdict == Admission::Verdict::ok_unverified) return true;
  SB_LOG(*log_, warn, "auth_failed", {"node", id}, {"peer", peer}, {"reason", reason});
  // No detail: whether the id exists or the token was wrong is not the client's to learn.
  io_.reply_error(c, ErrorCode::auth, {});
  io_.begin_drain(c, "auth");
  return false;
}

// Identity takeover (protocol-v2.md): a HELLO whose token proves the id replaces the connection
// holding it, which is told why, flushed and closed; the newest proven HELLO always wins. Messages
// for the id go to the new connection from now on (senders paused on the old one resume and
// retry against the new holder). True when `c` now holds the id.
bool Commands::take_over(Connection& c, std::string_view id) {
  Connection* old = router_.holder(id);
  if (old == nullptr || old == &c) return false;
  SB_LOG(*log_, info, "taken_over", {"node", id}, {"old_peer", std::string_view(old->peer)},
         {"peer", std::string_view(c.peer)});
  ++stats_.taken_over;
  io_.reply_error(*old, ErrorCode::taken_over, id);
  io_.begin_drain(*old, "taken-over");  // unregisters the id
  return router_.add(id, c.slot);
}

bool Commands::send(Connection& c, std::string_view target, std::string_view payload) {
  const Router::Outcome outcome = router_.route(c, target, payload);
  switch (outcome.kind) {
    case Router::Outcome::Kind::blocked:
      return false;  // counted when the retried frame goes through
    case Router::Outcome::Kind::no_such_node:
      count_message(false);
      io_.reply_error(c, ErrorCode::no_such_node, target);
      return true;
    case Router::Outcome::Kind::unavailable:
      count_message(false);
      stats_.copies += outcome.copies;  // a broadcast's local copies went out all the same
      io_.reply_error(c, ErrorCode::unavailable, target);
      return true;
    case Router::Outcome::Kind::no_receivers:
      count_message(false);
      groups_.refuse(c, ErrorCode::no_receivers, "SEND", target);
      return true;
    case Router::Outcome::Kind::queued:
      count_message(true);
      stats_.copies += outcome.copies;
      if (outcome.via != Router::Outcome::Via::direct) count_via(outcome.via);
      if (c.receipts) receipt(c, outcome.copies);
      return true;
  }
  return true;
}

void Commands::receipt(Connection& c, uint32_t copies) {
  char num[24];
  c.out.append({"OK ", decimal(copies, num), "\n"});
  io_.reply_queued(c);
}

void Commands::count_via(Router::Outcome::Via via) {
  switch (via) {
    case Router::Outcome::Via::broadcast: ++stats_.msgs_broadcast; break;
    case Router::Outcome::Via::group: ++stats_.msgs_group; break;
    case Router::Outcome::Via::anycast: ++stats_.msgs_anycast; break;
    case Router::Outcome::Via::pattern: ++stats_.msgs_pattern; break;
    case Router::Outcome::Via::direct: break;
  }
}

void Commands::ping(Connection& c, const proto::Frame& f) {
  c.out.append({f.argc ? "PONG " : "PONG", f.argc ? f.args[0] : "", "\n"});
  io_.reply_queued(c);
}

void Commands::who(Connection& c, const proto::Frame& f) {
  if (f.argc == 1 && f.args[0] != "*") {  // `WHO *` is WHO: every node (of the cluster too)
    groups_.who(c, f.args[0]);
    return;
  }
  // A reply counts against the output bound like any output (NodeListReply).
  const size_t room = options_.max_outbuf > c.out.bytes() ? options_.max_outbuf - c.out.bytes() : 0;
  if (cluster_ != nullptr) {
    cluster_->append_who(c.out, room);
    io_.reply_queued(c);
    return;
  }
  NodeListReply reply(c.out, room, router_.nodes());
  for (const auto& entry : router_.table())
    if (!reply.add(entry.id())) break;
  reply.finish();
  io_.reply_queued(c);
}

StatsReadings Commands::readings() const {
  return {io_.count(), router_.nodes(), log_->dropped(), (monotonic_ns() - start_ns_) / 1'000'000'000u,
          router_.groups().groups(), router_.groups().memberships()};
}

void Commands::stats(Connection& c) {
  c.out.append({"STATS"});
  for (const StatField& f : stat_fields(stats_, readings())) {
    char num[24];
    c.out.append({" ", f.key, "=", decimal(f.value, num)});
  }
  if (cluster_ != nullptr) cluster_->append_stats(c.out);
  c.out.append({"\n"});
  io_.reply_queued(c);
}

void Commands::opt(Connection& c, const proto::Frame& f) {
  const std::string_view value = f.args[1];
  if (f.args[0] != "receipts" || (value != "on" && value != "off")) {
    groups_.refuse(c, ErrorCode::bad_command, "OPT", f.verb_text, "unknown option or value");
    return;
  }
  c.receipts = value == "on";
  c.out.append({"OPT receipts ", value, "\n"});
  io_.reply_queued(c);
}

void Commands::info(Connection& c) {
  char payload[24], idle[24], per_node[24], groups[24];
  c.out.append({"INFO version=", kVersion, " proto=2 max_payload=", decimal(options_.max_payload, payload),
                " max_line=1024 idle_timeout=", decimal(static_cast<uint64_t>(options_.idle_timeout_s), idle),
                " max_groups_per_node=", decimal(options_.max_groups_per_node, per_node),
                " max_groups=", decimal(options_.max_groups, groups), " server=", server_name_, " cluster=",
                options_.cluster.empty() ? std::string_view("off") : std::string_view(options_.cluster), "\n"});
  io_.reply_queued(c);
}

void Commands::quit(Connection& c) {
  c.out.append({"BYE\n"});
  io_.begin_drain(c, "quit");
}

}  // namespace sb::server
