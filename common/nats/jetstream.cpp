// JetStream request bodies, reply fields and KV key encoding.
#include "common/nats/jetstream.h"

#include <array>

#include "common/nats/nats_writer.h"

namespace sb::nats {

std::string kv_stream_config(std::string_view bucket, uint64_t max_age_ns, unsigned replicas) {
  std::string s = "{\"name\":\"KV_";
  s += bucket;
  s += "\",\"subjects\":[\"$KV.";
  s += bucket;
  s += ".>\"],\"retention\":\"limits\",\"max_msgs_per_subject\":1,\"max_age\":";
  s += std::to_string(max_age_ns);
  s += ",\"storage\":\"file\",\"discard\":\"new\",\"num_replicas\":";
  s += std::to_string(replicas);
  s += ",\"deny_delete\":true,\"deny_purge\":false,\"allow_rollup_hdrs\":true,\"allow_direct\":true}";
  return s;
}

std::string kv_watch_consumer(std::string_view bucket, std::string_view deliver_subject) {
  std::string s = "{\"stream_name\":\"KV_";
  s += bucket;
  s += "\",\"config\":{\"deliver_subject\":\"";
  s += deliver_subject;
  s += "\",\"deliver_policy\":\"last_per_subject\",\"ack_policy\":\"none\",\"replay_policy\":\"instant\","
       "\"filter_subject\":\"$KV.";
  s += bucket;
  s += ".>\",\"mem_storage\":true,\"num_replicas\":1,\"inactive_threshold\":30000000000}}";
  return s;
}

void write_kv_watch(std::string* out, std::string_view bucket, std::string_view deliver_subject,
                    std::string_view sid, std::string_view reply) {
  write_unsub(out, sid);
  write_sub(out, deliver_subject, sid);
  write_pub(out, "$JS.API.CONSUMER.CREATE.KV_" + std::string(bucket), reply,
            kv_watch_consumer(bucket, deliver_subject));
}

bool json_uint(std::string_view json, std::string_view key, uint64_t* out) {
  std::string quoted = "\"" + std::string(key) + "\":";
  size_t pos = json.find(quoted);
  if (pos == std::string_view::npos) return false;
  pos += quoted.size();
  while (pos < json.size() && json[pos] == ' ') ++pos;
  uint64_t v = 0;
  size_t digits = 0;
  for (; pos < json.size() && json[pos] >= '0' && json[pos] <= '9' && digits < 20; ++pos, ++digits)
    v = v * 10 + static_cast<uint64_t>(json[pos] - '0');
  if (digits == 0) return false;
  *out = v;
  return true;
}

std::string_view json_string(std::string_view json, std::string_view key) {
  std::string quoted = "\"" + std::string(key) + "\":";
  size_t pos = json.find(quoted);
  if (pos == std::string_view::npos) return {};
  pos += quoted.size();
  while (pos < json.size() && json[pos] == ' ') ++pos;
  if (pos >= json.size() || json[pos] != '"') return {};
  size_t end = ++pos;
  while (end < json.size() && json[end] != '"') end += json[end] == '\\' ? 2 : 1;
  return end <= json.size() ? json.substr(pos, end - pos) : std::string_view{};
}

ApiReply parse_api_reply(std::string_view json) {
  ApiReply r;
  size_t err = json.find("\"error\":");
  if (err != std::string_view::npos) {
    std::string_view e = json.substr(err);
    json_uint(e, "err_code", &r.err_code);
    r.description = json_string(e, "description");
    return r;
  }
  r.ok = !json.empty() && json.front() == '{';
  json_uint(json, "seq", &r.seq);
  json_uint(json, "num_pending", &r.num_pending);
  return r;
}

uint64_t wrong_last_sequence(std::string_view description) {
  size_t colon = description.rfind(':');
  if (colon == std::string_view::npos) return 0;
  uint64_t v = 0;
  return json_uint(std::string("\"x\":") + std::string(description.substr(colon + 1)), "x", &v) ? v : 0;
}

bool parse_ack_reply(std::string_view reply, AckMetadata* out) {
  constexpr std::string_view kPrefix = "$JS.ACK.";
  if (reply.substr(0, kPrefix.size()) != kPrefix) return false;
  std::array<std::string_view, 12> t;
  size_t n = 0, start = 0;
  for (size_t i = 0; i <= reply.size(); ++i) {
    if (i < reply.size() && reply[i] != '.') continue;
    if (n == t.size()) return false;
    t[n++] = reply.substr(start, i - start);
    start = i + 1;
  }
  // 9 tokens: $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<time>.<pending>; 11 or 12
  // tokens: the same after a domain and an account hash, with an optional random token last.
  size_t sseq_at;
  if (n == 9) sseq_at = 5;
  else if (n == 11 || n == 12) sseq_at = 7;
  else return false;
  auto number = [](std::string_view s, uint64_t* v) {
    if (s.empty() || s.size() > 20) return false;
    *v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      *v = *v * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
  };
  return number(t[sseq_at], &out->stream_seq) && number(t[sseq_at + 3], &out->pending);
}

void write_kv_delete(std::string* out, std::string_view subject, uint64_t expected_seq) {
  const std::string headers =
      "KV-Operation: DEL\r\nNats-Expected-Last-Subject-Sequence: " + std::to_string(expected_seq) + "\r\n";
  write_hpub(out, subject, {}, headers, {});
}

std::string kv_key(std::string_view id) {
  bool plain = !id.empty() && id.front() != '.' && id.back() != '.' && id.find("..") == std::string_view::npos;
  return plain ? std::string(id) : kv_hex_token(id);
}

std::string kv_hex_token(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key = "=";
  for (unsigned char c : text) {
    key += kHex[c >> 4];
    key += kHex[c & 15];
  }
  return key;
}

bool id_from_kv_key(std::string_view key, std::string* id) {
  if (key.empty()) return false;
  if (key.front() != '=') {
    *id = std::string(key);
    return true;
  }
  if (key.size() % 2 != 1) return false;
  auto nibble = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  id->clear();
  for (size_t i = 1; i < key.size(); i += 2) {
    int hi = nibble(key[i]), lo = nibble(key[i + 1]);
    if (hi < 0 || lo < 0) return false;
    *id += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

}  // namespace sb::nats
