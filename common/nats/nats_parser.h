// The NATS client protocol as a client reads it: INFO, MSG, HMSG, PING, PONG, +OK and -ERR from
// nats-server. Incremental and zero-copy like proto::FrameParser: call next() with every byte not
// yet consumed; the same events come out whatever way the input was split. Socket-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sb::nats {

// A delivered message. Every view points into the caller's input and lives until it consumes.
struct Message {
  std::string_view subject;
  std::string_view sid;
  std::string_view reply;    // empty when the publisher asked for none
  std::string_view headers;  // HMSG only: "NATS/1.0[ status text]\r\nKey: value\r\n...\r\n"
  std::string_view payload;
};

struct Event {
  enum class Kind : uint8_t { need_more, msg, ping, pong, info, ok, err, error };
  Kind kind = Kind::need_more;
  size_t consumed = 0;    // bytes to drop from the front of the input after this event
  Message msg;            // msg
  std::string_view text;  // info: the JSON; err: the server's reason; error: what was malformed
};

class Parser {
 public:
  // The largest MSG/HMSG accepted; a bigger one is a malformed stream (nats-server's own default
  // max_payload is 1 MiB, 64 MiB is its hard ceiling).
  static constexpr size_t kMaxPayload = size_t{64} << 20;
  // INFO is the longest control line nats-server sends: a few KiB.
  static constexpr size_t kMaxLine = 64 * 1024;

  // An `error` event means the stream cannot be followed any more: the caller reconnects.
  Event next(std::string_view input);
  void reset() { *this = Parser{}; }

 private:
  Event message_line(std::string_view line, size_t line_size, bool with_headers);
  Event finish_message(std::string_view input);

  size_t scanned_ = 0;      // bytes of the current line known to hold no '\n'
  bool in_message_ = false;  // the MSG/HMSG line was read; waiting for its body
  size_t line_size_ = 0;    // bytes of that line including "\r\n"
  size_t header_len_ = 0;
  size_t total_len_ = 0;    // headers + payload
  size_t subject_at_ = 0, subject_len_ = 0, sid_at_ = 0, sid_len_ = 0, reply_at_ = 0, reply_len_ = 0;
};

// The value of header `name` in an HMSG header block (case-sensitive name, as NATS writes them);
// empty when absent.
std::string_view header_value(std::string_view headers, std::string_view name);
// The status code of the header block's first line ("NATS/1.0 503" -> 503), 0 when none.
int header_status(std::string_view headers);

}  // namespace sb::nats
