// Credentials: auth-file parser and the token check. See credentials.h for the format and the
// reasons behind it.
#include "common/security/credentials.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "common/protocol/frame.h"
#include "common/security/constant_time.h"
#include "common/text/lines.h"

namespace sb::security {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Splits on runs of blanks; stores at most 3 fields, counts them all.
size_t split_fields(std::string_view s, std::string_view fields[3]) {
  size_t n = 0;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_blank(s[i])) ++i;
    if (i == s.size()) break;
    size_t start = i;
    while (i < s.size() && !is_blank(s[i])) ++i;
    if (n < 3) fields[n] = s.substr(start, i - start);
    ++n;
  }
  return n;
}

void set_error(std::string* error, std::string_view source, size_t line, std::string_view what) {
  if (error == nullptr) return;
  error->assign(source);
  if (line > 0) {
    error->append(":");
    error->append(std::to_string(line));
  }
  error->append(": ");
  error->append(what);
}

// SHA-256 of the empty string. A digest entry equal to it could only match an empty token, which
// is never accepted; it is almost certainly `printf '' | sha256sum` run with an unset $TOKEN.
constexpr std::string_view kEmptyDigestHex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace

bool Credentials::is_valid_token(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenLen) return false;
  for (unsigned char c : token) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool Credentials::parse_token_spec(std::string_view id, std::string_view spec, Sha256Digest* digest,
                                   bool* plaintext, std::string* error) {
  *plaintext = false;
  if (spec.substr(0, kDigestPrefix.size()) == kDigestPrefix) {
    if (!parse_hex_digest(spec.substr(kDigestPrefix.size()), digest)) {
      *error = "bad digest for '" + std::string(id) + "': 'sha256:' must be followed by exactly 64 hex digits";
      return false;
    }
    Sha256Digest empty_digest;
    parse_hex_digest(kEmptyDigestHex, &empty_digest);
    if (constant_time_equal(digest->data(), empty_digest.data(), digest->size())) {
      *error = "digest for '" + std::string(id) + "' is the SHA-256 of an empty token (was $TOKEN unset?)";
      return false;
    }
    return true;
  }
  if (!is_valid_token(spec)) {
    *error = "bad token for '" + std::string(id) + "': tokens are 1.." + std::to_string(kMaxTokenLen) +
             " bytes of printable ASCII without spaces";
    return false;
  }
  *digest = sha256(spec);
  *plaintext = true;
  return true;
}

bool Credentials::parse(std::string_view text, std::string_view source, Credentials* out,
                        std::string* error) {
  Credentials result;
  text::LineReader lines(text);
  std::string_view line;
  while (lines.next(&line)) {
    const size_t line_no = lines.line_no();
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;

    std::string_view f[3];
    size_t n = split_fields(line, f);
    if (n != 2 && n != 3) {
      // Do not quote the line: a lone field, or a further one, may well be (part of) a token.
      set_error(error, source, line_no,
                "expected 'node_id token_spec [x25519:key]', found " + std::to_string(n) + " field" +
                    (n == 1 ? "" : "s") + " (tokens cannot contain spaces)");
      return false;
    }
    std::string_view id = f[0], spec = f[1];
    if (!proto::is_valid_node_id(id)) {
      set_error(error, source, line_no,
                "invalid node id (" + std::to_string(id.size()) +
                    " bytes; ids are 1..64 bytes of [A-Za-z0-9_.-])");
      return false;
    }
    if (result.entries_.find(id) != result.entries_.end()) {
      set_error(error, source, line_no, "duplicate node id '" + std::string(id) + "'");
      return false;
    }
    Entry entry;
    bool plaintext = false;
    std::string why;
    if (!parse_token_spec(id, spec, &entry.digest, &plaintext, &why)) {
      set_error(error, source, line_no, why);
      return false;
    }
    if (n == 3) {
      // Not quoted either: a third field that is no key may be the rest of a token with a space.
      if (!parse_public_key(f[2], &entry.key)) {
        set_error(error, source, line_no,
                  "the third field for '" + std::string(id) +
                      "' is not a pinned key ('x25519:' and 43 base64url characters; tokens cannot "
                      "contain spaces)");
        return false;
      }
      entry.pinned = true;
      ++result.pinned_count_;
    }
    if (plaintext) ++result.plaintext_count_;
    result.entries_.emplace(std::string(id), entry);
  }

  *out = std::move(result);
  return true;
}

bool Credentials::load(const std::string& path, Credentials* out, std::string* error) {
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) {
    set_error(error, path, 0, std::string("cannot open: ") + std::strerror(errno));
    return false;
  }
  // Unbuffered: stdio's own buffer would be one more freed copy of any plain-text token.
  std::setvbuf(f, nullptr, _IONBF, 0);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  // fread reports a read error (EISDIR for a directory, EIO) only through ferror/errno.
  int read_errno = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (read_errno != 0) {
    set_error(error, path, 0, std::string("cannot read: ") + std::strerror(read_errno));
    return false;
  }
  bool ok = parse(text, path, out, error);
  // The text may hold plain-text tokens: do not leave them in freed memory (best effort; the
  // kernel's page cache and the parse's temporaries are beyond reach).
  volatile char* p = text.data();
  for (size_t i = 0; i < text.size(); ++i) p[i] = 0;
  volatile char* q = buf;
  for (size_t i = 0; i < sizeof buf; ++i) q[i] = 0;
  return ok;
}

Credentials::Verdict Credentials::check(std::string_view id, std::string_view token) const {
  // Whether a token is well-formed is not secret (the caller sent it), so this may exit early.
  const bool well_formed = is_valid_token(token);
  const Sha256Digest presented = sha256(well_formed ? token : std::string_view{});
  auto it = entries_.find(id);
  if (it == entries_.end()) return Verdict::unknown_id;
  if (!well_formed) return Verdict::wrong_token;
  return constant_time_equal(presented.data(), it->second.digest.data(), presented.size())
             ? Verdict::ok
             : Verdict::wrong_token;
}

const PublicKey* Credentials::pinned_key(std::string_view id) const {
  auto it = entries_.find(id);
  return it != entries_.end() && it->second.pinned ? &it->second.key : nullptr;
}

std::string_view verdict_name(Credentials::Verdict v) {
  switch (v) {
    case Credentials::Verdict::ok: return "ok";
    case Credentials::Verdict::wrong_token: return "wrong-token";
    case Credentials::Verdict::unknown_id: return "unknown-id";
  }
  return "?";
}

}  // namespace sb::security
