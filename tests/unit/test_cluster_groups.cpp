// The replicas behind groups, anycast and patterns across servers: MemberReplica (per group the
// members of other servers, a count per server, the anycast rotation, this server's records
// apart) and RemoteIdIndex (other servers' ids as a trie for patterns); and the key token that
// carries a group name in the sb_members bucket.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/nats/jetstream.h"
#include "server/member_replica.h"
#include "server/remote_id_index.h"

using namespace sb::server;

namespace {

const auto kAll = [](uint32_t) { return true; };

std::map<uint32_t, uint32_t> servers_of(const MemberReplica::Group& g) {
  std::map<uint32_t, uint32_t> m(g.servers.begin(), g.servers.end());
  return m;
}

}  // namespace

TEST(MemberReplica, CountsMembersPerServerAndForgetsEmptyGroups) {
  MemberReplica r;
  r.put("g", "a", 1);
  r.put("g", "b", 1);
  r.put("g", "c", 2);
  r.put("g", "c", 2);  // the same record again: no change
  ASSERT_NE(r.find("g"), nullptr);
  EXPECT_EQ(r.find("g")->members.size(), 3u);
  EXPECT_EQ(servers_of(*r.find("g")), (std::map<uint32_t, uint32_t>{{1, 2}, {2, 1}}));
  EXPECT_EQ(r.live_members(*r.find("g"), kAll), 3u);
  EXPECT_EQ(r.live_members(*r.find("g"), [](uint32_t s) { return s != 1; }), 1u);
  EXPECT_TRUE(r.held_elsewhere("g", "a"));
  EXPECT_FALSE(r.held_elsewhere("g", "zz"));
  EXPECT_FALSE(r.held_elsewhere("h", "a"));

  r.erase("g", "a");
  EXPECT_EQ(servers_of(*r.find("g")), (std::map<uint32_t, uint32_t>{{1, 1}, {2, 1}}));
  r.erase("g", "a");     // twice: nothing
  r.erase("nope", "b");  // an unknown group: nothing
  r.erase("g", "b");
  EXPECT_EQ(servers_of(*r.find("g")), (std::map<uint32_t, uint32_t>{{2, 1}}));
  r.erase("g", "c");
  EXPECT_EQ(r.find("g"), nullptr);
  EXPECT_EQ(r.groups(), 0u);
}

TEST(MemberReplica, OwnRecordsAreKeptApartAndAMoveChangesSides) {
  MemberReplica r;
  r.put("g", "a", 0);
  EXPECT_EQ(r.find("g"), nullptr);  // this server's members are the local GroupTable's
  EXPECT_EQ(r.own().count({"g", "a"}), 1u);
  r.put("g", "a", 3);  // the id moved to server 3
  EXPECT_EQ(r.own().count({"g", "a"}), 0u);
  ASSERT_NE(r.find("g"), nullptr);
  EXPECT_EQ(servers_of(*r.find("g")), (std::map<uint32_t, uint32_t>{{3, 1}}));
  r.put("g", "a", 4);  // and on to server 4: still one member
  EXPECT_EQ(r.find("g")->members.size(), 1u);
  EXPECT_EQ(servers_of(*r.find("g")), (std::map<uint32_t, uint32_t>{{4, 1}}));
  r.put("g", "a", 0);  // back here
  EXPECT_EQ(r.find("g"), nullptr);
  EXPECT_EQ(r.own().count({"g", "a"}), 1u);
  r.erase("g", "a");
  EXPECT_TRUE(r.own().empty());
}

TEST(MemberReplica, RotationVisitsEveryLiveMemberOnceAndSkipsTheDead) {
  MemberReplica r;
  for (const char* id : {"a", "b", "c", "d"}) r.put("g", id, id[0] == 'b' ? 2 : 1);
  MemberReplica::Group& g = *r.find("g");
  std::multiset<std::string> picked;
  for (int i = 0; i < 8; ++i) picked.insert(r.next_live(g, kAll)->id);
  EXPECT_EQ(picked, (std::multiset<std::string>{"a", "a", "b", "b", "c", "c", "d", "d"}));
  const auto no_two = [](uint32_t s) { return s != 2; };
  for (int i = 0; i < 6; ++i) EXPECT_NE(r.next_live(g, no_two)->id, "b");
  EXPECT_EQ(r.next_live(g, [](uint32_t) { return false; }), nullptr);
  // Members leaving under the cursor: it starts over, never past the end.
  r.erase("g", "d");
  r.erase("g", "c");
  r.erase("g", "a");
  EXPECT_EQ(r.next_live(*r.find("g"), kAll)->id, "b");
}

TEST(MemberReplica, ListsGroupsWithMembersElsewhere) {
  MemberReplica r;
  r.put("g", "a", 1);
  r.put("h", "b", 2);
  r.put("mine", "c", 0);
  std::map<std::string, size_t> seen;
  r.for_each_group([&](std::string_view name, const MemberReplica::Group& g) { seen[std::string(name)] = g.members.size(); });
  EXPECT_EQ(seen, (std::map<std::string, size_t>{{"g", 1}, {"h", 1}}));
}

TEST(RemoteIdIndex, PatternsFindIdsWithTheirServers) {
  RemoteIdIndex ids;
  ids.set("plant1.a.temp", 1);
  ids.set("plant1.b.temp", 2);
  ids.set("plant2.c.temp", 2);
  ids.set("x..y", 3);
  std::map<std::string, uint32_t> m;
  ids.match("plant1.*.temp", [&](std::string_view id, uint32_t s) { m[std::string(id)] = s; });
  EXPECT_EQ(m, (std::map<std::string, uint32_t>{{"plant1.a.temp", 1}, {"plant1.b.temp", 2}}));
  m.clear();
  ids.match("x.*.y", [&](std::string_view id, uint32_t s) { m[std::string(id)] = s; });
  EXPECT_EQ(m, (std::map<std::string, uint32_t>{{"x..y", 3}}));
  EXPECT_EQ(ids.server_of("plant2.c.temp"), 2u);
  EXPECT_EQ(ids.server_of("plant2"), sb::PatternIndex::kNone);

  ids.set("plant1.a.temp", 4);  // moved: one entry, the new server
  ids.erase("plant1.b.temp");
  ids.erase("plant1.b.temp");  // twice: nothing
  m.clear();
  ids.match("plant1.>", [&](std::string_view id, uint32_t s) { m[std::string(id)] = s; });
  EXPECT_EQ(m, (std::map<std::string, uint32_t>{{"plant1.a.temp", 4}}));
  ids.set("plant1.b.temp", 5);  // a freed slot is reused
  EXPECT_EQ(ids.server_of("plant1.b.temp"), 5u);
  EXPECT_EQ(ids.size(), 4u);
}

TEST(MembersKey, AGroupIsOneTokenAndReadsBack) {
  for (const std::string group : {"g", "a.b", ".x", "a..b", "-_9"}) {
    const std::string token = sb::nats::kv_hex_token(group);
    EXPECT_EQ(token.find('.'), std::string::npos) << group;
    std::string back;
    ASSERT_TRUE(sb::nats::id_from_kv_key(token, &back)) << group;
    EXPECT_EQ(back, group);
  }
}
