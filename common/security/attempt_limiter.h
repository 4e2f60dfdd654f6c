// AttemptLimiter: per-source-address lockout after repeated failed authentications, the brake on
// online token guessing. A fixed table (bounded memory whatever an attacker sends) driven by
// injected time in milliseconds: nothing here reads a clock, allocates after construction, or
// touches a socket.
//
// Policy (defaults in LockoutPolicy below):
//   - An address that fails `max_failures` (5) times within any `window_ms` (60 s) sliding window
//     is locked out: allowed() is false for `base_lockout_ms` (30 s).
//   - Each further lockout of the same address doubles the lockout: 30 s, 1 min, 2 min, 4 min,
//     8 min, then the `max_lockout_ms` cap (15 min). The failure count restarts at each lockout.
//   - The escalation is forgotten after `forget_ms` (1 h) without a failure from that address.
//   - A successful login does NOT erase recent failures or the escalation. Otherwise a node that
//     holds one valid token could launder a brute force against another id by interleaving its
//     own logins ("fail 4 times, log in, repeat" would never be locked out). Failures age out by
//     time only; record_success() merely frees the entry when it holds nothing any more.
//   - Failures reported while an address is locked out are ignored (the server refuses such
//     connections before checking a token, so they should not occur).
//
// Keys: 16 bytes. IPv4 a.b.c.d is stored as ::ffff:a.b.c.d, so the IPv4-mapped IPv6 spelling of
// the same address is the same key. A (non-mapped) IPv6 address is keyed by its /64 prefix: one
// subscriber usually holds a whole /64, and per-/128 limiting would give them 2^64 fresh
// addresses to guess from.
//
// Memory: `capacity` entries (4096 by default, about 0.4 MiB), 8-way set associative, sets chosen
// by a hash keyed with a caller-supplied seed (the server passes getrandom() bytes, so an attacker
// cannot aim many addresses at one set). A full set evicts the entry whose protection ends
// soonest (expired entries first). What bounded memory cannot prevent: an attacker with more
// addresses than the table holds can push out their own older entries; but each address still
// gets only max_failures guesses per window, so more addresses, not eviction, is the real lever,
// and the /64 keying is what limits that for IPv6. evictions() counts live entries pushed out.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace sb::security {

// Outside the class only because a nested struct's default member initializers cannot be used
// in a default argument of the enclosing class (GCC: "required before the end of its class").
struct LockoutPolicy {
  uint32_t max_failures = 5;              // 1..AttemptLimiter::kMaxFailuresLimit
  uint64_t window_ms = 60'000;            // sliding window in which they count
  uint64_t base_lockout_ms = 30'000;      // first lockout; doubles with each further one
  uint64_t max_lockout_ms = 15 * 60'000;  // cap on the doubling
  uint64_t forget_ms = 60 * 60'000;       // failure-free time that resets the doubling
};

class AttemptLimiter {
 public:
  using Key = std::array<uint8_t, 16>;

  static constexpr size_t kWays = 8;
  static constexpr size_t kDefaultCapacity = 4096;
  static constexpr uint32_t kMaxFailuresLimit = 8;  // storage per entry for the sliding window

  using Policy = LockoutPolicy;

  // `capacity` must be kWays times a power of two and the policy sane (max_failures in
  // 1..kMaxFailuresLimit, window and base lockout > 0, base <= max): std::invalid_argument
  // otherwise.
  explicit AttemptLimiter(Policy policy = Policy{}, size_t capacity = kDefaultCapacity,
                          uint64_t seed = 0);

  // False while `key` is locked out. Never inserts.
  bool allowed(const Key& key, uint64_t now_ms) const { return retry_after_ms(key, now_ms) == 0; }
  // Milliseconds until the lockout ends; 0 if allowed.
  uint64_t retry_after_ms(const Key& key, uint64_t now_ms) const;

  // Counts one failed authentication. Returns true if this failure started a lockout (the
  // moment worth a log line).
  bool record_failure(const Key& key, uint64_t now_ms);
  // See the policy above: never shortens or prevents a lockout.
  void record_success(const Key& key, uint64_t now_ms);

  size_t size() const { return used_; }  // entries held, including expired ones not yet reused
  size_t capacity() const { return slots_.size(); }
  uint64_t evictions() const { return evictions_; }
  const Policy& policy() const { return policy_; }

  // Key for the text form of an address (inet_ntop output, "192.0.2.1", "2001:db8::1"). Text
  // that is neither (a zone id "fe80::1%eth0", a Unix socket path) is keyed by its SHA-256.
  static Key key_for_address(std::string_view text);
  // Key for raw network-order address bytes: len 4 (in_addr) or 16 (in6_addr); any other length
  // is std::invalid_argument.
  static Key key_from_bytes(const uint8_t* addr, size_t len);

 private:
  struct Entry {
    Key key{};
    bool used = false;
    uint8_t count = 0;    // valid timestamps in recent[], at most policy.max_failures
    uint8_t head = 0;     // next write position in recent[] (the oldest once full)
    uint8_t strikes = 0;  // lockouts so far: the doubling exponent
    uint64_t last_failure_ms = 0;
    uint64_t locked_until_ms = 0;
    uint64_t recent[kMaxFailuresLimit] = {};
  };

  size_t set_of(const Key& key) const;
  const Entry* find(const Key& key) const;
  Entry* find(const Key& key) {
    return const_cast<Entry*>(static_cast<const AttemptLimiter*>(this)->find(key));
  }
  // The time until which `e` still affects a decision; at or before now the entry is dead.
  uint64_t protected_until(const Entry& e) const;
  Entry& insert(const Key& key, uint64_t now_ms);

  Policy policy_;
  std::vector<Entry> slots_;
  size_t set_mask_;
  uint64_t seed_;
  size_t used_ = 0;
  uint64_t evictions_ = 0;
};

}  // namespace sb::security
