// Sequence, loss, duplicate and reorder accounting of the bench receiver, in both storage modes.
#include "bench/sequence_tracker.h"

#include <gtest/gtest.h>

#include "bench/result.h"

using sb::bench::SequenceTracker;
using sb::bench::WorkerResult;
using Arrival = SequenceTracker::Arrival;

namespace {

// Small tracker: dense storage. Huge node count: the hashed table.
class SequenceTrackerTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  SequenceTracker t{GetParam(), 100, 50};  // this process receives for nodes 100..149
};

}  // namespace

TEST_P(SequenceTrackerTest, SendSequencesArePerPair) {
  EXPECT_EQ(t.next_send(100, 101), 0u);
  EXPECT_EQ(t.next_send(100, 101), 1u);
  EXPECT_EQ(t.next_send(100, 102), 0u);
  EXPECT_EQ(t.next_send(101, 100), 0u);
  EXPECT_EQ(t.next_send(100, 100), 0u);  // broadcast: (sender, "*")
  EXPECT_EQ(t.next_send(100, 101), 2u);
}

TEST_P(SequenceTrackerTest, InOrderIsClean) {
  for (uint32_t s = 0; s < 1000; ++s) {
    EXPECT_EQ(t.on_receive(7, 120, s), Arrival::in_order);
    EXPECT_EQ(t.on_receive(8, 120, s), Arrival::in_order);
  }
  EXPECT_EQ(t.received(), 2000u);
  EXPECT_EQ(t.unique(), 2000u);
  EXPECT_EQ(t.duplicates(), 0u);
  EXPECT_EQ(t.late(), 0u);
  EXPECT_EQ(t.outstanding_gaps(), 0u);
}

TEST_P(SequenceTrackerTest, GapThenLateArrivalIsReorderNotLoss) {
  EXPECT_EQ(t.on_receive(1, 100, 0), Arrival::in_order);
  EXPECT_EQ(t.on_receive(1, 100, 3), Arrival::ahead);  // 1 and 2 missing
  EXPECT_EQ(t.outstanding_gaps(), 2u);
  EXPECT_EQ(t.on_receive(1, 100, 2), Arrival::late);
  EXPECT_EQ(t.on_receive(1, 100, 1), Arrival::late);
  EXPECT_EQ(t.outstanding_gaps(), 0u);
  EXPECT_EQ(t.on_receive(1, 100, 4), Arrival::in_order);
  EXPECT_EQ(t.late(), 2u);
  EXPECT_EQ(t.gap_events(), 1u);
  EXPECT_EQ(t.unique(), 5u);
}

TEST_P(SequenceTrackerTest, RepeatIsDuplicateEvenAfterAGapFilled) {
  t.on_receive(2, 140, 0);
  EXPECT_EQ(t.on_receive(2, 140, 0), Arrival::duplicate);
  t.on_receive(2, 140, 2);
  EXPECT_EQ(t.on_receive(2, 140, 1), Arrival::late);
  EXPECT_EQ(t.on_receive(2, 140, 1), Arrival::duplicate);
  EXPECT_EQ(t.on_receive(2, 140, 2), Arrival::duplicate);
  EXPECT_EQ(t.duplicates(), 3u);
  EXPECT_EQ(t.unique(), 3u);
}

TEST_P(SequenceTrackerTest, PairsAreIndependent) {
  t.on_receive(1, 100, 0);
  EXPECT_EQ(t.on_receive(1, 101, 0), Arrival::in_order);  // same sender, other receiver
  EXPECT_EQ(t.on_receive(2, 100, 0), Arrival::in_order);  // other sender, same receiver
  EXPECT_EQ(t.on_receive(1, 100, 0), Arrival::duplicate);
}

TEST_P(SequenceTrackerTest, ManyPairsSurviveGrowth) {
  // Enough distinct pairs to force the hashed table to grow several times.
  for (uint32_t round = 0; round < 3; ++round)
    for (uint32_t s = 0; s < 2000; ++s)
      for (uint32_t r = 100; r < 150; r += 7) ASSERT_EQ(t.on_receive(s, r, round), Arrival::in_order);
  EXPECT_EQ(t.duplicates(), 0u);
  EXPECT_EQ(t.outstanding_gaps(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Storage, SequenceTrackerTest, ::testing::Values(2000u, 1000000u));

TEST(WorkerResult, LossIsExpectedMinusUniqueDeliveries) {
  WorkerResult r;
  r.expected = 100;
  r.received = 97;
  r.duplicates = 2;
  EXPECT_EQ(r.lost(), 5u);
  EXPECT_FALSE(r.clean());
  r.received = 102;  // every message arrived, two of them twice
  EXPECT_EQ(r.lost(), 0u);
  EXPECT_FALSE(r.clean());
  r.duplicates = 0;
  r.received = 100;
  EXPECT_TRUE(r.clean());
  r.reordered = 1;
  EXPECT_FALSE(r.clean());
}

TEST(WorkerResult, MergeAddsCountsAndKeepsLongestTimes) {
  WorkerResult a, b;
  a.sent = 10;
  a.expected = 10;
  a.received = 10;
  a.connect_ns = 5;
  a.measured_ns = 100;
  a.latency.record(1000);
  b.sent = 20;
  b.expected = 20;
  b.received = 19;
  b.connect_ns = 7;
  b.measured_ns = 90;
  b.first_error = "boom";
  b.latency.record(3000);
  a.merge(b);
  EXPECT_EQ(a.sent, 30u);
  EXPECT_EQ(a.lost(), 1u);
  EXPECT_EQ(a.connect_ns, 7u);
  EXPECT_EQ(a.measured_ns, 100u);
  EXPECT_EQ(a.first_error, "boom");
  EXPECT_EQ(a.latency.count(), 2u);
}

TEST(WorkerResult, PipeFormatRoundTrip) {
  WorkerResult r, back;
  r.nodes = 5000;
  r.sent = 123456789;
  r.expected = 123456789;
  r.received = 123456788;
  r.reordered = 3;
  r.behind = 4;
  r.drain_timed_out = true;
  r.first_error = "server said\nsomething";
  for (uint64_t v = 1000; v < 100000; v += 777) r.latency.record(v);
  ASSERT_TRUE(back.deserialize(r.serialize()));
  EXPECT_EQ(back.nodes, 5000u);
  EXPECT_EQ(back.sent, r.sent);
  EXPECT_EQ(back.lost(), 1u);
  EXPECT_EQ(back.reordered, 3u);
  EXPECT_EQ(back.behind, 4u);
  EXPECT_TRUE(back.drain_timed_out);
  EXPECT_EQ(back.first_error, "server said something");
  EXPECT_EQ(back.latency.count(), r.latency.count());
  EXPECT_EQ(back.latency.value_at_quantile(0.99), r.latency.value_at_quantile(0.99));
  EXPECT_FALSE(back.deserialize("sent=1\n"));           // no histogram
  EXPECT_FALSE(back.deserialize("bogus=1\nlatency=0 0 0 0;\n"));
}
