// Protocol v1 client state: request encoding, response decoding, and the registration/quit state.
#include "client/session.h"

#include <charconv>

namespace sb::client {

namespace {
using proto::Verb;
using Status = proto::ParseResult::Status;

// Buffers are compacted only when the dead prefix is large and at least half of the buffer, so
// a steady stream costs amortised O(1) per byte instead of a memmove per frame.
constexpr size_t kCompactAt = 64 * 1024;

void compact(std::string* buf, size_t* head) {
  if (*head == buf->size()) {
    buf->clear();
    *head = 0;
  } else if (*head >= kCompactAt && *head * 2 >= buf->size()) {
    buf->erase(0, *head);
    *head = 0;
  }
}

// The whole text after the verb ("a=1 b=2", "3 a b c"), from the first argument on.
std::string_view after_verb(const proto::Frame& f) {
  if (f.argc == 0) return {};
  if (f.tail.empty()) return f.args[0];
  return std::string_view(f.args[0].data(), static_cast<size_t>(f.tail.data() + f.tail.size() - f.args[0].data()));
}
// A decimal count from the server; 0 when it is not one.
size_t count_of(std::string_view text) {
  size_t count = 0;
  std::from_chars(text.data(), text.data() + text.size(), count);
  return count;
}
}  // namespace

void Session::reset() {
  parser_.reset();
  in_.clear();
  in_head_ = 0;
  out_.clear();
  out_head_ = 0;
  state_ = State::idle;
  idle_timeout_s_ = 0;
}

void Session::append_line(std::string_view a, std::string_view b, std::string_view c) {
  out_ += a;
  if (!b.empty()) (out_ += ' ') += b;
  if (!c.empty()) (out_ += ' ') += c;
  out_ += '\n';
}

void Session::hello(std::string_view id, std::string_view token) {
  id_ = id;
  state_ = State::registering;
  append_line("HELLO", id, token);
}

void Session::send(std::string_view target, std::string_view payload) {
  append_line("SEND", target, std::to_string(payload.size()));
  out_ += payload;
  out_ += '\n';
}

void Session::ping(std::string_view word) { append_line("PING", word); }
void Session::who() { append_line("WHO"); }
void Session::who(std::string_view target) { append_line("WHO", target); }
void Session::key_set(std::string_view key_text) { append_line("KEY", "SET", key_text); }
void Session::key_get(std::string_view id) { append_line("KEY", "GET", id); }
void Session::request(std::string_view verb, std::string_view arg1, std::string_view arg2) {
  append_line(verb, arg1, arg2);
}
void Session::stats() { append_line("STATS"); }

void Session::quit() {
  state_ = State::quitting;
  append_line("QUIT");
}

void Session::consume_output(size_t n) {
  out_head_ += n;
  compact(&out_, &out_head_);
}

bool Session::feed(std::string_view bytes, const EventFn& on_event, std::string* error) {
  in_ += bytes;
  proto::ParseResult r;
  for (;;) {
    parser_.next(std::string_view(in_).substr(in_head_), r);
    if (r.status == Status::frame) {
      dispatch(r.frame, on_event);  // views into in_: use before consuming
    } else if (r.status == Status::error) {
      if (r.fatal) {
        *error = "unreadable data from the server (" + std::string(proto::error_code_name(r.error)) +
                 (r.error_detail.empty() ? "" : ": " + std::string(r.error_detail)) + ")";
        return false;
      }
      ServerEvent ev;
      ev.kind = ServerEvent::Kind::protocol_error;
      std::string what = r.error == proto::ErrorCode::too_large
                             ? "a message from '" + std::string(r.error_detail) + "' was too large and was dropped"
                             : "ignored an unknown reply '" + std::string(r.error_detail) + "'";
      ev.text = what;
      on_event(ev);
    }
    in_head_ += r.consumed;
    if (r.status == Status::need_more && r.consumed == 0) break;
  }
  compact(&in_, &in_head_);
  return true;
}

void Session::dispatch(const proto::Frame& f, const EventFn& on_event) {
  ServerEvent ev;
  switch (f.verb) {
    case Verb::welcome: {
      ev.kind = ServerEvent::Kind::welcome;
      ev.node = f.args[0];
      uint32_t idle = 0;
      std::string_view t = f.args[1];
      auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), idle);
      if (ec != std::errc() || ptr != t.data() + t.size()) idle = 0;  // unknown: no keepalive
      ev.idle_timeout_s = idle_timeout_s_ = idle;
      id_ = f.args[0];
      state_ = State::registered;
      break;
    }
    case Verb::from:
      ev.kind = ServerEvent::Kind::message;
      ev.node = f.args[0];
      ev.via = f.argc >= 3 ? f.args[2] : std::string_view{};
      ev.text = f.payload;
      break;
    case Verb::joined:
    case Verb::left:
      ev.kind = f.verb == Verb::joined ? ServerEvent::Kind::joined : ServerEvent::Kind::left;
      ev.node = f.args[0];
      ev.count = count_of(f.args[1]);
      break;
    case Verb::groups_reply:
      ev.kind = ServerEvent::Kind::groups;
      ev.count = count_of(f.args[0]);
      ev.text = f.tail;
      break;
    case Verb::ok:
      ev.kind = ServerEvent::Kind::receipt;
      ev.count = count_of(f.args[0]);
      break;
    case Verb::info_reply:
    case Verb::opt_reply:
      ev.kind = f.verb == Verb::info_reply ? ServerEvent::Kind::info : ServerEvent::Kind::option;
      ev.text = after_verb(f);
      break;
    case Verb::pong:
      ev.kind = ServerEvent::Kind::pong;
      ev.text = f.argc > 0 ? f.args[0] : std::string_view{};
      break;
    case Verb::nodes:
      ev.kind = ServerEvent::Kind::nodes;
      ev.count = count_of(f.args[0]);
      ev.text = f.tail;
      break;
    case Verb::stats_reply:
      ev.kind = ServerEvent::Kind::stats;
      ev.text = after_verb(f);
      break;
    case Verb::key_reply:
      ev.kind = ServerEvent::Kind::key;
      ev.node = f.args[0];
      ev.text = f.args[1];
      break;
    case Verb::bye:
      ev.kind = ServerEvent::Kind::bye;
      state_ = State::closed;
      break;
    case Verb::err:
      ev.kind = ServerEvent::Kind::error;
      ev.code_text = f.args[0];
      ev.code = proto::parse_error_code(f.args[0]);
      ev.text = f.tail;
      // A refused HELLO leaves us unregistered; the connection may take another HELLO.
      if (state_ == State::registering &&
          (ev.code == proto::ErrorCode::bad_id || ev.code == proto::ErrorCode::id_taken ||
           ev.code == proto::ErrorCode::auth || ev.code == proto::ErrorCode::server_full))
        state_ = State::idle;
      break;
    default:
      return;
  }
  on_event(ev);
}

}  // namespace sb::client
