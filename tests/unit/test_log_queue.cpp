// RecordQueue (the logger's bounded MPMC ring): exactly-once delivery and per-producer order under
// concurrent producers and consumers, exact drop behaviour when full, wraparound, and batching
// that never passes a slot a producer has claimed but not yet published.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "common/log/record_queue.h"
#include "tests/support/sanitizers.h"

namespace {

using sb::log::RecordQueue;

// The stress tests keep to a few seconds under the sanitizers.
constexpr uint32_t kScale = sb::test::kThreadSanitizer ? 20 : sb::test::kAddressSanitizer ? 4 : 1;

struct Item {
  uint32_t producer = 0;
  uint32_t seq = 0;
};

// Spins (yielding) until the item fits: the stress tests are about delivery, not drops.
void push_blocking(RecordQueue<Item>& q, uint32_t producer, uint32_t seq) {
  while (!q.try_push([&](Item& it) { it = Item{producer, seq}; })) std::this_thread::yield();
}

TEST(LogQueue, CapacityRoundsUpToPowerOfTwo) {
  EXPECT_EQ(RecordQueue<Item>(1).capacity(), 2u);
  EXPECT_EQ(RecordQueue<Item>(8).capacity(), 8u);
  EXPECT_EQ(RecordQueue<Item>(1000).capacity(), 1024u);
}

TEST(LogQueue, FullQueueRejectsExactlyTheOverflow) {
  RecordQueue<Item> q(8);
  uint32_t accepted = 0, rejected = 0;
  for (uint32_t i = 0; i < 13; ++i) {
    (q.try_push([&](Item& it) { it.seq = i; }) ? accepted : rejected)++;
  }
  EXPECT_EQ(accepted, 8u);
  EXPECT_EQ(rejected, 5u);

  // Claimed but not yet released slots still count as occupied.
  uint64_t first = 0;
  ASSERT_EQ(q.claim_batch(3, &first), 3u);
  EXPECT_EQ(first, 0u);
  EXPECT_FALSE(q.try_push([](Item&) {}));
  q.release(first, 3);

  for (uint32_t i = 0; i < 3; ++i) EXPECT_TRUE(q.try_push([&](Item& it) { it.seq = 100 + i; }));
  EXPECT_FALSE(q.try_push([](Item&) {}));

  // The rejected records left no gap: the remaining five are 3..7, then 100..102.
  std::vector<uint32_t> seen;
  size_t n;
  while ((n = q.claim_batch(4, &first)) > 0) {
    for (size_t i = 0; i < n; ++i) seen.push_back(q.at(first + i).seq);
    q.release(first, n);
  }
  EXPECT_EQ(seen, (std::vector<uint32_t>{3, 4, 5, 6, 7, 100, 101, 102}));
}

TEST(LogQueue, SingleProducerClaimFillsInOrderAndDetectsFull) {
  RecordQueue<Item> q(8);
  uint32_t accepted = 0;
  for (uint32_t i = 0; i < 11; ++i) {
    uint64_t pos;
    Item* slot = q.try_claim_single(&pos);
    if (slot == nullptr) continue;
    EXPECT_EQ(pos, accepted);
    slot->seq = i;
    q.publish(pos);
    q.prefetch(pos + 1);  // a hint only: changes nothing
    ++accepted;
  }
  EXPECT_EQ(accepted, 8u);
  uint64_t first = 0;
  ASSERT_EQ(q.claim_batch(8, &first), 8u);
  for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(q.at(first + i).seq, i);
  q.release(first, 8);
  uint64_t pos;
  ASSERT_NE(q.try_claim_single(&pos), nullptr);  // room again after the release
  EXPECT_EQ(pos, 8u);
}

TEST(LogQueue, BatchStopsAtUnpublishedSlot) {
  RecordQueue<Item> q(8);
  ASSERT_TRUE(q.try_push([](Item& it) { it.seq = 1; }));
  uint64_t held = 0;
  Item* slot = q.try_claim(&held);  // a producer between claim and publish
  ASSERT_NE(slot, nullptr);
  ASSERT_TRUE(q.try_push([](Item& it) { it.seq = 3; }));

  uint64_t first = 0;
  ASSERT_EQ(q.claim_batch(8, &first), 1u);  // only the record before the hole
  EXPECT_EQ(q.at(first).seq, 1u);
  q.release(first, 1);
  EXPECT_EQ(q.claim_batch(8, &first), 0u);  // the hole blocks what follows: order is kept

  slot->seq = 2;
  q.publish(held);
  ASSERT_EQ(q.claim_batch(8, &first), 2u);
  EXPECT_EQ(q.at(first).seq, 2u);
  EXPECT_EQ(q.at(first + 1).seq, 3u);
  q.release(first, 2);
}

TEST(LogQueue, WrapsAroundManyLaps) {
  RecordQueue<Item> q(4);
  uint32_t next_in = 0, next_out = 0;
  for (int round = 0; round < 10000; ++round) {
    const int burst = round % 5;  // 0..4, up to the full capacity
    for (int i = 0; i < burst; ++i) ASSERT_TRUE(q.try_push([&](Item& it) { it.seq = next_in++; }));
    uint64_t first;
    size_t n;
    while ((n = q.claim_batch(3, &first)) > 0) {
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(q.at(first + i).seq, next_out++);
      q.release(first, n);
    }
  }
  EXPECT_EQ(next_in, next_out);
}

TEST(LogQueue, SingleProducerSingleConsumerInOrder) {
  const uint32_t kCount = 4'000'000 / kScale;
  RecordQueue<Item> q(1024);
  std::thread producer([&] {
    for (uint32_t i = 0; i < kCount; ++i) push_blocking(q, 0, i);
  });
  uint32_t expected = 0;
  bool in_order = true;
  while (expected < kCount) {
    uint64_t first;
    const size_t n = q.claim_batch(64, &first);
    if (n == 0) {
      std::this_thread::yield();
      continue;
    }
    for (size_t i = 0; i < n; ++i) in_order &= q.at(first + i).seq == expected++;
    q.release(first, n);
  }
  producer.join();
  EXPECT_TRUE(in_order);
  uint64_t first;
  EXPECT_EQ(q.claim_batch(64, &first), 0u);
}

// Several producers and several consumers: every item is seen exactly once, and each consumer sees
// each producer's items in increasing order (positions are claimed in increasing order).
void run_multi(uint32_t producers, uint32_t consumers, uint32_t per_producer) {
  RecordQueue<Item> q(256);
  std::vector<std::atomic<uint8_t>> seen(static_cast<size_t>(producers) * per_producer);
  std::atomic<uint64_t> consumed{0};
  std::atomic<bool> order_ok{true};
  const uint64_t total = static_cast<uint64_t>(producers) * per_producer;

  std::vector<std::thread> threads;
  for (uint32_t c = 0; c < consumers; ++c) {
    threads.emplace_back([&] {
      std::vector<int64_t> last(producers, -1);
      while (consumed.load(std::memory_order_relaxed) < total) {
        uint64_t first;
        const size_t n = q.claim_batch(32, &first);
        if (n == 0) {
          std::this_thread::yield();
          continue;
        }
        for (size_t i = 0; i < n; ++i) {
          const Item it = q.at(first + i);
          if (static_cast<int64_t>(it.seq) <= last[it.producer]) order_ok = false;
          last[it.producer] = it.seq;
          seen[static_cast<size_t>(it.producer) * per_producer + it.seq].fetch_add(1);
        }
        q.release(first, n);
        consumed.fetch_add(n, std::memory_order_relaxed);
      }
    });
  }
  for (uint32_t p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (uint32_t i = 0; i < per_producer; ++i) push_blocking(q, p, i);
    });
  }
  for (auto& t : threads) t.join();

  EXPECT_TRUE(order_ok.load());
  EXPECT_EQ(consumed.load(), total);
  size_t wrong = 0;
  for (auto& s : seen) wrong += s.load() != 1;
  EXPECT_EQ(wrong, 0u) << "items not seen exactly once";
}

