// TimingWheel unit tests. Time is the injected tick count: nothing here sleeps. The last test
// runs 100k nodes through random schedule/touch/cancel/advance against a std::multimap model.
#include "common/timing/timing_wheel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sb {
namespace {

// (tick the callback saw, owner) for every expiry, in firing order.
using Fired = std::vector<std::pair<uint64_t, uint32_t>>;

void advance_to(TimingWheel& w, uint64_t tick, Fired& fired) {
  w.advance(tick, [&](TimerNode& n) { fired.emplace_back(w.now(), n.owner); });
}

TEST(TimingWheel, RejectsSlotsNotPowerOfTwo) {
  EXPECT_THROW(TimingWheel(0), std::invalid_argument);
  EXPECT_THROW(TimingWheel(12), std::invalid_argument);
  EXPECT_NO_THROW(TimingWheel(1));
  EXPECT_NO_THROW(TimingWheel(1024));
}

TEST(TimingWheel, ExpiresExactlyAtDeadlineNotBefore) {
  TimingWheel w(64);
  TimerNode n{};
  n.owner = 7;
  w.schedule(n, 5);
  EXPECT_TRUE(w.scheduled(n));
  EXPECT_EQ(w.size(), 1u);
  Fired fired;
  for (uint64_t t = 1; t <= 4; ++t) advance_to(w, t, fired);
  EXPECT_TRUE(fired.empty());
  EXPECT_TRUE(w.scheduled(n));
  advance_to(w, 5, fired);
  EXPECT_EQ(fired, (Fired{{5, 7}}));
  EXPECT_FALSE(w.scheduled(n));
  EXPECT_EQ(n.prev, nullptr);
  EXPECT_EQ(w.size(), 0u);
  advance_to(w, 200, fired);
  EXPECT_EQ(fired.size(), 1u);
}

TEST(TimingWheel, NodeIsUnlinkedWhenCallbackRuns) {
  TimingWheel w(8);
  TimerNode n{};
  w.schedule(n, 1);
  bool was_scheduled = true;
  w.advance(1, [&](TimerNode& x) { was_scheduled = w.scheduled(x); });
  EXPECT_FALSE(was_scheduled);
}

TEST(TimingWheel, PastOrPresentDeadlineExpiresOnNextAdvance) {
  TimingWheel w(16, 100);
  TimerNode past{}, present{};
  past.owner = 1;
  present.owner = 2;
  w.schedule(past, 3);
  w.schedule(present, 100);
  EXPECT_EQ(past.deadline, 101u);  // documented: stored as now() + 1
  EXPECT_EQ(present.deadline, 101u);
  Fired fired;
  advance_to(w, 100, fired);  // not a new tick: nothing happens
  EXPECT_TRUE(fired.empty());
  advance_to(w, 101, fired);
  EXPECT_EQ(fired, (Fired{{101, 1}, {101, 2}}));
}

TEST(TimingWheel, AdvanceBackwardsOrToSameTickIsNoop) {
  TimingWheel w(16, 50);
  TimerNode n{};
  w.schedule(n, 51);
  Fired fired;
  advance_to(w, 10, fired);
  advance_to(w, 50, fired);
  EXPECT_EQ(w.now(), 50u);
  EXPECT_TRUE(fired.empty());
}

TEST(TimingWheel, TouchMovesDeadline) {
  TimingWheel w(64);
  TimerNode n{};
  w.schedule(n, 5);
  Fired fired;
  advance_to(w, 3, fired);
  w.schedule(n, 3 + 5);  // activity at tick 3 re-arms a 5-tick timeout
  advance_to(w, 7, fired);
  EXPECT_TRUE(fired.empty());
  advance_to(w, 8, fired);
  EXPECT_EQ(fired.size(), 1u);
}

TEST(TimingWheel, TouchEarlierDeadline) {
  TimingWheel w(64);
  TimerNode n{};
  w.schedule(n, 40);
  w.schedule(n, 10);
  Fired fired;
  advance_to(w, 10, fired);
  EXPECT_EQ(fired, (Fired{{10, 0}}));
}

TEST(TimingWheel, TouchSameBucketOnlyUpdatesDeadline) {
  TimingWheel w(8);
  TimerNode a{}, b{};
  a.owner = 1;
  b.owner = 2;
  w.schedule(a, 5);
  w.schedule(b, 5);
  // a is re-armed a full revolution later: same bucket, so it keeps its place in the list
  // (b still follows it) and only the deadline changes.
  w.schedule(a, 13);
  EXPECT_EQ(a.deadline, 13u);
  EXPECT_EQ(a.next, &b);
  w.schedule(b, 5);  // identical deadline: nothing moves
  EXPECT_EQ(a.next, &b);
  EXPECT_EQ(w.size(), 2u);
  Fired fired;
  advance_to(w, 5, fired);
  EXPECT_EQ(fired, (Fired{{5, 2}}));
  EXPECT_TRUE(w.scheduled(a));
  EXPECT_FALSE(w.scheduled(b));
  advance_to(w, 12, fired);
  EXPECT_TRUE(w.scheduled(a));
  advance_to(w, 13, fired);
  EXPECT_FALSE(w.scheduled(a));
  EXPECT_EQ(fired.size(), 2u);
}

TEST(TimingWheel, Cancel) {
  TimingWheel w(64);
  TimerNode a{}, b{}, never{};
  a.owner = 1;
  b.owner = 2;
  w.schedule(a, 4);
  w.schedule(b, 4);
  w.cancel(a);
  EXPECT_FALSE(w.scheduled(a));
  w.cancel(a);      // already unlinked: no-op
  w.cancel(never);  // never scheduled: no-op
  EXPECT_EQ(w.size(), 1u);
  Fired fired;
  advance_to(w, 20, fired);
  EXPECT_EQ(fired, (Fired{{4, 2}}));
  w.schedule(a, 25);  // a cancelled node can be scheduled again
  advance_to(w, 25, fired);
  EXPECT_EQ(fired.back(), (std::pair<uint64_t, uint32_t>{25, 1}));
}

TEST(TimingWheel, MultiTickAdvanceFiresEachAtItsTick) {
  // A timerfd read reporting 10 expirations is one advance(now + 10).
  TimingWheel w(32);
  std::vector<TimerNode> nodes(10);
  for (uint32_t i = 0; i < 10; ++i) {
    nodes[i].owner = i;
    w.schedule(nodes[i], 10 - i);
  }
  Fired fired;
  advance_to(w, 10, fired);
  ASSERT_EQ(fired.size(), 10u);
  for (uint32_t i = 0; i < 10; ++i) EXPECT_EQ(fired[i], (std::pair<uint64_t, uint32_t>{i + 1, 9 - i}));
  EXPECT_EQ(w.now(), 10u);
}

TEST(TimingWheel, DeadlinesBeyondSpanWaitWholeRounds) {
  TimingWheel w(8);
  TimerNode far{}, farther{};
  far.owner = 1;
  farther.owner = 2;
  w.schedule(far, 100);      // 12 revolutions + 4
  w.schedule(farther, 1004);  // same bucket, many more revolutions
  Fired fired;
  for (uint64_t t = 1; t < 100; ++t) advance_to(w, t, fired);
  EXPECT_TRUE(fired.empty());
  EXPECT_TRUE(w.scheduled(far));
  advance_to(w, 100, fired);
  EXPECT_EQ(fired, (Fired{{100, 1}}));
  for (uint64_t t = 103; t < 1004; t += 3) advance_to(w, t, fired);  // uneven steps
  EXPECT_EQ(fired.size(), 1u);
  advance_to(w, 1004, fired);
  EXPECT_EQ(fired.back(), (std::pair<uint64_t, uint32_t>{1004, 2}));
}

TEST(TimingWheel, HugeJumpIsBoundedAndLosesNothing) {
  TimingWheel w(16);
  std::vector<TimerNode> nodes(6);
  uint64_t deadlines[] = {5, 20, 1000, 999999, 1000000, 1000001};
  for (uint32_t i = 0; i < 6; ++i) {
    nodes[i].owner = i;
    w.schedule(nodes[i], deadlines[i]);
  }
  Fired fired;
  advance_to(w, 1000000, fired);
  EXPECT_EQ(w.now(), 1000000u);
  // Only the last revolution is walked: every callback sees one of its 16 ticks.
  std::vector<uint32_t> owners;
  for (auto [tick, owner] : fired) {
    EXPECT_GT(tick, 1000000u - 16);
    EXPECT_GE(tick, deadlines[owner]);
    owners.push_back(owner);
  }
  std::sort(owners.begin(), owners.end());
  EXPECT_EQ(owners, (std::vector<uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(w.scheduled(nodes[5]));
  advance_to(w, 1000001, fired);
  EXPECT_EQ(fired.back(), (std::pair<uint64_t, uint32_t>{1000001, 5}));
}

TEST(TimingWheel, CallbackReschedulesExpiredNode) {
  // A periodic timer: each expiry re-arms three ticks on, all within one long advance.
  TimingWheel w(32);
  TimerNode n{};
  w.schedule(n, 3);
  std::vector<uint64_t> ticks;
  w.advance(30, [&](TimerNode& x) {
    ticks.push_back(w.now());
    w.schedule(x, w.now() + 3);
  });
  EXPECT_EQ(ticks, (std::vector<uint64_t>{3, 6, 9, 12, 15, 18, 21, 24, 27, 30}));
  EXPECT_TRUE(w.scheduled(n));
  EXPECT_EQ(n.deadline, 33u);
}

TEST(TimingWheel, CallbackReschedulingToNowDoesNotLoop) {
  TimingWheel w(8);
  TimerNode n{};
  w.schedule(n, 1);
  int calls = 0;
  w.advance(5, [&](TimerNode& x) {
    ++calls;
    w.schedule(x, w.now());  // "now" becomes now + 1: once per tick, never spinning in one
  });
  EXPECT_EQ(calls, 5);
}

TEST(TimingWheel, CallbackReschedulesOneRevolutionLater) {
  // The expired node goes back into the very bucket being processed.
  TimingWheel w(8);
  TimerNode n{};
  w.schedule(n, 2);
  int calls = 0;
  w.advance(2, [&](TimerNode& x) {
    ++calls;
    w.schedule(x, w.now() + 8);
  });
  EXPECT_EQ(calls, 1);
  Fired fired;
  advance_to(w, 9, fired);
  EXPECT_TRUE(fired.empty());
  advance_to(w, 10, fired);
  EXPECT_EQ(fired.size(), 1u);
}

TEST(TimingWheel, CallbackCancelsOthersInSameBucket) {
  TimingWheel w(16);
  std::vector<TimerNode> nodes(5);
  for (uint32_t i = 0; i < 5; ++i) {
    nodes[i].owner = i;
    w.schedule(nodes[i], 4);
  }
  TimerNode later{};
  later.owner = 99;
  w.schedule(later, 9);
  std::vector<uint32_t> seen;
  w.advance(10, [&](TimerNode& x) {
    seen.push_back(x.owner);
    // The first expiry tears down the rest (a connection close that cascades), including
    // nodes already detached for this tick and a node in another bucket.
    for (auto& other : nodes) w.cancel(other);
    w.cancel(later);
  });
  EXPECT_EQ(seen, (std::vector<uint32_t>{0}));
  EXPECT_EQ(w.size(), 0u);
  for (auto& n : nodes) EXPECT_FALSE(w.scheduled(n));
}

TEST(TimingWheel, CallbackMovesOthersFromTheDetachedBucket) {
  TimingWheel w(16);
  TimerNode a{}, b{}, c{}, d{};
  a.owner = 1;
  b.owner = 2;
  c.owner = 3;
  d.owner = 4;
  w.schedule(a, 4);
  w.schedule(b, 4);
  w.schedule(c, 4);
  Fired fired;
  auto on_expire = [&](TimerNode& x) {
    fired.emplace_back(w.now(), x.owner);
    if (x.owner == 1) {
      w.schedule(b, 4 + 16);  // same bucket, a revolution later: must not fire now
      w.schedule(c, 7);       // another bucket, still within this advance
      w.schedule(d, 2);       // a new node, deadline in the past: fires next tick
    }
  };
  w.advance(16, on_expire);  // at most one revolution per call, so ticks stay exact
  w.advance(30, on_expire);
  EXPECT_EQ(fired, (Fired{{4, 1}, {5, 4}, {7, 3}, {20, 2}}));
  EXPECT_EQ(w.size(), 0u);
}

TEST(TimingWheel, DestroyingNodesOrWheelFirstIsSafe) {
  // The server's slab may go before or after the wheel; neither order may touch freed memory.
  // ASan checks that directly (the nodes really freed first); in every build the nodes' bytes are
  // checked too: the wheel's teardown writes nothing into them.
  {
    auto nodes = std::make_unique<TimerNode[]>(4);
    TimingWheel w(8);
    for (int i = 0; i < 4; ++i) w.schedule(nodes[i], 3 + i);
    nodes.reset();
  }
  {
    // Nodes gone first: their storage is overwritten as a freed block would be, then the wheel
    // dies; the pattern must still be there.
    alignas(TimerNode) unsigned char storage[4 * sizeof(TimerNode)];
    auto* nodes = reinterpret_cast<TimerNode*>(storage);
    for (int i = 0; i < 4; ++i) new (&nodes[i]) TimerNode{};
    {
      TimingWheel w(8);
      for (int i = 0; i < 4; ++i) w.schedule(nodes[i], 3 + i);
      EXPECT_EQ(w.size(), 4u);
      std::memset(storage, 0xA5, sizeof storage);
    }
    for (unsigned char byte : storage) ASSERT_EQ(byte, 0xA5);
  }
  {
    // The wheel gone first: the nodes keep exactly what they held (stale links included).
    auto w = std::make_unique<TimingWheel>(8);
    auto nodes = std::make_unique<TimerNode[]>(4);
    for (int i = 0; i < 4; ++i) w->schedule(nodes[i], 3 + i);
    TimerNode before[4];
    std::memcpy(before, nodes.get(), sizeof before);
    w.reset();
    EXPECT_EQ(std::memcmp(before, nodes.get(), sizeof before), 0);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(nodes[i].deadline, uint64_t(3 + i));
  }
}

TEST(TimingWheel, ThrowingCallbackLeavesWheelConsistent) {
  TimingWheel w(8);
  TimerNode a{}, b{}, c{};
  a.owner = 1;
  b.owner = 2;
  c.owner = 3;
  w.schedule(a, 2);
  w.schedule(b, 2);
  w.schedule(c, 2);
  EXPECT_THROW(w.advance(2, [](TimerNode&) { throw std::runtime_error("boom"); }),
               std::runtime_error);
  // a fired (and threw); b and c went back to their bucket and still fire.
  EXPECT_FALSE(w.scheduled(a));
  EXPECT_TRUE(w.scheduled(b));
  EXPECT_EQ(w.size(), 2u);
  Fired fired;
  advance_to(w, 10, fired);
  std::vector<uint32_t> owners;
  for (auto [tick, owner] : fired) owners.push_back(owner);
  std::sort(owners.begin(), owners.end());
  EXPECT_EQ(owners, (std::vector<uint32_t>{2, 3}));
}

// 100k nodes, random schedule / touch / cancel / advance, with callbacks that sometimes re-arm.
// The model is a std::multimap from deadline to node; it expires everything <= the target tick
// in deadline order, re-arming the same nodes the same way, and both sides must agree on every
// (tick, node) expiry.
TEST(TimingWheel, RandomizedAgainstMultimapModel) {
  constexpr uint32_t kNodes = 100000;
  constexpr size_t kSlots = 512;
  TimingWheel w(kSlots);
  std::vector<TimerNode> nodes(kNodes);
  for (uint32_t i = 0; i < kNodes; ++i) nodes[i].owner = i;

  using Model = std::multimap<uint64_t, uint32_t>;
  Model model;
  std::vector<Model::iterator> where(kNodes, model.end());
  uint64_t model_now = 0;
  auto model_schedule = [&](uint32_t id, uint64_t deadline) {
    if (deadline <= model_now) deadline = model_now + 1;
    if (where[id] != model.end()) model.erase(where[id]);
    where[id] = model.emplace(deadline, id);
  };
  auto model_cancel = [&](uint32_t id) {
    if (where[id] != model.end()) model.erase(where[id]);
    where[id] = model.end();
  };
  // Whether, and how far, a callback re-arms a node: a pure function of (node, tick), so the
  // wheel and the model make the same choice.
  auto rearm = [](uint32_t id, uint64_t tick) -> uint64_t {
    uint64_t h = (id * 0x9e3779b97f4a7c15ull) ^ (tick * 0xd6e8feb86659fd93ull);
    h ^= h >> 29;
    return h % 5 == 0 ? (h >> 8) % 1200 : UINT64_MAX;  // 0 = "now", up to twice the span
  };

  std::mt19937_64 rng(424242);
  Fired got, want;
  size_t total_fired = 0, jumps = 0;
  for (int step = 0; step < 400000; ++step) {
    uint32_t id = rng() % kNodes;
    uint32_t dice = rng() % 100;
    if (dice < 50) {
      // Mostly idle-timeout-like deadlines, some beyond the span, some in the past.
      uint64_t delta = rng() % 10 == 0 ? rng() % 5000 : rng() % 400;
      uint64_t deadline = rng() % 50 == 0 ? w.now() - std::min<uint64_t>(w.now(), rng() % 3)
                                          : w.now() + delta;
      w.schedule(nodes[id], deadline);
      model_schedule(id, deadline);
    } else if (dice < 60) {
      w.cancel(nodes[id]);
      model_cancel(id);
    } else if (dice >= 98) {
      bool jump = rng() % 20 == 0;
      uint64_t target = w.now() + (jump ? kSlots + rng() % 5000 : 1 + rng() % 40);
      got.clear();
      want.clear();
      w.advance(target, [&](TimerNode& n) {
        got.emplace_back(w.now(), n.owner);
        uint64_t d = jump ? UINT64_MAX : rearm(n.owner, w.now());
        if (d != UINT64_MAX) w.schedule(n, w.now() + d);
      });
      while (!model.empty() && model.begin()->first <= target) {
        auto [deadline, owner] = *model.begin();
        model.erase(model.begin());
        where[owner] = model.end();
        want.emplace_back(deadline, owner);
        model_now = deadline;
        uint64_t d = jump ? UINT64_MAX : rearm(owner, deadline);
        if (d != UINT64_MAX) model_schedule(owner, deadline + d);
      }
      model_now = target;
      ASSERT_EQ(w.now(), target);
      total_fired += got.size();
      jumps += jump;
      if (jump) {
        // After a jump overdue nodes fire in bucket order at a later tick: compare who fired,
        // and that nobody fired early.
        for (auto [tick, owner] : got) ASSERT_LE(nodes[owner].deadline, tick);
        auto owners = [](const Fired& f) {
          std::vector<uint32_t> v;
          for (auto [tick, owner] : f) v.push_back(owner);
          std::sort(v.begin(), v.end());
          return v;
        };
        ASSERT_EQ(owners(got), owners(want)) << "step " << step;
      } else {
        std::sort(got.begin(), got.end());
        std::sort(want.begin(), want.end());
        ASSERT_EQ(got, want) << "step " << step;
      }
    }
    ASSERT_EQ(w.size(), model.size()) << "step " << step;
    ASSERT_EQ(w.scheduled(nodes[id]), where[id] != model.end());
    if (where[id] != model.end()) {
      ASSERT_EQ(nodes[id].deadline, where[id]->first);
    }
  }
  // The run must really exercise expiry, re-arming and jumps, not just pass vacuously.
  EXPECT_GT(total_fired, 50000u);
  EXPECT_GT(jumps, 200u);
  // Drain: everything still armed fires exactly once, at its deadline.
  uint64_t end = model.empty() ? w.now() : std::prev(model.end())->first;
  got.clear();
  while (w.now() < end) advance_to(w, std::min<uint64_t>(end, w.now() + kSlots), got);
  EXPECT_EQ(got.size(), model.size());
  for (auto [tick, owner] : got) EXPECT_EQ(tick, where[owner]->first);
  EXPECT_EQ(w.size(), 0u);
}

}  // namespace
}  // namespace sb
