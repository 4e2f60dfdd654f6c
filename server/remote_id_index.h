// RemoteIdIndex: the ids other servers hold, as a token trie (common/routing/pattern_index.h), so
// that a pattern finds its matches elsewhere (and the servers to publish to) by walking only the
// part of the trie it can reach, as it does for local ids. Fed from the Directory: set() when a
// claim of another server arrives, erase() when the id is released or becomes this server's.
// Socket-free.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/routing/pattern_index.h"

namespace sb::server {

class RemoteIdIndex {
 public:
  // `id` is held by `server` (a server index of the Directory, not 0).
  void set(std::string_view id, uint32_t server);
  void erase(std::string_view id);
  size_t size() const { return trie_.size(); }

  // emit(id, server) for every id `pattern` matches.
  template <typename F>
  void match(std::string_view pattern, F&& emit) const {
    trie_.match(pattern, [&](uint32_t slot) { emit(std::string_view(ids_[slot].id), ids_[slot].server); });
  }
  // The server holding exactly `id`, or PatternIndex::kNone.
  uint32_t server_of(std::string_view id) const;

 private:
  struct Held {
    std::string id;
    uint32_t server;
  };
  PatternIndex trie_;  // id -> index into ids_
  std::vector<Held> ids_;
  std::vector<uint32_t> free_;
};

}  // namespace sb::server
