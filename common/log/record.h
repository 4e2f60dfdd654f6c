// The fixed-size log record that travels through the queue: timestamp, level, static event name and
// up to kMaxFields raw values. Filling one is a few stores and short memcpys; nothing is formatted
// here and nothing allocates, so the producer (the event loop) stays in the tens of nanoseconds.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>

#include "common/log/logger.h"

namespace sb::log {

inline constexpr unsigned kMaxFields = 8;   // extra fields beyond this are dropped (and marked)
inline constexpr unsigned kMaxString = 48;  // string values are cut here (and marked)
// Bytes of string data per record, shared by its fields: four maximal strings, or many short ones.
// A string that does not fit in what is left is cut (and marked). This, not kMaxFields*kMaxString,
// keeps a slot at 384 bytes: the ring is pre-faulted at start, so its size is paid in memory
// up front rather than in page faults on the loop.
inline constexpr unsigned kTextBytes = 192;

// kinds[] packs the Field::Kind in the low bits and a truncation flag in the top bit.
inline constexpr uint8_t kTruncatedBit = 0x80;

struct Record {
  uint64_t time_ns;  // wall clock, ns since the Unix epoch
  const char* event;
  Level level;
  uint8_t count;           // fields in use
  bool fields_truncated;   // the call passed more than kMaxFields fields
  uint8_t kinds[kMaxFields];
  uint8_t lens[kMaxFields];  // string length in the text (strings only)
  // `count` entries of {key, value} and right after them the strings, packed back to back: a
  // record touches only the bytes it uses, so the usual one (a few fields, short strings) fills
  // two cache lines of its slot rather than spreading over all six. The ring is larger than the
  // caches, and every line a record writes evicts a line of the loop's own working set.
  struct Entry {
    const char* key;
    uint64_t value;  // i64 (two's complement) / u64 / offset into the text
  };
  alignas(8) unsigned char data[kMaxFields * sizeof(Entry) + kTextBytes];

  const Entry& entry(unsigned i) const { return reinterpret_cast<const Entry*>(data)[i]; }
  const char* text() const { return reinterpret_cast<const char*>(data) + count * sizeof(Entry); }

  // Copies the call's arguments. Only what is used is written, which keeps the hot path short.
  void fill(uint64_t now_ns, Level lvl, const char* ev, std::initializer_list<Field> fields) noexcept {
    time_ns = now_ns;
    event = ev;
    level = lvl;
    fields_truncated = fields.size() > kMaxFields;
    const unsigned n = fields.size() < kMaxFields ? static_cast<unsigned>(fields.size()) : kMaxFields;
    count = static_cast<uint8_t>(n);
    Entry* entries = reinterpret_cast<Entry*>(data);
    char* text = reinterpret_cast<char*>(data) + n * sizeof(Entry);
    unsigned i = 0;
    unsigned used = 0;
    for (const Field& f : fields) {
      if (i == n) break;
      entries[i].key = f.key;
      uint8_t kind = static_cast<uint8_t>(f.kind);
      switch (f.kind) {
        case Field::Kind::i64: entries[i].value = static_cast<uint64_t>(f.i); break;
        case Field::Kind::u64: entries[i].value = f.u; break;
        case Field::Kind::str: {
          size_t len = f.s.size();
          const size_t room = kTextBytes - used < kMaxString ? kTextBytes - used : kMaxString;
          if (len > room) {
            len = room;
            kind |= kTruncatedBit;
          }
          if (len != 0) std::memcpy(text + used, f.s.data(), len);
          entries[i].value = used;
          lens[i] = static_cast<uint8_t>(len);
          used += static_cast<unsigned>(len);
          break;
        }
      }
      kinds[i] = kind;
      ++i;
    }
  }
};
static_assert(sizeof(Record) <= 376, "a slot (with its sequence number) stays at 384 bytes");

}  // namespace sb::log
