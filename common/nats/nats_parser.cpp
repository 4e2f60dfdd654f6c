// NATS wire parsing. MSG is "MSG <subject> <sid> [reply-to] <#bytes>\r\n<payload>\r\n" and HMSG
// "HMSG <subject> <sid> [reply-to] <#header bytes> <#total bytes>\r\n<headers><payload>\r\n";
// everything else nats-server sends is one line.
#include "common/nats/nats_parser.h"

#include <array>
#include <cstring>

#include "common/text/number.h"

namespace sb::nats {

namespace {

// nats-server's sizes are at most 12 digits (a terabyte), far below what a size_t holds.
bool parse_size(std::string_view t, size_t* out) { return text::parse_digits(t, 12, out); }

bool is_verb(std::string_view line, std::string_view verb) {
  if (line.size() < verb.size()) return false;
  for (size_t i = 0; i < verb.size(); ++i) {
    char c = line[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');  // nats-server accepts either case
    if (c != verb[i]) return false;
  }
  return line.size() == verb.size() || line[verb.size()] == ' ' || line[verb.size()] == '\t';
}

// Splits on runs of spaces and tabs; returns the token count (more than `max` means too many).
template <size_t N>
size_t split(std::string_view s, std::array<std::string_view, N>* out) {
  size_t n = 0, i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i == s.size()) break;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (n < N) (*out)[n] = s.substr(start, i - start);
    ++n;
  }
  return n;
}

Event malformed(const char* why) {
  Event ev;
  ev.kind = Event::Kind::error;
  ev.text = why;
  return ev;
}

}  // namespace

Event Parser::next(std::string_view input) {
  if (in_message_) return finish_message(input);
  const void* nl = scanned_ < input.size()
                       ? std::memchr(input.data() + scanned_, '\n', input.size() - scanned_)
                       : nullptr;
  if (nl == nullptr) {
    scanned_ = input.size();
    return input.size() > kMaxLine ? malformed("line too long") : Event{};
  }
  scanned_ = 0;
  const size_t line_end = static_cast<size_t>(static_cast<const char*>(nl) - input.data());
  std::string_view line = input.substr(0, line_end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (is_verb(line, "MSG")) return message_line(input, line_end + 1, false);
  if (is_verb(line, "HMSG")) return message_line(input, line_end + 1, true);
  Event ev;
  ev.consumed = line_end + 1;
  if (is_verb(line, "PING")) {
    ev.kind = Event::Kind::ping;
  } else if (is_verb(line, "PONG")) {
    ev.kind = Event::Kind::pong;
  } else if (is_verb(line, "INFO")) {
    ev.kind = Event::Kind::info;
    ev.text = line.size() > 5 ? line.substr(5) : std::string_view{};
  } else if (is_verb(line, "+OK")) {
    ev.kind = Event::Kind::ok;
  } else if (is_verb(line, "-ERR")) {
    ev.kind = Event::Kind::err;
    ev.text = line.size() > 5 ? line.substr(5) : std::string_view{};
    if (ev.text.size() >= 2 && ev.text.front() == '\'' && ev.text.back() == '\'')
      ev.text = ev.text.substr(1, ev.text.size() - 2);
  } else {
    return malformed("unknown line from server");
  }
  return ev;
}

// `input` starts at the MSG/HMSG line; `line_size` covers it and its '\n'.
Event Parser::message_line(std::string_view input, size_t line_size, bool with_headers) {
  std::string_view line = input.substr(0, line_size - 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::array<std::string_view, 6> t;
  const size_t n = split(line, &t);
  const size_t sizes = with_headers ? 2 : 1;
  if (n < 3 + sizes || n > 4 + sizes) return malformed(with_headers ? "bad HMSG line" : "bad MSG line");
  const bool has_reply = n == 4 + sizes;
  size_t hdr = 0, total = 0;
  if (!parse_size(t[n - 1], &total) || (with_headers && (!parse_size(t[n - 2], &hdr) || hdr > total)))
    return malformed(with_headers ? "bad HMSG sizes" : "bad MSG size");
  if (total > kMaxPayload) return malformed("message larger than the parser accepts");
  auto offset = [&](std::string_view v) { return static_cast<size_t>(v.data() - input.data()); };
  subject_at_ = offset(t[1]), subject_len_ = t[1].size();
  sid_at_ = offset(t[2]), sid_len_ = t[2].size();
  reply_at_ = has_reply ? offset(t[3]) : 0, reply_len_ = has_reply ? t[3].size() : 0;
  in_message_ = true;
  line_size_ = line_size;
  header_len_ = hdr;
  total_len_ = total;
  return finish_message(input);
}

Event Parser::finish_message(std::string_view input) {
  const size_t end = line_size_ + total_len_;
  if (input.size() < end + 2) return Event{};
  if (input[end] != '\r' || input[end + 1] != '\n') {
    in_message_ = false;
    return malformed("message body not followed by CRLF");
  }
  Event ev;
  ev.kind = Event::Kind::msg;
  ev.consumed = end + 2;
  ev.msg.subject = input.substr(subject_at_, subject_len_);
  ev.msg.sid = input.substr(sid_at_, sid_len_);
  ev.msg.reply = input.substr(reply_at_, reply_len_);
  ev.msg.headers = input.substr(line_size_, header_len_);
  ev.msg.payload = input.substr(line_size_ + header_len_, total_len_ - header_len_);
  in_message_ = false;
  return ev;
}

std::string_view header_value(std::string_view headers, std::string_view name) {
  size_t pos = headers.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < headers.size()) {
    size_t start = pos + 2;
    size_t end = headers.find("\r\n", start);
    if (end == std::string_view::npos) end = headers.size();
    std::string_view line = headers.substr(start, end - start);
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 && line[name.size()] == ':') {
      std::string_view v = line.substr(name.size() + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      return v;
    }
    pos = end;
  }
  return {};
}

int header_status(std::string_view headers) {
  constexpr std::string_view kVersion = "NATS/1.0 ";
  if (headers.size() < kVersion.size() + 3 || headers.compare(0, kVersion.size(), kVersion) != 0) return 0;
  int code = 0;
  for (size_t i = kVersion.size(); i < kVersion.size() + 3; ++i) {
    if (headers[i] < '0' || headers[i] > '9') return 0;
    code = code * 10 + (headers[i] - '0');
  }
  return code;
}

}  // namespace sb::nats
