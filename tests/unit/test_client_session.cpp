// Session: requests encode to protocol v1 bytes; server bytes decode to events whatever the split;
// registration and quit states follow the replies.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/session.h"

namespace sb::client {
namespace {

using namespace std::string_literals;
using Kind = ServerEvent::Kind;

// An event with its views copied, so it outlives the feed() call.
struct Seen {
  Kind kind;
  std::string node, text, code_text, via;
  uint32_t idle = 0;
  size_t count = 0;
  proto::ErrorCode code = proto::ErrorCode::none;
};

std::vector<Seen> feed(Session& s, std::string_view bytes, bool* ok = nullptr) {
  std::vector<Seen> seen;
  std::string error;
  bool r = s.feed(bytes, [&](const ServerEvent& ev) {
    seen.push_back({ev.kind, std::string(ev.node), std::string(ev.text), std::string(ev.code_text),
                    std::string(ev.via), ev.idle_timeout_s, ev.count, ev.code});
  }, &error);
  if (ok != nullptr) *ok = r;
  return seen;
}

TEST(ClientSession, RequestsEncodeAsProtocolV1) {
  Session s;
  s.hello("a");
  s.send("b", "Hello\nwith newline\0"s);
  s.send("*", "");
  s.ping("7");
  s.who();
  s.stats();
  s.quit();
  EXPECT_EQ(s.output(), "HELLO a\nSEND b 19\nHello\nwith newline\0\nSEND * 0\n\nPING 7\nWHO\nSTATS\nQUIT\n"s);
  EXPECT_EQ(s.state(), Session::State::quitting);
  s.consume_output(8);
  EXPECT_EQ(s.output().substr(0, 9), "SEND b 19");
  s.consume_output(s.output_size());
  EXPECT_EQ(s.output_size(), 0u);
}

TEST(ClientSession, WelcomeRegisters) {
  Session s;
  s.hello("a");
  EXPECT_EQ(s.state(), Session::State::registering);
  auto ev = feed(s, "WELCOME a 60\n");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, Kind::welcome);
  EXPECT_EQ(ev[0].node, "a");
  EXPECT_EQ(ev[0].idle, 60u);
  EXPECT_EQ(s.state(), Session::State::registered);
  EXPECT_EQ(s.idle_timeout_s(), 60u);
}

TEST(ClientSession, RefusedHelloReturnsToIdle) {
  Session s;
  s.hello("a");
  auto ev = feed(s, "ERR id-taken a\n");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, Kind::error);
  EXPECT_EQ(ev[0].code, proto::ErrorCode::id_taken);
  EXPECT_EQ(ev[0].code_text, "id-taken");
  EXPECT_EQ(ev[0].text, "a");
  EXPECT_EQ(s.state(), Session::State::idle);
}

TEST(ClientSession, ErrorsAfterRegistrationKeepTheState) {
  Session s;
  s.hello("a");
  feed(s, "WELCOME a 60\nERR no-such-node zz\n");
  EXPECT_EQ(s.state(), Session::State::registered);
}

TEST(ClientSession, EveryServerFrameDecodes) {
  Session s;
  const std::string stream =
      "WELCOME a 30\r\n"
      "FROM b 12\nHello\0\r\nfrom\n\n"s
      "PONG 3\n"
      "PONG\n"
      "NODES 3 a b c\n"
      "NODES 0\n"
      "STATS connections=2 nodes=2 msgs_in=5\n"
      "ERR bad-command FOO\n"
      "ERR brand-new\n"
      "BYE\n";
  auto ev = feed(s, stream);
  ASSERT_EQ(ev.size(), 10u);
  EXPECT_EQ(ev[1].kind, Kind::message);
  EXPECT_EQ(ev[1].node, "b");
  EXPECT_EQ(ev[1].text, "Hello\0\r\nfrom"s);  // then the terminator and a blank line, ignored
  EXPECT_EQ(ev[2].kind, Kind::pong);
  EXPECT_EQ(ev[2].text, "3");
  EXPECT_EQ(ev[3].text, "");
  EXPECT_EQ(ev[4].kind, Kind::nodes);
  EXPECT_EQ(ev[4].count, 3u);
  EXPECT_EQ(ev[4].text, "a b c");
  EXPECT_EQ(ev[5].count, 0u);
  EXPECT_EQ(ev[5].text, "");
  EXPECT_EQ(ev[6].kind, Kind::stats);
  EXPECT_EQ(ev[6].text, "connections=2 nodes=2 msgs_in=5");
  EXPECT_EQ(ev[7].code, proto::ErrorCode::bad_command);
  EXPECT_EQ(ev[7].text, "FOO");
  EXPECT_EQ(ev[8].code, proto::ErrorCode::none);
  EXPECT_EQ(ev[8].code_text, "brand-new");
  EXPECT_EQ(ev[9].kind, Kind::bye);
  EXPECT_EQ(s.state(), Session::State::closed);
}

TEST(ClientSession, KeyRequestsAndReplies) {
  Session s;
  s.key_set("x25519:K");
  s.key_get("b");
  s.who("#ops");
  EXPECT_EQ(s.output(), "KEY SET x25519:K\nKEY GET b\nWHO #ops\n");
  auto ev = feed(s, "KEY b x25519:K\nFROM b 2\nhi\n");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, Kind::key);
  EXPECT_EQ(ev[0].node, "b");
  EXPECT_EQ(ev[0].text, "x25519:K");
  EXPECT_EQ(ev[1].kind, Kind::message);
}

