// How the client words NODES, STATS, JOINED, LEFT, GROUPS and INFO (client/replies.h).
#include "client/replies.h"

#include <gtest/gtest.h>

#include "tests/support/server_event.h"

namespace sb::client {
namespace {

using test::server_event;

TEST(ClientReplies, GroupRepliesReadAsSentences) {
  using Kind = ServerEvent::Kind;
  EXPECT_EQ(describe_reply(server_event(Kind::joined, "#ops", "", 2)), "Joined #ops (2 members)");
  EXPECT_EQ(describe_reply(server_event(Kind::joined, "#ops", "", 1)), "Joined #ops (1 member)");
  EXPECT_EQ(describe_reply(server_event(Kind::left, "#ops", "", 0)), "Left #ops (0 members now)");
  EXPECT_EQ(describe_reply(server_event(Kind::groups, "", "#ops=2 #dev=1", 2)), "Groups (2): #dev=1, #ops=2");
  EXPECT_EQ(describe_reply(server_event(Kind::groups, "", "", 0)), "Groups (0):");
  EXPECT_EQ(describe_reply(server_event(Kind::info, "", "proto=2 cluster=off", 0)), "Server info: proto=2 cluster=off");
  EXPECT_EQ(describe_reply(server_event(Kind::nodes, "", "b a", 2)), "Nodes (2): a, b");
  EXPECT_EQ(describe_reply(server_event(Kind::stats, "", "nodes=2", 0)), "Server stats: nodes=2");
  EXPECT_EQ(describe_reply(server_event(Kind::bye, "", "", 0)), "");
}

TEST(ClientReplies, ServerTextIsEscaped) {
  EXPECT_EQ(describe_groups("#a\x1b[2J=1"), "Groups (1): #a\\x1b[2J=1");
  EXPECT_EQ(describe_reply(server_event(ServerEvent::Kind::joined, "#\x1b]0;x", "", 1)), "Joined #\\x1b]0;x (1 member)");
}

}  // namespace
}  // namespace sb::client
