// IdClaims: create, compare-and-set and release of id keys in the sb_ids bucket.
#include "server/id_claims.h"

#include <vector>

#include "common/nats/jetstream.h"
#include "common/nats/nats_writer.h"

namespace sb::server {

void IdClaims::configure(std::string reply_prefix, std::string server_name, uint64_t timeout_ms, uint64_t ttl_ms) {
  reply_prefix_ = std::move(reply_prefix);
  server_name_ = std::move(server_name);
  timeout_ms_ = timeout_ms;
  ttl_ms_ = ttl_ms;
}

void IdClaims::claim(uint64_t owner, std::string_view id, bool reclaim, uint64_t now_ms) {
  const uint64_t token = ++next_token_;
  Claim& c = by_token_[token];
  c = {owner, std::string(id), reclaim, false, false, 0, 0, now_ms + timeout_ms_};
  by_id_[c.id] = token;
  send(token, c, 0);
}

void IdClaims::send(uint64_t token, const Claim& c, uint64_t expected_seq) {
  scratch_.clear();
  const std::string headers = "Nats-Expected-Last-Subject-Sequence: " + std::to_string(expected_seq) + "\r\n";
  nats::write_hpub(&scratch_, std::string(kBucketSubject) + nats::kv_key(c.id), reply_prefix_ + std::to_string(token),
                   headers, server_name_);
  // A refused send (link down) is answered by fail_all(), which on_backbone_down() calls.
  backbone_.send(scratch_);
}

void IdClaims::on_reply(uint64_t token, const nats::Message& m, uint64_t now_ms) {
  auto it = by_token_.find(token);
  if (it == by_token_.end()) return;
  Claim& c = it->second;
  const nats::ApiReply r = nats::parse_api_reply(m.payload);
  if (c.abandoned) {
    if (r.ok) release(c.id, r.seq);
    by_token_.erase(it);
    return;
  }
  if (nats::header_status(m.headers) == 503) {  // no responders: the bucket's stream is missing
    SB_LOG(*log_, warn, "claim_failed", {"node", std::string_view(c.id)}, {"reason", "no-responders"});
    return finish_lost(token, Refusal::unavailable);
  }
  if (r.ok) return finish_won(token, r.seq);
  if (r.err_code != nats::kErrWrongLastSequence) {
    SB_LOG(*log_, warn, "claim_failed", {"node", std::string_view(c.id)}, {"reason", r.description});
    return finish_lost(token, Refusal::unavailable);
  }
  c.last_seq = nats::wrong_last_sequence(r.description);
  decide(token, now_ms);
}

// The key has history up to last_seq: decide from the Directory once it has seen that far.
void IdClaims::decide(uint64_t token, uint64_t now_ms) {
  Claim& c = by_token_[token];
  const Directory::Entry* e = dir_.find(c.id);
  c.waiting = !ready_ || e == nullptr || e->seq < c.last_seq;
  if (c.waiting) return;
  if (e->held && e->server == dir_.self() && c.reclaim) return finish_won(token, e->seq);
  // Free to swap: released, held by a server whose heartbeat expired, or a stale record of this
  // server's own (no local node holds it, or HELLO would have said id-taken).
  const bool free = !e->held || e->server == dir_.self() || !dir_.alive(e->server, now_ms, ttl_ms_);
  if (!free || ++c.swaps > kMaxSwaps) return finish_lost(token, Refusal::taken);
  if (e->held && e->server != dir_.self())
    SB_LOG(*log_, info, "claim_takeover", {"node", std::string_view(c.id)},
           {"from", dir_.server_name(e->server)}, {"reason", "heartbeat-expired"});
  Claim moved = std::move(c);
  by_token_.erase(token);
  const uint64_t next = ++next_token_;
  by_id_[moved.id] = next;
  send(next, moved, e->seq);
  by_token_.emplace(next, std::move(moved));
}

void IdClaims::on_directory(std::string_view id, uint64_t now_ms) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  auto claim = by_token_.find(it->second);
  if (claim != by_token_.end() && claim->second.waiting) decide(it->second, now_ms);
}

void IdClaims::set_ready(bool ready, uint64_t now_ms) {
  ready_ = ready;
  if (!ready) return;
  std::vector<uint64_t> waiting;
  for (const auto& [token, c] : by_token_)
    if (c.waiting && !c.abandoned) waiting.push_back(token);
  for (uint64_t token : waiting) decide(token, now_ms);
}

void IdClaims::on_tick(uint64_t now_ms) {
  std::vector<uint64_t> expired;
  for (const auto& [token, c] : by_token_)
    if (!c.abandoned && now_ms >= c.deadline_ms) expired.push_back(token);
  for (uint64_t token : expired) {
    SB_LOG(*log_, warn, "claim_failed", {"node", std::string_view(by_token_[token].id)}, {"reason", "timeout"});
    Claim& c = by_token_[token];
    by_id_.erase(c.id);
    c.abandoned = true;
    const uint64_t owner = c.owner;
    const bool reclaim = c.reclaim;
    listener_.claim_lost(owner, c.id, Refusal::unavailable, reclaim);
  }
}

void IdClaims::fail_all() {
  auto claims = std::move(by_token_);
  by_token_.clear();
  by_id_.clear();
  for (auto& [token, c] : claims)
    if (!c.abandoned) listener_.claim_lost(c.owner, c.id, Refusal::unavailable, c.reclaim);
}

void IdClaims::release(std::string_view id, uint64_t seq) {
  scratch_.clear();
  nats::write_kv_delete(&scratch_, std::string(kBucketSubject) + nats::kv_key(id), seq);
  backbone_.send(scratch_);
}

void IdClaims::finish_won(uint64_t token, uint64_t seq) {
  auto it = by_token_.find(token);
  Claim c = std::move(it->second);
  by_token_.erase(it);
  by_id_.erase(c.id);
  listener_.claim_won(c.owner, c.id, seq, c.reclaim);
}

void IdClaims::finish_lost(uint64_t token, Refusal why) {
  auto it = by_token_.find(token);
  Claim c = std::move(it->second);
  by_token_.erase(it);
  by_id_.erase(c.id);
  if (why == Refusal::taken) SB_LOG(*log_, info, "claim_refused", {"node", std::string_view(c.id)});
  listener_.claim_lost(c.owner, c.id, why, c.reclaim);
}

}  // namespace sb::server
