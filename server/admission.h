// Who may connect and register: the per-address connection cap, and node authentication against
// the --auth-file credentials with a per-address lockout against token guessing. Socket-free; the
// loop passes addresses as text and time as milliseconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/routing/routing_table.h"
#include "common/security/attempt_limiter.h"
#include "common/security/credentials.h"
#include "server/options.h"

namespace sb::server {

class Admission {
 public:
  explicit Admission(const ServerOptions& options);

  // Loads the auth file if one is configured. False (with *error) if it cannot be read or parsed.
  bool load(std::string* error);
  // SIGHUP: loads the file options name now (none: authentication off). On failure the previous
  // credentials stay in force.
  bool reload(std::string* error);
  bool auth_enabled() const { return auth_enabled_; }
  size_t credential_count() const { return credentials_.size(); }
  size_t plaintext_count() const { return credentials_.plaintext_count(); }
  size_t pinned_count() const { return credentials_.pinned_count(); }
  // The end-to-end key the auth file pins for `id`, or null (none pinned, or no --auth-file).
  const security::PublicKey* pinned_key(std::string_view id) const {
    return auth_enabled_ ? credentials_.pinned_key(id) : nullptr;
  }

  // Counts a new connection from `address`; false (and nothing counted) when the address is at
  // --max-conns-per-ip. Every true must be matched by one release_address().
  bool admit_address(std::string_view address);
  void release_address(std::string_view address);
  // A reload changed --max-conns-per-ip: the caller clears the counts and, with a limit, counts
  // every connection it holds again.
  void clear_address_counts() { per_address_.clear(); }
  void count_address(std::string_view address);

  // ok: the token matched the id's (or there is no --auth-file); ok_unverified: an id absent from
  // the file admitted by --allow-unknown-ids, whose token proved nothing.
  enum class Verdict { ok, ok_unverified, refused, locked_out };
  // A HELLO proved it owns the id: it may take the id over from another connection.
  bool proves_identity(Verdict v) const { return auth_enabled_ && v == Verdict::ok; }
  // Checks HELLO's token. `reason` names why for the log ("wrong-token", "unknown-id", "locked").
  Verdict authenticate(std::string_view address, std::string_view id, std::string_view token,
                       uint64_t now_ms, std::string_view* reason);

  // "127.0.0.1:5000" -> "127.0.0.1", "[::1]:5000" -> "::1"; anything else unchanged.
  static std::string_view address_of(std::string_view peer);

 private:
  const ServerOptions& options_;
  bool auth_enabled_ = false;
  security::Credentials credentials_;
  security::AttemptLimiter limiter_;
  RoutingTable per_address_;  // address -> live connections (only with --max-conns-per-ip)
};

}  // namespace sb::server
