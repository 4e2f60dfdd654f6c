// AttemptLimiter unit tests. Time is injected in milliseconds: nothing here sleeps. The last test
// drives random failures/successes through the limiter and a straightforward std::map model.
#include "common/security/attempt_limiter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <stdexcept>
#include <string>

namespace sb::security {
namespace {

using Key = AttemptLimiter::Key;
constexpr uint64_t kSec = 1000;

Key key(const char* addr) { return AttemptLimiter::key_for_address(addr); }

// Records n failures at `now`; returns how many of them started a lockout.
int fail(AttemptLimiter& l, const Key& k, uint64_t now, int n = 1) {
  int locks = 0;
  for (int i = 0; i < n; ++i) locks += l.record_failure(k, now) ? 1 : 0;
  return locks;
}

TEST(AttemptLimiter, DefaultPolicy) {
  AttemptLimiter l;
  EXPECT_EQ(l.policy().max_failures, 5u);
  EXPECT_EQ(l.policy().window_ms, 60 * kSec);
  EXPECT_EQ(l.policy().base_lockout_ms, 30 * kSec);
  EXPECT_EQ(l.policy().max_lockout_ms, 900 * kSec);
  EXPECT_EQ(l.policy().forget_ms, 3600 * kSec);
  EXPECT_EQ(l.capacity(), 4096u);
  EXPECT_EQ(l.size(), 0u);
}

TEST(AttemptLimiter, FifthFailureInWindowLocksForThirtySeconds) {
  AttemptLimiter l;
  const Key a = key("192.0.2.1");
  const uint64_t t0 = 1'000'000;
  EXPECT_TRUE(l.allowed(a, t0));
  EXPECT_EQ(fail(l, a, t0, 4), 0);
  EXPECT_TRUE(l.allowed(a, t0));
  EXPECT_TRUE(l.record_failure(a, t0 + 1));
  EXPECT_FALSE(l.allowed(a, t0 + 1));
  EXPECT_EQ(l.retry_after_ms(a, t0 + 1), 30 * kSec);
  EXPECT_FALSE(l.allowed(a, t0 + 1 + 30 * kSec - 1));
  EXPECT_EQ(l.retry_after_ms(a, t0 + 1 + 30 * kSec - 1), 1u);
  EXPECT_TRUE(l.allowed(a, t0 + 1 + 30 * kSec));
  // Other addresses are unaffected.
  EXPECT_TRUE(l.allowed(key("192.0.2.2"), t0 + 1));
  // The count restarts after a lockout: four more failures do not lock again.
  EXPECT_EQ(fail(l, a, t0 + 31 * kSec, 4), 0);
  EXPECT_TRUE(l.allowed(a, t0 + 31 * kSec));
}

TEST(AttemptLimiter, WindowSlides) {
  AttemptLimiter l;
  const Key a = key("198.51.100.7");
  // One failure every 15 s: any five span exactly 60 s, which is not "within" the window.
  for (uint64_t t = 0; t <= 600 * kSec; t += 15 * kSec) {
    EXPECT_FALSE(l.record_failure(a, t)) << t;
  }
  EXPECT_TRUE(l.allowed(a, 600 * kSec));
  // The next one 1 ms early makes five within 60 s.
  EXPECT_TRUE(l.record_failure(a, 615 * kSec - 1));
}

TEST(AttemptLimiter, NoFixedWindowBoundaryBurst) {
  // A fixed 60 s bucket would allow 4 failures just before its end and 4 just after.
  AttemptLimiter l;
  const Key a = key("203.0.113.9");
  EXPECT_EQ(fail(l, a, 59 * kSec, 4), 0);
  EXPECT_TRUE(l.record_failure(a, 61 * kSec));
  EXPECT_FALSE(l.allowed(a, 61 * kSec));
}

TEST(AttemptLimiter, LockoutDoublesUpToCap) {
  AttemptLimiter l;
  const Key a = key("2001:db8::1");
  uint64_t now = 0;
  const uint64_t want[] = {30, 60, 120, 240, 480, 900, 900, 900};
  for (uint64_t w : want) {
    ASSERT_EQ(fail(l, a, now, 5), 1);
    EXPECT_EQ(l.retry_after_ms(a, now), w * kSec);
    now += w * kSec;  // retry the moment the lockout ends
    ASSERT_TRUE(l.allowed(a, now));
  }
}

TEST(AttemptLimiter, EscalationForgottenAfterQuietHour) {
  AttemptLimiter l;
  const Key a = key("192.0.2.50"), b = key("192.0.2.51");
  fail(l, a, 0, 5);
  fail(l, b, 0, 5);
  // One ms short of an hour of quiet: still escalated.
  fail(l, a, 3600 * kSec - 1, 5);
  EXPECT_EQ(l.retry_after_ms(a, 3600 * kSec - 1), 60 * kSec);
  // A full hour: back to the base lockout.
  fail(l, b, 3600 * kSec, 5);
  EXPECT_EQ(l.retry_after_ms(b, 3600 * kSec), 30 * kSec);
}

TEST(AttemptLimiter, SuccessDoesNotLaunderFailures) {
  AttemptLimiter l;
  const Key a = key("192.0.2.77");
  // "Fail four times, log in with my own token, repeat" must still hit the limit.
  fail(l, a, 0, 4);
  l.record_success(a, 1);
  EXPECT_TRUE(l.record_failure(a, 2));
  EXPECT_FALSE(l.allowed(a, 2));
  // A success while locked does not unlock.
  l.record_success(a, 3);
  EXPECT_FALSE(l.allowed(a, 3));
  // Nor does it reset the doubling.
  l.record_success(a, 120 * kSec);
  fail(l, a, 120 * kSec, 5);
  EXPECT_EQ(l.retry_after_ms(a, 120 * kSec), 60 * kSec);
}

TEST(AttemptLimiter, SuccessFreesEntryThatHoldsNothing) {
  AttemptLimiter l;
  const Key a = key("192.0.2.78");
  fail(l, a, 0, 2);
  EXPECT_EQ(l.size(), 1u);
  l.record_success(a, 59 * kSec);  // failures still inside the window: kept
  EXPECT_EQ(l.size(), 1u);
  l.record_success(a, 60 * kSec);
  EXPECT_EQ(l.size(), 0u);
  l.record_success(key("192.0.2.79"), 0);  // unknown address: no-op, no insert
  EXPECT_EQ(l.size(), 0u);
  EXPECT_TRUE(l.allowed(key("192.0.2.79"), 0));
  EXPECT_EQ(l.size(), 0u);  // allowed() never inserts
}

TEST(AttemptLimiter, FailuresWhileLockedAreIgnored) {
  AttemptLimiter l;
  const Key a = key("192.0.2.80");
  fail(l, a, 0, 5);
  EXPECT_EQ(fail(l, a, 10 * kSec, 20), 0);
  EXPECT_EQ(l.retry_after_ms(a, 10 * kSec), 20 * kSec);  // not extended
  EXPECT_EQ(fail(l, a, 30 * kSec, 4), 0);                 // and nothing was counted
}

TEST(AttemptLimiter, TimeGoingBackwardsIsSafe) {
  AttemptLimiter l;
  const Key a = key("192.0.2.81");
  fail(l, a, 100 * kSec, 4);
  // A step back counts as "no time passed": the fifth failure still locks.
  EXPECT_TRUE(l.record_failure(a, 50 * kSec));
  EXPECT_FALSE(l.allowed(a, 50 * kSec));
}

TEST(AttemptLimiter, AddressKeys) {
  using L = AttemptLimiter;
  // IPv4 and its IPv4-mapped IPv6 spelling are one key.
  EXPECT_EQ(key("192.0.2.1"), key("::ffff:192.0.2.1"));
  const uint8_t v4[4] = {192, 0, 2, 1};
  EXPECT_EQ(L::key_from_bytes(v4, 4), key("192.0.2.1"));
  EXPECT_NE(key("192.0.2.1"), key("192.0.2.2"));
  // IPv6: keyed by the /64.
  EXPECT_EQ(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
  EXPECT_NE(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
  EXPECT_NE(key("::1"), key("0.0.0.1"));
  uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 9, 9, 9, 9, 9, 9, 9, 9};
  EXPECT_EQ(L::key_from_bytes(v6, 16), key("2001:db8:1:2::"));
  EXPECT_THROW(L::key_from_bytes(v4, 3), std::invalid_argument);
  // Anything else is hashed: stable, distinct, and a NUL cannot truncate it to an address.
  EXPECT_EQ(key("/run/sb.sock"), key("/run/sb.sock"));
  EXPECT_NE(key("/run/sb.sock"), key("/run/sb.sock2"));
  EXPECT_NE(L::key_for_address(std::string_view("192.0.2.1\0x", 11)), key("192.0.2.1"));
  EXPECT_NE(key("fe80::1%eth0"), key("fe80::1%eth1"));
  EXPECT_NE(L::key_for_address(std::string(200, '1')), key("1"));
}

TEST(AttemptLimiter, RejectsBadConfiguration) {
  EXPECT_THROW(AttemptLimiter({}, 0), std::invalid_argument);
  EXPECT_THROW(AttemptLimiter({}, 12), std::invalid_argument);
  EXPECT_THROW(AttemptLimiter({}, 8 * 3), std::invalid_argument);
  EXPECT_NO_THROW(AttemptLimiter({}, 8));
  LockoutPolicy p;
  p.max_failures = 0;
  EXPECT_THROW(AttemptLimiter{p}, std::invalid_argument);
  p.max_failures = AttemptLimiter::kMaxFailuresLimit + 1;
  EXPECT_THROW(AttemptLimiter{p}, std::invalid_argument);
  p = {};
  p.max_lockout_ms = p.base_lockout_ms - 1;
  EXPECT_THROW(AttemptLimiter{p}, std::invalid_argument);
  p = {};
  p.window_ms = 0;
  EXPECT_THROW(AttemptLimiter{p}, std::invalid_argument);
}

TEST(AttemptLimiter, MemoryIsBoundedUnderAddressFlood) {
  AttemptLimiter l({}, 64, /*seed=*/42);
  for (uint32_t i = 0; i < 100'000; ++i) {
    uint8_t addr[4] = {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                       static_cast<uint8_t>(i)};
    l.record_failure(AttemptLimiter::key_from_bytes(addr, 4), i);
    ASSERT_LE(l.size(), l.capacity());
  }
  EXPECT_EQ(l.size(), 64u);
  EXPECT_GT(l.evictions(), 0u);
}

TEST(AttemptLimiter, EvictsExpiredEntriesBeforeLiveOnes) {
  // One set of 8 ways: every key competes for the same slots.
  AttemptLimiter l({}, AttemptLimiter::kWays);
  const Key locked = key("192.0.2.1");
  fail(l, locked, 0, 5);  // escalated: remembered for an hour
  for (int i = 2; i <= 8; ++i) fail(l, key(("192.0.2." + std::to_string(i)).c_str()), 0);
  EXPECT_EQ(l.size(), 8u);
  // At 61 s the seven single failures have aged out; newcomers take their slots for free.
  for (int i = 9; i <= 15; ++i) fail(l, key(("192.0.2." + std::to_string(i)).c_str()), 61 * kSec);
  EXPECT_EQ(l.evictions(), 0u);
  // The escalated address kept its entry: its next lockout is doubled.
  EXPECT_EQ(fail(l, locked, 62 * kSec, 5), 1);
  EXPECT_EQ(l.retry_after_ms(locked, 62 * kSec), 60 * kSec);
  // With only live entries left, the one whose protection ends soonest goes, and is counted.
  fail(l, key("192.0.2.99"), 63 * kSec);
  EXPECT_EQ(l.evictions(), 1u);
  EXPECT_FALSE(l.allowed(locked, 63 * kSec));
}

// Random failures and successes over 16 addresses against a model of the documented policy.
TEST(AttemptLimiter, MatchesModel) {
  struct Model {
    std::deque<uint64_t> recent;
    uint64_t last = 0, locked_until = 0;
    int strikes = 0;
  };
  const LockoutPolicy p;
  AttemptLimiter l(p, AttemptLimiter::kDefaultCapacity, 7);
  std::map<int, Model> model;
  std::mt19937_64 rng(1234);
  uint64_t now = 0;
  int locks = 0, forgotten = 0;
  for (int step = 0; step < 200'000; ++step) {
    // Alternate bursts (each address fails every few seconds: lockouts, escalation) with quiet
    // stretches (minutes apart: windows expire, escalation is forgotten).
    now += (step / 20'000) % 2 == 0 ? rng() % 3000 : rng() % 300'000;
    int who = static_cast<int>(rng() % 16);
    uint8_t addr[4] = {172, 16, 0, static_cast<uint8_t>(who)};
    Key k = AttemptLimiter::key_from_bytes(addr, 4);
    Model& m = model[who];
    bool want_allowed = now >= m.locked_until;
    ASSERT_EQ(l.allowed(k, now), want_allowed) << "step " << step;
    if (rng() % 10 == 0) {
      l.record_success(k, now);
      continue;
    }
    if (!want_allowed) continue;  // the server would refuse before checking a token
    bool want_lock = false;
    if (m.strikes > 0 && now - m.last >= p.forget_ms) {
      m.strikes = 0;
      ++forgotten;
    }
    m.last = now;
    m.recent.push_back(now);
    if (m.recent.size() > p.max_failures) m.recent.pop_front();
    if (m.recent.size() == p.max_failures && now - m.recent.front() < p.window_ms) {
      uint64_t d = p.base_lockout_ms;
      for (int s = 0; s < m.strikes; ++s) d = std::min(d * 2, p.max_lockout_ms);
      m.locked_until = now + d;
      ++m.strikes;
      m.recent.clear();
      want_lock = true;
      ++locks;
    }
    ASSERT_EQ(l.record_failure(k, now), want_lock) << "step " << step;
  }
  EXPECT_EQ(l.evictions(), 0u);
  // The run covered what it is meant to cover.
  EXPECT_GT(locks, 1000);
  EXPECT_GT(forgotten, 10);
}

}  // namespace
}  // namespace sb::security
