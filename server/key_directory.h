// KeyDirectory: the end-to-end public keys nodes have published with KEY SET, by connection slot.
// A key lives as long as the connection that published it (Commands forgets it when the node
// leaves), so a later connection in the same slot or with the same id starts with none. Pinned
// keys from --auth-file are not kept here: Admission answers for those. Nothing here is on the
// message path; a server whose nodes never publish a key holds an empty map.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "common/security/public_key.h"

namespace sb::server {

class KeyDirectory {
 public:
  void publish(uint32_t slot, const security::PublicKey& key) { keys_[slot] = key; }
  // The key the connection in `slot` published, or null.
  const security::PublicKey* find(uint32_t slot) const {
    auto it = keys_.find(slot);
    return it == keys_.end() ? nullptr : &it->second;
  }
  void forget(uint32_t slot) {
    if (!keys_.empty()) keys_.erase(slot);
  }
  size_t size() const { return keys_.size(); }

 private:
  std::unordered_map<uint32_t, security::PublicKey> keys_;
};

}  // namespace sb::server
