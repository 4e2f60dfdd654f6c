// logfmt formatting of records: timestamps by civil-date arithmetic, values escaped byte by byte
// with UTF-8 validation, so the log stays one record per line whatever the clients send.
#include "common/log/format.h"

#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sb::log {
namespace {

// Length of the valid UTF-8 sequence starting at p (2..4), or 0 if it is not one (overlong forms,
// surrogates and code points past U+10FFFF are rejected, per RFC 3629).
size_t utf8_sequence(const unsigned char* p, size_t n) {
  const unsigned char c = p[0];
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (n < len || p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < len; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
  }
  return len;
}

// Printable ASCII that may stand bare in a value: everything from '!' to '~' but '"', '=', '\\'.
constexpr bool bare_ascii(unsigned char c) { return c > 0x20 && c < 0x7F && c != '"' && c != '=' && c != '\\'; }

#if defined(__SSE2__)
// Whether 16 bytes are all bare ASCII, in a few vector instructions: signed compares put every
// byte >= 0x80 out of range too, and those (UTF-8) are left to the byte-by-byte check.
bool bare_ascii_16(const unsigned char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i printable = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmplt_epi8(v, _mm_set1_epi8(0x7F)));
  const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('='))),
                                       _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
  return _mm_movemask_epi8(_mm_andnot_si128(special, printable)) == 0xFFFF;
}

// The common case (ids, addresses, reasons) 16 bytes at a time; false means "look closer".
bool all_bare_ascii(std::string_view v) {
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  size_t n = v.size();
  for (; n >= 16; p += 16, n -= 16)
    if (!bare_ascii_16(p)) return false;
  if (n == 0) return true;
  unsigned char tail[16];
  std::memset(tail, 'a', sizeof tail);
  std::memcpy(tail, p, n);
  return bare_ascii_16(tail);
}
#else
bool all_bare_ascii(std::string_view) { return false; }
#endif

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  if (all_bare_ascii(v)) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  for (size_t i = 0; i < v.size();) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (!bare_ascii(c)) return true;
      ++i;
      continue;
    }
    const size_t len = utf8_sequence(p + i, v.size() - i);
    if (len == 0) return true;
    i += len;
  }
  return false;
}

// Where a cut value should end so that no partial UTF-8 character is left dangling at the end.
size_t trim_partial_utf8(std::string_view v) {
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  size_t n = v.size();
  size_t start = n;
  // Walk back over at most three continuation bytes to the lead byte of the last sequence.
  while (start > 0 && n - start < 3 && (p[start - 1] & 0xC0) == 0x80) --start;
  if (start == 0) return n;
  const unsigned char lead = p[start - 1];
  const size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (want > 1 && n - (start - 1) < want) return start - 1;  // incomplete: drop it
  return n;
}

