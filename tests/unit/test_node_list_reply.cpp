// NodeListReply: the NODES line within a byte budget.
#include "server/node_list_reply.h"

#include <gtest/gtest.h>

#include "common/buffer/block_pool.h"
#include "tests/support/queued_bytes.h"

namespace sb::server {
namespace {

// A reply being built into an empty queue.
class NodeListReplyTest : public ::testing::Test {
 protected:
  BlockPool pool;
  OutputQueue q{&pool};
};

TEST_F(NodeListReplyTest, ListsEveryIdThatFits) {
  NodeListReply r(q, 1000, 3);
  EXPECT_TRUE(r.add("a"));
  EXPECT_TRUE(r.add("bb"));
  EXPECT_TRUE(r.add("ccc"));
  r.finish();
  EXPECT_EQ(test::gathered(q), "NODES 3 a bb ccc\n");
  EXPECT_EQ(r.listed(), 3u);
}

TEST_F(NodeListReplyTest, StopsAtTheFirstIdThatWouldPassTheRoom) {
  // "NODES 3" + "\n" is 8 bytes, " aaaa" 5 more: 13 fits in 14, a second id does not.
  NodeListReply r(q, 14, 3);
  EXPECT_TRUE(r.add("aaaa"));
  EXPECT_FALSE(r.add("b"));
  EXPECT_FALSE(r.add("c"));  // once cut, the list stays cut (no id after a gap)
  r.finish();
  EXPECT_EQ(test::gathered(q), "NODES 3 aaaa\n");
  EXPECT_EQ(q.bytes(), 13u);
  EXPECT_EQ(r.listed(), 1u);
}

TEST_F(NodeListReplyTest, NoRoomStillAnswersWithTheCount) {
  NodeListReply r(q, 0, 2);
  EXPECT_FALSE(r.add("a"));
  r.finish();
  EXPECT_EQ(test::gathered(q), "NODES 2\n");
}

}  // namespace
}  // namespace sb::server
