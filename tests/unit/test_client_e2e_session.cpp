// E2eSession driven by hand, without a server: the exact commands it writes, the answers it takes,
// and what it shows. This is where the fan-out paths the v1 server cannot exercise are checked
// against protocol v2 (WHO #group, WHO <pattern>, the FROM via token): a group message sealed once
// for the members WHO lists (minus ourselves and those without a usable key), opened by each of
// them and by nobody else, bound to its group; anycast refused; a member without a key skipped.
#include "client/e2e_session.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "client/options.h"
#include "tests/support/server_event.h"

namespace sb::client {
namespace {

class RecordingFrontend final : public Frontend {
 public:
  bool start(App&) override { return true; }
  bool wants_input() const override { return false; }
  void on_input(std::string_view) override {}
  void on_input_end() override {}
  void on_registered() override {}
  void on_registration_refused(proto::ErrorCode) override { refused = true; }
  void on_disconnected(bool) override {}
  void on_message(std::string_view from, std::string_view, std::string_view payload) override {
    messages.push_back(std::string(from) + ": " + std::string(payload));
  }
  void on_refused(proto::ErrorCode, std::string_view) override { ++refusals; }
  void show_status(std::string_view line) override { status.emplace_back(line); }
  void show_error(std::string_view line) override { errors.emplace_back(line); }

  std::vector<std::string> messages, status, errors;
  int refusals = 0;
  bool refused = false;
};

// One node: its Session (what it would write to the server), front end and E2eSession.
struct Node {
  Node(const std::string& dir, const std::string& id) {
    options.e2e = true;
    options.key_file = dir + "/" + id + ".key";
    std::filesystem::create_directories(dir);
    std::string error;
    e2e = E2eSession::open(options, id, session, frontend, log, &error);
    EXPECT_NE(e2e, nullptr) << error;
  }
  // Everything written since the last call.
  std::string take() {
    std::string out(session.output());
    session.consume_output(out.size());
    return out;
  }
  // Publishes the key and answers like the server; returns the key text.
  std::string publish(const std::string& id) {
    e2e->on_registered();
    const std::string out = take();
    const size_t at = out.find("KEY SET ");
    EXPECT_NE(at, std::string::npos) << out;
    key_text = out.substr(at + 8, out.find('\n', at) - at - 8);
    answer(ServerEvent::Kind::pong, {}, "e2e-1");
    answer(ServerEvent::Kind::key, id, key_text);
    return key_text;
  }
  bool answer(ServerEvent::Kind kind, std::string_view node, std::string_view text) {
    return e2e->on_reply(test::server_event(kind, node, text));
  }
  bool answer_error(proto::ErrorCode code, std::string_view detail) {
    return e2e->on_reply(test::error_event(code, detail));
  }

