// Integration tests of protocol v2 groups through the real switchboard-server: every row of the
// contract's Targets, Groups and Receipts tables (../shared/protocol-v2.md), anycast rotation and
// its back-pressure rule, group fan-out under back-pressure, the limits, every error, STATS, INFO
// and the log records.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/support/line_client.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

// Pushes 16 KiB frames from `filler` to `target` until the server pauses `filler` (STATS blocked
// grows, as `observer` sees it) and then stops reading it for good: its socket takes no byte for
// 300 ms. `target`'s queue is then at its bound with the kernel's buffers full behind it, so it
// stays there while `target` does not read (a first pause alone can end as the kernel's buffers
// grow and drain the queue). False if that never happened.
bool fill_until_full(LineClient& filler, const std::string& target, LineClient& observer) {
  const uint64_t before = stats_of(observer)["blocked"];
  const std::string frame = LineClient::send_frame(target, std::string(16384, 'f'));
  std::string pending;
  const auto deadline = Clock::now() + kDefaultWait;
  auto last_check = Clock::now(), last_progress = Clock::now();
  bool paused = false;
  while (Clock::now() < deadline) {
    if (pending.empty()) pending = frame;
    ssize_t n = filler.send_some(pending);
    if (n < 0) return false;
    if (n > 0) {
      pending.erase(0, static_cast<size_t>(n));
      last_progress = Clock::now();
    } else {
      filler.wait_writable(milliseconds(20));
    }
    if (!paused && Clock::now() - last_check > milliseconds(20)) {
      paused = stats_of(observer)["blocked"] > before;
      last_check = Clock::now();
    }
    if (paused && Clock::now() - last_progress > milliseconds(300)) return true;
  }
  return false;
}

// Reads frames until one came through `via`; the others (a filler's) are skipped. Its payload,
// or the error.
std::string first_frame_via(LineClient& c, const std::string& via) {
  for (;;) {
    FromFrame f = c.read_frame();
    if (!f.ok()) return "<" + f.error + ">";
    if (f.via == via) return f.source + ":" + f.payload;
  }
}

// A fresh server per test, with the default flags unless the suite names others.
using ServerGroups = ServerTest;
constexpr const char* kSmallCaps[] = {"--max-groups-per-node", "2", "--max-groups", "3"};
using ServerGroupsSmallCaps = ServerTestWith<kSmallCaps>;
constexpr const char* kMaxPayload100[] = {"--max-payload", "100"};
using ServerGroupsMaxPayload100 = ServerTestWith<kMaxPayload100>;
constexpr const char* kSmallOutbuf[] = {"--max-outbuf", "1024", "--max-groups-per-node", "100"};
using ServerGroupsSmallOutbuf = ServerTestWith<kSmallOutbuf>;
constexpr const char* kInfoFlags[] = {"--max-payload", "4096", "--idle-timeout", "30", "--max-groups-per-node", "7"};
using ServerGroupsInfo = ServerTestWith<kInfoFlags>;
constexpr const char* kDebugLog[] = {"--log-level", "debug", "--max-groups-per-node", "1"};
using ServerGroupsDebugLog = ServerTestWith<kDebugLog>;

TEST_F(ServerGroups, DirectAndBroadcastKeepTheV1FromLineExactly) {
  LineClient& a = join("a");
  LineClient& b = join("b");
  ASSERT_TRUE(a.send_all("MSG b hello\nMSG * all\n"));
  EXPECT_EQ(b.read_line(), "FROM a 5");
  EXPECT_EQ(b.read_line(), "hello");
  EXPECT_EQ(b.read_line(), "FROM a 3");
  EXPECT_EQ(b.read_line(), "all");
  expect_usable(a);  // and nothing was sent back to a (no receipts unless asked)
}

TEST_F(ServerGroups, GroupSendReachesEveryMemberButTheSender) {
  LineClient& a = join("a");
  LineClient& b = join("b");
  LineClient& c = join("c");
  LineClient& outsider = join("d");
  EXPECT_EQ(a.request("JOIN #ops"), "JOINED #ops 1");
  EXPECT_EQ(b.request("JOIN #ops"), "JOINED #ops 2");
  EXPECT_EQ(c.request("JOIN ~ops"), "JOINED #ops 3");  // ~ops names the same group
  ASSERT_TRUE(a.send_all(LineClient::send_frame("#ops", "hello")));
  for (LineClient* member : {&b, &c}) {
    EXPECT_EQ(member->read_line(), "FROM a 5 #ops");
    EXPECT_EQ(member->read_line(), "hello");
  }
  // A non-member may send to a group too (as a NATS publisher may), and reaches every member.
  ASSERT_TRUE(outsider.send_all("MSG #ops from outside\n"));
  for (LineClient* member : {&a, &b, &c}) {
    FromFrame f = member->read_frame();
    ASSERT_TRUE(f.ok()) << f;
    EXPECT_EQ(f.source, "d");
    EXPECT_EQ(f.via, "#ops");
    EXPECT_EQ(f.payload, "from outside");
  }
  expect_usable(a);  // a got nothing of its own message
  expect_usable(outsider);
}

