// RemoteIdIndex: the trie's values index a table of (id, server), with a free list.
#include "server/remote_id_index.h"

namespace sb::server {

void RemoteIdIndex::set(std::string_view id, uint32_t server) {
  const uint32_t slot = trie_.find(id);
  if (slot != PatternIndex::kNone) {
    ids_[slot].server = server;
    return;
  }
  uint32_t fresh;
  if (free_.empty()) {
    fresh = static_cast<uint32_t>(ids_.size());
    ids_.push_back({std::string(id), server});
  } else {
    fresh = free_.back();
    free_.pop_back();
    ids_[fresh] = {std::string(id), server};
  }
  if (!trie_.insert(id, fresh)) free_.push_back(fresh);  // longer than any id: never a match
}

void RemoteIdIndex::erase(std::string_view id) {
  const uint32_t slot = trie_.find(id);
  if (slot == PatternIndex::kNone) return;
  trie_.erase(id);
  ids_[slot].id.clear();
  ids_[slot].id.shrink_to_fit();
  free_.push_back(slot);
}

uint32_t RemoteIdIndex::server_of(std::string_view id) const {
  const uint32_t slot = trie_.find(id);
  return slot == PatternIndex::kNone ? PatternIndex::kNone : ids_[slot].server;
}

}  // namespace sb::server
