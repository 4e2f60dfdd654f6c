// Groups, anycast and id patterns across the servers of a cluster, through real processes: one
// nats-server with JetStream and two or three switchboard servers. `#g` reaches members on every
// server once each (not the sender), in order per (source, member), with receipts counting every
// copy; `~g` rotates over the members of every server; a pattern reaches matching ids everywhere;
// WHO <target> and GROUPS answer for the cluster; LEAVE, disconnect and a killed server take
// memberships away; a restarted server drops the memberships of its previous life; without the
// backbone local members are still reached and the sender gets ERR unavailable, and memberships
// changed meanwhile reach the other servers once it is back.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cluster_fixture.h"

namespace sb::test {
namespace {

using Client = std::unique_ptr<LineClient>;

// Bytes that need the length-prefixed framing, with a varying length.
std::string payload_of(const std::string& tag, int i) {
  std::string p = tag + "#" + std::to_string(i) + "|\n\0\r\n";
  p += std::string(static_cast<size_t>(i % 13), 'x');
  return p;
}

std::string send_frame(const std::string& target, const std::string& payload) {
  return "SEND " + target + " " + std::to_string(payload.size()) + "\n" + payload + "\n";
}

Client node(ClusterRig& rig, size_t server, const std::string& id) {
  std::string r;
  Client c = hello(rig.server(server).port(), id, &r);
  EXPECT_EQ(r, welcome(id));
  return c;
}

// Every server exits 0 on SIGTERM (under the sanitizers, a report would make it fail).
void expect_clean_stops(ClusterRig& rig) {
  for (size_t i = 0; i < rig.servers(); ++i) EXPECT_EQ(rig.server(i).stop(), 0) << rig.server(i).stderr_text();
}

// The next frame is the direct `marker` from `from`: nothing else arrived before it.
void expect_next_is_marker(LineClient& c, LineClient& from, const std::string& id, const std::string& marker) {
  ASSERT_TRUE(from.send_all(send_frame(id, marker)));
  FromFrame f = c.read_frame();
  ASSERT_TRUE(f.ok()) << f;
  EXPECT_EQ(f.payload, marker) << id << " got an unexpected frame first";
  EXPECT_EQ(f.via, "");
}

// Each (client, id) gets a direct marker from `from` as its next frame: nothing else came first.
void expect_nothing_more(LineClient& from, std::initializer_list<std::pair<LineClient*, const char*>> nodes) {
  for (auto [c, id] : nodes) expect_next_is_marker(*c, from, id, "marker");
}

TEST(ClusterRouting, GroupReachesMembersOnEveryServerOnceInOrderPerSource) {
  ClusterRig rig(1, 3);
  ASSERT_TRUE(rig.ok()) << rig.error();
  Client a0 = node(rig, 0, "a0"), m0 = node(rig, 0, "m0"), m1 = node(rig, 1, "m1"), outsider = node(rig, 1, "outsider");
  Client m2a = node(rig, 2, "m2a"), m2b = node(rig, 2, "m2b");
  for (LineClient* c : {a0.get(), m0.get(), m1.get(), m2a.get(), m2b.get()})
    ASSERT_EQ(c->request("JOIN #g").rfind("JOINED #g ", 0), 0u);
  const std::vector<std::string> members{"a0", "m0", "m1", "m2a", "m2b"};
  for (LineClient* c : {a0.get(), outsider.get(), m2a.get()}) ASSERT_TRUE(who_becomes(*c, "#g", members));
  EXPECT_EQ(outsider->request("GROUPS"), "GROUPS 1 #g=5");

  // Two sources on two servers, interleaved.
  constexpr int kCount = 60;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(a0->send_all(send_frame("#g", payload_of("a0", i))));
    ASSERT_TRUE(m1->send_all(send_frame("#g", payload_of("m1", i))));
  }
  // Every member gets every message of the other source, bytes exact, in order per source.
  for (LineClient* c : {a0.get(), m0.get(), m1.get(), m2a.get(), m2b.get()}) {
    const bool is_a0 = c == a0.get(), is_m1 = c == m1.get();
    const int expected = (is_a0 || is_m1) ? kCount : 2 * kCount;
    std::map<std::string, int> next;
    for (int k = 0; k < expected; ++k) {
      FromFrame f = c->read_frame();
      ASSERT_TRUE(f.ok()) << k << ": " << f;
      ASSERT_EQ(f.via, "#g");
      ASSERT_TRUE(f.source == "a0" || f.source == "m1") << f.source;
      ASSERT_FALSE((is_a0 && f.source == "a0") || (is_m1 && f.source == "m1")) << "a sender got its own message";
      ASSERT_EQ(f.payload, payload_of(f.source, next[f.source]++)) << f.source;
    }
  }
  // Receipts count every member but the sender, here and elsewhere.
  ASSERT_EQ(a0->request("OPT receipts on"), "OPT receipts on");
  EXPECT_EQ(a0->request("MSG #g counted"), "OK 4");
  for (LineClient* c : {m0.get(), m1.get(), m2a.get(), m2b.get()}) EXPECT_EQ(c->read_frame().payload, "counted");
  // Nobody got more, and the non-member nothing.
  expect_nothing_more(*a0, {{m0.get(), "m0"}, {m2b.get(), "m2b"}, {outsider.get(), "outsider"}});
  expect_clean_stops(rig);
}

TEST(ClusterRouting, AnycastRotatesOverTheMembersOfBothServersEachMessageOnce) {
  ClusterRig rig(1, 2);
  ASSERT_TRUE(rig.ok()) << rig.error();
  Client sender = node(rig, 0, "sender");
  std::map<std::string, Client> members;
  for (const char* id : {"w0a", "w0b"}) members[id] = node(rig, 0, id);
  for (const char* id : {"w1a", "w1b", "w1c"}) members[id] = node(rig, 1, id);
  for (auto& [id, c] : members) ASSERT_EQ(c->request("JOIN #w").rfind("JOINED #w ", 0), 0u);
  ASSERT_TRUE(who_becomes(*sender, "#w", {"w0a", "w0b", "w1a", "w1b", "w1c"}));
  // A member too (the count is the cluster's), and never picked for its own messages.
  ASSERT_EQ(sender->request("JOIN #w"), "JOINED #w 6");
  ASSERT_TRUE(who_becomes(*sender, "~w", {"sender", "w0a", "w0b", "w1a", "w1b", "w1c"}));

  ASSERT_EQ(sender->request("OPT receipts on"), "OPT receipts on");
  constexpr int kCount = 50;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(sender->send_all(send_frame("~w", payload_of("any", i))));
    ASSERT_EQ(sender->read_line(), "OK 1") << i;
  }
  // A direct marker after them: it travels the same way as the anycast copies to that member, so
  // everything the member got comes before it.
  std::set<std::string> seen;
  for (auto& [id, c] : members) {
    ASSERT_TRUE(sender->send_all(send_frame(id, "marker")));
    int got = 0;
    for (;;) {
      FromFrame f = c->read_frame();
      ASSERT_TRUE(f.ok()) << id << ": " << f;
      if (f.payload == "marker") break;
      EXPECT_EQ(f.source, "sender");
      EXPECT_EQ(f.via, "~w");
      EXPECT_TRUE(seen.insert(f.payload).second) << "delivered twice: " << escape_bytes(f.payload);
      ++got;
    }
    EXPECT_GE(got, 1) << id << " never picked";
  }
  EXPECT_EQ(seen.size(), size_t(kCount));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(seen.count(payload_of("any", i)), 1u) << i;
  expect_clean_stops(rig);
}

