// Target syntax (common/protocol/target.h): which strings are node ids, broadcast, groups,
// anycast, patterns, or nothing at all, at the edges of each rule.
#include "common/protocol/target.h"

#include <gtest/gtest.h>

#include <string>

namespace sb::proto {
namespace {

TEST(TargetSyntax, EachKind) {
  EXPECT_EQ(classify_target("b"), TargetKind::node);
  EXPECT_EQ(classify_target("plant1.line3.temp"), TargetKind::node);
  EXPECT_EQ(classify_target("*"), TargetKind::broadcast);
  EXPECT_EQ(classify_target("#ops"), TargetKind::group);
  EXPECT_EQ(classify_target("~ops"), TargetKind::anycast);
  EXPECT_EQ(classify_target("plant1.*.temp"), TargetKind::pattern);
  EXPECT_EQ(classify_target("plant1.>"), TargetKind::pattern);
  EXPECT_EQ(classify_target(">"), TargetKind::pattern);
  EXPECT_EQ(classify_target("*.*"), TargetKind::pattern);
}

// Ids with empty tokens are v1 ids and stay ids; as patterns, empty tokens are refused.
TEST(TargetSyntax, EmptyTokensAreIdsButNeverPatterns) {
  for (const char* id : {"a..b", ".a", "a.", ".", ".."}) EXPECT_EQ(classify_target(id), TargetKind::node) << id;
  for (const char* p : {"a..*", ".*", "*.", "*..*", ">.", ".>", "a..>"})
    EXPECT_EQ(classify_target(p), TargetKind::invalid) << p;
}

TEST(TargetSyntax, WildcardsMustBeWholeTokensAndTailLast) {
  for (const char* p : {"a*", "*a", "a.b*", "a>", ">a", "a.>.b", ">.a", "**", "*>", ">>", "a.*>"})
    EXPECT_EQ(classify_target(p), TargetKind::invalid) << p;
  EXPECT_TRUE(is_valid_pattern("*.>"));
  EXPECT_FALSE(is_valid_pattern("*"));       // broadcast, not a pattern
  EXPECT_FALSE(is_valid_pattern("a.b"));     // no wildcard: an id
  EXPECT_FALSE(is_valid_pattern("a!.*"));    // a byte no id may hold
}

TEST(TargetSyntax, Lengths) {
  const std::string name64(64, 'g');
  EXPECT_EQ(classify_target("#" + name64), TargetKind::group);  // 65 bytes in all
  EXPECT_EQ(classify_target("~" + name64), TargetKind::anycast);
  EXPECT_EQ(classify_target("#" + name64 + "g"), TargetKind::invalid);
  EXPECT_EQ(classify_target("#"), TargetKind::invalid);
  EXPECT_EQ(classify_target("~"), TargetKind::invalid);
  const std::string pattern64 = std::string(62, 'p') + ".>";
  EXPECT_EQ(classify_target(pattern64), TargetKind::pattern);
  EXPECT_EQ(classify_target("p" + pattern64), TargetKind::invalid);
  EXPECT_EQ(classify_target(""), TargetKind::invalid);
}

TEST(TargetSyntax, SigilsOnlyInFront) {
  for (const char* t : {"#", "##a", "#~a", "~#a", "a#b", "#a b", "#*", "~>", "#a.*"})
    EXPECT_EQ(classify_target(t), TargetKind::invalid) << t;
  EXPECT_TRUE(is_group_target("#a.b-c_D9"));
  EXPECT_FALSE(is_group_target("a"));
}

}  // namespace
}  // namespace sb::proto
