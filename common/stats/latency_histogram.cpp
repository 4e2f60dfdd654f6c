// Log-linear bucketing: values below 2^kSubBits map to themselves; above, the position of the top
// bit picks a power-of-two range and the next kSubBits-1 bits pick the linear bucket inside it.
#include "common/stats/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>

namespace sb::stats {

namespace {
constexpr uint64_t kExact = uint64_t{1} << LatencyHistogram::kSubBits;
constexpr uint64_t kHalf = kExact >> 1;  // linear buckets per power-of-two range above kExact
}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

size_t LatencyHistogram::bucket_of(uint64_t value) {
  if (value < kExact) return static_cast<size_t>(value);
  unsigned top = 63u - static_cast<unsigned>(std::countl_zero(value));  // >= kSubBits
  unsigned shift = top - (kSubBits - 1);
  uint64_t sub = (value >> shift) - kHalf;  // 0 .. kHalf-1
  return static_cast<size_t>(kExact + (top - kSubBits) * kHalf + sub);
}

uint64_t LatencyHistogram::bucket_low(size_t index) {
  if (index < kExact) return index;
  uint64_t rel = index - kExact;
  unsigned top = static_cast<unsigned>(rel / kHalf) + kSubBits;
  uint64_t sub = rel % kHalf;
  return (kHalf + sub) << (top - (kSubBits - 1));
}

uint64_t LatencyHistogram::bucket_high(size_t index) {
  if (index < kExact) return index;
  unsigned top = static_cast<unsigned>((index - kExact) / kHalf) + kSubBits;
  uint64_t width = uint64_t{1} << (top - (kSubBits - 1));
  return bucket_low(index) + (width - 1);
}

void LatencyHistogram::record_n(uint64_t value, uint64_t n) {
  if (n == 0) return;
  counts_[bucket_of(value)] += n;
  count_ += n;
  sum_ += value * n;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = sum_ = max_ = 0;
  min_ = UINT64_MAX;
}

uint64_t LatencyHistogram::count_at_most(uint64_t value) const {
  const size_t last = bucket_of(value);
  uint64_t n = 0;
  for (size_t i = 0; i < last; ++i) n += counts_[i];
  if (bucket_high(last) <= value) n += counts_[last];
  return n;
}

uint64_t LatencyHistogram::value_at_quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Rank of the wanted value, 1-based: the sorted-array definition sorted[ceil(q*n) - 1].
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(bucket_high(i), min_, max_);
  }
  return max_;
}

std::string LatencyHistogram::serialize() const {
  // "count sum min max;index:count,index:count,..." (min is UINT64_MAX when empty).
  std::string out = std::to_string(count_) + ' ' + std::to_string(sum_) + ' ' + std::to_string(min_) + ' ' +
                    std::to_string(max_) + ';';
  for (size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] == 0) continue;
    out += std::to_string(i);
    out += ':';
    out += std::to_string(counts_[i]);
    out += ',';
  }
  return out;
}

bool LatencyHistogram::deserialize(std::string_view text) {
  reset();
  const char* p = text.data();
  const char* end = text.data() + text.size();
  auto number = [&](uint64_t* out, char sep) {
    auto [next, ec] = std::from_chars(p, end, *out);
    if (ec != std::errc() || next == end || *next != sep) return false;
    p = next + 1;
    return true;
  };
  if (!number(&count_, ' ') || !number(&sum_, ' ') || !number(&min_, ' ') || !number(&max_, ';')) return false;
  uint64_t total = 0;
  while (p < end) {
    uint64_t index = 0, n = 0;
    if (!number(&index, ':') || !number(&n, ',') || index >= kBucketCount) return false;
    counts_[index] += n;
    total += n;
  }
  return total == count_;
}

}  // namespace sb::stats
