// logfmt formatting: the exact line layout, timestamps (UTC, microseconds, calendar edge cases),
// and escaping of hostile values (newline, quotes, backslash, '=', control and non-UTF-8 bytes,
// empty strings, truncation), so no value can inject a line or confuse a logfmt parser.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "common/log/format.h"
#include "common/log/record.h"

namespace {

using namespace sb::log;

std::string value(std::string_view v, bool truncated = false) {
  std::string out;
  append_value(&out, v, truncated);
  return out;
}

std::string stamp(uint64_t ns) {
  std::string out;
  append_timestamp(&out, ns);
  return out;
}

std::string line(Level level, const char* event, std::initializer_list<Field> fields,
                 uint64_t ns = 1795774530123456789ull) {
  CallSite site;  // a fresh site per line: the formatter below is fresh too
  site.bind(level, event, fields);
  Record r;
  r.fill(ns, site, fields);
  LineFormatter f;
  std::string out;
  f.append_record(r, &out);
  return out;
}

TEST(LogFormat, PlainValuesAreBare) {
  EXPECT_EQ(value("a"), "a");
  EXPECT_EQ(value("127.0.0.1:53122"), "127.0.0.1:53122");
  EXPECT_EQ(value("node_1.x-y"), "node_1.x-y");
  EXPECT_EQ(value("caf\xc3\xa9"), "caf\xc3\xa9");  // valid UTF-8 stays readable
}

TEST(LogFormat, HostileValuesAreQuotedAndEscaped) {
  EXPECT_EQ(value(""), "\"\"");
  EXPECT_EQ(value("two words"), "\"two words\"");
  EXPECT_EQ(value("a\nevent=forged"), "\"a\\nevent=forged\"");
  EXPECT_EQ(value("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(value("back\\slash"), "\"back\\\\slash\"");
  EXPECT_EQ(value("k=v"), "\"k=v\"");
  EXPECT_EQ(value("cr\rtab\t"), "\"cr\\rtab\\t\"");
  EXPECT_EQ(value(std::string_view("nul\0x", 5)), "\"nul\\x00x\"");
  EXPECT_EQ(value("\x1b[31mred"), "\"\\x1b[31mred\"");
  EXPECT_EQ(value("del\x7f"), "\"del\\x7f\"");
}

TEST(LogFormat, InvalidUtf8BytesAreHexEscaped) {
  EXPECT_EQ(value("\xff\xfe"), "\"\\xff\\xfe\"");
  EXPECT_EQ(value("a\xc3"), "\"a\\xc3\"");              // truncated sequence
  EXPECT_EQ(value("\xc0\xaf"), "\"\\xc0\\xaf\"");        // overlong '/'
  EXPECT_EQ(value("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");  // UTF-16 surrogate
  EXPECT_EQ(value("\xf4\x90\x80\x80"), "\"\\xf4\\x90\\x80\\x80\"");  // past U+10FFFF
  // Valid characters next to invalid bytes are kept as they are.
  EXPECT_EQ(value("\xe2\x82\xac\x80"), "\"\xe2\x82\xac\\x80\"");
}

TEST(LogFormat, NoEscapedOutputContainsARawLineBreakOrQuote) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  const std::string out = value(all);
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(out.find('\r'), std::string::npos);
  ASSERT_GE(out.size(), 2u);
  EXPECT_EQ(out.front(), '"');
  EXPECT_EQ(out.back(), '"');
  // Every inner quote is escaped.
  for (size_t i = 1; i + 1 < out.size(); ++i) {
    if (out[i] == '"') {
      EXPECT_EQ(out[i - 1], '\\') << i;
    }
  }
}

TEST(LogFormat, TruncatedValuesAreMarked) {
  EXPECT_EQ(value("abc", true), "\"abc...\"");
  // A multi-byte character cut in half by the limit is dropped rather than escaped.
  EXPECT_EQ(value("ab\xe2\x82", true), "\"ab...\"");
  EXPECT_EQ(value("ab\xe2\x82\xac", true), "\"ab\xe2\x82\xac...\"");
}

TEST(LogFormat, RecordTruncatesLongStringsAtTheLimit) {
  const std::string long_id(100, 'x');
  const std::string out = line(Level::info, "register", {{"node", long_id}});
  EXPECT_NE(out.find(" node=\"" + std::string(kMaxString, 'x') + "...\"\n"), std::string::npos)
      << out;
  const std::string exact(kMaxString, 'y');
  EXPECT_NE(line(Level::info, "e", {{"node", exact}}).find(" node=" + exact + "\n"),
            std::string::npos);
}

TEST(LogFormat, Timestamps) {
  EXPECT_EQ(stamp(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(stamp(1795774530123456789ull), "2026-11-27T10:15:30.123456Z");
  EXPECT_EQ(stamp(951782400000000000ull), "2000-02-29T00:00:00.000000Z");  // leap day
  EXPECT_EQ(stamp(4107542399999999999ull), "2100-02-28T23:59:59.999999Z");  // not a leap year
  EXPECT_EQ(stamp(4107542400000001000ull), "2100-03-01T00:00:00.000001Z");
}

TEST(LogFormat, WholeLine) {
  EXPECT_EQ(line(Level::info, "register", {{"node", "a"}, {"peer", "127.0.0.1:53122"}, {"conn", 17u}}),
            "2026-11-27T10:15:30.123456Z level=info event=register node=a peer=127.0.0.1:53122 "
            "conn=17\n");
  EXPECT_EQ(line(Level::debug, "route", {}), "2026-11-27T10:15:30.123456Z level=debug event=route\n");
  EXPECT_EQ(line(Level::error, "x", {{"neg", -5}, {"big", 18446744073709551615ull}, {"l", 7L}}),
            "2026-11-27T10:15:30.123456Z level=error event=x neg=-5 big=18446744073709551615 l=7\n");
  EXPECT_EQ(line(Level::warn, "reject", {{"reason", "bad id"}, {"id", ""}}),
            "2026-11-27T10:15:30.123456Z level=warn event=reject reason=\"bad id\" id=\"\"\n");
}

TEST(LogFormat, ExtraFieldsAreDroppedAndMarked) {
  const std::string out = line(Level::info, "many", {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}, {"e", 5},
                                                     {"f", 6}, {"g", 7}, {"h", 8}, {"i", 9}});
  EXPECT_NE(out.find(" h=8 fields_truncated=1\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("i=9"), std::string::npos);
}

TEST(LogFormat, StringsShareTheRecordsTextBudget) {
  // Eight maximal hostile strings: the first kTextBytes/kMaxString are kept whole (cut at
  // kMaxString), the rest get what is left, and every one is marked as cut. Still one line.
  const std::string nasty(200, '\n');
  const std::string out = line(Level::info, "e", {{"a", nasty}, {"b", nasty}, {"c", nasty}, {"d", nasty},
                                                  {"e", nasty}, {"f", nasty}, {"g", nasty}, {"h", nasty}});
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  std::string full;
  for (unsigned i = 0; i < kMaxString; ++i) full += "\\n";
  static_assert(kTextBytes == 4 * kMaxString);
  EXPECT_NE(out.find(" d=\"" + full + "...\" e=\"...\""), std::string::npos) << out;
  EXPECT_NE(out.find(" h=\"...\"\n"), std::string::npos) << out;
  // Short strings are packed, so many of them fit.
  EXPECT_EQ(line(Level::info, "e", {{"a", "x1"}, {"b", "x2"}, {"c", "x3"}, {"d", "x4"}, {"e", "x5"},
                                    {"f", "x6"}, {"g", "x7"}, {"h", "x8"}}),
            "2026-11-27T10:15:30.123456Z level=info event=e a=x1 b=x2 c=x3 d=x4 e=x5 f=x6 g=x7 h=x8\n");
}

TEST(LogFormat, LevelNamesRoundTrip) {
  for (Level l : {Level::debug, Level::info, Level::warn, Level::error}) {
    Level parsed;
    ASSERT_TRUE(parse_level(level_name(l), &parsed));
    EXPECT_EQ(parsed, l);
  }
  Level parsed;
  EXPECT_FALSE(parse_level("INFO", &parsed));
  EXPECT_FALSE(parse_level("", &parsed));
  EXPECT_FALSE(parse_level("trace", &parsed));
}

}  // namespace