  Options options;
  Session session;
  RecordingFrontend frontend;
  log::Logger log;  // never started: records are dropped
  std::unique_ptr<E2eSession> e2e;
  std::string key_text;
};

// The payload of the single "SEND <target> <len>" in `out`.
std::string sent_payload(const std::string& out, const std::string& target) {
  const std::string head = "SEND " + target + " ";
  const size_t at = out.find(head);
  if (at == std::string::npos) return "<no SEND " + target + ">";
  const size_t nl = out.find('\n', at);
  const size_t len = std::stoul(out.substr(at + head.size(), nl - at - head.size()));
  return out.substr(nl + 1, len);
}

class E2eSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sb-e2e-session-XXXXXX";
    dir_ = mkdtemp(tmpl);
    for (const char* id : {"a", "b", "c", "late"}) {
      nodes_[id] = std::make_unique<Node>(dir_ + "/" + id, id);
      nodes_[id]->publish(id);
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Node& node(const std::string& id) { return *nodes_.at(id); }
  // The node, with what it wrote while registering read and set aside: what it writes next is
  // the test's.
  Node& quiet_node(const std::string& id) {
    Node& n = node(id);
    n.take();
    return n;
  }
  // The node refused one send, told the user, and has nothing in progress.
  static void expect_one_refusal(Node& n) {
    EXPECT_EQ(n.frontend.refusals, 1);
    EXPECT_FALSE(n.e2e->busy());
  }

  std::string dir_;
  std::map<std::string, std::unique_ptr<Node>> nodes_;
};

TEST_F(E2eSessionTest, GroupMessageIsSealedOnceForTheMembersWhoListsAndOnlyThey) {
  Node& a = quiet_node("a");
  a.e2e->send("#ops", "hello group");
  EXPECT_TRUE(a.e2e->busy());
  EXPECT_EQ(a.take(), "PING e2e-2\nWHO #ops\n");
  ASSERT_TRUE(a.answer(ServerEvent::Kind::pong, {}, "e2e-2"));
  ASSERT_TRUE(a.answer(ServerEvent::Kind::nodes, {}, "c a b"));  // a itself is listed: not a recipient
  EXPECT_EQ(a.take(), "PING e2e-3\nKEY GET c\nKEY GET b\n");
  ASSERT_TRUE(a.answer(ServerEvent::Kind::pong, {}, "e2e-3"));
  ASSERT_TRUE(a.answer(ServerEvent::Kind::key, "c", node("c").key_text));
  EXPECT_EQ(a.take(), "") << "nothing goes out before every key is in";
  ASSERT_TRUE(a.answer(ServerEvent::Kind::key, "b", node("b").key_text));
  const std::string out = a.take();
  const std::string envelope = sent_payload(out, "#ops");
  EXPECT_EQ(envelope.find("hello group"), std::string::npos);
  EXPECT_FALSE(a.e2e->busy());
  ASSERT_FALSE(a.frontend.status.empty());
  EXPECT_EQ(a.frontend.status.back(), "Sent to '#ops', encrypted for 2 recipients");

  node("b").e2e->on_message("a", "#ops", envelope);
  node("c").e2e->on_message("a", "#ops", envelope);
  EXPECT_EQ(node("b").frontend.messages, std::vector<std::string>{"a: hello group"});
  EXPECT_EQ(node("c").frontend.messages, std::vector<std::string>{"a: hello group"});
  // A member who joined after it was sealed has no wrapped key in it.
  node("late").e2e->on_message("a", "#ops", envelope);
  EXPECT_TRUE(node("late").frontend.messages.empty());
  ASSERT_EQ(node("late").frontend.errors.size(), 1u);
  EXPECT_EQ(node("late").frontend.errors[0],
            "Warning: dropped a message from 'a': it was not encrypted for this node (sent before it joined, or "
            "meant for another)");
  // Delivered through another group, or as a broadcast, it does not verify.
  node("b").e2e->on_message("a", "#dev", envelope);
  node("b").e2e->on_message("a", "", envelope);
  EXPECT_EQ(node("b").frontend.messages.size(), 1u);
  EXPECT_EQ(node("b").frontend.errors.size(), 2u);
  // And the same copy again is a replay.
  node("c").e2e->on_message("a", "#ops", envelope);
  ASSERT_FALSE(node("c").frontend.errors.empty());
  EXPECT_EQ(node("c").frontend.errors.back().rfind("Warning: dropped a replayed message from 'a'", 0), 0u);
}

TEST_F(E2eSessionTest, MembersWithoutAKeyAreSkippedAndSaidSo) {
  Node& a = quiet_node("a");
  a.e2e->send("plant.*", "reading");
  EXPECT_EQ(a.take(), "PING e2e-2\nWHO plant.*\n");
  a.answer(ServerEvent::Kind::pong, {}, "e2e-2");
  a.answer(ServerEvent::Kind::nodes, {}, "b plain");
  EXPECT_EQ(a.take(), "PING e2e-3\nKEY GET b\nKEY GET plain\n");
  a.answer(ServerEvent::Kind::pong, {}, "e2e-3");
  a.answer(ServerEvent::Kind::key, "b", node("b").key_text);
  a.answer_error(proto::ErrorCode::no_key, "plain");
  const std::string envelope = sent_payload(a.take(), "plant.*");
  EXPECT_EQ(a.frontend.status.back(), "Sent to 'plant.*', encrypted for 1 recipient; not for plain (no key)");
  node("b").e2e->on_message("a", "plant.*", envelope);
  EXPECT_EQ(node("b").frontend.messages, std::vector<std::string>{"a: reading"});
}

TEST_F(E2eSessionTest, AGroupNobodyElseCanReadIsRefused) {
  Node& a = quiet_node("a");
  a.e2e->send("#empty", "anyone?");
  a.take();
  a.answer(ServerEvent::Kind::pong, {}, "e2e-2");
  a.answer(ServerEvent::Kind::nodes, {}, "a");
  EXPECT_EQ(a.take(), "");
  EXPECT_EQ(a.frontend.errors.back(), "Error: not sent to '#empty': there is nobody to encrypt it for");
  expect_one_refusal(a);
}

TEST_F(E2eSessionTest, AnycastIsRefusedBeforeAnythingIsWritten) {
  Node& a = quiet_node("a");
  a.e2e->send("~ops", "to one of you");
  EXPECT_EQ(a.take(), "");
  ASSERT_EQ(a.frontend.errors.size(), 1u);
  EXPECT_EQ(a.frontend.errors[0].rfind("Error: not sent to '~ops': anycast cannot be end-to-end encrypted", 0), 0u)
      << a.frontend.errors[0];
  expect_one_refusal(a);
}

TEST_F(E2eSessionTest, DirectMessagesReuseAFreshKeyAndOrderIsKept) {
  Node& a = quiet_node("a");
  a.e2e->send("b", "one");
  a.e2e->send("c", "two");
  a.e2e->send("b", "three");
  EXPECT_EQ(a.take(), "PING e2e-2\nKEY GET b\nPING e2e-3\nKEY GET c\n");  // b asked for once
  a.answer(ServerEvent::Kind::pong, {}, "e2e-2");
  a.answer(ServerEvent::Kind::key, "b", node("b").key_text);
  std::string out = a.take();
  EXPECT_NE(out.find("SEND b "), std::string::npos);
  EXPECT_EQ(out.find("SEND c "), std::string::npos) << "two waits for c's key, and three waits for two";
  a.answer(ServerEvent::Kind::pong, {}, "e2e-3");
  a.answer(ServerEvent::Kind::key, "c", node("c").key_text);
  out = a.take();
  const size_t c_at = out.find("SEND c "), b_at = out.find("SEND b ");
  ASSERT_NE(c_at, std::string::npos);
  ASSERT_NE(b_at, std::string::npos);
  EXPECT_LT(c_at, b_at);
  // A fourth message to b right away needs no question: the answer is fresh.
  a.e2e->send("b", "four");
  EXPECT_EQ(a.take().rfind("SEND b ", 0), 0u);
}

TEST_F(E2eSessionTest, LostConnectionRefusesWhatWaitsForKeys) {
  Node& a = quiet_node("a");
  a.e2e->send("b", "pending");
  EXPECT_TRUE(a.e2e->busy());
  a.e2e->on_disconnected();
  EXPECT_FALSE(a.e2e->busy());
  EXPECT_EQ(a.frontend.errors.back(), "Error: not sent to 'b': the connection was lost");
  // The old answer, should it still come, is not taken for anything.
  EXPECT_FALSE(a.answer(ServerEvent::Kind::key, "b", node("b").key_text));
}

}  // namespace
}  // namespace sb::client
