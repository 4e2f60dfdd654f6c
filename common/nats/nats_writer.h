// The NATS client protocol as a client writes it: CONNECT, PUB, HPUB, SUB, UNSUB, PING, PONG.
// Control lines are appended to a std::string; the hot path (one PUB per routed message) builds
// only its command line on the stack with PubLine and hands the payload over as a separate piece.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sb::nats {

struct ConnectOptions {
  std::string_view name;  // shown by nats-server's monitoring
  bool echo = true;       // false: this connection's own publications are not delivered back to it
};
// "CONNECT {...}\r\n" with verbose and pedantic off, headers and no_responders on.
void write_connect(std::string* out, const ConnectOptions& options);
void write_sub(std::string* out, std::string_view subject, std::string_view sid);
void write_unsub(std::string* out, std::string_view sid);
void write_ping(std::string* out);
void write_pong(std::string* out);
// A whole "PUB <subject> [reply] <len>\r\n<payload>\r\n".
void write_pub(std::string* out, std::string_view subject, std::string_view reply, std::string_view payload);
// A whole "HPUB <subject> [reply] <hdr len> <total len>\r\nNATS/1.0\r\n<headers>\r\n<payload>\r\n";
// `headers` is "Key: value\r\n" lines (possibly none).
void write_hpub(std::string* out, std::string_view subject, std::string_view reply, std::string_view headers,
                std::string_view payload);

// "PUB <subject> [reply] <len>\r\n" in a fixed buffer; the payload and "\r\n" follow it. A subject
// or reply longer than kMaxSubject does not fit: ok() is false (callers check subjects earlier).
class PubLine {
 public:
  static constexpr size_t kMaxSubject = 256;
  PubLine(std::string_view subject, std::string_view reply, size_t payload_len);
  bool ok() const { return size_ > 0; }
  std::string_view view() const { return {bytes_, size_}; }

 private:
  char bytes_[2 * kMaxSubject + 32];
  size_t size_ = 0;
};

// True for a subject a client may publish to: non-empty tokens separated by '.', no whitespace,
// no wildcard token.
bool is_valid_subject(std::string_view subject);

}  // namespace sb::nats
