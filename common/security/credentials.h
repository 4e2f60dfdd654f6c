// Credentials: the node-id -> token table behind --auth-file, and the check HELLO runs against it.
// Only SHA-256 digests of tokens are kept in memory, and a presented token is hashed and compared
// digest-to-digest in constant time. No sockets, no clock: the server decides what to do with a
// Verdict (ERR auth, logging, the AttemptLimiter).
//
// File format, one entry per line:
//
//     # comment (only whole lines: '#' may appear inside a token)
//     sensor-1   sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//     printer.2  correct-horse-battery-staple
//     gateway    sha256:<64 hex digits>  x25519:<43 base64url characters>
//
//   node_id     1..64 bytes of [A-Za-z0-9_.-] (the protocol's id rule), each id at most once.
//   token_spec  either "sha256:" + 64 hex digits (either case): the SHA-256 of the token, or
//               the token itself in plain text.
//   pinned key  optional: "x25519:" + 43 base64url characters (common/security/public_key.h).
//               KEY GET for that node answers this key, and KEY SET with another is refused.
//   Fields are separated by spaces or tabs; leading/trailing blanks, a trailing '\r' (CRLF files)
//   and blank lines are ignored. Anything else is an error.
//
// Tokens are one word: 1..256 bytes of printable ASCII without spaces (0x21..0x7e), because HELLO
// is a space-separated line and a token with a space could not be sent. A plain-text token may
// not begin with "sha256:" (that prefix always means a digest).
//
// Which form to use: the digest form is recommended. A file of digests holds nothing that can be
// used to log in: a leaked copy (backup, world-readable mode, a config repo) only allows an
// offline guessing attack, which fails against random tokens. Plain text is accepted for
// convenience (test setups, a quick start) and hashed at load (the table keeps only digests and
// the read buffers are wiped), but the file itself is then as secret as every token in it: keep
// it mode 0600. plaintext_count() lets the server warn about it. To make a digest entry:
//
//     TOKEN=$(head -c 32 /dev/urandom | base64 | tr -d '=+/')   # a random token
//     printf '%s' "$TOKEN" | sha256sum                           # -> 64 hex digits, then "  -"
//
// printf '%s', not echo: echo appends a newline, and the digest of "token\n" never matches.
//
// Loading is all-or-nothing: on any error `out` is left untouched and the message names the file
// and line ("auth.txt:7: ..."), so a failed reload (SIGHUP) keeps the previous table. Error
// messages never quote a token or a token-like field, since they end up in logs.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "common/security/public_key.h"
#include "common/security/sha256.h"

namespace sb::security {

class Credentials {
 public:
  enum class Verdict { ok, wrong_token, unknown_id };

  static constexpr size_t kMaxTokenLen = 256;
  static constexpr std::string_view kDigestPrefix = "sha256:";

  // Reads and parses `path`. On success replaces *out and returns true; on failure leaves *out
  // untouched, sets *error (if non-null) to "path:line: reason" or "path: reason", returns false.
  static bool load(const std::string& path, Credentials* out, std::string* error);
  // The same parser over text already in memory; `source` names it in error messages.
  static bool parse(std::string_view text, std::string_view source, Credentials* out,
                    std::string* error);

  // ok iff `id` is in the table and SHA-256(token) equals its digest. An empty (missing) token,
  // or one that is not a valid token (see is_valid_token), is wrong_token, never ok.
  // Timing: the digest comparison is constant_time_equal over 32 bytes, so it reveals neither
  // where a guess differs nor the stored token's length. Whether an id exists is not hidden (ids
  // are public: WHO lists them), but the presented token is hashed on every path so the cost is
  // the same either way.
  Verdict check(std::string_view id, std::string_view token) const;

  bool contains(std::string_view id) const { return entries_.find(id) != entries_.end(); }
  size_t size() const { return entries_.size(); }
  // The key pinned for `id`, or null when the file pins none for it.
  const PublicKey* pinned_key(std::string_view id) const;
  size_t pinned_count() const { return pinned_count_; }
  // Entries whose token was given in plain text in the file (see the trade-off above).
  size_t plaintext_count() const { return plaintext_count_; }

  // 1..kMaxTokenLen bytes, each in 0x21..0x7e.
  static bool is_valid_token(std::string_view token);

 private:
  // The token spec of one line into its digest; false with *error (line-less) when malformed.
  static bool parse_token_spec(std::string_view id, std::string_view spec, Sha256Digest* digest,
                               bool* plaintext, std::string* error);

  struct Entry {
    Sha256Digest digest{};
    bool pinned = false;
    PublicKey key{};
  };
  std::map<std::string, Entry, std::less<>> entries_;
  size_t plaintext_count_ = 0;
  size_t pinned_count_ = 0;
};

std::string_view verdict_name(Credentials::Verdict v);

}  // namespace sb::security
