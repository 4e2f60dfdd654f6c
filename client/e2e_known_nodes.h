// known_nodes: the keys this user has trusted, one per peer node id, in a text file beside the key
// file (trust on first use, as ssh's known_hosts). A peer's first key is recorded; a different key
// later is never used silently (E2eSession refuses or marks it) until /trust replaces the line.
// Several clients of one user may share the file, so every change is written under an flock of
// "known_nodes.lock", merged with what is on disk at that moment, and renamed into place.
//
//   # switchboard known nodes: <node id> x25519:<key>
//   b x25519:hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/security/public_key.h"

namespace sb::client::e2e {

class KnownNodes {
 public:
  // Reads `path` (a missing file is an empty list). False with *error naming file and line on a
  // malformed file: a damaged trust list is not ignored.
  bool load(const std::string& path, std::string* error);

  // The trusted key of `id`, or null.
  const security::PublicKey* find(std::string_view id) const;

  // Records `id` -> `key` (added or replaced) in memory and in the file. False with *error when
  // the file cannot be written; memory holds the key anyway, for this session.
  bool remember(std::string_view id, const security::PublicKey& key, std::string* error);

  const std::string& path() const { return path_; }
  size_t size() const { return keys_.size(); }

 private:
  using Map = std::map<std::string, security::PublicKey, std::less<>>;
  static bool parse(std::string_view text, const std::string& path, Map* out, std::string* error);
  static bool read(const std::string& path, Map* out, std::string* error);
  bool write(const Map& keys, std::string* error) const;

  std::string path_;
  Map keys_;
};

}  // namespace sb::client::e2e
