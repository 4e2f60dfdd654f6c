// Unit tests for the output path's buffers (common/buffer/block_pool.*, common/buffer/output_queue.*):
// block recycling and its cap, segment coalescing, shared-block reference counts, message
// accounting for every split of a written stream, discard_unstarted()'s framing guarantees, and a
// long randomized run against a plain std::string model that also proves no block leaks.
#include "common/buffer/output_queue.h"

#include <gtest/gtest.h>
#include <sys/uio.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/buffer/block_pool.h"
#include "tests/support/queued_bytes.h"

namespace sb {
namespace {

// =================================================================================================
// Helpers
// =================================================================================================

using test::gathered;

int iov_count(const OutputQueue& q) {
  std::vector<iovec> iov(4096);
  return q.gather(iov.data(), static_cast<int>(iov.size()));
}

// A shared block holding `bytes`, the way the server builds a broadcast frame (refs = 1, ours).
Block* make_shared_block(BlockPool& pool, std::string_view bytes) {
  Block* b = pool.acquire(bytes.size());
  std::memcpy(b->data, bytes.data(), bytes.size());
  b->size = static_cast<uint32_t>(bytes.size());
  return b;
}

// A block as acquire() hands it out: ours alone, and empty.
void expect_fresh(const Block* b) {
  EXPECT_EQ(b->refs, 1u);
  EXPECT_EQ(b->size, 0u);
}

// How many blocks a pool has handed out and not had back, and how many it keeps for reuse.
void expect_blocks(const BlockPool& pool, size_t live, size_t free) {
  EXPECT_EQ(pool.live_blocks(), live);
  EXPECT_EQ(pool.free_blocks(), free);
}

// What a queue holds: its unwritten bytes (as gathered and as counted) and its pending messages.
void expect_holds(const OutputQueue& q, std::string_view unwritten, size_t messages) {
  EXPECT_EQ(gathered(q), unwritten);
  EXPECT_EQ(q.bytes(), unwritten.size());
  EXPECT_EQ(q.messages(), messages);
}

// One queue on its own pool, for the tests that need no second queue.
class OneQueue : public ::testing::Test {
 protected:
  // Each frame as a routed message of its own.
  void append_messages(std::initializer_list<std::string_view> frames) {
    for (std::string_view f : frames) q.append_message({f});
  }
  BlockPool pool;
  OutputQueue q{&pool};
};

// Two queues on one pool, for the tests of blocks they share.
class TwoQueues : public ::testing::Test {
 protected:
  BlockPool pool;
  OutputQueue a{&pool}, b{&pool};
};

// =================================================================================================
// BlockPool
// =================================================================================================

TEST(BlockPool, AcquireGivesFreshStandardBlock) {
  BlockPool pool;
  Block* b = pool.acquire(10);
  expect_fresh(b);
  EXPECT_EQ(b->capacity, BlockPool::kBlockSize);
  expect_blocks(pool, 1u, 0u);
  pool.unref(b);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST(BlockPool, RecyclesStandardBlocks) {
  BlockPool pool;
  Block* a = pool.acquire(1);
  Block* b = pool.acquire(BlockPool::kBlockSize);  // exactly standard size: still poolable
  EXPECT_EQ(pool.live_blocks(), 2u);
  a->size = 77;
  a->refs = 1;
  pool.unref(a);
  pool.unref(b);
  expect_blocks(pool, 0u, 2u);
  Block* c = pool.acquire(100);
  EXPECT_TRUE(c == a || c == b);
  expect_fresh(c);  // reset on reuse
  expect_blocks(pool, 1u, 1u);
  pool.unref(c);
  EXPECT_EQ(pool.free_blocks(), 2u);
}

TEST(BlockPool, UnrefOnlyReleasesOnLastReference) {
  BlockPool pool;
  Block* b = pool.acquire(1);
  b->refs += 2;
  pool.unref(b);
  pool.unref(b);
  expect_blocks(pool, 1u, 0u);
  pool.unref(b);
  expect_blocks(pool, 0u, 1u);
}

TEST(BlockPool, LargeBlocksAreFreedNotPooled) {
  BlockPool pool;
  Block* big = pool.acquire(BlockPool::kBlockSize + 1);
  EXPECT_GE(big->capacity, BlockPool::kBlockSize + 1);
  std::memset(big->data, 'x', big->capacity);  // the whole capacity is really there (ASan checks)
  EXPECT_EQ(pool.live_blocks(), 1u);
  pool.unref(big);
  expect_blocks(pool, 0u, 0u);
  // A pooled standard block is never handed out for a large request.
  Block* small = pool.acquire(1);
  pool.unref(small);
  ASSERT_EQ(pool.free_blocks(), 1u);
  Block* big2 = pool.acquire(1 << 20);
  EXPECT_NE(big2, small);
  EXPECT_EQ(big2->capacity, 1u << 20);
  EXPECT_EQ(pool.free_blocks(), 1u);
  pool.unref(big2);
}

TEST(BlockPool, FreeListIsCapped) {
  BlockPool pool(2);
  std::vector<Block*> blocks;
  for (int i = 0; i < 5; ++i) blocks.push_back(pool.acquire(1));
  EXPECT_EQ(pool.live_blocks(), 5u);
  for (Block* b : blocks) pool.unref(b);
  expect_blocks(pool, 0u, 2u);

  BlockPool none(0);
  Block* b = none.acquire(1);
  none.unref(b);
  EXPECT_EQ(none.free_blocks(), 0u);
}

// =================================================================================================
// OutputQueue: appends, coalescing, shared blocks
// =================================================================================================

TEST_F(OneQueue, StartsEmpty) {
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_EQ(q.messages(), 0u);
  iovec iov[4];
  EXPECT_EQ(q.gather(iov, 4), 0);
  EXPECT_EQ(q.consume(0), 0u);
  EXPECT_EQ(q.discard_unstarted(), 0u);
  EXPECT_EQ(q.clear(), 0u);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST_F(OneQueue, EmptyAppendIsIgnored) {
  q.append({});
  q.append({"", ""});
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST_F(OneQueue, SmallAppendsCoalesceIntoOneSegment) {
  q.append({"PONG", " ", "x", "\n"});
  q.append_message({"FROM a 3\n", "abc", "\n"});
  q.append({"OK\n"});
  q.append_message({"FROM b 0\n", "", "\n"});
  expect_holds(q, "PONG x\nFROM a 3\nabc\nOK\nFROM b 0\n\n", 2);
  EXPECT_FALSE(q.empty());
  EXPECT_EQ(iov_count(q), 1);
  EXPECT_EQ(pool.live_blocks(), 1u);
  EXPECT_EQ(q.clear(), 2u);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST_F(OneQueue, PartlyWrittenTailStillCoalesces) {
  q.append({"abcdef"});
  q.consume(4);
  q.append({"gh"});
  EXPECT_EQ(iov_count(q), 1);
  expect_holds(q, "efgh", 0);
}

TEST_F(OneQueue, FullBlockStartsANewSegment) {
  const std::string a(BlockPool::kBlockSize - 10, 'a');
  const std::string b(20, 'b');  // does not fit the 10 bytes left: a frame is never split
  q.append({a});
  q.append({b});
  EXPECT_EQ(iov_count(q), 2);
  EXPECT_EQ(gathered(q), a + b);
  EXPECT_EQ(pool.live_blocks(), 2u);
  q.append({std::string(10, 'c')});  // fits the second block's free space
  EXPECT_EQ(iov_count(q), 2);
  EXPECT_EQ(pool.live_blocks(), 2u);
}

TEST_F(OneQueue, FrameLargerThanABlockIsOneSegment) {
  std::string big(3 * BlockPool::kBlockSize + 123, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  q.append({"x"});
  q.append_message({"FROM n 1\n", big, "\n"});
  EXPECT_EQ(iov_count(q), 2);
  EXPECT_EQ(gathered(q), "x" "FROM n 1\n" + big + "\n");
  q.consume(q.bytes());
  expect_blocks(pool, 0u, 1u);  // only the standard block was pooled
}

TEST_F(TwoQueues, SharedBlockIsReferencedAndReleasedWhenConsumed) {
  Block* shared = make_shared_block(pool, "FROM s 2\nhi\n");
  a.append_shared_message(shared, 0, 12);
  EXPECT_EQ(shared->refs, 2u);
  b.append_shared_message(shared, 0, 12);
  EXPECT_EQ(shared->refs, 3u);
  pool.unref(shared);  // the broadcaster lets go, as the server does
  EXPECT_EQ(shared->refs, 2u);
  expect_holds(a, "FROM s 2\nhi\n", 1);
  expect_holds(b, "FROM s 2\nhi\n", 1);

  EXPECT_EQ(a.consume(5), 0u);
  EXPECT_EQ(shared->refs, 2u);  // partly written: still referenced
  EXPECT_EQ(a.consume(7), 1u);
  EXPECT_EQ(shared->refs, 1u);
  EXPECT_EQ(pool.live_blocks(), 1u);
  EXPECT_EQ(b.consume(12), 1u);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST_F(OneQueue, SharedSubrangeIsReferencedExactly) {
  Block* shared = make_shared_block(pool, "xxHELLO\nyy");
  q.append_shared_message(shared, 2, 6);
  pool.unref(shared);
  expect_holds(q, "HELLO\n", 1);
  EXPECT_EQ(q.clear(), 1u);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

// Fan-out frames packed one after another in one block: a queue that gets a run of them holds
// one segment and one reference; a gap (a frame for others) starts a new one.
TEST_F(TwoQueues, AdjacentSharedSlicesExtendOneSegment) {
  Block* arena = make_shared_block(pool, "F1\nF2\nF3\nF4\n");
  a.append_shared_message(arena, 0, 3);
  a.append_shared_message(arena, 3, 3);
  b.append_shared_message(arena, 3, 3);
  a.append_shared_message(arena, 9, 3);  // F3 went elsewhere: not adjacent
  b.append_shared_message(arena, 6, 3);
  EXPECT_EQ(arena->refs, 4u);  // ours, one per segment of a (two), one for b's single segment
  EXPECT_EQ(iov_count(a), 2);
  EXPECT_EQ(iov_count(b), 1);
  expect_holds(a, "F1\nF2\nF4\n", 3);
  expect_holds(b, "F2\nF3\n", 2);
  pool.unref(arena);
  EXPECT_EQ(a.consume(4), 1u);  // F1 and part of F2 written
  a.append_shared_message(arena, 12, 0);  // an empty slice right after F4: still one message
  EXPECT_EQ(a.messages(), 3u);
  EXPECT_EQ(a.consume(2), 1u);
  EXPECT_EQ(a.discard_unstarted(), 2u);  // F4 and the empty one
  EXPECT_EQ(b.consume(6), 2u);
  EXPECT_EQ(a.clear(), 0u);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST_F(TwoQueues, AppendNeverWritesIntoABlockOthersReference) {
  Block* shared = make_shared_block(pool, "SHARED\n");
  std::memset(shared->data + shared->size, '#', 64);  // sentinel in the spare capacity
  a.append_shared_message(shared, 0, 7);
  b.append_shared_message(shared, 0, 7);
  pool.unref(shared);
  a.append({"after-a\n"});
  b.append_message({"after-b\n"});
  EXPECT_EQ(shared->size, 7u);
  EXPECT_EQ(std::string(shared->data + 7, 64), std::string(64, '#'));
  expect_holds(a, "SHARED\nafter-a\n", 1);
  expect_holds(b, "SHARED\nafter-b\n", 2);
  EXPECT_EQ(iov_count(a), 2);
  a.clear();
  b.clear();
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST_F(OneQueue, GatherOrderAndLimit) {
  std::vector<Block*> blocks;
  std::string want;
  for (int i = 0; i < 5; ++i) {
    std::string own = "own" + std::to_string(i) + ";";
    q.append({own});
    std::string sh = "shared" + std::to_string(i) + ";";
    Block* b = make_shared_block(pool, sh);
    q.append_shared_message(b, 0, static_cast<uint32_t>(sh.size()));
    blocks.push_back(b);  // keep our reference so the queue cannot grow into it
    want += own + sh;
  }
  EXPECT_EQ(iov_count(q), 10);
  EXPECT_EQ(gathered(q), want);
  iovec iov[3];
  ASSERT_EQ(q.gather(iov, 3), 3);
  EXPECT_EQ(std::string(static_cast<char*>(iov[0].iov_base), iov[0].iov_len), "own0;");
  EXPECT_EQ(std::string(static_cast<char*>(iov[1].iov_base), iov[1].iov_len), "shared0;");
  EXPECT_EQ(std::string(static_cast<char*>(iov[2].iov_base), iov[2].iov_len), "own1;");
  EXPECT_EQ(q.gather(iov, 0), 0);
  q.consume(3);  // inside the first segment
  ASSERT_EQ(q.gather(iov, 1), 1);
  EXPECT_EQ(std::string(static_cast<char*>(iov[0].iov_base), iov[0].iov_len), "0;");
  EXPECT_EQ(q.clear(), 5u);
  for (Block* b : blocks) pool.unref(b);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

// =================================================================================================
// OutputQueue: consume and message accounting
// =================================================================================================

// A stream of routed messages with control frames in between, in owned and shared blocks.
struct Stream {
  BlockPool pool;
  std::string bytes;
  std::vector<size_t> ends;  // message ends, stream offsets

  void fill(OutputQueue& q) {
    auto msg = [&](std::string_view s) {
      q.append_message({s});
      bytes += s;
      ends.push_back(bytes.size());
    };
    auto ctl = [&](std::string_view s) {
      q.append({s});
      bytes += s;
    };
    auto shared = [&](std::string_view s) {
      Block* b = make_shared_block(pool, s);
      q.append_shared_message(b, 0, static_cast<uint32_t>(s.size()));
      pool.unref(b);
      bytes += s;
      ends.push_back(bytes.size());
    };
    ctl("WELCOME\n");
    msg("m1\n");
    msg("m22\n");
    shared("s333\n");
    ctl("PONG\n");
    msg("m4\n");
    shared("s5\n");
    shared("s66\n");
    msg("x\n");
    ctl("OK\n");
  }
  size_t delivered_up_to(size_t written) const {
    return static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), written) - ends.begin());
  }
};

TEST_F(OneQueue, MessagesCountsOnlyRoutedMessages) {
  q.append({"ctl\n"});
  EXPECT_EQ(q.messages(), 0u);
  q.append_message({"m\n"});
  EXPECT_EQ(q.messages(), 1u);
  Block* b = make_shared_block(pool, "s\n");
  q.append_shared_message(b, 0, 2);
  pool.unref(b);
  EXPECT_EQ(q.messages(), 2u);
  EXPECT_EQ(q.consume(4), 0u);  // the control frame only
  EXPECT_EQ(q.messages(), 2u);
  EXPECT_EQ(q.consume(1), 0u);
  EXPECT_EQ(q.messages(), 2u);  // partly written is still pending
  EXPECT_EQ(q.consume(1), 1u);
  EXPECT_EQ(q.messages(), 1u);
  EXPECT_EQ(q.consume(2), 1u);
  EXPECT_EQ(q.messages(), 0u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST(OutputQueue, ConsumeEveryTwoWaySplit) {
  Stream probe;
  {
    OutputQueue q(&probe.pool);
    probe.fill(q);
  }
  const size_t total = probe.bytes.size();
  for (size_t a = 0; a <= total; ++a) {
    for (size_t b = a; b <= total; ++b) {
      Stream s;
      OutputQueue q(&s.pool);
      s.fill(q);
      ASSERT_EQ(q.bytes(), total);
      ASSERT_EQ(q.messages(), s.ends.size());
      size_t got = 0;
      for (auto [from, to] : {std::pair{size_t{0}, a}, std::pair{a, b}, std::pair{b, total}}) {
        size_t d = q.consume(to - from);
        ASSERT_EQ(d, s.delivered_up_to(to) - s.delivered_up_to(from)) << "split " << a << "," << b;
        got += d;
        ASSERT_EQ(q.bytes(), total - to);
        ASSERT_EQ(q.messages(), s.ends.size() - s.delivered_up_to(to));
        ASSERT_EQ(gathered(q), s.bytes.substr(to)) << "split " << a << "," << b;
      }
      EXPECT_EQ(got, s.ends.size());
      EXPECT_TRUE(q.empty());
      EXPECT_EQ(s.pool.live_blocks(), 0u);
    }
  }
}

TEST(OutputQueue, ConsumeOneByteAtATime) {
  Stream s;
  OutputQueue q(&s.pool);
  s.fill(q);
  size_t got = 0;
  for (size_t i = 1; i <= s.bytes.size(); ++i) {
    size_t d = q.consume(1);
    ASSERT_EQ(d, s.delivered_up_to(i) - s.delivered_up_to(i - 1)) << i;
    got += d;
  }
  EXPECT_EQ(got, s.ends.size());
  EXPECT_EQ(s.pool.live_blocks(), 0u);
}

TEST(OutputQueue, ConsumeWholeQueueAtOnce) {
  Stream s;
  OutputQueue q(&s.pool);
  s.fill(q);
  EXPECT_EQ(q.consume(q.bytes()), s.ends.size());
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.messages(), 0u);
  EXPECT_EQ(s.pool.live_blocks(), 0u);
}

TEST_F(OneQueue, LongBacklogDeliversOneAtATime) {
  // A queue that never empties: the dead prefix of its bookkeeping is compacted along the way.
  std::string want;
  for (int i = 0; i < 2000; ++i) {
    std::string m = "msg " + std::to_string(i) + "\n";
    q.append_message({m});
    want += m;
  }
  size_t pos = 0;
  for (int i = 0; i < 1990; ++i) {
    size_t len = want.find('\n', pos) + 1 - pos;
    ASSERT_EQ(q.consume(len), 1u) << i;
    pos += len;
    // Keep appending so head never reaches the end.
    std::string m = "more " + std::to_string(i) + "\n";
    q.append_message({m});
    want += m;
  }
  expect_holds(q, std::string_view(want).substr(pos), 2000);
  EXPECT_EQ(q.clear(), 2000u);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

// =================================================================================================
// OutputQueue: discard_unstarted and clear
// =================================================================================================

TEST_F(OneQueue, DiscardKeepsPartlyWrittenHeadMessage) {
  append_messages({"AAAA\n", "BBBB\n"});
  q.append({"CTL\n"});
  q.append_message({"CCCC\n"});
  EXPECT_EQ(q.consume(2), 0u);
  EXPECT_EQ(q.discard_unstarted(), 2u);
  expect_holds(q, "AA\n", 1);
  // The owned tail block must not expose the dropped bytes: the next frame follows the kept one.
  q.append_message({"DD\n"});
  expect_holds(q, "AA\nDD\n", 2);
  EXPECT_EQ(iov_count(q), 1);
  EXPECT_EQ(q.consume(3), 1u);
  EXPECT_EQ(q.consume(3), 1u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST_F(OneQueue, DiscardDropsUnstartedHeadMessage) {
  append_messages({"AAAA\n", "BBBB\n", "CCCC\n"});
  EXPECT_EQ(q.discard_unstarted(), 3u);  // nothing written: nothing needs finishing
  expect_holds(q, "", 0);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(pool.live_blocks(), 0u);
  q.append_message({"DD\n"});
  expect_holds(q, "DD\n", 1);
  EXPECT_EQ(q.consume(3), 1u);
}

TEST_F(OneQueue, DiscardAfterWholeMessagesWritten) {
  // The head message starts exactly where the write stopped: it has not started.
  append_messages({"AAAA\n", "BBBB\n", "CCCC\n"});
  EXPECT_EQ(q.consume(5), 1u);
  EXPECT_EQ(q.discard_unstarted(), 2u);
  EXPECT_TRUE(q.empty());
  expect_holds(q, "", 0);
  q.append({"EE\n"});
  expect_holds(q, "EE\n", 0);
}

TEST_F(OneQueue, DiscardKeepsControlFramesBeforeUnstartedHead) {
  q.append({"PONG\n"});
  q.append_message({"AAAA\n"});
  q.append({"OK\n"});
  q.append_message({"BBBB\n"});
  EXPECT_EQ(q.discard_unstarted(), 2u);
  expect_holds(q, "PONG\n", 0);
  q.append({"ERR slow-consumer\n"});
  expect_holds(q, "PONG\nERR slow-consumer\n", 0);
  EXPECT_EQ(iov_count(q), 1);
  EXPECT_EQ(q.consume(q.bytes()), 0u);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST_F(OneQueue, DiscardFinishesPartlyWrittenControlFrame) {
  q.append({"WELCOME n\n"});
  q.append_message({"AAAA\n"});
  EXPECT_EQ(q.consume(3), 0u);
  EXPECT_EQ(q.discard_unstarted(), 1u);
  expect_holds(q, "COME n\n", 0);
  q.append({"X\n"});
  expect_holds(q, "COME n\nX\n", 0);
}

TEST_F(OneQueue, DiscardWithOnlyControlFramesKeepsEverything) {
  q.append({"PONG\n"});
  q.append({"OK\n"});
  q.consume(2);
  EXPECT_EQ(q.discard_unstarted(), 0u);
  expect_holds(q, "NG\nOK\n", 0);
  q.append({"Z\n"});
  expect_holds(q, "NG\nOK\nZ\n", 0);
}

TEST_F(OneQueue, DiscardTwiceIsStable) {
  append_messages({"AAAA\n", "BBBB\n"});
  q.consume(1);
  EXPECT_EQ(q.discard_unstarted(), 1u);
  EXPECT_EQ(q.discard_unstarted(), 0u);
  expect_holds(q, "AAA\n", 1);
}

TEST_F(OneQueue, DiscardAcrossBlocksReleasesDroppedBlocks) {
  const std::string big(BlockPool::kBlockSize - 100, 'h');
  q.append_message({big});
  q.append_message({std::string(500, 'x')});  // second block
  Block* shared = make_shared_block(pool, "SSS\n");
  q.append_shared_message(shared, 0, 4);
  q.append_message({std::string(BlockPool::kBlockSize + 5, 'L')});  // large block
  EXPECT_EQ(pool.live_blocks(), 4u);
  EXPECT_EQ(shared->refs, 2u);
  q.consume(10);
  EXPECT_EQ(q.discard_unstarted(), 3u);
  EXPECT_EQ(q.bytes(), big.size() - 10);
  EXPECT_EQ(shared->refs, 1u);
  EXPECT_EQ(pool.live_blocks(), 2u);  // the head block and our reference to the shared one
  q.append_message({"next\n"});
  EXPECT_EQ(gathered(q), big.substr(10) + "next\n");
  EXPECT_EQ(q.clear(), 2u);
  pool.unref(shared);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST_F(TwoQueues, DiscardPartlyWrittenSharedHeadLeavesBlockAlone) {
  Block* shared = make_shared_block(pool, "FROM s 4\nabcd\n");
  a.append_shared_message(shared, 0, shared->size);
  b.append_shared_message(shared, 0, shared->size);
  pool.unref(shared);
  a.append_message({"more\n"});
  a.consume(4);
  EXPECT_EQ(a.discard_unstarted(), 1u);
  EXPECT_EQ(shared->size, 14u);  // still another queue's bytes
  a.append({"ERR\n"});
  EXPECT_EQ(gathered(a), " s 4\nabcd\nERR\n");
  EXPECT_EQ(gathered(b), "FROM s 4\nabcd\n");
  EXPECT_EQ(a.clear(), 1u);
  EXPECT_EQ(b.clear(), 1u);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST_F(OneQueue, DiscardInsideCoalescedBlockThenRefill) {
  // The kept head ends mid-block; later appends must land right after it, then grow normally.
  q.append_message({"HEAD-MESSAGE\n"});
  for (int i = 0; i < 50; ++i) q.append_message({"dropped message\n"});
  q.consume(5);
  EXPECT_EQ(q.discard_unstarted(), 50u);
  std::string want = "MESSAGE\n";
  for (int i = 0; i < 50; ++i) {
    std::string m = "fresh " + std::to_string(i) + "\n";
    q.append_message({m});
    want += m;
  }
  expect_holds(q, want, 51);
  EXPECT_EQ(iov_count(q), 1);
  EXPECT_EQ(q.consume(q.bytes()), 51u);
}

TEST_F(OneQueue, ClearCountsMessagesNeverCompletelyWritten) {
  q.append_message({"AAAA\n"});
  q.append({"ctl\n"});
  q.append_message({"BBBB\n"});
  q.append_message({"CCCC\n"});
  EXPECT_EQ(q.consume(5), 1u);
  EXPECT_EQ(q.consume(6), 0u);  // ctl and part of B
  EXPECT_EQ(q.clear(), 2u);     // B (partly written) and C
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.messages(), 0u);
  EXPECT_EQ(pool.live_blocks(), 0u);
  EXPECT_EQ(q.clear(), 0u);
  q.append_message({"again\n"});
  expect_holds(q, "again\n", 1);
  EXPECT_EQ(q.consume(6), 1u);
}

TEST(OutputQueue, DestructorReleasesBlocks) {
  BlockPool pool;
  Block* shared = make_shared_block(pool, "s\n");
  {
    OutputQueue q(&pool);
    q.append_message({"m\n"});
    q.append_shared_message(shared, 0, 2);
    EXPECT_EQ(shared->refs, 2u);
  }
  EXPECT_EQ(shared->refs, 1u);
  pool.unref(shared);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

TEST(OutputQueue, MoveTransfersContent) {
  BlockPool pool;
  OutputQueue a(&pool);
  a.append_message({"one\n"});
  a.append({"two\n"});
  OutputQueue b(std::move(a));
  expect_holds(b, "one\ntwo\n", 1);
  OutputQueue c(&pool);
  c.append_message({"lost\n"});
  c = std::move(b);
  expect_holds(c, "one\ntwo\n", 1);
  EXPECT_EQ(pool.live_blocks(), 1u);
  EXPECT_EQ(c.consume(8), 1u);
  EXPECT_EQ(pool.live_blocks(), 0u);
}

// =================================================================================================
// Randomized model test
// =================================================================================================

// The obvious model: every byte ever appended, how far it was written, and the (start, end) of
// every routed message not yet completely written.
struct Model {
  std::string stream;
  size_t written = 0;
  std::deque<std::pair<size_t, size_t>> pending;  // (start, end) stream offsets

  size_t bytes() const { return stream.size() - written; }
  void append(std::string_view s) { stream += s; }
  void append_message(std::string_view s) {
    size_t start = stream.size();
    stream += s;
    pending.emplace_back(start, stream.size());
  }
  size_t consume(size_t n) {
    written += n;
    size_t d = 0;
    while (!pending.empty() && pending.front().second <= written) {
      pending.pop_front();
      ++d;
    }
    return d;
  }
  // Unstarted messages go; a partly written head message and every control frame before the head
  // stay (control-frame ends are not tracked, so one may be partly written).
  size_t discard_unstarted() {
    if (pending.empty()) return 0;
    auto [start, end] = pending.front();
    bool started = start < written;
    size_t cut = started ? end : start;
    size_t dropped = pending.size() - (started ? 1 : 0);
    stream.resize(cut);
    pending.resize(started ? 1 : 0);
    return dropped;
  }
  size_t clear() {
    size_t lost = pending.size();
    stream.clear();
    written = 0;
    pending.clear();
    return lost;
  }
};

std::string random_bytes(std::mt19937& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

size_t random_len(std::mt19937& rng) {
  switch (rng() % 20) {
    case 0:
      return BlockPool::kBlockSize - 50 + rng() % 100;  // around a block boundary
    case 1:
      return BlockPool::kBlockSize + 1 + rng() % 20000;  // large
    case 2:
      return 1;
    default:
      return 1 + rng() % 200;
  }
}

void check(const OutputQueue& q, const Model& m, int step) {
  ASSERT_EQ(q.bytes(), m.bytes()) << "step " << step;
  ASSERT_EQ(q.empty(), m.bytes() == 0) << "step " << step;
  ASSERT_EQ(q.messages(), m.pending.size()) << "step " << step;
  ASSERT_TRUE(gathered(q) == std::string_view(m.stream).substr(m.written)) << "step " << step;
}

TEST(OutputQueue, RandomizedAgainstModel) {
  std::mt19937 rng(20240611);
  BlockPool pool(8);  // a small free-list cap exercises the free() path too
  OutputQueue qs[2] = {OutputQueue(&pool), OutputQueue(&pool)};
  Model ms[2];
  std::vector<Block*> held;  // shared blocks we keep a reference to for a while
  size_t delivered[2] = {0, 0}, dropped[2] = {0, 0}, appended[2] = {0, 0};

  for (int step = 0; step < 30000; ++step) {
    const int which = static_cast<int>(rng() % 2);
    OutputQueue& q = qs[which];
    Model& m = ms[which];
    const unsigned op = rng() % 100;
    if (op < 20) {  // control frame from up to three pieces
      std::string a = random_bytes(rng, rng() % 3 == 0 ? 0 : random_len(rng));
      std::string b = random_bytes(rng, rng() % 8);
      std::string c = random_bytes(rng, rng() % 2);
      q.append({a, b, c});
      m.append(a + b + c);
    } else if (op < 45) {  // routed message
      std::string a = random_bytes(rng, rng() % 30);
      std::string b = random_bytes(rng, random_len(rng));
      q.append_message({a, b, "\n"});
      m.append_message(a + b + "\n");
      ++appended[which];
    } else if (op < 55) {  // broadcast to one or both queues
      std::string frame = random_bytes(rng, random_len(rng));
      const uint32_t pad = rng() % 3 == 0 ? static_cast<uint32_t>(rng() % 16) : 0;
      std::string stored = std::string(pad, 'p') + frame;
      Block* b = make_shared_block(pool, stored);
      const bool both = rng() % 2 == 0;
      for (int t = 0; t < 2; ++t) {
        if (t != which && !both) continue;
        qs[t].append_shared_message(b, pad, static_cast<uint32_t>(frame.size()));
        ms[t].append_message(frame);
        ++appended[t];
      }
      if (rng() % 4 == 0 && held.size() < 16) {
        held.push_back(b);
      } else {
        pool.unref(b);
      }
    } else if (op < 90) {  // a writev: gather a few iovecs, write some prefix of them
      iovec iov[8];
      int n = q.gather(iov, 1 + static_cast<int>(rng() % 8));
      size_t avail = 0;
      for (int i = 0; i < n; ++i) avail += iov[i].iov_len;
      size_t k = avail == 0 ? 0 : (rng() % 3 == 0 ? avail : rng() % (avail + 1));
      size_t d = q.consume(k);
      ASSERT_EQ(d, m.consume(k)) << "step " << step;
      delivered[which] += d;
    } else if (op < 95) {
      if (!held.empty() && rng() % 2 == 0) {
        pool.unref(held.back());
        held.pop_back();
      }
      // Every queue bound is far away in this test; keep the queue small so checks stay cheap.
      if (q.bytes() > 200000) {
        size_t k = q.bytes();
        size_t d = q.consume(k);
        ASSERT_EQ(d, m.consume(k));
        delivered[which] += d;
      }
    } else if (op < 99) {
      size_t d = q.discard_unstarted();
      ASSERT_EQ(d, m.discard_unstarted()) << "step " << step;
      dropped[which] += d;
    } else {
      size_t d = q.clear();
      ASSERT_EQ(d, m.clear()) << "step " << step;
      dropped[which] += d;
    }
    check(q, m, step);
    if (HasFatalFailure()) return;
  }
  for (int t = 0; t < 2; ++t) {
    size_t d = qs[t].consume(qs[t].bytes());
    ASSERT_EQ(d, ms[t].consume(ms[t].bytes()));
    delivered[t] += d;
    // Every message appended was either delivered or reported dropped, exactly once.
    EXPECT_EQ(delivered[t] + dropped[t], appended[t]) << "queue " << t;
    EXPECT_EQ(qs[t].clear(), 0u);
  }
  for (Block* b : held) pool.unref(b);
  EXPECT_EQ(pool.live_blocks(), 0u);
  EXPECT_LE(pool.free_blocks(), 8u);
}

TEST(OutputQueue, RandomizedClearReturnsEveryBlock) {
  std::mt19937 rng(7);
  BlockPool pool;
  for (int round = 0; round < 200; ++round) {
    OutputQueue q(&pool);
    Model m;
    for (int i = 0, n = static_cast<int>(rng() % 40); i < n; ++i) {
      std::string s = random_bytes(rng, random_len(rng));
      switch (rng() % 4) {
        case 0:
          q.append({s});
          m.append(s);
          break;
        case 1:
          q.append_message({s});
          m.append_message(s);
          break;
        case 2: {
          Block* b = make_shared_block(pool, s);
          q.append_shared_message(b, 0, static_cast<uint32_t>(s.size()));
          m.append_message(s);
          pool.unref(b);
          break;
        }
        default: {
          size_t k = q.bytes() == 0 ? 0 : rng() % (q.bytes() + 1);
          ASSERT_EQ(q.consume(k), m.consume(k));
        }
      }
    }
    if (rng() % 2) {
      ASSERT_EQ(q.discard_unstarted(), m.discard_unstarted());
    }
    check(q, m, round);
    ASSERT_EQ(q.clear(), m.clear());
    ASSERT_EQ(pool.live_blocks(), 0u) << "round " << round;
  }
}

}  // namespace
}  // namespace sb