TEST(ClientSession, AnySplitGivesTheSameEvents) {
  const std::string stream = "WELCOME a 60\nFROM b 5\nab\ncd\nPONG k\nFROM c 0\n\nNODES 2 a b\nBYE\n";
  Session whole;
  auto expected = feed(whole, stream);
  ASSERT_EQ(expected.size(), 6u);
  for (size_t cut = 1; cut < stream.size(); ++cut) {
    Session s;
    auto ev = feed(s, std::string_view(stream).substr(0, cut));
    auto rest = feed(s, std::string_view(stream).substr(cut));
    ev.insert(ev.end(), rest.begin(), rest.end());
    ASSERT_EQ(ev.size(), expected.size()) << "cut at " << cut;
    for (size_t i = 0; i < ev.size(); ++i) {
      EXPECT_EQ(ev[i].kind, expected[i].kind);
      EXPECT_EQ(ev[i].node, expected[i].node);
      EXPECT_EQ(ev[i].text, expected[i].text);
    }
  }
  Session bytewise;
  size_t n = 0;
  for (char c : stream) n += feed(bytewise, std::string_view(&c, 1)).size();
  EXPECT_EQ(n, expected.size());
}

TEST(ClientSession, UnknownVerbsAreReportedButNotFatal) {
  Session s;
  bool ok = false;
  auto ev = feed(s, "HOWDY partner\nPONG\n", &ok);
  EXPECT_TRUE(ok);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, Kind::protocol_error);
  EXPECT_NE(ev[0].text.find("HOWDY"), std::string::npos);
  EXPECT_EQ(ev[1].kind, Kind::pong);
}

TEST(ClientSession, OversizedMessagesAreSkippedAndTheStreamContinues) {
  Session s(/*max_payload=*/4);
  auto ev = feed(s, "FROM b 10\n0123456789\nFROM b 2\nok\n");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, Kind::protocol_error);
  EXPECT_NE(ev[0].text.find("from 'b' was too large"), std::string::npos);
  EXPECT_EQ(ev[1].kind, Kind::message);
  EXPECT_EQ(ev[1].text, "ok");
}

TEST(ClientSession, LostFramingIsFatal) {
  Session s;
  bool ok = true;
  feed(s, "FROM b x\n", &ok);
  EXPECT_FALSE(ok);
  Session t;
  // Server lines may be long (NODES lists every id), but not unbounded.
  feed(t, std::string(2000, 'A'), &ok);
  EXPECT_TRUE(ok);
  feed(t, std::string(sb::proto::kMaxServerLine, 'A'), &ok);  // no newline within the limit
  EXPECT_FALSE(ok);
}

TEST(ClientSession, ResetForgetsTheOldConnection) {
  Session s;
  s.hello("a");
  feed(s, "WELCOME a 60\nFROM b 10\nhalf");
  s.reset();
  EXPECT_EQ(s.state(), Session::State::idle);
  EXPECT_EQ(s.output_size(), 0u);
  auto ev = feed(s, "PONG\n");  // the half payload is gone with the old connection
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, Kind::pong);
}

// Protocol v2: FROM's via token and the group, receipt and server-fact replies.
TEST(ClientSession, V2RepliesAndTheViaOfAMessage) {
  Session s;
  s.request("JOIN", "#ops");
  s.request("OPT", "receipts", "on");
  s.request("GROUPS");
  EXPECT_EQ(s.output(), "JOIN #ops\nOPT receipts on\nGROUPS\n");
  auto ev = feed(s, "FROM a 5 #ops\nhello\nFROM b 2\nhi\nJOINED #ops 2\nLEFT #ops 1\n"
                    "GROUPS 2 #ops=1 #dev=3\nOK 3\nINFO proto=2 cluster=off\nOPT receipts on\n");
  ASSERT_EQ(ev.size(), 8u);
  EXPECT_EQ(ev[0].kind, Kind::message);
  EXPECT_EQ(ev[0].node, "a");
  EXPECT_EQ(ev[0].via, "#ops");
  EXPECT_EQ(ev[0].text, "hello");
  EXPECT_EQ(ev[1].kind, Kind::message);
  EXPECT_EQ(ev[1].via, "");
  EXPECT_EQ(ev[2].kind, Kind::joined);
  EXPECT_EQ(ev[2].node, "#ops");
  EXPECT_EQ(ev[2].count, 2u);
  EXPECT_EQ(ev[3].kind, Kind::left);
  EXPECT_EQ(ev[3].count, 1u);
  EXPECT_EQ(ev[4].kind, Kind::groups);
  EXPECT_EQ(ev[4].count, 2u);
  EXPECT_EQ(ev[4].text, "#ops=1 #dev=3");
  EXPECT_EQ(ev[5].kind, Kind::receipt);
  EXPECT_EQ(ev[5].count, 3u);
  EXPECT_EQ(ev[6].kind, Kind::info);
  EXPECT_EQ(ev[6].text, "proto=2 cluster=off");
  EXPECT_EQ(ev[7].kind, Kind::option);
  EXPECT_EQ(ev[7].text, "receipts on");
}

}  // namespace
}  // namespace sb::client
