// Payload stamping. Filler comes from one static block copied with memcpy, so building a payload
// costs two small copies, not a loop.
#include "bench/stamp.h"

#include <algorithm>
#include <cstring>

namespace sb::bench {

namespace {

struct Filler {
  char bytes[4096];
  Filler() {
    // Printable and newline-free, so a mis-framed stream shows up as a parse error, not as luck.
    for (size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<char>('a' + i % 26);
  }
};
const Filler kFiller;

void put32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void put64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
uint32_t get32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t get64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

void write_payload(char* out, size_t len, const Stamp& s) {
  put64(out, s.sent_ns);
  put32(out + 8, s.sender);
  put32(out + 12, s.seq);
  for (size_t off = kStampSize; off < len;) {
    size_t n = std::min(len - off, sizeof kFiller.bytes);
    std::memcpy(out + off, kFiller.bytes, n);
    off += n;
  }
}

bool read_stamp(std::string_view payload, Stamp* out) {
  if (payload.size() < kStampSize) return false;
  out->sent_ns = get64(payload.data());
  out->sender = get32(payload.data() + 8);
  out->seq = get32(payload.data() + 12);
  return true;
}

}  // namespace sb::bench
