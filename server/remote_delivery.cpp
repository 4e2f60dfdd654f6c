// RemoteDelivery: FROM frames for messages from other servers.
#include "server/remote_delivery.h"

#include "common/protocol/from_header.h"
#include "server/from_block.h"

namespace sb::server {

uint32_t RemoteDelivery::direct(std::string_view source, std::string_view target, std::string_view payload,
                                std::string_view via) {
  const uint32_t* slot = router_.table().find(target);
  if (slot == nullptr) return 0;
  Connection& t = slab_[*slot];
  if (t.state != ConnState::registered) return 0;
  proto::FromHeader header = via.empty() ? proto::FromHeader(source, payload.size())
                                         : proto::FromHeader(source, payload.size(), via);
  t.out.append_message({header.view(), payload, "\n"});
  pressure_.note_output_growth(t, loop_.now_tick());
  return 1;
}

uint32_t RemoteDelivery::broadcast(std::string_view source, std::string_view payload) {
  targets_.clear();
  for (const auto& entry : router_.table()) targets_.push_back(entry.slot);
  return share(proto::FromHeader(source, payload.size()), payload);
}

uint32_t RemoteDelivery::group(std::string_view source, std::string_view via, std::string_view payload) {
  targets_.clear();
  const uint32_t g = router_.groups().find(via.substr(1));
  if (g != GroupTable::kNone)
    for (const GroupTable::Member& m : router_.groups().members(g)) targets_.push_back(m.node);
  return share(proto::FromHeader(source, payload.size(), via), payload);
}

uint32_t RemoteDelivery::pattern(std::string_view source, std::string_view pattern, std::string_view payload) {
  targets_.clear();
  router_.patterns().match(pattern, [&](uint32_t slot) { targets_.push_back(slot); });
  return share(proto::FromHeader(source, payload.size(), pattern), payload);
}

uint32_t RemoteDelivery::share(const proto::FromHeader& header, std::string_view payload) {
  if (targets_.empty()) return 0;
  Block* block = make_from_block(pool_, header, payload);
  const uint32_t frame = block->size;
  uint32_t copies = 0;
  for (uint32_t slot : targets_) {
    Connection& t = slab_[slot];
    if (t.state != ConnState::registered) continue;
    t.out.append_shared_message(block, 0, frame);
    pressure_.note_output_growth(t, loop_.now_tick());
    ++copies;
  }
  pool_.unref(block);
  return copies;
}

}  // namespace sb::server
