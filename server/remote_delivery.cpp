// RemoteDelivery: FROM frames for messages from other servers.
#include "server/remote_delivery.h"

#include <cstring>

#include "common/protocol/from_header.h"

namespace sb::server {

uint32_t RemoteDelivery::direct(std::string_view source, std::string_view target, std::string_view payload) {
  const uint32_t* slot = router_.table().find(target);
  if (slot == nullptr) return 0;
  Connection& t = slab_[*slot];
  if (t.state != ConnState::registered) return 0;
  proto::FromHeader header(source, payload.size());
  t.out.append_message({header.view(), payload, "\n"});
  pressure_.note_output_growth(t, loop_.now_tick());
  return 1;
}

uint32_t RemoteDelivery::broadcast(std::string_view source, std::string_view payload) {
  if (router_.table().size() == 0) return 0;
  proto::FromHeader header(source, payload.size());
  const size_t frame = header.size + payload.size() + 1;
  Block* block = pool_.acquire(frame);
  std::memcpy(block->data, header.bytes, header.size);
  if (!payload.empty()) std::memcpy(block->data + header.size, payload.data(), payload.size());
  block->data[frame - 1] = '\n';
  block->size = static_cast<uint32_t>(frame);
  uint32_t copies = 0;
  for (const auto& entry : router_.table()) {
    Connection& t = slab_[entry.slot];
    if (t.state != ConnState::registered) continue;
    t.out.append_shared_message(block, 0, static_cast<uint32_t>(frame));
    pressure_.note_output_growth(t, loop_.now_tick());
    ++copies;
  }
  pool_.unref(block);
  return copies;
}

}  // namespace sb::server
