// Wire spellings of error codes and the node id rule; kept apart from the parser so the client and
// bench can use them without the parsing state machine.
#include "common/protocol/frame.h"

#include <array>

namespace sb::proto {

namespace {
// One table lookup per byte: every routed message's target is checked with it.
constexpr std::array<bool, 256> kIdChar = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  return t;
}();

constexpr std::string_view kErrorNames[] = {
    "",           "bad-command",   "bad-id",    "id-taken",      "auth",
    "not-registered", "no-such-node", "too-large", "line-too-long", "slow-consumer",
    "idle-timeout",   "server-full",  "shutting-down",
    "not-member",     "no-receivers", "too-many-groups", "no-key", "unavailable", "taken-over",
};
static_assert(std::size(kErrorNames) == static_cast<size_t>(ErrorCode::taken_over) + 1, "one name per ErrorCode");
}  // namespace

std::string_view error_code_name(ErrorCode code) {
  return kErrorNames[static_cast<size_t>(code)];
}

ErrorCode parse_error_code(std::string_view name) {
  for (size_t i = 1; i < std::size(kErrorNames); ++i)
    if (kErrorNames[i] == name) return static_cast<ErrorCode>(i);
  return ErrorCode::none;
}

bool is_valid_node_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLen) return false;
  bool ok = true;
  for (unsigned char c : id) ok &= kIdChar[c];  // no early exit: ids are short, branches are not free
  return ok;
}

}  // namespace sb::proto
