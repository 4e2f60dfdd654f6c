// RoutingTable unit tests: the basic contract, growth and churn, keys built to collide so the
// Robin Hood and backward-shift paths are exercised on purpose, and a long randomized run
// against std::unordered_map as the model.
#include "common/routing/routing_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb {
namespace {

constexpr uint64_t kSeed = 0x5eed5eed12345678ull;

// Iteration must yield exactly the model's contents, each id once.
template <class Model>
void expect_same_contents(const RoutingTable& t, const Model& model) {
  ASSERT_EQ(t.size(), model.size());
  std::map<std::string, uint32_t> got;
  for (const auto& e : t) {
    ASSERT_TRUE(got.emplace(std::string(e.id()), e.slot).second) << "duplicate " << e.id();
  }
  std::map<std::string, uint32_t> want(model.begin(), model.end());
  EXPECT_EQ(got, want);
}

// `count` distinct keys that all hash to the same home bucket of a table with `buckets` buckets.
std::vector<std::string> colliding_keys(size_t count, size_t buckets, size_t home) {
  unsigned shift = 64 - __builtin_ctzll(buckets);
  std::vector<std::string> out;
  for (uint64_t i = 0; out.size() < count; ++i) {
    std::string k = "c" + std::to_string(i);
    if ((RoutingTable::hash(k, kSeed) >> shift) == home) out.push_back(k);
  }
  return out;
}

TEST(RoutingTable, EmptyTable) {
  RoutingTable t(kSeed);
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.find("x"), nullptr);
  EXPECT_FALSE(t.erase("x"));
  EXPECT_EQ(t.begin(), t.end());
  EXPECT_TRUE(t.check_invariants());
}

TEST(RoutingTable, InsertFindErase) {
  RoutingTable t(kSeed);
  EXPECT_TRUE(t.insert("alice", 1));
  EXPECT_TRUE(t.insert("bob", 2));
  ASSERT_NE(t.find("alice"), nullptr);
  EXPECT_EQ(*t.find("alice"), 1u);
  EXPECT_EQ(*t.find("bob"), 2u);
  EXPECT_EQ(t.find("carol"), nullptr);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_TRUE(t.erase("alice"));
  EXPECT_EQ(t.find("alice"), nullptr);
  EXPECT_EQ(*t.find("bob"), 2u);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_TRUE(t.check_invariants());
}