TEST(ClusterRouting, PatternsMatchIdsOnBothServers) {
  ClusterRig rig(1, 2);
  ASSERT_TRUE(rig.ok()) << rig.error();
  Client ctl = node(rig, 0, "ctl");
  Client a = node(rig, 0, "plant1.a.temp"), b = node(rig, 1, "plant1.b.temp"), c = node(rig, 1, "plant2.c.temp");
  ASSERT_TRUE(who_becomes(*ctl, "plant1.*.temp", {"plant1.a.temp", "plant1.b.temp"}));
  ASSERT_TRUE(who_becomes(*ctl, "*.*.temp", {"plant1.a.temp", "plant1.b.temp", "plant2.c.temp"}));
  EXPECT_EQ(ctl->request("WHO plant2.c.temp"), "NODES 1 plant2.c.temp");  // one id elsewhere
  EXPECT_EQ(ctl->request("WHO plant9.>"), "NODES 0");

  ASSERT_EQ(ctl->request("OPT receipts on"), "OPT receipts on");
  const std::string p = payload_of("pat", 7);
  ASSERT_TRUE(ctl->send_all(send_frame("plant1.*.temp", p)));
  EXPECT_EQ(ctl->read_line(), "OK 2");
  for (LineClient* n : {a.get(), b.get()}) {
    FromFrame f = n->read_frame();
    ASSERT_TRUE(f.ok()) << f;
    EXPECT_EQ(f.source, "ctl");
    EXPECT_EQ(f.via, "plant1.*.temp");
    EXPECT_EQ(f.payload, p);
  }
  // Only matches elsewhere: one server gets it; then a pattern with a trailing `>`.
  EXPECT_EQ(ctl->request("MSG plant2.> hi"), "OK 1");
  FromFrame f = c->read_frame();
  ASSERT_TRUE(f.ok()) << f;
  EXPECT_EQ(f.via, "plant2.>");
  EXPECT_EQ(ctl->request("MSG *.*.temp all"), "OK 3");
  for (LineClient* n : {a.get(), b.get(), c.get()}) EXPECT_EQ(n->read_frame().payload, "all");
  // No match anywhere (`>` is one token or more), and a match of the sender's own only.
  EXPECT_EQ(ctl->request("MSG ctl.> x"), "ERR no-receivers ctl.>");
  EXPECT_EQ(ctl->request("MSG plant9.* x"), "ERR no-receivers plant9.*");
  EXPECT_EQ(a->request("MSG plant1.a.* x"), "ERR no-receivers plant1.a.*");
  expect_nothing_more(*ctl, {{a.get(), "plant1.a.temp"}, {b.get(), "plant1.b.temp"}, {c.get(), "plant2.c.temp"}});
  expect_clean_stops(rig);
}

