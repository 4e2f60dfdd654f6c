// KeyMirror: records of the sb_keys bucket, their encoding and the claim check.
#include "server/key_mirror.h"

#include <charconv>

namespace sb::server {

namespace {

// "<claim sequence> <server> <key text>" -> its fields; false for anything else.
bool decode(std::string_view value, KeyMirror::Record* out) {
  const size_t first = value.find(' ');
  const size_t second = first == std::string_view::npos ? first : value.find(' ', first + 1);
  if (second == std::string_view::npos || second == first + 1) return false;
  const char* end = value.data() + first;
  const auto [ptr, ec] = std::from_chars(value.data(), end, out->claim_seq);
  if (ec != std::errc{} || ptr != end || out->claim_seq == 0) return false;
  out->server.assign(value.substr(first + 1, second - first - 1));
  return security::parse_public_key(value.substr(second + 1), &out->key);
}

}  // namespace

std::string KeyMirror::encode(uint64_t claim_seq, std::string_view server, const security::PublicKey& key) {
  std::string value = std::to_string(claim_seq);
  value += ' ';
  value += server;
  value += ' ';
  value += security::public_key_text(key);
  return value;
}

bool KeyMirror::put(std::string_view id, uint64_t seq, std::string_view value) {
  auto it = records_.find(id);
  if (it != records_.end() && it->second.seq > seq) return true;
  Record r;
  if (!decode(value, &r)) {
    if (it != records_.end()) records_.erase(it);
    return false;
  }
  r.seq = seq;
  if (it == records_.end()) records_.emplace(std::string(id), std::move(r));
  else it->second = std::move(r);
  return true;
}

void KeyMirror::erase(std::string_view id, uint64_t seq) {
  auto it = records_.find(id);
  if (it != records_.end() && it->second.seq <= seq) records_.erase(it);
}

const KeyMirror::Record* KeyMirror::find(std::string_view id) const {
  auto it = records_.find(id);
  return it == records_.end() ? nullptr : &it->second;
}

const security::PublicKey* KeyMirror::key_for(std::string_view id, uint64_t claim_seq) const {
  const Record* r = find(id);
  return r != nullptr && r->claim_seq == claim_seq ? &r->key : nullptr;
}

void KeyMirror::for_each_of(std::string_view server,
                            const std::function<void(const std::string&, const Record&)>& f) const {
  for (const auto& [id, r] : records_)
    if (r.server == server) f(id, r);
}

}  // namespace sb::server
