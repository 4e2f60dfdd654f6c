// Switchboard frames go through the shared client-role parser; NATS through bench/nats_codec.
#include "bench/wire.h"

namespace sb::bench {

namespace {

WireEvent from_switchboard(proto::FrameParser& parser, proto::ParseResult& r, std::string_view input) {
  using proto::ParseResult;
  using proto::Verb;
  parser.next(input, r);
  WireEvent ev;
  ev.consumed = r.consumed;
  if (r.status == ParseResult::Status::need_more) return ev;
  if (r.status == ParseResult::Status::error) {
    ev.kind = WireEvent::Kind::server_error;
    ev.text = r.error_detail.empty() ? proto::error_code_name(r.error) : r.error_detail;
    ev.fatal = r.fatal;
    return ev;
  }
  switch (r.frame.verb) {
    case Verb::welcome: ev.kind = WireEvent::Kind::registered; break;
    case Verb::joined: ev.kind = WireEvent::Kind::joined; break;
    case Verb::from:
      ev.kind = WireEvent::Kind::message;
      ev.payload = r.frame.payload;
      break;
    case Verb::err: {
      ev.kind = WireEvent::Kind::server_error;
      // The code and its detail: "no-such-node b1-7".
      std::string_view code = r.frame.args[0];
      ev.text = r.frame.tail.empty() ? code : std::string_view(code.data(), r.frame.tail.data() + r.frame.tail.size() - code.data());
      // These codes are followed by the server closing the connection.
      auto c = proto::parse_error_code(code);
      ev.fatal = c == proto::ErrorCode::id_taken || c == proto::ErrorCode::auth || c == proto::ErrorCode::server_full ||
                 c == proto::ErrorCode::slow_consumer || c == proto::ErrorCode::idle_timeout ||
                 c == proto::ErrorCode::shutting_down || c == proto::ErrorCode::line_too_long;
      break;
    }
    default: ev.kind = WireEvent::Kind::ignore; break;
  }
  return ev;
}

WireEvent from_nats(nats::Parser& parser, std::string_view input) {
  nats::Event n = parser.next(input);
  WireEvent ev;
  ev.consumed = n.consumed;
  switch (n.kind) {
    case nats::Event::Kind::need_more: break;
    case nats::Event::Kind::msg:
      ev.kind = WireEvent::Kind::message;
      ev.payload = n.msg.payload;
      break;
    case nats::Event::Kind::ping: ev.kind = WireEvent::Kind::ping; break;
    case nats::Event::Kind::pong: ev.kind = WireEvent::Kind::registered; break;
    case nats::Event::Kind::info:
    case nats::Event::Kind::ok: ev.kind = WireEvent::Kind::ignore; break;
    case nats::Event::Kind::err:
      ev.kind = WireEvent::Kind::server_error;
      ev.text = n.text;
      ev.fatal = true;  // nats-server closes after nearly every -ERR
      break;
    case nats::Event::Kind::error:
      ev.kind = WireEvent::Kind::server_error;
      ev.text = n.text;
      ev.fatal = true;
      break;
  }
  return ev;
}

}  // namespace

WireEvent wire_next(Proto proto, WireParser& parser, std::string_view input) {
  return proto == Proto::nats ? from_nats(parser.nats, input) : from_switchboard(parser.sb, parser.sb_result, input);
}

std::string wire_hello(Proto proto, std::string_view id, bool broadcast, std::string_view group) {
  if (proto == Proto::nats)
    return nats_hello(id, broadcast, group.empty() ? group : group.substr(1), !group.empty() && group[0] == '~');
  std::string s = "HELLO " + std::string(id) + "\n";
  if (!group.empty()) s += "JOIN #" + std::string(group.substr(1)) + "\n";
  return s;
}

std::string wire_send_prefix(Proto proto, std::string_view target) {
  if (proto == Proto::nats) return nats_pub_prefix(target);
  return "SEND " + std::string(target) + " ";
}

std::string_view wire_eol(Proto proto) { return proto == Proto::nats ? "\r\n" : "\n"; }

std::string_view wire_pong(Proto proto) { return proto == Proto::nats ? "PONG\r\n" : ""; }

}  // namespace sb::bench
