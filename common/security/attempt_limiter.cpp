// AttemptLimiter: sliding-window failure counting with doubling lockouts in a bounded,
// set-associative table. Policy and its reasons are in attempt_limiter.h.
#include "common/security/attempt_limiter.h"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "common/security/sha256.h"

namespace sb::security {
namespace {

// Saturating: injected time should be monotonic, but a step backwards must not wrap to "ages ago".
uint64_t elapsed(uint64_t now, uint64_t then) { return now > then ? now - then : 0; }

uint64_t mix64(uint64_t x) {  // splitmix64 finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

bool is_power_of_two(size_t n) { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace

AttemptLimiter::AttemptLimiter(Policy policy, size_t capacity, uint64_t seed)
    : policy_(policy), seed_(seed) {
  if (capacity % kWays != 0 || !is_power_of_two(capacity / kWays)) {
    throw std::invalid_argument("AttemptLimiter: capacity must be 8 times a power of two");
  }
  if (policy.max_failures == 0 || policy.max_failures > kMaxFailuresLimit ||
      policy.window_ms == 0 || policy.base_lockout_ms == 0 ||
      policy.base_lockout_ms > policy.max_lockout_ms) {
    throw std::invalid_argument("AttemptLimiter: bad policy");
  }
  slots_.resize(capacity);
  set_mask_ = capacity / kWays - 1;
}

size_t AttemptLimiter::set_of(const Key& key) const {
  uint64_t lo, hi;
  std::memcpy(&lo, key.data(), 8);
  std::memcpy(&hi, key.data() + 8, 8);
  uint64_t h = mix64(lo ^ seed_);
  h = mix64(h ^ hi ^ (seed_ * 0x9e3779b97f4a7c15ULL));
  return static_cast<size_t>(h) & set_mask_;
}

const AttemptLimiter::Entry* AttemptLimiter::find(const Key& key) const {
  const Entry* set = &slots_[set_of(key) * kWays];
  for (size_t i = 0; i < kWays; ++i) {
    if (set[i].used && set[i].key == key) return &set[i];
  }
  return nullptr;
}

uint64_t AttemptLimiter::protected_until(const Entry& e) const {
  uint64_t t = e.locked_until_ms;
  if (e.count > 0 && e.last_failure_ms + policy_.window_ms > t) {
    t = e.last_failure_ms + policy_.window_ms;
  }
  if (e.strikes > 0 && e.last_failure_ms + policy_.forget_ms > t) {
    t = e.last_failure_ms + policy_.forget_ms;
  }
  return t;
}

AttemptLimiter::Entry& AttemptLimiter::insert(const Key& key, uint64_t now_ms) {
  Entry* set = &slots_[set_of(key) * kWays];
  Entry* victim = nullptr;
  uint64_t victim_until = 0;
  for (size_t i = 0; i < kWays; ++i) {
    if (!set[i].used) {
      victim = &set[i];
      break;
    }
    uint64_t until = protected_until(set[i]);
    if (victim == nullptr || until < victim_until) {
      victim = &set[i];
      victim_until = until;
    }
  }
  if (!victim->used) {
    ++used_;
  } else if (victim_until > now_ms) {
    ++evictions_;
  }
  *victim = Entry{};
  victim->key = key;
  victim->used = true;
  return *victim;
}

uint64_t AttemptLimiter::retry_after_ms(const Key& key, uint64_t now_ms) const {
  const Entry* e = find(key);
  if (e == nullptr || now_ms >= e->locked_until_ms) return 0;
  return e->locked_until_ms - now_ms;
}

bool AttemptLimiter::record_failure(const Key& key, uint64_t now_ms) {
  Entry* e = find(key);
  if (e == nullptr) e = &insert(key, now_ms);
  if (now_ms < e->locked_until_ms) return false;  // see the policy: ignored while locked

  if (e->strikes > 0 && elapsed(now_ms, e->last_failure_ms) >= policy_.forget_ms) e->strikes = 0;
  e->last_failure_ms = now_ms;

  const uint32_t max = policy_.max_failures;
  e->recent[e->head] = now_ms;
  e->head = static_cast<uint8_t>((e->head + 1) % max);
  if (e->count < max) ++e->count;
  if (e->count < max) return false;
  // Full ring: recent[head] is the oldest of the last `max` failures. All of them inside one
  // window means the limit is reached.
  if (elapsed(now_ms, e->recent[e->head]) >= policy_.window_ms) return false;

  uint64_t lockout = policy_.base_lockout_ms;
  for (uint8_t s = 0; s < e->strikes && lockout < policy_.max_lockout_ms; ++s) lockout *= 2;
  if (lockout > policy_.max_lockout_ms) lockout = policy_.max_lockout_ms;
  e->locked_until_ms = now_ms + lockout;
  if (e->strikes < UINT8_MAX) ++e->strikes;
  e->count = 0;
  e->head = 0;
  return true;
}

void AttemptLimiter::record_success(const Key& key, uint64_t now_ms) {
  Entry* e = find(key);
  if (e == nullptr || protected_until(*e) > now_ms) return;
  *e = Entry{};
  --used_;
}

AttemptLimiter::Key AttemptLimiter::key_from_bytes(const uint8_t* addr, size_t len) {
  Key k{};
  if (len == 4) {
    k[10] = 0xff;
    k[11] = 0xff;
    std::memcpy(k.data() + 12, addr, 4);
    return k;
  }
  if (len != 16) throw std::invalid_argument("AttemptLimiter: address must be 4 or 16 bytes");
  static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(addr, kMappedPrefix, sizeof kMappedPrefix) == 0) {
    std::memcpy(k.data(), addr, 16);  // IPv4-mapped: the whole IPv4 address matters
  } else {
    std::memcpy(k.data(), addr, 8);  // the /64
  }
  return k;
}

AttemptLimiter::Key AttemptLimiter::key_for_address(std::string_view text) {
  // inet_pton needs a NUL-terminated string. Text with a NUL in it (which inet_pton would cut
  // short) or longer than any address goes to the hash.
  char buf[64];
  if (text.size() < sizeof buf && text.find('\0') == std::string_view::npos) {
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    uint8_t addr[16];
    if (inet_pton(AF_INET, buf, addr) == 1) return key_from_bytes(addr, 4);
    if (inet_pton(AF_INET6, buf, addr) == 1) return key_from_bytes(addr, 16);
  }
  Sha256Digest d = sha256(text);
  Key k;
  std::memcpy(k.data(), d.data(), k.size());
  return k;
}

}  // namespace sb::security
