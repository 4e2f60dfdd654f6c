// Incremental parser for protocol v1 frames. It never copies: frames are views into the caller's
// buffer. It keeps just enough state (how far it has scanned, the pending payload length) that
// feeding the same bytes in any split gives the same frames, and a 1 MiB payload arriving in
// pieces is not rescanned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/protocol/frame.h"

namespace sb::proto {

// The canonical header of a payload frame, "<verb> <target> <len>" with single spaces and decimal
// digits (`line` without its "\n" or "\r\n"; `verb_space` is the verb and its space, "SEND "):
// its target and length digits, or false for any other spelling. The parser's fast path reads
// headers with it; inline and free of bounds-checked substr, since it runs once per message.
inline bool split_payload_header(std::string_view line, std::string_view verb_space, std::string_view* target,
                                 std::string_view* len) {
  const size_t at = verb_space.size();  // where the target starts
  if (line.size() < at + 3 || std::memcmp(line.data(), verb_space.data(), at) != 0) return false;
  const char* begin = line.data() + at;
  const char* end = line.data() + line.size();
  const char* sp = static_cast<const char*>(std::memchr(begin, ' ', static_cast<size_t>(end - begin)));
  if (sp == nullptr || sp == begin || sp + 1 == end) return false;
  for (const char* p = sp + 1; p < end; ++p)
    if (*p < '0' || *p > '9') return false;  // a space (more tokens) or junk: not canonical
  *target = {begin, static_cast<size_t>(sp - begin)};
  *len = {sp + 1, static_cast<size_t>(end - sp - 1)};
  return true;
}
// Strict unsigned decimal of at most 18 digits; rejects signs, spaces and anything that could
// overflow.
bool parse_length(std::string_view text, size_t* out);

enum class Role : uint8_t {
  server,  // parses what clients send: HELLO SEND MSG PING WHO STATS QUIT and the v2 verbs
  client,  // parses what servers send: WELCOME FROM PONG NODES STATS BYE ERR and the v2 replies
};

struct ParseResult {
  enum class Status : uint8_t {
    frame,      // `frame` is complete; drop `consumed` bytes after using it
    need_more,  // feed more bytes; drop `consumed` bytes (non-zero only while skipping a payload)
    error,      // `error` says what; drop `consumed` bytes; if `fatal`, framing is lost: close
  };
  Status status = Status::need_more;
  size_t consumed = 0;
  Frame frame;
  ErrorCode error = ErrorCode::none;
  bool fatal = false;
  std::string_view error_detail;  // e.g. the offending verb or target; a view like frame's
};

class FrameParser {
 public:
  explicit FrameParser(Role role, size_t max_payload = kDefaultMaxPayload)
      : role_(role), max_payload_(max_payload), max_line_(role == Role::server ? kMaxLine : kMaxServerLine) {}

  // `input` is all unconsumed bytes, starting where the previous call's `consumed` ended.
  // Successive calls may pass a longer `input` with the same prefix (more bytes arrived) or,
  // after consuming, the bytes that followed. Every field of `out` is written: a frame or error
  // fills what its status defines and leaves the rest empty; need_more leaves the frame, the
  // error and its detail empty. A hot loop keeps one ParseResult for a whole read: writing the
  // fields in place costs less than building a fresh ~170-byte result per frame.
  void next(std::string_view input, ParseResult& out);

  // Bytes the current frame still needs, when known (inside a payload); 0 when unknown.
  size_t bytes_wanted(size_t have) const;

  void reset();

 private:
  void parse_line(std::string_view input, size_t line_end, ParseResult& r);
  // A tokenized control line other than SEND/FROM: its arguments are checked per verb and `r`
  // becomes the frame or the error.
  void check_arguments(size_t consumed, ParseResult& r) const;
  // The hot frame in its canonical spelling ("SEND <target> <len>" from clients, "FROM <source>
  // <len>" from servers, single spaces): fills `f` exactly as the general tokenizer would, or
  // returns false and leaves every other spelling to it.
  bool parse_payload_header_fast(std::string_view line, Frame& f) const;
  // Both fill in `r`, whose frame already holds the tokenized header line: in place, so a SEND
  // costs no second result and no copy of its header.
  void begin_payload(std::string_view input, size_t header_len, ParseResult& r);
  void complete_payload(std::string_view input, ParseResult& r);
  static void need_more(ParseResult& r) {
    r.status = ParseResult::Status::need_more;
    r.consumed = 0;
    r.frame = Frame{};
    r.error = ErrorCode::none;
    r.fatal = false;
    r.error_detail = {};
  }
  ParseResult skip_refused_payload(std::string_view input);

  Role role_;
  size_t max_payload_;
  size_t max_line_;  // clients are held to kMaxLine; servers' NODES lines may be far longer
  size_t scanned_ = 0;        // bytes of the current line already known to hold no '\n'
  size_t header_len_ = 0;     // >0 while waiting for a payload: length of the control line + '\n'
  size_t payload_len_ = 0;
  size_t skip_left_ = 0;      // bytes of a refused (too-large, bad target) payload to discard
  bool skipping_terminator_ = false;  // the refused payload's '\n' is still to come
};

}  // namespace sb::proto