TEST(ClusterRouting, LeaveAndDisconnectTakeRemoteMembershipsAway) {
  ClusterRig rig(1, 2);
  ASSERT_TRUE(rig.ok()) << rig.error();
  Client a = node(rig, 0, "a"), b = node(rig, 1, "b");
  EXPECT_EQ(a->request("MSG #g x"), "ERR no-receivers #g");  // nobody anywhere
  EXPECT_EQ(a->request("MSG ~g x"), "ERR no-receivers ~g");
  EXPECT_EQ(a->request("GROUPS"), "GROUPS 0");
  ASSERT_EQ(a->request("JOIN #g"), "JOINED #g 1");
  EXPECT_EQ(a->request("MSG #g x"), "ERR no-receivers #g");  // the sender alone
  ASSERT_EQ(b->request("JOIN #g").rfind("JOINED #g ", 0), 0u);  // 1 or 2: a's record may be on its way
  ASSERT_TRUE(who_becomes(*a, "#g", {"a", "b"}));
  ASSERT_TRUE(who_becomes(*b, "#g", {"a", "b"}));
  ASSERT_TRUE(a->send_line("MSG #g one"));
  EXPECT_EQ(b->read_frame().payload, "one");

  EXPECT_EQ(b->request("LEAVE #g"), "LEFT #g 1");
  ASSERT_TRUE(who_becomes(*a, "#g", {"a"}));
  EXPECT_EQ(a->request("MSG #g x"), "ERR no-receivers #g");
  EXPECT_EQ(a->request("MSG ~g x"), "ERR no-receivers ~g");
  EXPECT_EQ(a->request("GROUPS"), "GROUPS 1 #g=1");

  ASSERT_EQ(b->request("JOIN #h"), "JOINED #h 1");
  ASSERT_TRUE(who_becomes(*a, "~h", {"b"}));  // a group with no member on a's server
  ASSERT_TRUE(wait_until([&] {
    const std::string groups = a->request("GROUPS");
    return groups == "GROUPS 2 #g=1 #h=1" || groups == "GROUPS 2 #h=1 #g=1";
  }));
  b->send_line("QUIT");
  EXPECT_EQ(b->read_line(), "BYE");
  ASSERT_TRUE(who_becomes(*a, "#h", {}));
  EXPECT_EQ(a->request("GROUPS"), "GROUPS 1 #g=1");
  EXPECT_EQ(a->request("MSG #h x"), "ERR no-receivers #h");
}

// Node a on server 0 and b on server 1, both in #g, and each server lists both.
void two_members(ClusterRig& rig, Client* a, Client* b) {
  ASSERT_TRUE(rig.ok()) << rig.error();
  *a = node(rig, 0, "a");
  *b = node(rig, 1, "b");
  ASSERT_EQ((*a)->request("JOIN #g").rfind("JOINED #g ", 0), 0u);
  ASSERT_EQ((*b)->request("JOIN #g").rfind("JOINED #g ", 0), 0u);
  ASSERT_TRUE(who_becomes(**a, "#g", {"a", "b"}));
  ASSERT_TRUE(who_becomes(**b, "#g", {"a", "b"}));
}