TEST(RoutingTable, DuplicateInsertLeavesMapUnchanged) {
  RoutingTable t(kSeed);
  EXPECT_TRUE(t.insert("node-1", 10));
  EXPECT_FALSE(t.insert("node-1", 99));
  EXPECT_EQ(*t.find("node-1"), 10u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(RoutingTable, DuplicateInsertAtGrowthThresholdDoesNotGrow) {
  RoutingTable t(kSeed);
  for (uint32_t i = 0; t.size() < 12; ++i) t.insert("n" + std::to_string(i), i);  // 16 * 0.8 = 12
  size_t buckets = t.bucket_count();
  EXPECT_FALSE(t.insert("n0", 7));
  EXPECT_EQ(t.bucket_count(), buckets);
}

TEST(RoutingTable, EraseAbsent) {
  RoutingTable t(kSeed);
  t.insert("a", 1);
  EXPECT_FALSE(t.erase("b"));
  EXPECT_FALSE(t.erase(""));
  EXPECT_TRUE(t.erase("a"));
  EXPECT_FALSE(t.erase("a"));
  EXPECT_TRUE(t.empty());
}

TEST(RoutingTable, MutableFindUpdatesSlot) {
  RoutingTable t(kSeed);
  t.insert("n", 1);
  *t.find("n") = 5;
  EXPECT_EQ(*t.find("n"), 5u);
}

TEST(RoutingTable, KeyLengthLimits) {
  RoutingTable t(kSeed);
  std::string k64(64, 'z'), k65(65, 'z');
  EXPECT_TRUE(t.insert("a", 1));
  EXPECT_TRUE(t.insert(k64, 64));
  EXPECT_FALSE(t.insert(k65, 65));  // documented: refused, not truncated
  EXPECT_EQ(t.find(k65), nullptr);
  EXPECT_FALSE(t.erase(k65));
  EXPECT_EQ(*t.find("a"), 1u);
  EXPECT_EQ(*t.find(k64), 64u);
  EXPECT_EQ(t.find(std::string(63, 'z')), nullptr);
  EXPECT_EQ(t.size(), 2u);
}

TEST(RoutingTable, KeysAreBinarySafe) {
  RoutingTable t(kSeed);
  std::string with_nul("a\0b", 3);
  EXPECT_TRUE(t.insert(with_nul, 1));
  EXPECT_TRUE(t.insert("a", 2));
  EXPECT_EQ(*t.find(with_nul), 1u);
  EXPECT_EQ(t.find(std::string("a\0c", 3)), nullptr);
}

TEST(RoutingTable, EveryLengthAndLastByteVariant) {
  // Ids that share everything but their length or their last byte: exercises each branch of the
  // hash (1-3, 4-7, 8-16, 17-64 bytes) and the overlapping reads at the block boundaries.
  RoutingTable t(kSeed);
  std::unordered_map<std::string, uint32_t> model;
  uint32_t v = 0;
  for (size_t len = 1; len <= 64; ++len) {
    for (char last : std::string("abcdefghijklmnopqrstuvwxyz0123456789-_.")) {
      std::string k(len - 1, 'p');
      k += last;
      ASSERT_TRUE(t.insert(k, v));
      model[k] = v++;
    }
  }
  ASSERT_TRUE(t.check_invariants());
  for (const auto& [k, slot] : model) ASSERT_EQ(*t.find(k), slot) << k;
  expect_same_contents(t, model);
}

TEST(RoutingTable, CommonPrefixes) {
  RoutingTable t(kSeed);
  std::unordered_map<std::string, uint32_t> model;
  std::string prefix(40, 'x');
  for (uint32_t i = 0; i < 20000; ++i) {
    std::string k = prefix + std::to_string(i);
    ASSERT_TRUE(t.insert(k, i));
    model[k] = i;
  }
  for (const auto& [k, slot] : model) ASSERT_EQ(*t.find(k), slot);
  EXPECT_EQ(t.find(prefix), nullptr);
  EXPECT_EQ(t.find(prefix + "20000"), nullptr);
  EXPECT_TRUE(t.check_invariants());
}

TEST(RoutingTable, GrowthAcrossManyResizes) {
  RoutingTable t(kSeed);
  size_t resizes = 0, last_buckets = 0;
  for (uint32_t i = 0; i < 200000; ++i) {
    ASSERT_TRUE(t.insert("node-" + std::to_string(i), i));
    if (t.bucket_count() != last_buckets) {
      ++resizes;
      last_buckets = t.bucket_count();
      ASSERT_TRUE(t.check_invariants()) << "after growth to " << last_buckets;
    }
    ASSERT_LE(t.size(), t.bucket_count() * 4 / 5);
  }
  EXPECT_GE(resizes, 14u);  // 16 -> 262144 buckets
  for (uint32_t i = 0; i < 200000; ++i) ASSERT_EQ(*t.find("node-" + std::to_string(i)), i);
  EXPECT_EQ(t.find("node-200000"), nullptr);
  EXPECT_TRUE(t.check_invariants());
}

TEST(RoutingTable, ReserveAvoidsRehash) {
  RoutingTable t(kSeed);
  t.reserve(100000);
  size_t buckets = t.bucket_count();
  EXPECT_GE(buckets * 4 / 5, 100000u);
  for (uint32_t i = 0; i < 100000; ++i) t.insert("node-" + std::to_string(i), i);
  EXPECT_EQ(t.bucket_count(), buckets);
  t.reserve(10);  // never shrinks
  EXPECT_EQ(t.bucket_count(), buckets);
  EXPECT_TRUE(t.check_invariants());
}

TEST(RoutingTable, ClearKeepsCapacityAndWorksAfter) {
  RoutingTable t(kSeed);
  for (uint32_t i = 0; i < 1000; ++i) t.insert("n" + std::to_string(i), i);
  size_t buckets = t.bucket_count();
  t.clear();
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.bucket_count(), buckets);
  EXPECT_EQ(t.find("n1"), nullptr);
  EXPECT_EQ(t.begin(), t.end());
  EXPECT_TRUE(t.check_invariants());
  EXPECT_TRUE(t.insert("n1", 42));
  EXPECT_EQ(*t.find("n1"), 42u);
}

TEST(RoutingTable, IterationIsDenseAfterErase) {
  RoutingTable t(kSeed);
  for (uint32_t i = 0; i < 100; ++i) t.insert("n" + std::to_string(i), i);
  for (uint32_t i = 0; i < 100; i += 3) t.erase("n" + std::to_string(i));
  std::unordered_map<std::string, uint32_t> model;
  for (uint32_t i = 0; i < 100; ++i) {
    if (i % 3 != 0) model["n" + std::to_string(i)] = i;
  }
  EXPECT_EQ(static_cast<size_t>(t.end() - t.begin()), model.size());
  expect_same_contents(t, model);
}

TEST(RoutingTable, BackwardShiftInMiddleOfCluster) {
  // Eight keys with the same home bucket form one run; erasing from its start, middle and end
  // must pull the rest back so all stay reachable and no tombstone or gap is left behind.
  for (size_t victim = 0; victim < 8; ++victim) {
    RoutingTable t(kSeed);
    t.reserve(12);
    ASSERT_EQ(t.bucket_count(), 16u);
    auto keys = colliding_keys(8, 16, 14);  // home near the end so the run wraps around
    // Plus keys homed just after, which the run displaces and the shift must move back.
    auto after = colliding_keys(3, 16, 15);
    for (uint32_t i = 0; i < 8; ++i) ASSERT_TRUE(t.insert(keys[i], i));
    for (uint32_t i = 0; i < 3; ++i) ASSERT_TRUE(t.insert(after[i], 100 + i));
    ASSERT_TRUE(t.check_invariants());
    ASSERT_TRUE(t.erase(keys[victim]));
    EXPECT_TRUE(t.check_invariants()) << "victim " << victim;
    EXPECT_EQ(t.find(keys[victim]), nullptr);
    for (uint32_t i = 0; i < 8; ++i) {
      if (i != victim) {
        EXPECT_EQ(*t.find(keys[i]), i) << i;
      }
    }
    for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(*t.find(after[i]), 100 + i);
    // Drain the rest in an order that hits the start, middle and end of what remains.
    std::vector<bool> live(8, true);
    live[victim] = false;
    for (uint32_t i : {3u, 0u, 7u, 5u, 1u, 6u, 2u, 4u}) {
      if (i == victim) continue;
      ASSERT_TRUE(t.erase(keys[i]));
      live[i] = false;
      ASSERT_TRUE(t.check_invariants());
      for (uint32_t j = 0; j < 8; ++j) {
        if (live[j]) {
          ASSERT_EQ(*t.find(keys[j]), j);
        }
      }
    }
    for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(*t.find(after[i]), 100 + i);
  }
}

TEST(RoutingTable, FullClusterChurn) {
  // Everything in one home bucket: lookups and erases walk the longest possible runs.
  RoutingTable t(kSeed);
  t.reserve(12);
  auto keys = colliding_keys(12, 16, 3);
  std::mt19937_64 rng(7);
  std::unordered_map<std::string, uint32_t> model;
  for (int step = 0; step < 20000; ++step) {
    const std::string& k = keys[rng() % keys.size()];
    if (rng() % 2) {
      ASSERT_EQ(t.insert(k, step), model.emplace(k, step).second);
    } else {
      ASSERT_EQ(t.erase(k), model.erase(k) == 1);
    }
    ASSERT_TRUE(t.check_invariants());
  }
  ASSERT_EQ(t.bucket_count(), 16u);
  expect_same_contents(t, model);
}

TEST(RoutingTable, HeavyChurn) {
  // A server's life: a steady population with constant joins and leaves.
  RoutingTable t(kSeed);
  std::unordered_map<std::string, uint32_t> model;
  std::mt19937_64 rng(11);
  for (uint32_t i = 0; i < 50000; ++i) {
    std::string k = "node-" + std::to_string(i);
    t.insert(k, i);
    model[k] = i;
  }
  std::vector<std::string> live;
  for (const auto& kv : model) live.push_back(kv.first);
  for (uint32_t round = 0; round < 200000; ++round) {
    size_t victim = rng() % live.size();
    ASSERT_TRUE(t.erase(live[victim]));
    model.erase(live[victim]);
    ASSERT_FALSE(t.erase(live[victim]));
    std::string k = "node-" + std::to_string(50000 + round);
    ASSERT_TRUE(t.insert(k, round));
    model[k] = round;
    live[victim] = k;
  }
  EXPECT_TRUE(t.check_invariants());
  for (const auto& [k, slot] : model) ASSERT_EQ(*t.find(k), slot);
  expect_same_contents(t, model);
  // Without tombstones, churn at a constant population never forces growth.
  EXPECT_EQ(t.bucket_count(), 65536u);
}

TEST(RoutingTable, RandomizedDifferentialAgainstUnorderedMap) {
  RoutingTable t(kSeed);
  std::unordered_map<std::string, uint32_t> model;
  std::mt19937_64 rng(20240601);
  // A key space a few times the live size, so inserts hit present keys and erases hit absent
  // ones often; lengths span 1..64 with a realistic shared prefix on some.
  auto random_key = [&] {
    uint64_t r = rng() % 60000;
    switch (r % 4) {
      case 0: return "node-" + std::to_string(r);
      case 1: return std::string(1 + r % 64, static_cast<char>('a' + r % 26));
      case 2: return std::to_string(r * 2654435761u).substr(0, 1 + r % 10);
      default: return std::string(48, 'q') + std::to_string(r);
    }
  };
  constexpr int kOps = 600000;
  for (int op = 0; op < kOps; ++op) {
    std::string k = random_key();
    uint32_t dice = rng() % 100;
    if (dice < 45) {
      uint32_t slot = static_cast<uint32_t>(rng());
      bool fresh = model.emplace(k, slot).second;
      ASSERT_EQ(t.insert(k, slot), fresh) << "op " << op << " key " << k;
    } else if (dice < 75) {
      ASSERT_EQ(t.erase(k), model.erase(k) == 1) << "op " << op << " key " << k;
    } else if (dice < 99) {
      auto it = model.find(k);
      const uint32_t* got = t.find(k);
      if (it == model.end()) {
        ASSERT_EQ(got, nullptr) << "op " << op << " key " << k;
      } else {
        ASSERT_NE(got, nullptr) << "op " << op << " key " << k;
        ASSERT_EQ(*got, it->second);
      }
    }
    if (op % 150000 == 149999) {  // a clear() now and then, then refill from empty
      t.clear();
      model.clear();
    }
    ASSERT_EQ(t.size(), model.size());
    if (op % 50000 == 0) {
      ASSERT_TRUE(t.check_invariants()) << "op " << op;
      expect_same_contents(t, model);
    }
  }
  EXPECT_TRUE(t.check_invariants());
  expect_same_contents(t, model);
}

TEST(RoutingTable, DefaultSeedIsRandomButStablePerProcess) {
  RoutingTable a, b;
  EXPECT_EQ(a.seed(), b.seed());
  EXPECT_NE(RoutingTable::hash("node-1", 1), RoutingTable::hash("node-1", 2));
}

TEST(RoutingTable, HashSpreadsSequentialIds) {
  // Sequential ids are the common case. Fingerprints (low 8 bits) and bucket choice (high bits)
  // must both be near uniform, or misses start touching keys and runs grow.
  constexpr int kN = 1 << 20;
  std::vector<uint32_t> fp(256, 0), top(1024, 0);
  std::vector<uint64_t> all;
  all.reserve(kN);
  for (int i = 0; i < kN; ++i) {
    uint64_t h = RoutingTable::hash("node-" + std::to_string(i), kSeed);
    ++fp[h & 0xff];
    ++top[h >> 54];
    all.push_back(h);
  }
  for (uint32_t c : fp) EXPECT_NEAR(c, kN / 256.0, kN / 256.0 * 0.05);
  for (uint32_t c : top) EXPECT_NEAR(c, kN / 1024.0, kN / 1024.0 * 0.12);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "64-bit hash collision";
}

TEST(RoutingTable, HashAvalanche) {
  // Flipping any single input bit should flip each output bit about half the time.
  std::mt19937_64 rng(3);
  for (size_t len : {1u, 3u, 5u, 8u, 12u, 16u, 17u, 33u, 64u}) {
    std::vector<int> flips(64, 0);
    int trials = 0;
    for (int rep = 0; rep < 200; ++rep) {
      std::string k(len, 0);
      for (char& c : k) c = static_cast<char>(rng());
      uint64_t base = RoutingTable::hash(k, kSeed);
      for (size_t bit = 0; bit < len * 8; ++bit) {
        std::string m = k;
        m[bit / 8] ^= static_cast<char>(1 << (bit % 8));
        uint64_t d = base ^ RoutingTable::hash(m, kSeed);
        for (int o = 0; o < 64; ++o) flips[o] += (d >> o) & 1;
        ++trials;
      }
    }
    // 1-byte keys have only 1024 distinct (key, flipped key) pairs, so judge each length by
    // the distinct pairs it really has: five standard deviations of a fair coin.
    double pairs = std::min<double>(trials, len == 1 ? 1024 : trials);
    double tolerance = 5 * 0.5 / std::sqrt(pairs);
    for (int o = 0; o < 64; ++o) {
      EXPECT_NEAR(flips[o] / static_cast<double>(trials), 0.5, tolerance)
          << "len " << len << " bit " << o;
    }
  }
}

}  // namespace
}  // namespace sb
