// A whole FROM frame (header, payload, '\n') written into a shared block, for a broadcast or a
// fan-out: every target's queue references the one copy. Inline, so the router builds it in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/buffer/block_pool.h"
#include "common/protocol/from_header.h"

namespace sb::server {

// The frame's size: the header, the payload and its closing '\n'.
inline size_t from_frame_size(const proto::FromHeader& header, std::string_view payload) {
  return header.size + payload.size() + 1;
}

// Writes the frame at p, which has room for from_frame_size() bytes.
inline void write_from_frame(char* p, const proto::FromHeader& header, std::string_view payload) {
  std::memcpy(p, header.bytes, header.size);
  // An empty payload may have data() == nullptr ("MSG *"); memcpy from null is undefined even for 0.
  if (!payload.empty()) std::memcpy(p + header.size, payload.data(), payload.size());
  p[header.size + payload.size()] = '\n';
}

// A block with refs = 1 (the caller's, to unref once the queues hold theirs) and size = the frame.
inline Block* make_from_block(BlockPool& pool, const proto::FromHeader& header, std::string_view payload) {
  const size_t frame = from_frame_size(header, payload);
  Block* block = pool.acquire(frame);
  write_from_frame(block->data, header, payload);
  block->size = static_cast<uint32_t>(frame);
  return block;
}

}  // namespace sb::server