TEST_F(ServerGroups, JoinLeaveWhoAndGroupsReplies) {
  LineClient& a = join("a");
  LineClient& b = join("b");
  EXPECT_EQ(a.request("GROUPS"), "GROUPS 0");
  EXPECT_EQ(a.request("JOIN #ops"), "JOINED #ops 1");
  EXPECT_EQ(a.request("JOIN #ops"), "JOINED #ops 1");  // joining again: same reply, no error
  EXPECT_EQ(b.request("JOIN #ops"), "JOINED #ops 2");
  EXPECT_EQ(b.request("JOIN #dev"), "JOINED #dev 1");
  const std::string who = a.request("WHO #ops");
  EXPECT_TRUE(who == "NODES 2 a b" || who == "NODES 2 b a") << who;
  EXPECT_EQ(a.request("WHO ~dev"), "NODES 1 b");
  EXPECT_EQ(a.request("WHO #nosuch"), "NODES 0");
  const std::string groups = a.request("GROUPS");
  EXPECT_TRUE(groups == "GROUPS 2 #ops=2 #dev=1" || groups == "GROUPS 2 #dev=1 #ops=2") << groups;
  EXPECT_EQ(a.request("LEAVE #ops"), "LEFT #ops 1");
  expect_reply_then_usable(a, "LEAVE #ops", "ERR not-member #ops");
  EXPECT_EQ(a.request("LEAVE #nosuch"), "ERR not-member #nosuch");
  EXPECT_EQ(b.request("LEAVE ~dev"), "LEFT #dev 0");  // ~dev names the same group; it is gone now
  EXPECT_EQ(a.request("GROUPS"), "GROUPS 1 #ops=1");
}

TEST_F(ServerGroups, MembershipEndsAtDisconnect) {
  LineClient& a = join("a");
  {
    LineClient b(port());
    ASSERT_EQ(b.hello("b"), "WELCOME b 60");
    for (const char* g : {"#x", "#y", "#z"}) ASSERT_EQ(b.request(std::string("JOIN ") + g).rfind("JOINED", 0), 0u);
    ASSERT_EQ(a.request("JOIN #x"), "JOINED #x 2");
  }  // b closes
  ASSERT_TRUE(wait_until([&] { return a.request("GROUPS") == "GROUPS 1 #x=1"; }));
  EXPECT_EQ(a.request("WHO #x"), "NODES 1 a");
  EXPECT_EQ(a.request("MSG #x anyone?"), "ERR no-receivers #x");
  // The same id comes back in no group.
  LineClient& b2 = join("b");
  EXPECT_EQ(b2.request("GROUPS"), "GROUPS 1 #x=1");
}

TEST_F(ServerGroupsSmallCaps, LimitsRefuseWithTooManyGroups) {
  LineClient& a = join("a");
  LineClient& b = join("b");
  EXPECT_EQ(a.request("JOIN #g1"), "JOINED #g1 1");
  EXPECT_EQ(a.request("JOIN #g2"), "JOINED #g2 1");
  expect_reply_then_usable(a, "JOIN #g3", "ERR too-many-groups #g3");
  EXPECT_EQ(a.request("JOIN #g1"), "JOINED #g1 1");  // a member already: not refused
  EXPECT_EQ(b.request("JOIN #g3"), "JOINED #g3 1");
  EXPECT_EQ(b.request("JOIN ~g4"), "ERR too-many-groups ~g4");  // three groups exist
  EXPECT_EQ(b.request("JOIN #g1"), "JOINED #g1 2");             // an existing one is fine
  EXPECT_EQ(a.request("LEAVE #g2"), "LEFT #g2 0");
  EXPECT_EQ(b.request("LEAVE #g3"), "LEFT #g3 0");
  EXPECT_EQ(b.request("JOIN #g4"), "JOINED #g4 1");  // room again
}

