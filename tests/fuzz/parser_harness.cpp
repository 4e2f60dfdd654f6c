// The frame-parser fuzz driver: one stream, two feeds (whole and chunked), both roles, every
// ParseResult checked against the contract in frame_parser.h. Failures are returned as text, not
// aborted on, so the GoogleTest replay can report them; the libFuzzer target aborts.
#include "tests/fuzz/parser_harness.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/protocol/frame.h"
#include "common/protocol/frame_parser.h"
#include "common/protocol/target.h"
#include "common/text/number.h"
#include "tests/support/escape.h"

namespace sb::fuzz {
namespace {

using proto::ErrorCode;
using proto::Frame;
using proto::FrameParser;
using proto::ParseResult;
using proto::Role;
using proto::Verb;
using Status = ParseResult::Status;

// The one error detail that is a literal rather than a view into the input.
constexpr std::string_view kNoTerminator = "payload not followed by newline";

// Non-empty views must lie inside [base, base + len). (An empty view's pointer is never read.)
bool inside(std::string_view v, const char* base, size_t len) {
  if (v.empty()) return true;
  return v.data() >= base && v.data() + v.size() <= base + len;
}

bool has_byte(std::string_view v, char c) { return v.find(c) != std::string_view::npos; }

std::string_view verb_spelling(Verb v) {
  switch (v) {
    case Verb::hello: return "HELLO";
    case Verb::send: return "SEND";
    case Verb::msg: return "MSG";
    case Verb::ping: return "PING";
    case Verb::who: return "WHO";
    case Verb::stats: return "STATS";
    case Verb::quit: return "QUIT";
    case Verb::welcome: return "WELCOME";
    case Verb::from: return "FROM";
    case Verb::pong: return "PONG";
    case Verb::nodes: return "NODES";
    case Verb::stats_reply: return "STATS";
    case Verb::bye: return "BYE";
    case Verb::err: return "ERR";
    case Verb::join: return "JOIN";
    case Verb::leave: return "LEAVE";
    case Verb::groups: return "GROUPS";
    case Verb::opt: return "OPT";
    case Verb::info: return "INFO";
    case Verb::key: return "KEY";
    case Verb::joined: return "JOINED";
    case Verb::left: return "LEFT";
    case Verb::groups_reply: return "GROUPS";
    case Verb::opt_reply: return "OPT";
    case Verb::info_reply: return "INFO";
    case Verb::key_reply: return "KEY";
    case Verb::ok: return "OK";
    case Verb::unknown: break;
  }
  return {};
}

bool verb_belongs(Role role, Verb v) {
  if (role == Role::server) return v >= Verb::hello && v <= Verb::key;
  return v >= Verb::welcome && v <= Verb::ok;
}

// A frame is complete and makes sense for its verb (the parser's promises to the server/client).
std::string check_frame(Role role, size_t max_payload, const Frame& f, std::string_view consumed) {
  if (!verb_belongs(role, f.verb)) return "frame with a verb of the other role or unknown";
  if (f.verb_text != verb_spelling(f.verb)) return "verb_text '" + test::escaped(f.verb_text) + "' does not spell the verb";
  const size_t stored = f.argc < Frame::kMaxArgs ? f.argc : Frame::kMaxArgs;
  for (size_t i = 0; i < stored; ++i) {
    if (f.args[i].empty()) return "empty stored arg";
    if (has_byte(f.args[i], ' ') || has_byte(f.args[i], '\n')) return "arg contains a separator";
  }
  for (size_t i = stored; i < Frame::kMaxArgs; ++i)
    if (!f.args[i].empty()) return "arg stored beyond argc";
  if (has_byte(f.tail, '\n') || has_byte(f.verb_text, '\n')) return "newline inside a control line view";
  switch (f.verb) {
    case Verb::send:
    case Verb::from: {
      size_t len = 0;
      const bool arity = f.argc == 2 || (f.verb == Verb::from && f.argc == 3);  // FROM's via token
      if (!arity || !text::parse_digits(f.args[1], 18, &len)) return "payload frame without a valid length";
      if (len != f.payload.size()) return "payload size differs from the announced length";
      if (len > max_payload) return "payload over max_payload delivered";
      if (role == Role::server && proto::classify_target(f.args[0]) == proto::TargetKind::invalid)
        return "SEND to an invalid target delivered";
      // The payload is followed, inside the consumed bytes, by "\n" or "\r\n" and nothing else.
      if (f.payload.data() == nullptr || f.payload.data() < consumed.data() ||
          f.payload.data() + f.payload.size() > consumed.data() + consumed.size())
        return "payload view outside the consumed bytes";
      const size_t after = static_cast<size_t>(f.payload.data() - consumed.data()) + f.payload.size();
      std::string_view rest = consumed.substr(after);
      if (rest != "\n" && rest != "\r\n") return "payload not followed by exactly its terminator";
      break;
    }
    case Verb::hello:
      if (f.argc != 1 && f.argc != 2) return "HELLO with wrong arg count";
      if (!proto::is_valid_node_id(f.args[0])) return "HELLO with an invalid id";
      break;
    case Verb::msg:
      if (f.argc < 1) return "MSG without target";
      if (proto::classify_target(f.args[0]) == proto::TargetKind::invalid) return "MSG to an invalid target";
      if (f.payload != f.tail) return "MSG payload is not its tail";
      break;
    case Verb::ping:
      if (f.argc > 1) return "PING with more than one word";
      break;
    case Verb::who:
      if (f.argc > 1) return "WHO with more than one argument";
      break;
    case Verb::join:
    case Verb::leave:
      if (f.argc != 1) return "JOIN/LEAVE without exactly one argument";
      break;
    case Verb::opt:
      if (f.argc != 2) return "OPT without exactly two arguments";
      break;
    case Verb::stats:
    case Verb::quit:
    case Verb::groups:
    case Verb::info:
      if (f.argc != 0) return "argument-less verb with arguments";
      break;
    case Verb::welcome:
      if (f.argc != 2) return "WELCOME with wrong arg count";
      break;
    default:
      break;
  }
  return {};
}

// The event as a comparable key: every field length-prefixed, raw bytes (escaped only for messages).
void add_field(std::string* key, char tag, std::string_view v) {
  *key += tag;
  *key += std::to_string(v.size());
  *key += ':';
  key->append(v);
}

std::string describe(const ParseResult& r) {
  std::string e;
  if (r.status == Status::frame) {
    const Frame& f = r.frame;
    e = "frame verb=" + std::to_string(static_cast<int>(f.verb)) + " argc=" + std::to_string(f.argc);
    add_field(&e, 'v', f.verb_text);
    for (const auto& a : f.args) add_field(&e, 'a', a);
    add_field(&e, 't', f.tail);
    add_field(&e, 'p', f.payload);
  } else {
    // `consumed` is not compared: a too-long line is refused as soon as it is known to be too
    // long, which depends on the split (the connection is closed either way).
    e = "error code=" + std::string(proto::error_code_name(r.error)) + " fatal=" + (r.fatal ? "1" : "0") +
        " verb=" + std::to_string(static_cast<int>(r.frame.verb));
    add_field(&e, 'd', r.error_detail);
  }
  return e;
}

// Feeds `stream` in chunks of the given sizes (empty = all at once) the way a connection does,
// appending every frame and error to *events. Stops after a fatal error, as the server closes.
std::string feed(Role role, size_t max_payload, std::string_view stream, const std::vector<size_t>& chunks,
                 std::vector<std::string>* events) {
  FrameParser parser(role, max_payload);
  std::string pending;
  size_t pos = 0;
  size_t next_chunk = 0;
  while (pos < stream.size()) {
    size_t n = stream.size() - pos;
    if (!chunks.empty()) n = std::min(n, chunks[next_chunk++ % chunks.size()]);
    pending.append(stream.substr(pos, n));
    pos += n;
    for (;;) {
      const std::string_view in = pending;
      ParseResult r;
      parser.next(in, r);
      auto where = [&] {  // built only on failure: this loop runs once per byte in a bytewise feed
        return " (call on " + std::to_string(in.size()) + " bytes at stream offset " + std::to_string(pos - in.size()) +
               ", event " + std::to_string(events->size()) + ")";
      };
      if (r.consumed > in.size()) return "consumed " + std::to_string(r.consumed) + " > input" + where();
      const std::string_view used = in.substr(0, r.consumed);
      if (r.status == Status::frame) {
        const Frame& f = r.frame;
        if (r.consumed == 0) return "frame consumed nothing" + where();
        bool views_ok = inside(f.verb_text, used.data(), used.size()) && inside(f.tail, used.data(), used.size()) &&
                        inside(f.payload, used.data(), used.size());
        for (const auto& a : f.args) views_ok = views_ok && inside(a, used.data(), used.size());
        if (!views_ok) return "frame view outside the consumed bytes" + where();
        std::string bad = check_frame(role, max_payload, f, used);
        if (!bad.empty()) return bad + ": " + test::escaped(describe(r)) + where();
        if (r.error != ErrorCode::none || r.fatal) return "frame carries an error" + where();
        events->push_back(describe(r));
      } else if (r.status == Status::error) {
        if (r.error == ErrorCode::none) return "error without a code" + where();
        if (r.error_detail != kNoTerminator && !inside(r.error_detail, used.data(), used.size()))
          return "error detail outside the consumed bytes" + where();
        if (!r.fatal && r.consumed == 0) return "non-fatal error consumed nothing (no progress)" + where();
        events->push_back(describe(r));
        if (r.fatal) return {};
      } else if (r.status != Status::need_more) {
        return "unknown status" + where();
      }
      pending.erase(0, r.consumed);
      if (r.status == Status::need_more && r.consumed == 0) break;
    }
  }
  return {};
}

}  // namespace

std::string check_parser_input(const uint8_t* data, size_t size) {
  if (size == 0) return {};
  static constexpr size_t kMaxPayloads[] = {proto::kDefaultMaxPayload, 0, 7, 300};
  const uint8_t options = data[0];
  const size_t chunk_count = options & 0x0F;
  const size_t max_payload = kMaxPayloads[(options >> 4) & 3];
  size_t at = 1;
  std::vector<size_t> chunks;
  for (size_t i = 0; i < chunk_count && at < size; ++i, ++at) {
    const uint8_t b = data[at];
    chunks.push_back(b == 0 ? 1 : b == 255 ? SIZE_MAX : b);  // 255: everything that is left
  }
  if (chunks.empty()) chunks.push_back(1);  // no sizes given: the finest split, one byte per read
  const std::string_view stream(reinterpret_cast<const char*>(data) + at, size - at);

  for (Role role : {Role::server, Role::client}) {
    const char* role_name = role == Role::server ? "server" : "client";
    std::vector<std::string> whole, split;
    std::string bad = feed(role, max_payload, stream, {}, &whole);
    if (bad.empty()) bad = feed(role, max_payload, stream, chunks, &split);
    if (!bad.empty()) return std::string(role_name) + " role: " + bad;
    for (size_t i = 0; i < whole.size() || i < split.size(); ++i) {
      const std::string a = i < whole.size() ? whole[i] : "(none)";
      const std::string b = i < split.size() ? split[i] : "(none)";
      if (a != b)
        return std::string(role_name) + " role: event " + std::to_string(i) + " differs between feeds:\n  whole: " + test::escaped(a) +
               "\n  split: " + test::escaped(b);
    }
  }
  return {};
}

}  // namespace sb::fuzz
