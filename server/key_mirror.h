// KeyMirror: this server's copy of the cluster's published end-to-end keys, fed by the watch of
// the sb_keys bucket (every publication and removal, in stream order). A record names the id's
// claim it belongs to (the sb_ids sequence of the claim, as the Directory knows it) and the
// server that published it, so a key is answered only for the holder that published it: a stale
// record of an earlier holder of the id (one that left, or whose server crashed) never matches
// the current claim. Socket-free; docs/CLUSTER.md describes the bucket.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/security/public_key.h"

namespace sb::server {

class KeyMirror {
 public:
  struct Record {
    uint64_t seq = 0;        // the record's stream sequence in sb_keys
    uint64_t claim_seq = 0;  // the sb_ids sequence of the claim whose holder published it
    std::string server;      // the server that published it
    security::PublicKey key{};
  };

  // A record's value: "<claim sequence> <server> x25519:<key>".
  static std::string encode(uint64_t claim_seq, std::string_view server, const security::PublicKey& key);

  // The record stored for `id` at `seq` (one older than what is known changes nothing). False
  // when `value` is no record: the id is then forgotten, since its last record says nothing valid.
  bool put(std::string_view id, uint64_t seq, std::string_view value);
  // The id's record was deleted at `seq`.
  void erase(std::string_view id, uint64_t seq);
  void clear() { records_.clear(); }

  const Record* find(std::string_view id) const;
  // The key published by the holder of the claim stored at `claim_seq`, or null.
  const security::PublicKey* key_for(std::string_view id, uint64_t claim_seq) const;
  // Every record `server` published.
  void for_each_of(std::string_view server, const std::function<void(const std::string&, const Record&)>& f) const;
  size_t size() const { return records_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Record, Hash, std::equal_to<>> records_;
};

}  // namespace sb::server