void append_escaped(std::string* out, std::string_view v) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  for (size_t i = 0; i < v.size();) {
    const unsigned char c = p[i];
    if (c >= 0x80) {
      const size_t len = utf8_sequence(p + i, v.size() - i);
      if (len != 0) {
        out->append(v.data() + i, len);
        i += len;
        continue;
      }
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20 || c >= 0x7F) {
          const char esc[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
          out->append(esc, 4);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
}

void append_2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// "YYYY-MM-DDTHH:MM:SS" for seconds since the epoch (Howard Hinnant's civil_from_days).
void second_text(uint64_t secs, char* p) {
  const int64_t days = static_cast<int64_t>(secs / 86400);
  const unsigned sod = static_cast<unsigned>(secs % 86400);
  const int64_t z = days + 719468;
  const int64_t era = z / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const unsigned year = static_cast<unsigned>(yoe + era * 400 + (month <= 2 ? 1 : 0)) % 10000;
  append_2(p, year / 100);
  append_2(p + 2, year % 100);
  p[4] = '-';
  append_2(p + 5, month);
  p[7] = '-';
  append_2(p + 8, day);
  p[10] = 'T';
  append_2(p + 11, sod / 3600);
  p[13] = ':';
  append_2(p + 14, sod / 60 % 60);
  p[16] = ':';
  append_2(p + 17, sod % 60);
}

void append_micros(uint64_t time_ns, std::string* out) {
  unsigned us = static_cast<unsigned>(time_ns % 1000000000 / 1000);
  char buf[8] = {'.', '0', '0', '0', '0', '0', '0', 'Z'};
  for (int i = 6; i >= 1; --i, us /= 10) buf[i] = static_cast<char>('0' + us % 10);
  out->append(buf, sizeof buf);
}

template <typename Int>
void append_int(std::string* out, Int v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, res.ptr);
}

// A number of a record, stored unaligned (record.h).
template <typename Int>
Int load_8(const unsigned char* p) {
  Int v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

void append_value(std::string* out, std::string_view value, bool truncated) {
  if (truncated) value = value.substr(0, trim_partial_utf8(value));
  if (!truncated && !needs_quotes(value)) {
    out->append(value);
    return;
  }
  out->push_back('"');
  append_escaped(out, value);
  if (truncated) out->append("...");
  out->push_back('"');
}

void append_timestamp(std::string* out, uint64_t time_ns) {
  char text[19];
  second_text(time_ns / 1000000000, text);
  out->append(text, sizeof text);
  append_micros(time_ns, out);
}

const char* LineFormatter::timestamp(uint64_t time_ns) {
  if (time_ns == cached_ns_) return cached_text_;
  const uint64_t sec = time_ns / 1000000000;
  if (sec != cached_second_) {
    second_text(sec, cached_text_);
    cached_second_ = sec;
  }
  unsigned us = static_cast<unsigned>(time_ns % 1000000000 / 1000);
  cached_text_[19] = '.';
  for (int i = 25; i >= 20; --i, us /= 10) cached_text_[i] = static_cast<char>('0' + us % 10);
  cached_text_[26] = 'Z';
  cached_ns_ = time_ns;
  return cached_text_;
}

const LineFormatter::Shape& LineFormatter::shape_of(const Record& r) {
  const CallSite& site = *r.site;
  Shape& s = shapes_[(reinterpret_cast<uintptr_t>(&site) >> 4) % kShapes];
  if (s.site == &site) return s;
  s.site = &site;
  s.text.assign(" level=").append(level_name(site.level())).append(" event=");
  // Events are string literals from our own code: written as they are.
  s.text.append(site.event() != nullptr ? site.event() : "unknown");
  s.ends[0] = static_cast<uint16_t>(s.text.size());
  for (unsigned i = 0; i < site.count(); ++i) {
    s.text.append(" ").append(site.key(i)).append("=");
    s.ends[i + 1] = static_cast<uint16_t>(s.text.size());
  }
  return s;
}

void LineFormatter::append_record(const Record& r, std::string* out) {
  out->append(timestamp(r.time_ns), 27);
  const Shape& shape = shape_of(r);
  const CallSite& site = *r.site;
  out->append(shape.text.data(), shape.ends[0]);
  const unsigned char* p = r.data;
  for (unsigned i = 0; i < site.count(); ++i) {
    out->append(shape.text.data() + shape.ends[i], shape.ends[i + 1] - shape.ends[i]);
    switch (site.kind(i)) {
      case Field::Kind::i64: append_int(out, load_8<int64_t>(p)); p += 8; break;
      case Field::Kind::u64: append_int(out, load_8<uint64_t>(p)); p += 8; break;
      case Field::Kind::str: {
        const uint8_t len = *p & ~kTruncatedBit;
        append_value(out, std::string_view(reinterpret_cast<const char*>(p + 1), len), (*p & kTruncatedBit) != 0);
        p += 1 + len;
        break;
      }
    }
  }
  if (site.fields_truncated()) out->append(" fields_truncated=1");
  out->push_back('\n');
}

}  // namespace sb::log
