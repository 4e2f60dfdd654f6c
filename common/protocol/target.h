// What the <target> of SEND and MSG names (docs/PROTOCOL.md, "Targets"): a node id, `*` (every
// other node), `#group`, `~group` (one member, anycast) or an id pattern with `*` / `>` tokens.
// Pure syntax, shared by the parser, the server's commands and the client.
#pragma once

#include <cstdint>
#include <string_view>

namespace sb::proto {

enum class TargetKind : uint8_t { invalid, node, broadcast, group, anycast, pattern };

// A node id is checked first, so a v1 target costs what it did before.
TargetKind classify_target(std::string_view target);

// 1..64 bytes of [A-Za-z0-9_.-]: the bare name after `#` or `~`.
bool is_valid_group_name(std::string_view name);
// `#name` or `~name` with a valid name.
inline bool is_group_target(std::string_view t) {
  return t.size() >= 2 && (t[0] == '#' || t[0] == '~') && is_valid_group_name(t.substr(1));
}
// 1..64 bytes of id characters and wildcards, split at '.' into non-empty tokens, where a token
// holding `*` or `>` is exactly that character, `>` only last, and at least one token is a
// wildcard (without one it would be an id). `*` alone is broadcast, not a pattern.
bool is_valid_pattern(std::string_view pattern);
// Whether a valid target holds a wildcard: a pattern, or `*` (broadcast).
inline bool has_wildcard(std::string_view target) { return target.find_first_of("*>") != std::string_view::npos; }

}  // namespace sb::proto
