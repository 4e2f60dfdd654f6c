// IdClaims: makes ids unique across the cluster. A claim is an atomic create of the id's key in
// the JetStream KV bucket sb_ids (a publish with "Nats-Expected-Last-Subject-Sequence: 0"), whose
// value names the owning server; JetStream stores at most one of two racing creates. When the
// key has history (a released id, an id of a crashed server, this server's own after a
// reconnect), the claim waits until the Directory has seen that history and then either swaps it
// with a compare-and-set on its sequence or gives up. Claims are pipelined: each is one publish
// with its own reply subject, thousands may be outstanding. Socket-free but for Backbone::send.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/nats/nats_parser.h"
#include "server/backbone.h"
#include "server/directory.h"

namespace sb::server {

class IdClaims {
 public:
  enum class Refusal : uint8_t { taken, unavailable };
  class Listener {
   public:
    // `owner` is what claim() was given (a packed connection handle).
    virtual void claim_won(uint64_t owner, std::string_view id, uint64_t seq, bool reclaim) = 0;
    virtual void claim_lost(uint64_t owner, std::string_view id, Refusal why, bool reclaim) = 0;

   protected:
    ~Listener() = default;
  };

  static constexpr std::string_view kBucketSubject = "$KV.sb_ids.";
  // Swaps tried for one claim before it counts as taken (each lost swap means another server
  // moved the key meanwhile).
  static constexpr int kMaxSwaps = 4;

  IdClaims(Backbone& backbone, Directory& directory, Listener& listener, log::Logger* log)
      : backbone_(backbone), dir_(directory), listener_(listener), log_(log) {}

  // `reply_prefix` is "_INBOX.<server>.c": a claim's reply subject is it plus a number.
  void configure(std::string reply_prefix, std::string server_name, uint64_t timeout_ms, uint64_t ttl_ms);
  // Starts a claim (`reclaim`: this server held the id before the backbone dropped).
  void claim(uint64_t owner, std::string_view id, bool reclaim, uint64_t now_ms);
  bool pending(std::string_view id) const { return by_id_.count(id) > 0; }
  size_t outstanding() const { return by_id_.size(); }

  // A reply to the claim numbered `token`.
  void on_reply(uint64_t token, const nats::Message& m, uint64_t now_ms);
  // The Directory learned something about `id`.
  void on_directory(std::string_view id, uint64_t now_ms);
  // The Directory is complete (or not any more): decisions wait for it.
  void set_ready(bool ready, uint64_t now_ms);
  void on_tick(uint64_t now_ms);
  // The backbone dropped: every outstanding claim is refused as unavailable.
  void fail_all();
  // Releases an id this server holds (its claim was stored at `seq`); fire and forget.
  void release(std::string_view id, uint64_t seq);

 private:
  struct Claim {
    uint64_t owner;
    std::string id;
    bool reclaim;
    bool waiting;         // for the Directory to reach `last_seq` (or to be ready)
    bool abandoned;       // timed out: a late success is released at once
    int swaps;
    uint64_t last_seq;    // the key's last sequence as the failed create reported it
    uint64_t deadline_ms;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void send(uint64_t token, const Claim& c, uint64_t expected_seq);
  void decide(uint64_t token, uint64_t now_ms);
  void finish_won(uint64_t token, uint64_t seq);
  void finish_lost(uint64_t token, Refusal why);

  Backbone& backbone_;
  Directory& dir_;
  Listener& listener_;
  log::Logger* log_;
  std::string reply_prefix_;
  std::string server_name_;
  uint64_t timeout_ms_ = 3000;
  uint64_t ttl_ms_ = 3000;
  bool ready_ = false;
  uint64_t next_token_ = 0;
  std::unordered_map<uint64_t, Claim> by_token_;
  std::unordered_map<std::string, uint64_t, Hash, std::equal_to<>> by_id_;  // live claims only
  std::string scratch_;
};

}  // namespace sb::server
