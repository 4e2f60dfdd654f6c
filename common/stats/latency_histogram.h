// HDR-style log-linear histogram of non-negative integer values (the bench records nanoseconds).
// Each power-of-two range is split into 2^(kSubBits-1) equal buckets, so any recorded value is
// reported within 1/2^(kSubBits-1) (0.8%) of itself at O(1) cost per record and a fixed 60 KiB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb::stats {

class LatencyHistogram {
 public:
  static constexpr unsigned kSubBits = 8;  // values below 2^kSubBits are counted exactly
  static constexpr size_t kBucketCount = (size_t{1} << kSubBits) + (64 - kSubBits) * (size_t{1} << (kSubBits - 1));

  LatencyHistogram();

  void record(uint64_t value) { record_n(value, 1); }
  void record_n(uint64_t value, uint64_t n);
  void merge(const LatencyHistogram& other);
  void reset();

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  uint64_t sum() const { return sum_; }
  // Values recorded in buckets that end at or below `value`: the cumulative count of a histogram
  // bucket boundary (Prometheus's `le`). Exact below 2^kSubBits; above, a value in the bucket that
  // holds `value` itself but lies beyond it is counted at the next boundary (within 0.8%).
  uint64_t count_at_most(uint64_t value) const;

  // The smallest recorded value v such that at least q*count values are <= v, reported as the
  // upper edge of v's bucket (never above max()). q in [0,1]; 0 when empty.
  uint64_t value_at_quantile(double q) const;

  // Bucket arithmetic, public for tests: index of a value and the inclusive range it covers.
  static size_t bucket_of(uint64_t value);
  static uint64_t bucket_low(size_t index);
  static uint64_t bucket_high(size_t index);

  // Compact text form (only non-empty buckets) so worker processes can ship a histogram through a
  // pipe; deserialize returns false on malformed input and leaves *this unspecified.
  std::string serialize() const;
  bool deserialize(std::string_view text);

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  uint64_t sum_ = 0;  // wraps only after ~584 years of nanoseconds in total: good enough
};

}  // namespace sb::stats