TEST_F(ServerGroups, BadGroupNamesAndArgumentsKeepTheConnectionUsable) {
  LineClient& a = join("a");
  const std::string long_name(65, 'g');
  const std::pair<std::string, std::string> cases[] = {
      {"JOIN ops", "ERR bad-id ops"},
      {"JOIN #", "ERR bad-id #"},
      {"JOIN #a!b", "ERR bad-id #a!b"},
      {"JOIN #" + long_name, "ERR bad-id #" + long_name.substr(0, 63)},  // the detail is cut at 64
      {"JOIN *", "ERR bad-id *"},
      {"LEAVE ops", "ERR bad-id ops"},
      {"LEAVE ~", "ERR bad-id ~"},
      {"WHO #a!b", "ERR bad-id #a!b"},
      {"WHO a*", "ERR bad-id a*"},
      {"MSG #a!b hi", "ERR bad-id #a!b"},
      {"SEND ~ 2\nhi", "ERR bad-id ~"},
      {"JOIN", "ERR bad-command JOIN"},
      {"JOIN #a #b", "ERR bad-command JOIN"},
      {"LEAVE", "ERR bad-command LEAVE"},
      {"GROUPS x", "ERR bad-command GROUPS"},
      {"INFO x", "ERR bad-command INFO"},
      {"OPT", "ERR bad-command OPT"},
      {"OPT receipts", "ERR bad-command OPT"},
      {"OPT receipts maybe", "ERR bad-command OPT"},
      {"OPT colour on", "ERR bad-command OPT"},
  };
  for (const auto& [line, reply] : cases) expect_reply_then_usable(a, line, reply);
  EXPECT_EQ(a.request("GROUPS"), "GROUPS 0");
}

TEST_F(ServerGroups, NoReceiversForGroupsAndAnycastThatReachNobodyElse) {
  LineClient& a = join("a");
  EXPECT_EQ(a.request("MSG #nosuch hi"), "ERR no-receivers #nosuch");
  EXPECT_EQ(a.request("MSG ~nosuch hi"), "ERR no-receivers ~nosuch");
  ASSERT_EQ(a.request("JOIN #solo"), "JOINED #solo 1");
  EXPECT_EQ(a.request("MSG #solo hi"), "ERR no-receivers #solo");  // only the sender is in it
  ASSERT_TRUE(a.send_all(LineClient::send_frame("~solo", "job")));
  EXPECT_EQ(a.read_line(), "ERR no-receivers ~solo");
  // v1 broadcast with nobody else stays silent (with receipts: zero copies).
  ASSERT_TRUE(a.send_all("MSG * anyone\n"));
  expect_usable(a);
  EXPECT_EQ(a.request("OPT receipts on"), "OPT receipts on");
  EXPECT_EQ(a.request("MSG * anyone"), "OK 0");
  auto st = stats_of(a);
  EXPECT_EQ(st["rejected"], 4u);
  EXPECT_EQ(st["msgs_in"], 6u);
}

TEST_F(ServerGroups, AnycastRotatesOverTheMembersOtherThanTheSender) {
  LineClient& a = join("a");
  std::vector<LineClient*> workers = {&join("w1"), &join("w2"), &join("w3")};
  ASSERT_EQ(a.request("JOIN ~workers"), "JOINED #workers 1");  // the sender is a member too
  for (LineClient* w : workers) ASSERT_EQ(w->request("JOIN #workers").rfind("JOINED #workers", 0), 0u);
  ASSERT_EQ(a.request("OPT receipts on"), "OPT receipts on");
  std::string stream;
  for (int i = 0; i < 30; ++i) stream += "MSG ~workers job" + std::to_string(i) + "\n";
  ASSERT_TRUE(a.send_all(stream));
  for (int i = 0; i < 30; ++i) ASSERT_EQ(a.read_line(), "OK 1") << "message " << i;
  // Exactly once each, ten per worker (an even rotation), in order per worker.
  std::set<int> seen;
  for (LineClient* w : workers) {
    int last = -1;
    for (int k = 0; k < 10; ++k) {
      FromFrame f = w->read_frame();
      ASSERT_TRUE(f.ok()) << f;
      EXPECT_EQ(f.source, "a");
      EXPECT_EQ(f.via, "~workers");
      int job = std::stoi(f.payload.substr(3));
      EXPECT_GT(job, last);
      last = job;
      EXPECT_TRUE(seen.insert(job).second) << "job " << job << " delivered twice";
    }
    expect_usable(*w);  // no eleventh message
  }
  EXPECT_EQ(seen.size(), 30u);
  expect_usable(a);  // the sender never got its own job
  EXPECT_EQ(stats_of(a)["msgs_anycast"], 30u);
}

