// Router's look-ahead. Routing one message to a random target touches its routing-table bucket
// and entry, its Connection and the spot in its output block where the frame goes: dependent
// cache misses, one after the other. The targets of the next SENDs are already in the input, so
// this scans a batch of them and issues each level's prefetches for the whole batch before the
// next level needs them (the batched-lookup pattern of Redis 8's command prefetching). Nothing
// here changes routing state: a frame it misreads only costs a useless prefetch; the parser stays
// the judge of the input.
#include <cstring>

#include "common/memory/prefetch.h"
#include "common/protocol/frame_parser.h"
#include "server/router.h"

namespace sb::server {

namespace {

// The target of a canonical "SEND <id> <len>\n" header at the front of `in` and the offset of
// the frame that follows it, or false if `in` does not start with one.
bool scan_send(std::string_view in, std::string_view* target, size_t* next) {
  const char* nl = static_cast<const char*>(std::memchr(in.data(), '\n', std::min(in.size(), proto::kMaxLine + 2)));
  if (nl == nullptr) return false;
  std::string_view line(in.data(), static_cast<size_t>(nl - in.data()));
  const size_t line_bytes = line.size() + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view digits;
  size_t len = 0;
  if (!proto::split_payload_header(line, "SEND ", target, &digits) || !proto::parse_length(digits, &len)) return false;
  *next = line_bytes + len + 1;
  return true;
}

}  // namespace

void Router::prefetch_ahead(std::string_view input) {
  size_t n = 0;
  for (size_t pos = 0; n < kLookahead && pos < input.size();) {
    size_t next = 0;
    if (!scan_send(input.substr(pos), &ahead_ids_[n], &next)) break;
    ahead_hashes_[n] = routes_.hash_of(ahead_ids_[n]);
    routes_.prefetch_home(ahead_hashes_[n]);
    ++n;
    pos += next;
  }
  ahead_count_ = n;
  ahead_next_ = 0;
  for (size_t i = 0; i < n; ++i) routes_.prefetch_entry(ahead_hashes_[i]);
  std::array<const Connection*, kLookahead> targets;
  size_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t* slot = routes_.find(ahead_ids_[i], ahead_hashes_[i]);
    if (slot == nullptr) continue;
    targets[m] = &slab_[*slot];
    ConnectionSlab::prefetch_for_routing(*targets[m++]);
  }
  for (size_t i = 0; i < m; ++i) targets[i]->out.prefetch_next_write();
}

}  // namespace sb::server
