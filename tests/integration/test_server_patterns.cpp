// Integration tests of id patterns through the real switchboard-server (../shared/protocol-v2.md,
// Targets): `*` one token, trailing `>` one or more, ids with empty tokens, `*` and `>` alone,
// WHO <pattern>, every malformed pattern, zero receivers, and the index following registrations
// and disconnects.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/support/line_client.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

// The ids in a NODES reply, sorted.
std::vector<std::string> nodes_of(const std::string& reply) {
  std::vector<std::string> ids;
  size_t pos = reply.find(' ', 6);  // after "NODES <count>"
  while (pos != std::string::npos) {
    size_t end = reply.find(' ', pos + 1);
    ids.push_back(reply.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1));
    pos = end;
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

using Ids = std::vector<std::string>;

// A fresh server per test, with the default flags.
using ServerPatterns = ServerTest;

TEST_F(ServerPatterns, PatternSendReachesEveryMatchingNodeButTheSender) {
  LineClient& sender = join("plant1.ctl.temp");  // matches its own pattern: never gets a copy
  LineClient& l1 = join("plant1.line1.temp");
  LineClient& l2 = join("plant1.line2.temp");
  LineClient& rpm = join("plant1.line2.rpm");
  LineClient& other = join("plant2.line1.temp");
  ASSERT_EQ(sender.request("OPT receipts on"), "OPT receipts on");
  ASSERT_TRUE(sender.send_all(LineClient::send_frame("plant1.*.temp", "ping")));
  EXPECT_EQ(sender.read_line(), "OK 2");
  for (LineClient* c : {&l1, &l2}) {
    EXPECT_EQ(c->read_line(), "FROM plant1.ctl.temp 4 plant1.*.temp");
    EXPECT_EQ(c->read_line(), "ping");
  }
  EXPECT_EQ(sender.request("MSG plant1.> all"), "OK 3");
  for (LineClient* c : {&l1, &l2, &rpm}) {
    FromFrame f = c->read_frame();
    ASSERT_TRUE(f.ok()) << f;
    EXPECT_EQ(f.via, "plant1.>");
    EXPECT_EQ(f.payload, "all");
  }
  for (LineClient* c : {&sender, &l1, &l2, &rpm, &other}) expect_usable(*c);  // nothing else arrived
}

TEST_F(ServerPatterns, TailIsOneOrMoreTokensAndStarExactlyOne) {
  LineClient& q = join("q");
  for (const char* id : {"a", "a.b", "a.b.c", "a.c"}) join(id);
  EXPECT_EQ(nodes_of(q.request("WHO a.>")), (Ids{"a.b", "a.b.c", "a.c"}));  // not "a" itself
  EXPECT_EQ(nodes_of(q.request("WHO a.*")), (Ids{"a.b", "a.c"}));           // not "a.b.c"
  EXPECT_EQ(nodes_of(q.request("WHO a.b.>")), (Ids{"a.b.c"}));
  EXPECT_EQ(nodes_of(q.request("WHO *.*.*")), (Ids{"a.b.c"}));
  EXPECT_EQ(q.request("WHO a.b.c.>"), "NODES 0");
  EXPECT_EQ(q.request("MSG a.b.c.> x"), "ERR no-receivers a.b.c.>");
}

// Ids with empty tokens stay valid v1 ids; a wildcard matches an empty token like any other.
TEST_F(ServerPatterns, IdsWithEmptyTokens) {
  LineClient& q = join("q");
  LineClient& ab = join("a..b");
  join(".a");
  join("a.");
  ASSERT_TRUE(q.send_all("MSG a..b direct\n"));
  EXPECT_EQ(ab.read_line(), "FROM q 6");  // a plain id: v1 delivery
  EXPECT_EQ(ab.read_line(), "direct");
  EXPECT_EQ(nodes_of(q.request("WHO a.*.b")), (Ids{"a..b"}));
  EXPECT_EQ(nodes_of(q.request("WHO a.>")), (Ids{"a.", "a..b"}));
  EXPECT_EQ(nodes_of(q.request("WHO *.a")), (Ids{".a"}));
  EXPECT_EQ(nodes_of(q.request("WHO a.*")), (Ids{"a."}));
  EXPECT_EQ(q.request("WHO a..b"), "NODES 1 a..b");  // an id, looked up as one
  ASSERT_EQ(q.request("OPT receipts on"), "OPT receipts on");
  EXPECT_EQ(q.request("MSG a.*.b hi"), "OK 1");
  EXPECT_EQ(ab.read_line(), "FROM q 2 a.*.b");
}

TEST_F(ServerPatterns, TailAloneIsEveryOtherNodeAndStarAloneStaysBroadcast) {
  LineClient& a = join("a");
  LineClient& b = join("b.c");
  ASSERT_TRUE(a.send_all("MSG > tail\nMSG * star\n"));
  EXPECT_EQ(b.read_line(), "FROM a 4 >");
  EXPECT_EQ(b.read_line(), "tail");
  EXPECT_EQ(b.read_line(), "FROM a 4");  // v1 broadcast: no via
  EXPECT_EQ(b.read_line(), "star");
  EXPECT_EQ(nodes_of(a.request("WHO *")), (Ids{"a", "b.c"}));  // `*` is every node here too
  EXPECT_EQ(nodes_of(a.request("WHO >")), (Ids{"a", "b.c"}));
}

TEST_F(ServerPatterns, MalformedPatternsAreBadIdAndTheConnectionStaysUsable) {
  LineClient& a = join("a");
  const std::string long_pattern = std::string(63, 'p') + ".>";  // 65 bytes
  for (const std::string& p : {std::string("a..*"), std::string(".*"), std::string("*."), std::string("a*"),
                               std::string("a.b*"), std::string(">.a"), std::string("a.>.b"), std::string("**"),
                               std::string("a>"), long_pattern}) {
    const std::string reply = "ERR bad-id " + p.substr(0, 64);  // an echoed detail is cut at 64 bytes
    ASSERT_TRUE(a.send_all(LineClient::send_frame(p, "SEND a 1\nx")));  // the payload is discarded
    EXPECT_EQ(a.read_line(), reply) << p;
    EXPECT_EQ(a.request("MSG " + p + " x"), reply) << p;
    EXPECT_EQ(a.request("WHO " + p), reply) << p;
    expect_usable(a);
  }
  EXPECT_EQ(stats_of(a)["rejected"], 20u);
}

TEST_F(ServerPatterns, NoReceiversWhenNothingOrOnlyTheSenderMatches) {
  LineClient& a = join("x.a");
  join("y.b");
  EXPECT_EQ(a.request("MSG z.* hi"), "ERR no-receivers z.*");
  EXPECT_EQ(a.request("MSG x.* hi"), "ERR no-receivers x.*");  // only the sender matches
  ASSERT_EQ(a.request("OPT receipts on"), "OPT receipts on");
  EXPECT_EQ(a.request("MSG *.b hi"), "OK 1");
}

TEST_F(ServerPatterns, TheIndexFollowsRegistrationsAndDisconnects) {
  LineClient& q = join("q");
  {
    LineClient gone(port());
    ASSERT_EQ(gone.hello("s.1"), "WELCOME s.1 60");
    join("s.2");
    EXPECT_EQ(nodes_of(q.request("WHO s.*")), (Ids{"s.1", "s.2"}));
  }
  ASSERT_TRUE(wait_until([&] { return q.request("WHO s.*") == "NODES 1 s.2"; }));
  LineClient& back = join("s.1");  // the same id registers again and is matched again
  ASSERT_TRUE(q.send_all("MSG s.* again\n"));
  FromFrame f = back.read_frame();
  ASSERT_TRUE(f.ok()) << f;
  EXPECT_EQ(f.via, "s.*");
  EXPECT_EQ(f.payload, "again");
}

// Two hundred subject-style ids: a pattern reaches exactly the ones it names, each once.
TEST_F(ServerPatterns, SubjectIdsAtScale) {
  LineClient& q = join("q");
  std::vector<LineClient*> sevens;  // s<i>.7, the ones *.7 names
  for (int i = 0; i < 10; ++i) {
    for (int j = 0; j < 20; ++j) {
      LineClient& c = join("s" + std::to_string(i) + "." + std::to_string(j));
      if (j == 7) sevens.push_back(&c);
    }
  }
  EXPECT_EQ(nodes_of(q.request("WHO s3.*")).size(), 20u);
  EXPECT_EQ(nodes_of(q.request("WHO *.7")).size(), 10u);
  EXPECT_EQ(nodes_of(q.request("WHO >")).size(), 201u);
  ASSERT_EQ(q.request("OPT receipts on"), "OPT receipts on");
  EXPECT_EQ(q.request("MSG *.7 hi"), "OK 10");
  for (LineClient* c : sevens) {
    FromFrame f = c->read_frame();
    ASSERT_TRUE(f.ok()) << f;
    EXPECT_EQ(f.via, "*.7");
  }
  EXPECT_EQ(stats_of(q)["msgs_pattern"], 1u);
}

}  // namespace
}  // namespace sb::test
