// NATS wire handling. MSG is "MSG <subject> <sid> [reply-to] <#bytes>\r\n<payload>\r\n"; the byte
// count is always the last token. Everything else the server sends is one line.
#include "bench/nats_codec.h"

#include <cstring>

namespace sb::bench {

namespace {

bool parse_len(std::string_view t, size_t* out) {
  if (t.empty() || t.size() > 12) return false;
  size_t v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  *out = v;
  return true;
}

bool starts_with(std::string_view line, std::string_view verb) {
  return line.size() >= verb.size() && line.compare(0, verb.size(), verb) == 0 &&
         (line.size() == verb.size() || line[verb.size()] == ' ' || line[verb.size()] == '\t');
}

}  // namespace

NatsEvent NatsParser::next(std::string_view input) {
  NatsEvent ev;
  if (header_len_ > 0) {
    size_t end = header_len_ + payload_len_;
    if (input.size() < end + 2) return ev;
    if (input[end] != '\r' || input[end + 1] != '\n') {
      ev.kind = NatsEvent::Kind::error;
      ev.text = "MSG payload not followed by CRLF";
      return ev;
    }
    ev.kind = NatsEvent::Kind::msg;
    ev.payload = input.substr(header_len_, payload_len_);
    ev.consumed = end + 2;
    header_len_ = payload_len_ = 0;
    return ev;
  }
  const void* nl = scanned_ < input.size() ? std::memchr(input.data() + scanned_, '\n', input.size() - scanned_)
                                           : nullptr;
  if (nl == nullptr) {
    scanned_ = input.size();
    if (input.size() > 64 * 1024) {  // INFO is the longest line nats-server sends: a few KiB
      ev.kind = NatsEvent::Kind::error;
      ev.text = "line too long";
    }
    return ev;
  }
  scanned_ = 0;
  size_t line_end = static_cast<size_t>(static_cast<const char*>(nl) - input.data());
  std::string_view line = input.substr(0, line_end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ev.consumed = line_end + 1;
  if (starts_with(line, "MSG")) {
    size_t sp = line.find_last_of(' ');
    size_t len = 0;
    if (sp == std::string_view::npos || !parse_len(line.substr(sp + 1), &len)) {
      ev.kind = NatsEvent::Kind::error;
      ev.text = "bad MSG line";
      return ev;
    }
    header_len_ = line_end + 1;
    payload_len_ = len;
    NatsEvent rest = next(input);
    return rest;
  }
  if (starts_with(line, "PING")) ev.kind = NatsEvent::Kind::ping;
  else if (starts_with(line, "PONG")) ev.kind = NatsEvent::Kind::pong;
  else if (starts_with(line, "INFO")) ev.kind = NatsEvent::Kind::info;
  else if (starts_with(line, "+OK")) ev.kind = NatsEvent::Kind::ok;
  else if (starts_with(line, "-ERR")) {
    ev.kind = NatsEvent::Kind::err;
    ev.text = line.size() > 5 ? line.substr(5) : std::string_view{};
  } else {
    ev.kind = NatsEvent::Kind::error;
    ev.text = "unknown line from server";
  }
  return ev;
}

std::string nats_hello(std::string_view id, bool broadcast) {
  std::string s = broadcast ? "CONNECT {\"verbose\":false,\"pedantic\":false,\"echo\":false}\r\n"
                            : "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n";
  s += "SUB node.";
  s += id;
  s += " 1\r\n";
  if (broadcast) s += "SUB node.all 2\r\n";
  s += "PING\r\n";
  return s;
}

std::string nats_pub_prefix(std::string_view id) {
  std::string s = "PUB node.";
  s += id == "*" ? std::string_view("all") : id;
  s += ' ';
  return s;
}

}  // namespace sb::bench