TEST(ClusterRouting, KilledServersMembersStopCountingAndItsRestartForgetsThem) {
  ClusterRig rig(1, 2);
  Client a, b;
  ASSERT_NO_FATAL_FAILURE(two_members(rig, &a, &b));
  ASSERT_EQ(a->request("OPT receipts on"), "OPT receipts on");
  EXPECT_EQ(a->request("MSG #g x"), "OK 1");

  rig.server(1).stop(SIGKILL);
  // Within twice the 1 s heartbeat: b counts no more, for groups, anycast, WHO and GROUPS.
  ASSERT_TRUE(who_becomes(*a, "#g", {"a"}));
  EXPECT_EQ(a->request("MSG #g x"), "ERR no-receivers #g");
  EXPECT_EQ(a->request("MSG ~g x"), "ERR no-receivers ~g");
  EXPECT_EQ(a->request("GROUPS"), "GROUPS 1 #g=1");

  // The same server name again: it deletes the records of its previous life before taking new
  // ones, so a new member there is listed and b is not.
  ServerProcess again({"--cluster", rig.nats().urls(), "--server-name", "s1", "--cluster-heartbeat", "1"});
  ASSERT_TRUE(again.ok()) << again.error();
  ASSERT_TRUE(again.wait_log_contains("event=cluster_ready")) << again.log();
  std::string r;
  Client c = hello(again.port(), "c", &r);
  ASSERT_EQ(r, welcome("c"));
  ASSERT_EQ(c->request("JOIN #g").rfind("JOINED #g ", 0), 0u);
  ASSERT_TRUE(who_becomes(*a, "#g", {"a", "c"}));
  EXPECT_EQ(a->request("MSG #g y"), "OK 1");
  EXPECT_EQ(c->read_frame().payload, "y");
}

TEST(ClusterRouting, BackboneGoneLocalMembersStillGetTheRestIsUnavailable) {
  ClusterRig rig(1, 2);
  ASSERT_TRUE(rig.ok()) << rig.error();
  Client a = node(rig, 0, "a.x"), m = node(rig, 0, "m.x"), b = node(rig, 1, "b.x");
  for (LineClient* c : {a.get(), m.get(), b.get()}) ASSERT_EQ(c->request("JOIN #g").rfind("JOINED #g ", 0), 0u);
  ASSERT_TRUE(who_becomes(*a, "#g", {"a.x", "m.x", "b.x"}));

  rig.nats()[0].kill_now();
  ASSERT_TRUE(rig.server(0).wait_log_contains("event=backbone_down"));
  ASSERT_EQ(a->request("OPT receipts on"), "OPT receipts on");
  // The local copies go out; what should have crossed cannot, and the sender is told.
  EXPECT_EQ(a->request("MSG #g g"), "ERR unavailable #g");
  EXPECT_EQ(m->read_frame().payload, "g");
  EXPECT_EQ(a->request("MSG *.x p"), "ERR unavailable *.x");
  EXPECT_EQ(m->read_frame().payload, "p");
  // Anycast picks a local member while the cluster cannot be asked.
  EXPECT_EQ(a->request("MSG ~g any"), "OK 1");
  FromFrame f = m->read_frame();
  EXPECT_EQ(f.payload, "any");
  EXPECT_EQ(f.via, "~g");
  EXPECT_EQ(m->request("LEAVE #g").rfind("LEFT #g ", 0), 0u);
  EXPECT_EQ(a->request("MSG ~g none"), "ERR unavailable ~g");
  EXPECT_EQ(a->request("MSG #nothing x"), "ERR unavailable #nothing");
}

TEST(ClusterRouting, MembershipsChangedWhileCutOffAreRepublishedOnReconnect) {
  ClusterRig rig(1, 2);
  Client a, b;
  ASSERT_NO_FATAL_FAILURE(two_members(rig, &a, &b));

  rig.nats()[0].kill_now();
  ASSERT_TRUE(rig.server(1).wait_log_contains("event=backbone_down"));
  EXPECT_EQ(b->request("LEAVE #g"), "LEFT #g 1");  // the replica still shows a
  EXPECT_EQ(b->request("JOIN #h"), "JOINED #h 1");
  EXPECT_EQ(a->request("JOIN #k"), "JOINED #k 1");

  ASSERT_TRUE(rig.nats().start_member(0));
  ASSERT_TRUE(who_becomes(*a, "#h", {"b"}, std::chrono::milliseconds(30000))) << rig.server(0).log() << rig.server(1).log();
  ASSERT_TRUE(who_becomes(*a, "#g", {"a"}));
  ASSERT_TRUE(who_becomes(*b, "#k", {"a"}));
  ASSERT_EQ(a->request("OPT receipts on"), "OPT receipts on");
  EXPECT_EQ(a->request("MSG #h across"), "OK 1");
  FromFrame f = b->read_frame();
  ASSERT_TRUE(f.ok()) << f;
  EXPECT_EQ(f.payload, "across");
  EXPECT_EQ(f.via, "#h");
  EXPECT_EQ(a->request("MSG #g x"), "ERR no-receivers #g");
  expect_clean_stops(rig);
}

}  // namespace
}  // namespace sb::test
