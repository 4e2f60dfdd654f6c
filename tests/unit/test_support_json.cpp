// The tests' JSON reader (tests/support/json.h) is strict enough to trust with the Wycheproof
// files: it reads what RFC 8259 allows and refuses what it does not.
#include "tests/support/json.h"

#include <gtest/gtest.h>

namespace sb::test::json {
namespace {

TEST(JsonReader, ReadsTheGrammar) {
  const Value v = parse(R"( {"a": [1, -2, 3.5e2, true, false, null],
                            "s": "x\"\\\/\n\u00e9\ud83d\ude00", "o": {}, "e": []} )");
  const auto& a = v.at("a").as_array();
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a[0].as_int(), 1);
  EXPECT_EQ(a[1].as_int(), -2);
  EXPECT_TRUE(a[2].is(Value::Type::number));
  EXPECT_THROW(a[2].as_int(), std::logic_error);  // not an integer
  EXPECT_TRUE(a[3].as_bool());
  EXPECT_FALSE(a[4].as_bool());
  EXPECT_TRUE(a[5].is(Value::Type::null));
  EXPECT_EQ(v.at("s").as_string(), "x\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_TRUE(v.at("o").as_object().empty());
  EXPECT_TRUE(v.at("e").as_array().empty());
  EXPECT_EQ(v.find("missing"), nullptr);
  EXPECT_THROW(v.at("missing"), std::logic_error);
  EXPECT_THROW(v.at("a").as_string(), std::logic_error);  // wrong type
}

TEST(JsonReader, RefusesWhatRfc8259DoesNotAllow) {
  for (const char* bad : {
           "", "{", "[1,]", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{'a':1}", "{a:1}",
           "[01]", "[1.]", "[.5]", "[+1]", "[1e]", "[-]", "[tru]", "[nul]", "[True]",
           "\"abc", "\"a\tb\"", "\"\\x\"", "\"\\u12g4\"", "\"\\ud83d\"", "\"\\ude00\"",
           "{\"a\":1,\"a\":2}", "[1] [2]", "[1] x", "// c\n[1]", "[1 /* c */]",
       }) {
    EXPECT_THROW(parse(bad), ParseError) << bad;
  }
  EXPECT_THROW(parse(std::string(100, '[') + std::string(100, ']')), ParseError);  // depth
}

}  // namespace
}  // namespace sb::test::json
