// NATS command writers.
#include "common/nats/nats_writer.h"

#include <charconv>
#include <cstring>

namespace sb::nats {

namespace {

void append_number(std::string* out, size_t n) {
  char buf[24];
  *out += std::string_view(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, n).ptr - buf));
}

void append_json_string(std::string* out, std::string_view s) {
  *out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') *out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) *out += c;
  }
  *out += '"';
}

void subject_and_reply(std::string* out, std::string_view verb, std::string_view subject, std::string_view reply) {
  *out += verb;
  *out += ' ';
  *out += subject;
  if (!reply.empty()) {
    *out += ' ';
    *out += reply;
  }
  *out += ' ';
}

constexpr std::string_view kHeaderVersion = "NATS/1.0\r\n";

}  // namespace

void write_connect(std::string* out, const ConnectOptions& options) {
  *out += "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true,\"protocol\":1,";
  *out += options.echo ? "\"echo\":true," : "\"echo\":false,";
  *out += "\"lang\":\"c++\",\"version\":\"switchboard\",\"name\":";
  append_json_string(out, options.name);
  *out += "}\r\n";
}

void write_sub(std::string* out, std::string_view subject, std::string_view sid) {
  *out += "SUB ";
  *out += subject;
  *out += ' ';
  *out += sid;
  *out += "\r\n";
}

void write_unsub(std::string* out, std::string_view sid) {
  *out += "UNSUB ";
  *out += sid;
  *out += "\r\n";
}

void write_ping(std::string* out) { *out += "PING\r\n"; }
void write_pong(std::string* out) { *out += "PONG\r\n"; }

void write_pub(std::string* out, std::string_view subject, std::string_view reply, std::string_view payload) {
  subject_and_reply(out, "PUB", subject, reply);
  append_number(out, payload.size());
  *out += "\r\n";
  *out += payload;
  *out += "\r\n";
}

void write_hpub(std::string* out, std::string_view subject, std::string_view reply, std::string_view headers,
                std::string_view payload) {
  const size_t header_len = kHeaderVersion.size() + headers.size() + 2;
  subject_and_reply(out, "HPUB", subject, reply);
  append_number(out, header_len);
  *out += ' ';
  append_number(out, header_len + payload.size());
  *out += "\r\n";
  *out += kHeaderVersion;
  *out += headers;
  *out += "\r\n";
  *out += payload;
  *out += "\r\n";
}

PubLine::PubLine(std::string_view subject, std::string_view reply, size_t payload_len) {
  if (subject.size() > kMaxSubject || reply.size() > kMaxSubject) return;
  char* p = bytes_;
  std::memcpy(p, "PUB ", 4);
  p += 4;
  std::memcpy(p, subject.data(), subject.size());
  p += subject.size();
  *p++ = ' ';
  if (!reply.empty()) {
    std::memcpy(p, reply.data(), reply.size());
    p += reply.size();
    *p++ = ' ';
  }
  p = std::to_chars(p, bytes_ + sizeof bytes_, payload_len).ptr;
  *p++ = '\r';
  *p++ = '\n';
  size_ = static_cast<size_t>(p - bytes_);
}

bool is_valid_subject(std::string_view subject) {
  if (subject.empty()) return false;
  size_t token_start = 0;
  for (size_t i = 0; i <= subject.size(); ++i) {
    if (i == subject.size() || subject[i] == '.') {
      std::string_view token = subject.substr(token_start, i - token_start);
      if (token.empty() || token == "*" || token == ">") return false;
      token_start = i + 1;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(subject[i]);
    if (c <= ' ' || c == 0x7f) return false;
  }
  return true;
}

}  // namespace sb::nats
