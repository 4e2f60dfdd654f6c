// PatternIndex unit tests: the matching rules on hand-picked edge cases (`>` against one token,
// `*` in the last position, ids with empty tokens), then random ids and patterns against a
// brute-force model that splits and compares token by token, with inserts and erases in between
// and the structural invariants checked along the way.
#include "common/routing/pattern_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace sb {
namespace {

constexpr uint64_t kSeed = 0x9a77e3b1d2c40f55ull;

std::vector<std::string> tokens(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t dot = s.find('.', start);
    out.push_back(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

// The rules of docs/PROTOCOL.md, written the obvious way.
bool model_matches(const std::string& pattern, const std::string& id) {
  std::vector<std::string> p = tokens(pattern), t = tokens(id);
  size_t i = 0;
  for (; i < p.size(); ++i) {
    if (p[i] == ">") return t.size() > i;  // one or more tokens left
    if (i >= t.size()) return false;
    if (p[i] != "*" && p[i] != t[i]) return false;
  }
  return i == t.size();
}

std::set<uint32_t> matched(const PatternIndex& index, const std::string& pattern) {
  std::set<uint32_t> out;
  index.match(pattern, [&](uint32_t v) { EXPECT_TRUE(out.insert(v).second) << "emitted twice: " << v; });
  return out;
}

std::set<uint32_t> model_matched(const std::map<std::string, uint32_t>& ids, const std::string& pattern) {
  std::set<uint32_t> out;
  for (const auto& [id, v] : ids)
    if (model_matches(pattern, id)) out.insert(v);
  return out;
}

// Builds an index of `ids` (value = position) and returns the ids `pattern` matched.
std::set<std::string> match_names(const std::vector<std::string>& ids, const std::string& pattern) {
  PatternIndex index(kSeed);
  for (uint32_t i = 0; i < ids.size(); ++i) EXPECT_TRUE(index.insert(ids[i], i)) << ids[i];
  std::set<std::string> out;
  index.match(pattern, [&](uint32_t v) { out.insert(ids[v]); });
  return out;
}

using Names = std::set<std::string>;

TEST(PatternIndex, LiteralStarAndTail) {
  const std::vector<std::string> ids = {"plant1.line1.temp", "plant1.line2.temp", "plant1.line2.rpm",
                                        "plant2.line1.temp", "plant1", "plant1.x"};
  EXPECT_EQ(match_names(ids, "plant1.*.temp"), (Names{"plant1.line1.temp", "plant1.line2.temp"}));
  EXPECT_EQ(match_names(ids, "*.line1.temp"), (Names{"plant1.line1.temp", "plant2.line1.temp"}));
  EXPECT_EQ(match_names(ids, "plant1.>"),
            (Names{"plant1.line1.temp", "plant1.line2.temp", "plant1.line2.rpm", "plant1.x"}));
  EXPECT_EQ(match_names(ids, "plant1.line2.temp"), (Names{"plant1.line2.temp"}));
  EXPECT_EQ(match_names(ids, "plant3.>"), Names{});
  EXPECT_EQ(match_names(ids, "*.*.*.*"), Names{});
}

TEST(PatternIndex, TailMatchesOneOrMoreTokensNeverZero) {
  const std::vector<std::string> ids = {"a", "a.b", "a.b.c", "b"};
  EXPECT_EQ(match_names(ids, "a.>"), (Names{"a.b", "a.b.c"}));  // not "a" itself
  EXPECT_EQ(match_names(ids, ">"), (Names{"a", "a.b", "a.b.c", "b"}));
  EXPECT_EQ(match_names(ids, "a.b.>"), (Names{"a.b.c"}));
  EXPECT_EQ(match_names(ids, "a.b.c.>"), Names{});
  EXPECT_EQ(match_names(ids, "*.>"), (Names{"a.b", "a.b.c"}));
}

TEST(PatternIndex, StarInTheLastPositionIsExactlyOneToken) {
  const std::vector<std::string> ids = {"a", "a.b", "a.c", "a.b.c"};
  EXPECT_EQ(match_names(ids, "a.*"), (Names{"a.b", "a.c"}));
  EXPECT_EQ(match_names(ids, "*"), (Names{"a"}));
  EXPECT_EQ(match_names(ids, "*.*"), (Names{"a.b", "a.c"}));
  EXPECT_EQ(match_names(ids, "a.*.c"), (Names{"a.b.c"}));
}

// Empty tokens are tokens: a wildcard matches them, a literal (never empty in a valid pattern)
// does not.
TEST(PatternIndex, IdsWithEmptyTokens) {
  const std::vector<std::string> ids = {"a..b", ".a", "a.", "a.b", "..", "a"};
  EXPECT_EQ(match_names(ids, "a.*.b"), (Names{"a..b"}));
  EXPECT_EQ(match_names(ids, "a.>"), (Names{"a..b", "a.", "a.b"}));
  EXPECT_EQ(match_names(ids, "*.a"), (Names{".a"}));
  EXPECT_EQ(match_names(ids, "a.*"), (Names{"a.", "a.b"}));
  EXPECT_EQ(match_names(ids, "*.*.*"), (Names{"a..b", ".."}));
  EXPECT_EQ(match_names(ids, ">"), (Names{"a..b", ".a", "a.", "a.b", "..", "a"}));
  EXPECT_EQ(match_names(ids, "*.>"), (Names{"a..b", ".a", "a.", "a.b", ".."}));
  EXPECT_EQ(match_names(ids, "a.b"), (Names{"a.b"}));
}

TEST(PatternIndex, InsertFindEraseAndDuplicates) {
  PatternIndex index(kSeed);
  EXPECT_TRUE(index.insert("a.b", 1));
  EXPECT_FALSE(index.insert("a.b", 2));
  EXPECT_TRUE(index.insert("a", 3));  // a prefix of another id is an id of its own
  EXPECT_EQ(index.find("a.b"), 1u);
  EXPECT_EQ(index.find("a"), 3u);
  EXPECT_EQ(index.find("a.c"), PatternIndex::kNone);
  EXPECT_EQ(index.size(), 2u);
  EXPECT_TRUE(index.erase("a"));
  EXPECT_FALSE(index.erase("a"));
  EXPECT_EQ(index.find("a.b"), 1u);  // the path through "a" stays for "a.b"
  EXPECT_TRUE(index.erase("a.b"));
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.node_count(), 1u);  // only the root: erase prunes what leads nowhere
  EXPECT_TRUE(index.check_invariants());
}

TEST(PatternIndex, LengthLimits) {
  PatternIndex index(kSeed);
  const std::string longest(64, 'x'), dots(64, '.');
  EXPECT_TRUE(index.insert(longest, 1));
  EXPECT_TRUE(index.insert(dots, 2));  // 65 empty tokens
  EXPECT_FALSE(index.insert(longest + "x", 3));
  EXPECT_EQ(index.find(dots), 2u);
  std::string all_stars;
  for (int i = 0; i < 65; ++i) all_stars += i ? ".*" : "*";  // 129 bytes: longer than any id
  EXPECT_EQ(matched(index, all_stars).size(), 0u);
  EXPECT_TRUE(index.check_invariants());
}

TEST(PatternIndex, ManySiblingsEraseInRandomOrder) {
  PatternIndex index(kSeed);
  std::vector<std::string> ids;
  for (int i = 0; i < 20000; ++i) ids.push_back("n" + std::to_string(i));
  for (uint32_t i = 0; i < ids.size(); ++i) ASSERT_TRUE(index.insert(ids[i], i));
  EXPECT_EQ(matched(index, "*").size(), ids.size());
  std::mt19937_64 rng(7);
  std::shuffle(ids.begin(), ids.end(), rng);
  for (size_t i = 0; i < ids.size(); ++i) {
    ASSERT_TRUE(index.erase(ids[i])) << ids[i];
    if (i % 5000 == 0) {
      ASSERT_TRUE(index.check_invariants());
    }
  }
  EXPECT_EQ(index.node_count(), 1u);
  EXPECT_TRUE(matched(index, ">").empty());
  EXPECT_TRUE(index.check_invariants());
}

std::string random_id(std::mt19937_64& rng) {
  static const char* kTokens[] = {"", "a", "b", "ab", "x1", "temp"};
  size_t n = 1 + rng() % 5;
  std::string id;
  for (size_t i = 0; i < n; ++i) id += (i ? "." : "") + std::string(kTokens[rng() % 6]);
  return id.empty() ? "a" : id;
}

std::string random_pattern(std::mt19937_64& rng) {
  static const char* kTokens[] = {"a", "b", "ab", "x1", "temp", "*", "*"};
  size_t n = 1 + rng() % 5;
  std::string p;
  for (size_t i = 0; i < n; ++i) {
    const bool last = i + 1 == n;
    std::string tok = last && rng() % 3 == 0 ? ">" : kTokens[rng() % 7];
    p += (i ? "." : "") + tok;
  }
  return p;
}

TEST(PatternIndex, RandomIdsAndPatternsAgainstTheModel) {
  std::mt19937_64 rng(12345);
  PatternIndex index(kSeed);
  std::map<std::string, uint32_t> model;
  uint32_t next_value = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string id = random_id(rng);
    if (rng() % 3 == 0) {
      EXPECT_EQ(index.erase(id), model.erase(id) == 1) << id;
    } else {
      bool fresh = model.emplace(id, next_value).second;
      EXPECT_EQ(index.insert(id, next_value), fresh) << id;
      if (fresh) ++next_value;
    }
    if (round % 20 == 0) {
      for (int k = 0; k < 10; ++k) {
        std::string pattern = random_pattern(rng);
        ASSERT_EQ(matched(index, pattern), model_matched(model, pattern)) << "pattern " << pattern;
      }
    }
    if (round % 500 == 0) {
      ASSERT_TRUE(index.check_invariants());
    }
  }
  EXPECT_EQ(index.size(), model.size());
  for (const auto& [id, v] : model) {
    EXPECT_EQ(index.find(id), v);
  }
  EXPECT_TRUE(index.check_invariants());
}

// Ten thousand ids of three tokens: a pattern with a literal first token reaches only its subtree
// (checked through the result, the visit itself is the micro-benchmark's business).
TEST(PatternIndex, SubjectTreeAgainstTheModel) {
  PatternIndex index(kSeed);
  std::map<std::string, uint32_t> model;
  uint32_t v = 0;
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j)
      for (int k = 0; k < 100; ++k) {
        std::string id = "s" + std::to_string(i) + "." + std::to_string(j) + "." + std::to_string(k);
        ASSERT_TRUE(index.insert(id, v));
        model.emplace(id, v++);
      }
  for (const std::string p : {"s3.*.7", "s3.>", "*.4.>", "s1.2.*", "*.*.99", "s9.9.99", "s10.>", ">"}) {
    EXPECT_EQ(matched(index, p), model_matched(model, p)) << p;
  }
  EXPECT_EQ(matched(index, "s3.*.7").size(), 10u);
  EXPECT_TRUE(index.check_invariants());
}

}  // namespace
}  // namespace sb
