// Reply wording. Everything that came from the server is escaped before it reaches a terminal.
#include "client/replies.h"

#include "client/text.h"

namespace sb::client {

namespace {
std::string members_text(size_t n) { return std::to_string(n) + (n == 1 ? " member" : " members"); }
}  // namespace

std::string describe_groups(std::string_view list) { return describe_words("Groups", list); }

std::string describe_reply(const ServerEvent& ev) {
  using Kind = ServerEvent::Kind;
  switch (ev.kind) {
    case Kind::nodes: return describe_nodes(ev.text);
    case Kind::stats: return "Server stats: " + escape_payload(ev.text);
    case Kind::joined: return "Joined " + escape_payload(ev.node) + " (" + members_text(ev.count) + ")";
    case Kind::left: return "Left " + escape_payload(ev.node) + " (" + members_text(ev.count) + " now)";
    case Kind::groups: return describe_groups(ev.text);
    case Kind::info: return "Server info: " + escape_payload(ev.text);
    default: return {};
  }
}

}  // namespace sb::client
