// The log-linear histogram against the obvious model: a sorted array of every recorded value.
#include "common/stats/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using sb::stats::LatencyHistogram;

namespace {

// The model's answer: sorted[ceil(q*n) - 1].
uint64_t model_quantile(const std::vector<uint64_t>& sorted, double q) {
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// The histogram may report the top of the model value's bucket: never below, at most 1/128 above.
void expect_close(uint64_t got, uint64_t want, double q) {
  EXPECT_GE(got, want) << "q=" << q;
  EXPECT_LE(static_cast<double>(got), static_cast<double>(want) * (1.0 + 1.0 / 128) + 1) << "q=" << q;
}

void check_against_model(std::vector<uint64_t> values) {
  LatencyHistogram h;
  for (uint64_t v : values) h.record(v);
  std::sort(values.begin(), values.end());
  ASSERT_EQ(h.count(), values.size());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.max(), values.back());
  for (double q : {0.0, 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0})
    expect_close(h.value_at_quantile(q), model_quantile(values, q), q);
}

}  // namespace

TEST(LatencyHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.value_at_quantile(0.99), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 0; v < 256; ++v) h.record(v);
  EXPECT_EQ(h.value_at_quantile(0.5), 127u);
  EXPECT_EQ(h.value_at_quantile(1.0), 255u);
  EXPECT_EQ(h.value_at_quantile(0.0), 0u);
}

TEST(LatencyHistogram, BucketsTileTheWholeRange) {
  // Every bucket starts right after the previous one ends, and bucket_of inverts the edges.
  for (size_t i = 1; i < LatencyHistogram::kBucketCount; ++i) {
    ASSERT_EQ(LatencyHistogram::bucket_low(i), LatencyHistogram::bucket_high(i - 1) + 1) << i;
    ASSERT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::bucket_low(i)), i);
    ASSERT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::bucket_high(i)), i);
  }
  EXPECT_EQ(LatencyHistogram::bucket_of(UINT64_MAX), LatencyHistogram::kBucketCount - 1);
  EXPECT_EQ(LatencyHistogram::bucket_high(LatencyHistogram::kBucketCount - 1), UINT64_MAX);
}

TEST(LatencyHistogram, RelativeErrorBounded) {
  for (uint64_t v : {300ull, 1000ull, 12345ull, 999999ull, 1ull << 40, (1ull << 40) + 12345}) {
    uint64_t hi = LatencyHistogram::bucket_high(LatencyHistogram::bucket_of(v));
    EXPECT_GE(hi, v);
    EXPECT_LE(static_cast<double>(hi - v), static_cast<double>(v) / 128.0);
  }
}

TEST(LatencyHistogram, UniformMatchesSortedModel) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<uint64_t> d(1000, 200000);
  std::vector<uint64_t> v(100000);
  for (auto& x : v) x = d(rng);
  check_against_model(v);
}

TEST(LatencyHistogram, LongTailMatchesSortedModel) {
  // Latency-like: a lognormal body with rare huge outliers.
  std::mt19937_64 rng(2);
  std::lognormal_distribution<double> d(10.0, 1.0);
  std::vector<uint64_t> v(50000);
  for (auto& x : v) x = static_cast<uint64_t>(d(rng));
  v[17] = 5'000'000'000ull;
  v[4242] = 77'000'000ull;
  check_against_model(v);
}

TEST(LatencyHistogram, FewValuesAndDuplicates) {
  check_against_model({42});
  check_against_model({5, 5, 5, 5});
  check_against_model({1, 1000000});
  check_against_model({0, 0, 0, 7, 1u << 20, 1u << 20});
}

TEST(LatencyHistogram, MergeEqualsRecordingEverything) {
  LatencyHistogram a, b, all;
  for (uint64_t v = 0; v < 5000; ++v) {
    (v % 3 ? a : b).record(v * 37);
    all.record(v * 37);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (double q : {0.5, 0.99, 0.999}) EXPECT_EQ(a.value_at_quantile(q), all.value_at_quantile(q));
}

TEST(LatencyHistogram, SerializeRoundTrip) {
  LatencyHistogram h, back;
  for (uint64_t v = 1; v < 100000; v = v * 3 / 2 + 1) h.record_n(v, v % 7 + 1);
  ASSERT_TRUE(back.deserialize(h.serialize()));
  EXPECT_EQ(back.count(), h.count());
  EXPECT_EQ(back.min(), h.min());
  EXPECT_EQ(back.max(), h.max());
  EXPECT_EQ(back.value_at_quantile(0.9), h.value_at_quantile(0.9));

  LatencyHistogram empty;
  ASSERT_TRUE(back.deserialize(empty.serialize()));
  EXPECT_EQ(back.count(), 0u);
}

TEST(LatencyHistogram, DeserializeRejectsGarbage) {
  LatencyHistogram h;
  EXPECT_FALSE(h.deserialize(""));
  EXPECT_FALSE(h.deserialize("1 2 3"));
  EXPECT_FALSE(h.deserialize("2 0 0 0;1:1,"));        // counts do not add up
  EXPECT_FALSE(h.deserialize("1 0 0 0;999999:1,"));   // bucket out of range
  EXPECT_FALSE(h.deserialize("1 0 0 0;5:x,"));
}

TEST(LatencyHistogram, ResetForgetsEverything) {
  LatencyHistogram h;
  h.record(123456);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.max(), 0u);
  h.record(7);
  EXPECT_EQ(h.min(), 7u);
  EXPECT_EQ(h.value_at_quantile(1.0), 7u);
}

TEST(LatencyHistogram, CountAtMostIsCumulativeAtBucketEdges) {
  LatencyHistogram h;
  for (uint64_t v : {0u, 10u, 255u, 256u, 1000u, 1000000u}) h.record(v);
  EXPECT_EQ(h.count_at_most(0), 1u);
  EXPECT_EQ(h.count_at_most(9), 1u);
  EXPECT_EQ(h.count_at_most(10), 2u);
  EXPECT_EQ(h.count_at_most(255), 3u);
  EXPECT_EQ(h.count_at_most(999), 4u);  // 1000 is in a bucket that ends past 999
  const uint64_t edge = LatencyHistogram::bucket_high(LatencyHistogram::bucket_of(1000));
  EXPECT_EQ(h.count_at_most(edge), 5u);
  EXPECT_EQ(h.count_at_most(UINT64_MAX), 6u);
  EXPECT_EQ(h.sum(), 0u + 10 + 255 + 256 + 1000 + 1000000);
}