// The back-pressure tests: a server with a small output bound where `slow` (a small receive
// buffer, never reads unless a test says so) gets full once fill_slow() ran; `a` sends with
// receipts on, `filler` fills slow's queue and `observer` watches STATS.
class GroupsBackPressure : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server.ok()) << server.error();
    ASSERT_EQ(a.request("OPT receipts on"), "OPT receipts on");
  }

  // Fills slow's queue for good (fill_until_full) and notes how many senders are paused then.
  void fill_slow() {
    ASSERT_TRUE(fill_until_full(filler, "slow", observer));
    blocked_ = stats_of(observer)["blocked"];
  }
  // Waits until one more sender is paused than when fill_slow() ended.
  bool another_sender_paused() {
    return wait_until([&] { return stats_of(observer)["blocked"] > blocked_; });
  }

  ServerProcess server{{"--max-outbuf", "65536", "--slow-consumer-timeout", "600"}};
  Nodes n{server.port()};
  LineClient& a = n.add("a");
  LineClient& slow = n.add("slow", /*rcvbuf=*/4096);
  LineClient& filler = n.add("filler", 0, /*sndbuf=*/16384);
  LineClient& observer = n.add("observer");

 private:
  uint64_t blocked_ = 0;
};

// A member over the slow-consumer bound is skipped: every job goes to the member that reads.
TEST_F(GroupsBackPressure, AnycastSkipsMembersOverTheSlowConsumerBound) {
  LineClient& fast = n.add("fast");
  ASSERT_EQ(slow.request("JOIN #w"), "JOINED #w 1");
  ASSERT_EQ(fast.request("JOIN #w"), "JOINED #w 2");
  ASSERT_NO_FATAL_FAILURE(fill_slow());
  for (int i = 0; i < 10; ++i) ASSERT_EQ(a.request("MSG ~w job" + std::to_string(i)), "OK 1");
  for (int i = 0; i < 10; ++i) {
    FromFrame f = fast.read_frame();
    ASSERT_TRUE(f.ok()) << f;
    EXPECT_EQ(f.via, "~w");
    EXPECT_EQ(f.payload, "job" + std::to_string(i));
  }
  slow.reset();  // its queue could never drain: spare the shutdown the drain-stall wait
  EXPECT_EQ(server.stop(), 0);
}

// When every member is over the bound, the sender waits as for a direct message, and with
// receipts on its OK comes when the message was finally queued, before the replies after it.
TEST_F(GroupsBackPressure, AnycastWaitsWhenEveryMemberIsFullAndReceiptsKeepTheOrder) {
  ASSERT_EQ(slow.request("JOIN #w"), "JOINED #w 1");
  ASSERT_NO_FATAL_FAILURE(fill_slow());
  ASSERT_TRUE(a.send_all("MSG ~w job\nPING after\n"));
  ASSERT_TRUE(another_sender_paused());              // a
  EXPECT_EQ(first_frame_via(slow, "~w"), "a:job");  // slow reads: the job reaches it
  EXPECT_EQ(a.read_line(), "OK 1");
  EXPECT_EQ(a.read_line(), "PONG after");
  EXPECT_EQ(server.stop(), 0);
}

