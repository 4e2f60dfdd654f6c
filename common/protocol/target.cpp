// Target syntax. Only the v2 forms are checked here byte by byte; a plain id goes through the
// one table lookup per byte of is_valid_node_id.
#include "common/protocol/target.h"

#include "common/protocol/frame.h"

namespace sb::proto {

TargetKind classify_target(std::string_view t) {
  if (is_valid_node_id(t)) return TargetKind::node;
  if (t == "*") return TargetKind::broadcast;
  if (is_group_target(t)) return t[0] == '#' ? TargetKind::group : TargetKind::anycast;
  if (is_valid_pattern(t)) return TargetKind::pattern;
  return TargetKind::invalid;
}

bool is_valid_group_name(std::string_view name) { return is_valid_node_id(name); }

bool is_valid_pattern(std::string_view p) {
  if (p.empty() || p.size() > kMaxIdLen || p == "*") return false;
  bool wildcard = false;
  size_t start = 0;
  for (;;) {
    size_t dot = p.find('.', start);
    const bool last = dot == std::string_view::npos;
    std::string_view tok = p.substr(start, last ? std::string_view::npos : dot - start);
    if (tok.empty()) return false;
    if (tok == "*" || (tok == ">" && last)) {
      wildcard = true;
    } else if (!is_valid_node_id(tok)) {  // a '*' or '>' inside a token, '>' not last, junk
      return false;
    }
    if (last) return wildcard;
    start = dot + 1;
  }
}

}  // namespace sb::proto
