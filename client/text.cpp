// Escaping and error wording. Escaping exists so a peer cannot drive our terminal: a payload with
// ESC [ 2 J must show as text, not clear the screen.
#include "client/text.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace sb::client {

namespace {

// Length of a well-formed UTF-8 sequence starting at s[i] (2..4), or 0. Rejects overlongs,
// surrogates, code points past U+10FFFF and the C1 controls U+0080..U+009F (terminals act on them).
size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
  unsigned char b0 = byte(i);
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (!cont(i + 1)) return 0;
    if (b0 == 0xC2 && byte(i + 1) <= 0x9F) return 0;  // C1 control
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    unsigned char b1 = byte(i + 1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    unsigned char b1 = byte(i + 1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

std::string escape_payload(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (c == '\\') out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (size_t n = utf8_sequence_length(bytes, i); n > 0) {
        out.append(bytes.substr(i, n));
        i += n;
        continue;
      }
    }
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\0"; break;
      default:
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    ++i;
  }
  return out;
}

std::string describe_error(proto::ErrorCode code, std::string_view detail) {
  using proto::ErrorCode;
  std::string d = escape_payload(detail);
  std::string quoted = "'" + d + "'";
  switch (code) {
    case ErrorCode::bad_command:
      return d.empty() ? "the server did not understand a command"
                       : "the server did not understand " + quoted;
    case ErrorCode::bad_id:
      return "invalid node id " + quoted + " (use 1-64 of A-Z a-z 0-9 _ . -)";
    case ErrorCode::id_taken: return "node id " + quoted + " is already taken";
    case ErrorCode::auth: return "the server refused our credentials";
    case ErrorCode::not_registered: return "not registered with the server yet";
    case ErrorCode::no_such_node: return "no such node " + quoted;
    case ErrorCode::too_large:
      return d.empty() ? "message too large for the server"
                       : "message to " + quoted + " is too large for the server";
    case ErrorCode::line_too_long: return "a command was too long for the server";
    case ErrorCode::slow_consumer:
      return "the server disconnected us because we read messages too slowly";
    case ErrorCode::idle_timeout: return "the server disconnected us for being idle too long";
    case ErrorCode::server_full: return "the server is full";
    case ErrorCode::shutting_down: return "the server is shutting down";
    case ErrorCode::not_member: return "not a member of " + quoted;
    case ErrorCode::no_receivers: return "nobody received the message to " + quoted;
    case ErrorCode::too_many_groups: return "too many groups, cannot join " + quoted;
    case ErrorCode::no_key: return "node " + quoted + " has published no key";
    case ErrorCode::unavailable: return "the server cannot reach " + quoted + " right now";
    case ErrorCode::taken_over: return "another connection took over node id " + quoted;
    case ErrorCode::none: break;
  }
  return d.empty() ? "server error" : "server error: " + d;
}

std::string describe_error(std::string_view code_text, std::string_view detail) {
  proto::ErrorCode code = proto::parse_error_code(code_text);
  if (code == proto::ErrorCode::none) {
    std::string raw(code_text);
    if (!detail.empty()) raw += " " + std::string(detail);
    return "server error: " + escape_payload(raw);
  }
  return describe_error(code, detail);
}

std::string seconds_text(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string describe_words(std::string_view title, std::string_view words) {
  std::vector<std::string_view> sorted;
  for (size_t pos = 0; pos < words.size();) {
    size_t end = words.find(' ', pos);
    if (end == std::string_view::npos) end = words.size();
    if (end > pos) sorted.push_back(words.substr(pos, end - pos));
    pos = end + 1;
  }
  std::sort(sorted.begin(), sorted.end());
  std::string line = std::string(title) + " (" + std::to_string(sorted.size()) + "):";
  for (size_t i = 0; i < sorted.size(); ++i) line += (i == 0 ? " " : ", ") + escape_payload(sorted[i]);
  return line;
}

std::string describe_nodes(std::string_view ids) { return describe_words("Nodes", ids); }

}  // namespace sb::client