// Group fan-out follows broadcast's rule: a full member pauses the whole send before any copy is
// queued, so the member that reads gets it only after the full one drained (after a later
// direct message), and exactly once.
TEST_F(GroupsBackPressure, GroupFanOutIsAllOrNothingUnderBackPressure) {
  LineClient& reader = n.add("reader");
  for (LineClient* m : {&a, &slow, &reader}) ASSERT_EQ(m->request("JOIN #g").rfind("JOINED #g", 0), 0u);
  ASSERT_NO_FATAL_FAILURE(fill_slow());
  ASSERT_TRUE(a.send_all("MSG #g G1\n"));
  ASSERT_TRUE(another_sender_paused());
  ASSERT_TRUE(observer.send_all("MSG reader C1\n"));
  FromFrame first = reader.read_frame();
  ASSERT_TRUE(first.ok()) << first;
  EXPECT_EQ(first.payload, "C1") << "the group message was queued to some members while another was full";
  EXPECT_EQ(first_frame_via(slow, "#g"), "a:G1");
  FromFrame second = reader.read_frame();
  ASSERT_TRUE(second.ok()) << second;
  EXPECT_EQ(second.via, "#g");
  EXPECT_EQ(second.payload, "G1");
  EXPECT_EQ(a.read_line(), "OK 2");
  expect_usable(reader);  // once only
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(GroupsBackPressure, ReceiptOfADirectMessageToAFullTargetComesWhenItIsQueued) {
  ASSERT_NO_FATAL_FAILURE(fill_slow());
  ASSERT_TRUE(a.send_all("MSG slow late\nMSG observer next\n"));
  ASSERT_TRUE(another_sender_paused());
  // While a waits, its later message waits too: commands run in order.
  bool late_seen = false;
  while (!late_seen) {
    FromFrame f = slow.read_frame();
    ASSERT_TRUE(f.ok()) << f;
    late_seen = f.source == "a";
  }
  EXPECT_EQ(a.read_line(), "OK 1");
  EXPECT_EQ(a.read_line(), "OK 1");
  FromFrame f = observer.read_frame();
  EXPECT_EQ(f.payload, "next");
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(ServerGroupsMaxPayload100, ReceiptsGiveExactlyOneReplyPerMessageInOrder) {
  LineClient& a = join("a");
  LineClient& b = join("b");
  LineClient& c = join("c");
  ASSERT_EQ(b.request("JOIN #g"), "JOINED #g 1");
  ASSERT_EQ(c.request("JOIN #g"), "JOINED #g 2");
  EXPECT_EQ(a.request("OPT receipts on"), "OPT receipts on");
  ASSERT_TRUE(a.send_all("MSG b one\n" + LineClient::send_frame("#g", "two") + "MSG nosuch x\n" +
                         LineClient::send_frame("b", std::string(101, 'x')) + "MSG a!b x\nMSG ~g three\n" +
                         "MSG * four\nMSG #empty x\nPING end\n"));
  const std::vector<std::string> expected = {"OK 1", "OK 2", "ERR no-such-node nosuch", "ERR too-large b",
                                             "ERR bad-id a!b", "OK 1", "OK 2", "ERR no-receivers #empty",
                                             "PONG end"};
  for (const std::string& want : expected) EXPECT_EQ(a.read_line(), want);
  EXPECT_EQ(a.request("OPT receipts off"), "OPT receipts off");
  ASSERT_TRUE(a.send_all("MSG b quiet\n"));
  expect_usable(a);  // success is silent again
}

// A reply counts against the output bound like any output: GROUPS and WHO #g say how many there
// are and list them while they fit (as WHO does).
TEST_F(ServerGroupsSmallOutbuf, GroupsAndWhoRepliesAreCutAtTheOutputBound) {
  LineClient& a = join("a");
  std::string joins;
  for (int i = 0; i < 40; ++i) joins += "JOIN #" + std::string(50, 'g') + std::to_string(i + 10) + "\n";
  ASSERT_TRUE(a.send_all(joins));
  for (int i = 0; i < 40; ++i) ASSERT_EQ(a.read_line().rfind("JOINED #", 0), 0u);
  const std::string groups = a.request("GROUPS");
  ASSERT_EQ(groups.rfind("GROUPS 40 #", 0), 0u) << groups;
  EXPECT_LE(groups.size(), 1024u);
  const size_t listed = static_cast<size_t>(std::count(groups.begin(), groups.end(), '#'));
  EXPECT_GT(listed, 0u);
  EXPECT_LT(listed, 40u);
  for (int i = 0; i < 120; ++i) ASSERT_EQ(join("member-" + std::to_string(i + 100)).request("JOIN #big"), "JOINED #big " + std::to_string(i + 1));
  const std::string who = a.request("WHO #big");
  ASSERT_EQ(who.rfind("NODES 120 member-", 0), 0u) << who;
  EXPECT_LE(who.size(), 1024u);
  expect_usable(a);
}

TEST_F(ServerGroupsInfo, InfoListsTheContractKeys) {
  LineClient a(port());
  ASSERT_EQ(a.hello("a"), "WELCOME a 30");
  const std::string info = a.request("INFO");
  ASSERT_EQ(info.rfind("INFO ", 0), 0u) << info;
  std::map<std::string, std::string> kv;
  for (size_t pos = 5; pos < info.size();) {
    size_t end = info.find(' ', pos);
    if (end == std::string::npos) end = info.size();
    std::string field = info.substr(pos, end - pos);
    size_t eq = field.find('=');
    ASSERT_NE(eq, std::string::npos) << field;
    kv[field.substr(0, eq)] = field.substr(eq + 1);
    pos = end + 1;
  }
  EXPECT_FALSE(kv["version"].empty());
  EXPECT_EQ(kv["proto"], "2");
  EXPECT_EQ(kv["max_payload"], "4096");
  EXPECT_EQ(kv["max_line"], "1024");
  EXPECT_EQ(kv["idle_timeout"], "30");
  EXPECT_EQ(kv["max_groups_per_node"], "7");
  EXPECT_EQ(kv["max_groups"], "65536");
  EXPECT_NE(kv["server"].find(":" + std::to_string(port())), std::string::npos) << kv["server"];
  EXPECT_EQ(kv["cluster"], "off");
}

TEST_F(ServerGroups, StatsCountGroupsMembershipsAndMessagesByKind) {
  LineClient& a = join("a");
  LineClient& b = join("b.x");
  LineClient& c = join("c.x");
  ASSERT_EQ(b.request("JOIN #g"), "JOINED #g 1");
  ASSERT_EQ(c.request("JOIN #g"), "JOINED #g 2");
  ASSERT_EQ(c.request("JOIN #h"), "JOINED #h 1");
  ASSERT_EQ(a.request("OPT receipts on"), "OPT receipts on");
  for (const char* line : {"MSG b.x d1", "MSG c.x d2", "MSG #g g", "MSG ~g any", "MSG *.x p", "MSG * bc"})
    ASSERT_EQ(a.request(line).rfind("OK ", 0), 0u) << line;
  ASSERT_EQ(a.request("MSG nosuch r"), "ERR no-such-node nosuch");
  auto st = stats_of(a);
  EXPECT_EQ(st["groups"], 2u);
  EXPECT_EQ(st["memberships"], 3u);
  EXPECT_EQ(st["msgs_direct"], 2u);
  EXPECT_EQ(st["msgs_group"], 1u);
  EXPECT_EQ(st["msgs_anycast"], 1u);
  EXPECT_EQ(st["msgs_pattern"], 1u);
  EXPECT_EQ(st["msgs_broadcast"], 1u);
  EXPECT_EQ(st["msgs_in"], 7u);
  EXPECT_EQ(st["rejected"], 1u);
  EXPECT_EQ(st["copies"], 2u + 2u + 1u + 2u + 2u);
}

TEST_F(ServerGroupsDebugLog, LogRecordsMembershipGroupLifecycleAndRefusals) {
  {
    Nodes n(port());
    LineClient& a = n.add("a");
    LineClient& b = n.add("b");
    ASSERT_EQ(a.request("JOIN #ops"), "JOINED #ops 1");
    ASSERT_EQ(b.request("JOIN #ops"), "JOINED #ops 2");
    ASSERT_EQ(a.request("JOIN #dev"), "ERR too-many-groups #dev");
    ASSERT_EQ(a.request("LEAVE #ops"), "LEFT #ops 1");
    ASSERT_EQ(a.request("LEAVE #ops"), "ERR not-member #ops");
    ASSERT_EQ(a.request("MSG #none x"), "ERR no-receivers #none");
    ASSERT_EQ(a.request("JOIN #a!"), "ERR bad-id #a!");
  }  // b disconnects: #ops empties
  ASSERT_TRUE(server().wait_log_contains("event=disconnect node=b"));
  EXPECT_EQ(stop_server(), 0);
  const std::string log = server().log();
  for (const char* want : {
           "level=info event=group_created group=ops node=a",
           "level=debug event=join node=a group=ops members=1",
           "level=debug event=join node=b group=ops members=2",
           "level=debug event=leave node=a group=ops members=1",
           "level=debug event=leave node=b group=ops members=0",
           "level=info event=group_emptied group=ops node=b",
           "event=refused node=a verb=JOIN error=too-many-groups target=#dev reason=max-groups-per-node",
           "event=refused node=a verb=LEAVE error=not-member target=#ops",
           "event=refused node=a verb=SEND error=no-receivers target=#none",
           "event=refused node=a verb=JOIN error=bad-id target=#a!",
       })
    EXPECT_NE(log.find(want), std::string::npos) << "missing: " << want;
}

}  // namespace
}  // namespace sb::test
