// Admission policy: per-address caps and token checks. The failure limiter is keyed by address so
// that one host guessing tokens is slowed down without affecting the others.
#include "server/admission.h"

#include "common/security/random_seed.h"

namespace sb::server {

Admission::Admission(const ServerOptions& options)
    : options_(options),
      limiter_(security::LockoutPolicy{}, security::AttemptLimiter::kDefaultCapacity,
               security::process_random_seed()) {}

bool Admission::load(std::string* error) {
  if (options_.auth_file.empty()) return true;
  if (!security::Credentials::load(options_.auth_file, &credentials_, error)) return false;
  auth_enabled_ = true;
  return true;
}

bool Admission::reload(std::string* error) {
  security::Credentials fresh;
  if (!options_.auth_file.empty() && !security::Credentials::load(options_.auth_file, &fresh, error)) return false;
  credentials_ = std::move(fresh);
  auth_enabled_ = !options_.auth_file.empty();
  return true;
}

std::string_view Admission::address_of(std::string_view peer) {
  if (!peer.empty() && peer.front() == '[') {
    size_t close = peer.find(']');
    return close == std::string_view::npos ? peer : peer.substr(1, close - 1);
  }
  size_t colon = peer.rfind(':');
  return colon == std::string_view::npos ? peer : peer.substr(0, colon);
}

bool Admission::admit_address(std::string_view address) {
  if (options_.max_conns_per_ip == 0) return true;
  if (uint32_t* count = per_address_.find(address)) {
    if (*count >= options_.max_conns_per_ip) return false;
    ++*count;
    return true;
  }
  return per_address_.insert(address, 1);
}

void Admission::count_address(std::string_view address) {
  if (uint32_t* count = per_address_.find(address)) {
    ++*count;
  } else {
    per_address_.insert(address, 1);
  }
}

void Admission::release_address(std::string_view address) {
  if (options_.max_conns_per_ip == 0) return;
  uint32_t* count = per_address_.find(address);
  if (count == nullptr) return;
  if (--*count == 0) per_address_.erase(address);
}

Admission::Verdict Admission::authenticate(std::string_view address, std::string_view id,
                                           std::string_view token, uint64_t now_ms,
                                           std::string_view* reason) {
  *reason = "ok";
  if (!auth_enabled_) return Verdict::ok;
  const auto key = security::AttemptLimiter::key_for_address(address);
  if (!limiter_.allowed(key, now_ms)) {
    *reason = "locked";
    return Verdict::locked_out;
  }
  const auto verdict = credentials_.check(id, token);
  if (verdict == security::Credentials::Verdict::unknown_id && options_.allow_unknown_ids) return Verdict::ok_unverified;
  if (verdict != security::Credentials::Verdict::ok) {
    *reason = security::verdict_name(verdict);
    limiter_.record_failure(key, now_ms);
    return Verdict::refused;
  }
  limiter_.record_success(key, now_ms);
  return Verdict::ok;
}

}  // namespace sb::server
