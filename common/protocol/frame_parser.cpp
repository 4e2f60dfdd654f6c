// The v1 framing state machine. Two phases: scanning for the end of a control line (resuming
// where the last call stopped), then, for SEND/FROM, waiting until the whole payload is present
// so the frame can be handed over as one view without copying it.
#include "common/protocol/frame_parser.h"

#include <cstring>

#include "common/protocol/target.h"
#include "common/text/number.h"

namespace sb::proto {

namespace {

using Status = ParseResult::Status;

struct VerbName {
  std::string_view text;
  Verb verb;
};
constexpr VerbName kServerVerbs[] = {
    {"SEND", Verb::send}, {"MSG", Verb::msg},     {"PING", Verb::ping}, {"HELLO", Verb::hello},
    {"WHO", Verb::who},   {"STATS", Verb::stats}, {"QUIT", Verb::quit}, {"JOIN", Verb::join},
    {"LEAVE", Verb::leave}, {"GROUPS", Verb::groups}, {"OPT", Verb::opt}, {"INFO", Verb::info},
    {"KEY", Verb::key},
};
constexpr VerbName kClientVerbs[] = {
    {"FROM", Verb::from},   {"PONG", Verb::pong},         {"ERR", Verb::err},  {"WELCOME", Verb::welcome},
    {"NODES", Verb::nodes}, {"STATS", Verb::stats_reply}, {"BYE", Verb::bye}, {"JOINED", Verb::joined},
    {"LEFT", Verb::left},   {"GROUPS", Verb::groups_reply}, {"OPT", Verb::opt_reply}, {"INFO", Verb::info_reply},
    {"KEY", Verb::key_reply}, {"OK", Verb::ok},
};

Verb lookup_verb(Role role, std::string_view text) {
  if (role == Role::server) {
    for (const auto& v : kServerVerbs)
      if (v.text == text) return v.verb;
  } else {
    for (const auto& v : kClientVerbs)
      if (v.text == text) return v.verb;
  }
  return Verb::unknown;
}

// Splits a control line (no "\r\n") into verb, args and tail.
void tokenize(std::string_view line, Frame& frame) {
  size_t pos = 0;
  auto next_token = [&]() -> std::string_view {
    while (pos < line.size() && line[pos] == ' ') ++pos;
    size_t start = pos;
    while (pos < line.size() && line[pos] != ' ') ++pos;
    return line.substr(start, pos - start);
  };
  frame.verb_text = next_token();
  frame.argc = 0;
  for (std::string_view tok = next_token(); !tok.empty(); tok = next_token()) {
    if (frame.argc < Frame::kMaxArgs) frame.args[frame.argc] = tok;
    if (frame.argc == 0) {
      // The tail keeps every byte after the single separator, spaces included (MSG text).
      size_t after = static_cast<size_t>(tok.data() + tok.size() - line.data());
      frame.tail = after < line.size() ? line.substr(after + 1) : std::string_view{};
    }
    if (frame.argc < 255) ++frame.argc;
  }
}

// Any target form of docs/PROTOCOL.md; a node id is checked first and costs what it did in v1.
bool valid_target(std::string_view target) { return classify_target(target) != TargetKind::invalid; }

ParseResult error(ErrorCode code, size_t consumed, std::string_view detail, bool fatal = false) {
  ParseResult r;
  r.status = Status::error;
  r.error = code;
  r.consumed = consumed;
  r.error_detail = detail;
  r.fatal = fatal;
  return r;
}

// Length of the payload terminator at input[at]: 1 for "\n", 2 for "\r\n", 0 if more bytes are
// needed, -1 if the byte there cannot end a payload.
int terminator_at(std::string_view input, size_t at) {
  if (at >= input.size()) return 0;
  if (input[at] == '\n') return 1;
  if (input[at] != '\r') return -1;
  if (at + 1 >= input.size()) return 0;
  return input[at + 1] == '\n' ? 2 : -1;
}

}  // namespace

bool parse_length(std::string_view text, size_t* out) { return text::parse_digits(text, 18, out); }

void FrameParser::reset() {
  scanned_ = header_len_ = payload_len_ = skip_left_ = 0;
  skipping_terminator_ = false;
}

size_t FrameParser::bytes_wanted(size_t have) const {
  if (header_len_ == 0) return 0;
  size_t total = header_len_ + payload_len_ + 1;
  return total > have ? total - have : 0;
}

void FrameParser::next(std::string_view input, ParseResult& r) {
  if (skip_left_ > 0 || skipping_terminator_) {
    r = skip_refused_payload(input);
    return;
  }
  if (header_len_ > 0) {
    // The payload's end arrives in a later call. The bytes may have moved since the header was
    // parsed, so the short header line is tokenized again (only once the payload is complete).
    r = ParseResult{};
    if (terminator_at(input, header_len_ + payload_len_) != 0) {
      std::string_view line = input.substr(0, header_len_ - 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      tokenize(line, r.frame);
    }
    complete_payload(input, r);
    return;
  }

  const char* nl = nullptr;
  if (scanned_ < input.size())
    nl = static_cast<const char*>(std::memchr(input.data() + scanned_, '\n', input.size() - scanned_));
  if (nl == nullptr) {
    scanned_ = input.size();
    // max_line_ content bytes plus an optional '\r' may still be followed by the '\n'.
    if (input.size() > max_line_ + 1) {
      reset();
      r = error(ErrorCode::line_too_long, input.size(), {}, true);
      return;
    }
    need_more(r);
    return;
  }
  scanned_ = 0;
  size_t line_end = static_cast<size_t>(nl - input.data());
  parse_line(input, line_end, r);
}

void FrameParser::parse_line(std::string_view input, size_t line_end, ParseResult& r) {
  std::string_view line = input.substr(0, line_end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const size_t consumed = line_end + 1;
  if (line.size() > max_line_) {
    r = error(ErrorCode::line_too_long, consumed, {}, true);
    return;
  }
  Frame& f = r.frame;
  if (parse_payload_header_fast(line, f)) {
    r.error = ErrorCode::none;
    r.fatal = false;
    r.error_detail = {};
    begin_payload(input, consumed, r);
    return;
  }
  r = ParseResult{};  // the general path relies on every field starting empty
  tokenize(line, f);
  if (f.verb_text.empty()) {  // blank line: ignored, so netcat users can press Enter freely
    r.consumed = consumed;
    return;
  }
  f.verb = lookup_verb(role_, f.verb_text);
  if (f.verb == Verb::unknown) {
    r = error(ErrorCode::bad_command, consumed, f.verb_text);
    return;
  }

  if (f.verb == Verb::send || f.verb == Verb::from) {
    begin_payload(input, consumed, r);
    return;
  }

  check_arguments(consumed, r);
}

// Each verb's arguments: one case per verb.
void FrameParser::check_arguments(size_t consumed, ParseResult& r) const {
  Frame& f = r.frame;
  bool ok = true;
  switch (f.verb) {
    case Verb::hello:
      ok = f.argc == 1 || f.argc == 2;
      if (ok && !is_valid_node_id(f.args[0])) {
        r = error(ErrorCode::bad_id, consumed, f.args[0]);
        r.frame.verb = Verb::hello;  // before registration, HELLO's refusal is its own answer
        return;
      }
      break;
    case Verb::msg:
      ok = f.argc >= 1;
      if (ok && !valid_target(f.args[0])) {
        r = error(ErrorCode::bad_id, consumed, f.args[0]);
        r.frame.verb = Verb::msg;  // lets the server count a refused message
        return;
      }
      f.payload = f.tail;
      if (f.payload.size() > max_payload_) {  // same limit as SEND; the line is already consumed
        r = error(ErrorCode::too_large, consumed, f.args[0]);
        r.frame.verb = Verb::msg;
        return;
      }
      break;
    case Verb::ping:
      ok = f.argc <= 1;
      break;
    case Verb::who:  // WHO, WHO #group, WHO <pattern>: the argument is checked by the server
      ok = f.argc <= 1;
      break;
    case Verb::join:
    case Verb::leave:
      ok = f.argc == 1;
      break;
    case Verb::opt:
      ok = f.argc == 2;
      break;
    case Verb::stats:
    case Verb::quit:
    case Verb::groups:
    case Verb::info:
      ok = f.argc == 0;
      break;
    case Verb::welcome:
      ok = f.argc == 2;
      break;
    case Verb::nodes:
    case Verb::err:
      ok = f.argc >= 1;
      break;
    default:  // PONG, STATS reply, BYE: free-form
      break;
  }
  if (!ok) {
    const Verb verb = f.verb;
    r = error(ErrorCode::bad_command, consumed, f.verb_text);
    // HELLO and QUIT are answered before registration, refusals included; every other refused
    // frame then gets ERR not-registered, so only those two keep their verb here.
    if (verb == Verb::hello || verb == Verb::quit) r.frame.verb = verb;
    return;
  }
  r.status = Status::frame;
  r.consumed = consumed;
}

bool FrameParser::parse_payload_header_fast(std::string_view line, Frame& f) const {
  std::string_view target, len;
  if (!split_payload_header(line, role_ == Role::server ? "SEND " : "FROM ", &target, &len)) return false;
  f.verb = role_ == Role::server ? Verb::send : Verb::from;
  f.verb_text = line.substr(0, 4);
  f.args[0] = target;
  f.args[1] = len;
  for (size_t i = 2; i < Frame::kMaxArgs; ++i) f.args[i] = {};
  f.argc = 2;
  f.tail = len;
  return true;
}

void FrameParser::begin_payload(std::string_view input, size_t header_len, ParseResult& r) {
  const Frame& f = r.frame;
  size_t len = 0;
  // Without a trustworthy length the payload's end is unknown, so the stream cannot be resynced.
  // A FROM may carry a third token: what the message came through (#group, ~group, a pattern).
  const bool arity = f.argc == 2 || (f.argc == 3 && f.verb == Verb::from);
  if (!arity || !parse_length(f.args[1], &len)) {
    r = error(ErrorCode::bad_command, header_len, f.verb_text, true);
    return;
  }
  bool refused_too_large = len > max_payload_;
  bool refused_bad_id = !refused_too_large && role_ == Role::server && !valid_target(f.args[0]);
  if (refused_too_large || refused_bad_id) {
    // Discard the payload as it streams in instead of buffering up to `len` bytes.
    skip_left_ = len;
    skipping_terminator_ = true;
    const Verb verb = f.verb;
    r = error(refused_too_large ? ErrorCode::too_large : ErrorCode::bad_id, header_len, f.args[0]);
    r.frame.verb = verb;  // lets the server count a refused message
    return;
  }
  header_len_ = header_len;
  payload_len_ = len;
  complete_payload(input, r);
}

void FrameParser::complete_payload(std::string_view input, ParseResult& r) {
  size_t end = header_len_ + payload_len_;
  int term = terminator_at(input, end);
  if (term == 0) {
    need_more(r);
    return;
  }
  if (term < 0) {
    reset();
    r = error(ErrorCode::bad_command, end, "payload not followed by newline", true);
    return;
  }
  r.frame.verb = role_ == Role::server ? Verb::send : Verb::from;
  r.frame.payload = input.substr(header_len_, payload_len_);
  r.status = Status::frame;
  r.consumed = end + static_cast<size_t>(term);
  header_len_ = payload_len_ = 0;
}

ParseResult FrameParser::skip_refused_payload(std::string_view input) {
  ParseResult r;
  if (skip_left_ > 0) {
    size_t n = input.size() < skip_left_ ? input.size() : skip_left_;
    skip_left_ -= n;
    r.consumed = n;
    if (skip_left_ > 0) return r;
    input.remove_prefix(n);
  }
  int term = terminator_at(input, 0);
  if (term == 0) return r;
  skipping_terminator_ = false;
  if (term < 0) return error(ErrorCode::bad_command, r.consumed, "payload not followed by newline", true);
  r.consumed += static_cast<size_t>(term);
  return r;
}

}  // namespace sb::proto
