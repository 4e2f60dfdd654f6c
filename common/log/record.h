// The fixed-size log record that travels through the queue: timestamp, the statement's CallSite and
// the raw values packed back to back. Filling one is a few stores and short memcpys; nothing is
// formatted here and nothing allocates, so the producer (the event loop) stays in the tens of
// nanoseconds.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>

#include "common/log/logger.h"

namespace sb::log {

inline constexpr unsigned kMaxString = 48;  // string values are cut here (and marked)
// Bytes of string data per record, shared by its fields: four maximal strings, or many short ones.
// A string that does not fit in what is left is cut (and marked). This, not kMaxFields*kMaxString,
// bounds a slot at 320 bytes: the ring is pre-faulted at start, so its size is paid in memory
// up front rather than in page faults on the loop.
inline constexpr unsigned kTextBytes = 192;

// A string's length byte carries the truncation mark in its top bit (kMaxString < 0x80).
inline constexpr uint8_t kTruncatedBit = 0x80;

struct Record {
  uint64_t time_ns;  // wall clock, ns since the Unix epoch
  const CallSite* site;
  // The site's fields in order, each written where the previous one ended: a number is its 8
  // bytes (i64 as two's complement), a string is a length byte and its bytes. A record touches
  // only the bytes it uses, so the usual one (a few fields, short strings) ends within the first
  // cache line of its slot: the ring is larger than the caches, and every line a record writes
  // evicts a line of the loop's own working set.
  // Room for the worst case: 8 bytes per field (a number, or a string's length byte) and the text.
  unsigned char data[kMaxFields * 8 + kTextBytes];

  // Copies the call's values; `s` is bound to the same call. Returns the bytes of the record in
  // use (from its start), all of them written here.
  size_t fill(uint64_t now_ns, const CallSite& s, std::initializer_list<Field> fields) noexcept {
    time_ns = now_ns;
    site = &s;
    unsigned char* p = data;
    unsigned text_left = kTextBytes;
    const Field* f = fields.begin();
    for (unsigned i = 0; i < s.count(); ++i, ++f) {
      switch (f->kind) {
        case Field::Kind::i64: std::memcpy(p, &f->i, 8); p += 8; break;
        case Field::Kind::u64: std::memcpy(p, &f->u, 8); p += 8; break;
        case Field::Kind::str: {
          size_t len = f->s.size();
          uint8_t mark = 0;
          const unsigned room = text_left < kMaxString ? text_left : kMaxString;
          if (len > room) {
            len = room;
            mark = kTruncatedBit;
          }
          *p++ = static_cast<unsigned char>(len | mark);
          if (len != 0) std::memcpy(p, f->s.data(), len);
          p += len;
          text_left -= static_cast<unsigned>(len);
          break;
        }
      }
    }
    return static_cast<size_t>(p - reinterpret_cast<unsigned char*>(this));
  }
};
static_assert(sizeof(Record) <= 312, "a slot (with its sequence number) stays at 320 bytes");

}  // namespace sb::log