TEST(LogQueue, MultiProducerSingleConsumerExactlyOnceInOrder) {
  run_multi(3, 1, 1'000'000 / kScale);
}

TEST(LogQueue, MultiProducerMultiConsumerExactlyOnce) {
  run_multi(3, 2, 700'000 / kScale);
}

// Producers that never wait: every attempt either lands exactly once or is counted as dropped.
TEST(LogQueue, ConcurrentDropsAreCountedExactly) {
  const uint32_t kPerProducer = 1'000'000 / kScale;
  RecordQueue<Item> q(64);
  std::atomic<uint64_t> dropped{0};
  std::atomic<bool> done{false};
  uint64_t received = 0;
  std::thread consumer([&] {
    for (;;) {
      const bool finished = done.load(std::memory_order_acquire);
      uint64_t first;
      const size_t n = q.claim_batch(16, &first);
      if (n == 0) {
        if (finished) return;
        std::this_thread::yield();
        continue;
      }
      received += n;
      q.release(first, n);
    }
  });
  std::vector<std::thread> producers;
  for (uint32_t p = 0; p < 2; ++p) {
    producers.emplace_back([&, p] {
      for (uint32_t i = 0; i < kPerProducer; ++i) {
        if (!q.try_push([&](Item& it) { it = Item{p, i}; })) dropped.fetch_add(1);
      }
    });
  }
  for (auto& t : producers) t.join();
  done.store(true, std::memory_order_release);
  consumer.join();
  EXPECT_EQ(received + dropped.load(), 2ull * kPerProducer);
  EXPECT_EQ(q.enqueued(), received);
}

}  // namespace
