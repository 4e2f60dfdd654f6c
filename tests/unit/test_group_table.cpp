// GroupTable unit tests: join/leave replies and counts, both limits, leaving everything at
// disconnect, anycast rotation (skipping the sender and the not-ready), and a random run against
// a std::map model with the two-sided bookkeeping cross-checked.
#include "common/routing/group_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace sb {
namespace {

constexpr uint64_t kSeed = 0x6a09e667f3bcc908ull;
using Status = GroupTable::JoinStatus;

std::set<uint32_t> members_of(const GroupTable& t, std::string_view name) {
  std::set<uint32_t> out;
  uint32_t g = t.find(name);
  if (g == GroupTable::kNone) return out;
  for (const auto& m : t.members(g)) out.insert(m.node);
  return out;
}

TEST(GroupTable, JoinLeaveCountsCreationAndEmptying) {
  GroupTable t(100, 10, kSeed);
  auto r = t.join(1, "ops");
  EXPECT_EQ(r.status, Status::joined);
  EXPECT_EQ(r.members, 1u);
  EXPECT_TRUE(r.created);
  r = t.join(2, "ops");
  EXPECT_EQ(r.status, Status::joined);
  EXPECT_EQ(r.members, 2u);
  EXPECT_FALSE(r.created);
  r = t.join(1, "ops");  // again: not an error, same count
  EXPECT_EQ(r.status, Status::already_member);
  EXPECT_EQ(r.members, 2u);
  EXPECT_EQ(t.groups(), 1u);
  EXPECT_EQ(t.memberships(), 2u);

  auto l = t.leave(3, "ops");
  EXPECT_FALSE(l.was_member);
  EXPECT_EQ(l.members, 2u);
  l = t.leave(1, "nosuch");
  EXPECT_FALSE(l.was_member);
  l = t.leave(1, "ops");
  EXPECT_TRUE(l.was_member);
  EXPECT_EQ(l.members, 1u);
  EXPECT_FALSE(l.emptied);
  l = t.leave(2, "ops");
  EXPECT_TRUE(l.emptied);
  EXPECT_EQ(t.groups(), 0u);
  EXPECT_EQ(t.find("ops"), GroupTable::kNone);
  EXPECT_TRUE(t.check_invariants());
}

TEST(GroupTable, PerNodeAndTableLimits) {
  GroupTable t(3, 2, kSeed);
  EXPECT_EQ(t.join(1, "a").status, Status::joined);
  EXPECT_EQ(t.join(1, "b").status, Status::joined);
  EXPECT_EQ(t.join(1, "c").status, Status::node_limit);
  EXPECT_EQ(t.join(1, "a").status, Status::already_member);  // at the limit, rejoining is fine
  EXPECT_EQ(t.join(2, "c").status, Status::joined);
  EXPECT_EQ(t.join(2, "d").status, Status::table_limit);  // three groups exist
  EXPECT_EQ(t.join(2, "a").status, Status::joined);       // joining an existing one is fine
  EXPECT_EQ(t.groups(), 3u);
  t.leave(2, "c");  // "c" empties: room for another group
  EXPECT_EQ(t.join(3, "d").status, Status::joined);
  EXPECT_TRUE(t.check_invariants());
}

TEST(GroupTable, LeaveAllReportsEveryGroupOnce) {
  GroupTable t(100, 10, kSeed);
  for (const char* g : {"a", "b", "c"}) t.join(7, g);
  t.join(8, "b");
  std::map<std::string, uint32_t> left;
  t.leave_all(7, [&](std::string_view name, uint32_t members) { left.emplace(std::string(name), members); });
  EXPECT_EQ(left, (std::map<std::string, uint32_t>{{"a", 0}, {"b", 1}, {"c", 0}}));
  EXPECT_EQ(t.groups_of(7), 0u);
  EXPECT_EQ(t.groups(), 1u);
  EXPECT_EQ(members_of(t, "b"), (std::set<uint32_t>{8}));
  t.leave_all(99, [&](std::string_view, uint32_t) { ADD_FAILURE() << "node 99 was in no group"; });
  EXPECT_TRUE(t.check_invariants());
}

TEST(GroupTable, AnycastRotatesSkippingTheSenderAndTheNotReady) {
  GroupTable t(100, 10, kSeed);
  for (uint32_t n : {1u, 2u, 3u, 4u}) t.join(n, "w");
  const uint32_t g = t.find("w");
  auto all = [](uint32_t) { return true; };
  std::map<uint32_t, int> got;
  for (int i = 0; i < 30; ++i) {
    auto p = t.pick(g, 1, all);
    ASSERT_TRUE(p.ready);
    ASSERT_NE(p.node, 1u);
    ++got[p.node];
  }
  EXPECT_EQ(got, (std::map<uint32_t, int>{{2, 10}, {3, 10}, {4, 10}}));  // an even rotation

  auto not_three = [](uint32_t n) { return n != 3; };
  for (int i = 0; i < 6; ++i) EXPECT_NE(t.pick(g, 1, not_three).node, 3u);

  auto none = [](uint32_t) { return false; };
  auto p = t.pick(g, 1, none);
  EXPECT_FALSE(p.ready);
  EXPECT_NE(p.node, GroupTable::kNone);
  EXPECT_NE(p.node, 1u);

  GroupTable solo(100, 10, kSeed);
  solo.join(5, "s");
  EXPECT_EQ(solo.pick(solo.find("s"), 5, all).node, GroupTable::kNone);  // nobody but the sender
}

TEST(GroupTable, RotationSurvivesMembersLeaving) {
  GroupTable t(100, 10, kSeed);
  for (uint32_t n = 0; n < 5; ++n) t.join(n, "w");
  const uint32_t g = t.find("w");
  auto all = [](uint32_t) { return true; };
  for (int i = 0; i < 4; ++i) t.pick(g, 99, all);  // cursor near the end
  t.leave(3, "w");
  t.leave(4, "w");
  std::set<uint32_t> seen;
  for (int i = 0; i < 3; ++i) seen.insert(t.pick(g, 99, all).node);
  EXPECT_EQ(seen, (std::set<uint32_t>{0, 1, 2}));
}

TEST(GroupTable, RandomOperationsAgainstTheModel) {
  std::mt19937_64 rng(99);
  const size_t kMaxGroups = 20, kPerNode = 5;
  GroupTable t(kMaxGroups, kPerNode, kSeed);
  std::map<std::string, std::set<uint32_t>> model;
  std::map<uint32_t, std::set<std::string>> of_node;
  for (int round = 0; round < 20000; ++round) {
    const uint32_t node = static_cast<uint32_t>(rng() % 40);
    const std::string name = "g" + std::to_string(rng() % 30);
    const int op = static_cast<int>(rng() % 10);
    if (op < 6) {
      auto r = t.join(node, name);
      bool member = model.count(name) && model[name].count(node);
      if (member) {
        ASSERT_EQ(r.status, Status::already_member);
      } else if (of_node[node].size() >= kPerNode) {
        ASSERT_EQ(r.status, Status::node_limit);
      } else if (!model.count(name) && model.size() >= kMaxGroups) {
        ASSERT_EQ(r.status, Status::table_limit);
      } else {
        ASSERT_EQ(r.status, Status::joined);
        ASSERT_EQ(r.created, !model.count(name));
        model[name].insert(node);
        of_node[node].insert(name);
      }
    } else if (op < 9) {
      auto l = t.leave(node, name);
      bool member = model.count(name) && model[name].count(node);
      ASSERT_EQ(l.was_member, member);
      if (member) {
        model[name].erase(node);
        of_node[node].erase(name);
        ASSERT_EQ(l.members, model[name].size());
        if (model[name].empty()) model.erase(name);
      }
    } else {
      t.leave_all(node, [&](std::string_view g, uint32_t left) {
        std::string n(g);
        ASSERT_TRUE(model[n].erase(node));
        ASSERT_EQ(left, model[n].size());
        if (model[n].empty()) model.erase(n);
      });
      of_node[node].clear();
    }
    if (round % 1000 == 0) {
      ASSERT_TRUE(t.check_invariants());
    }
  }
  ASSERT_EQ(t.groups(), model.size());
  for (const auto& [name, nodes] : model) {
    EXPECT_EQ(members_of(t, name), nodes) << name;
  }
  EXPECT_TRUE(t.check_invariants());
}

}  // namespace
}  // namespace sb
