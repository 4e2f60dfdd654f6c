// GroupCommands: JOIN, LEAVE, GROUPS and WHO <target>.
#include "server/group_commands.h"

#include <charconv>

#include "common/protocol/target.h"
#include "server/node_list_reply.h"

namespace sb::server {

namespace {

using proto::ErrorCode;
using Status = GroupTable::JoinStatus;

std::string_view decimal(uint64_t value, char (&buf)[24]) {
  return {buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, value).ptr - buf)};
}

}  // namespace

void GroupCommands::join(Connection& c, std::string_view arg) {
  if (!proto::is_group_target(arg)) return refuse(c, ErrorCode::bad_id, "JOIN", arg);
  const std::string_view name = arg.substr(1);
  const GroupTable::JoinResult r = router_.join(c, name);
  if (r.status == Status::node_limit) return refuse(c, ErrorCode::too_many_groups, "JOIN", arg, "max-groups-per-node");
  if (r.status == Status::table_limit) return refuse(c, ErrorCode::too_many_groups, "JOIN", arg, "max-groups");
  char count[24];
  c.out.append({"JOINED #", name, " ", decimal(r.members, count), "\n"});
  io_.reply_queued(c);
}

void GroupCommands::leave(Connection& c, std::string_view arg) {
  if (!proto::is_group_target(arg)) return refuse(c, ErrorCode::bad_id, "LEAVE", arg);
  const std::string_view name = arg.substr(1);
  const GroupTable::LeaveResult r = router_.leave(c, name);
  if (!r.was_member) return refuse(c, ErrorCode::not_member, "LEAVE", arg);
  char count[24];
  c.out.append({"LEFT #", name, " ", decimal(r.members, count), "\n"});
  io_.reply_queued(c);
}

void GroupCommands::groups(Connection& c) {
  router_.group_sizes(&sizes_);
  char count[24];
  const std::string_view total = decimal(sizes_.size(), count);
  c.out.append({"GROUPS ", total});
  size_t used = 8 + total.size();
  const size_t room = room_of(c);
  // The list stops at the first group that would not fit; the count says so.
  for (const auto& [name, members] : sizes_) {
    char n[24];
    const std::string_view size = decimal(members, n);
    if (used + name.size() + size.size() + 3 > room) break;
    used += name.size() + size.size() + 3;
    c.out.append({" #", name, "=", size});
  }
  c.out.append({"\n"});
  io_.reply_queued(c);
}

size_t GroupCommands::room_of(const Connection& c) const {
  return max_outbuf_ > c.out.bytes() ? max_outbuf_ - c.out.bytes() : 0;
}

void GroupCommands::who(Connection& c, std::string_view arg) {
  if (proto::classify_target(arg) == proto::TargetKind::invalid) return refuse(c, ErrorCode::bad_id, "WHO", arg);
  router_.who(arg, &ids_);
  NodeListReply reply(c.out, room_of(c), ids_.size());
  for (std::string_view id : ids_)
    if (!reply.add(id)) break;
  reply.finish();
  io_.reply_queued(c);
}

void GroupCommands::refuse(Connection& c, ErrorCode code, std::string_view verb, std::string_view detail,
                           std::string_view reason) {
  const std::string_view error = proto::error_code_name(code);
  SB_LOG(*log_, info, "refused", {"node", c.node_id()}, {"verb", verb}, {"error", error},
         {"target", detail.substr(0, proto::kMaxErrorDetail)}, {"reason", reason.empty() ? error : reason});
  io_.reply_error(c, code, detail);
}

}  // namespace sb::server
