// The envelope's byte layout, sealing and opening. Every length and offset here is public (it is
// on the wire); only keys and plaintext are secret, and nothing branches on them: the tag verdicts
// are the AEAD's (declassified there), the rest is loads, stores and copies.
#include "client/e2e_envelope.h"

#include <algorithm>
#include <cstring>

#include "common/crypto/aead.h"
#include "common/crypto/bytes.h"
#include "common/crypto/random.h"
#include "common/security/sha256.h"

namespace sb::client::e2e {
namespace {

using crypto::ChachaKey;
using crypto::X25519Key;
using crypto::XChachaNonce;

constexpr size_t kMaxIdLen = 64;

const uint8_t* bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }
uint8_t* bytes(std::string& s) { return reinterpret_cast<uint8_t*>(s.data()); }

void put_u64_be(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

uint64_t get_u64_be(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}

bool route_fits(const Route& route) {
  return route.source.size() <= kMaxRouteName && route.target.size() <= kMaxRouteName;
}

// The associated data: len(source) source len(target) target, then `bound` (the header), then
// `extra` (a multi envelope's entry binding).
std::string associated_data(const Route& route, std::string_view bound, std::string_view extra = {}) {
  std::string aad;
  aad.reserve(2 + route.source.size() + route.target.size() + bound.size() + extra.size());
  aad.push_back(static_cast<char>(route.source.size()));
  aad.append(route.source);
  aad.push_back(static_cast<char>(route.target.size()));
  aad.append(route.target);
  aad.append(bound);
  aad.append(extra);
  return aad;
}

void append_header(Kind kind, const X25519Key& sender, const XChachaNonce& nonce, std::string* out) {
  out->append(reinterpret_cast<const char*>(kMagic), sizeof kMagic);
  out->push_back(static_cast<char>(kVersion));
  out->push_back(static_cast<char>(kind));
  out->append(reinterpret_cast<const char*>(sender.data()), sender.size());
  out->append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
}

// Appends inner | text and encrypts them in place from `at`, then appends the tag.
void seal_body(const ChachaKey& key, const XChachaNonce& nonce, const std::string& aad, size_t at,
               const Inner& inner, std::string_view text, std::string* out) {
  put_u64_be(out, inner.counter);
  put_u64_be(out, inner.timestamp_ms);
  out->append(text);
  crypto::Poly1305Tag tag;
  uint8_t* body = bytes(*out) + at;
  crypto::xchacha20_poly1305_seal(key, nonce, bytes(aad), aad.size(), body, out->size() - at, body, tag);
  out->append(reinterpret_cast<const char*>(tag.data()), tag.size());
}

bool recipients_fit(const std::vector<Recipient>& recipients) {
  if (recipients.empty() || recipients.size() > kMaxRecipients) return false;
  std::vector<std::string_view> ids;
  ids.reserve(recipients.size());
  for (const Recipient& r : recipients) {
    if (r.id.empty() || r.id.size() > kMaxIdLen) return false;
    ids.push_back(r.id);
  }
  // A repeated id would wrap the same content key twice under one (pair key, nonce): refused.
  std::sort(ids.begin(), ids.end());
  return std::adjacent_find(ids.begin(), ids.end()) == ids.end();
}

// What a multi envelope's entry binds besides the route and the header: its id length and id
// (envelope[entry, id_end)) and the digest of the sealed body.
std::string entry_binding(std::string_view envelope, size_t entry, size_t id_end, const security::Sha256Digest& body) {
  std::string out(envelope.substr(entry, id_end - entry));
  out.append(reinterpret_cast<const char*>(body.data()), body.size());
  return out;
}

// What a multi envelope's body binds besides the route and the header: the recipient count and
// every entry's id length and id (not the wrapped keys, which bind the body in turn).
std::string recipient_list(std::string_view envelope, size_t body) {
  std::string out(envelope.substr(kHeaderSize, 2));
  for (size_t pos = kHeaderSize + 2; pos < body;) {
    const size_t len = static_cast<uint8_t>(envelope[pos]);
    out.append(envelope.substr(pos, 1 + len));
    pos += 1 + len + kWrapSize;
  }
  return out;
}

XChachaNonce fresh_nonce() {
  XChachaNonce nonce;
  crypto::random_bytes(nonce.data(), nonce.size());
  return nonce;
}

}  // namespace

bool is_envelope(std::string_view payload) {
  return payload.size() >= sizeof kMagic && std::memcmp(payload.data(), kMagic, sizeof kMagic) == 0;
}

bool seal_direct(const X25519Key& sender, const ChachaKey& pair_key, const Route& route, const Inner& inner,
                 std::string_view text, std::string* out) {
  return seal_direct_with(fresh_nonce(), sender, pair_key, route, inner, text, out);
}

bool seal_multi(const X25519Key& sender, const std::vector<Recipient>& recipients, const Route& route,
                const Inner& inner, std::string_view text, std::string* out) {
  ChachaKey content_key;
  crypto::random_bytes(content_key.data(), content_key.size());
  const bool ok = seal_multi_with(fresh_nonce(), content_key, sender, recipients, route, inner, text, out);
  crypto::detail::wipe(content_key.data(), content_key.size());
  return ok;
}

bool seal_direct_with(const XChachaNonce& nonce, const X25519Key& sender, const ChachaKey& pair_key,
                      const Route& route, const Inner& inner, std::string_view text, std::string* out) {
  if (!route_fits(route)) return false;
  out->clear();
  out->reserve(kHeaderSize + kInnerSize + text.size() + kTagSize);
  append_header(Kind::direct, sender, nonce, out);
  const std::string aad = associated_data(route, *out);
  seal_body(pair_key, nonce, aad, kHeaderSize, inner, text, out);
  return true;
}

bool seal_multi_with(const XChachaNonce& nonce, const ChachaKey& content_key, const X25519Key& sender,
                     const std::vector<Recipient>& recipients, const Route& route, const Inner& inner,
                     std::string_view text, std::string* out) {
  if (!route_fits(route) || !recipients_fit(recipients)) return false;
  out->clear();
  append_header(Kind::multi, sender, nonce, out);
  const std::string header = *out;
  out->push_back(static_cast<char>(recipients.size() >> 8));
  out->push_back(static_cast<char>(recipients.size()));
  std::vector<size_t> entries;  // where each entry starts; its wrapped key is filled in below
  entries.reserve(recipients.size());
  for (const Recipient& r : recipients) {
    entries.push_back(out->size());
    out->push_back(static_cast<char>(r.id.size()));
    out->append(r.id);
    out->append(kWrapSize, '\0');
  }
  // The body first: each wrapped key binds its digest, so a recipient, who knows the content key,
  // cannot seal another body for the others under the sender's name.
  const size_t body = out->size();
  seal_body(content_key, nonce, associated_data(route, header, recipient_list(*out, body)), body, inner, text, out);
  const security::Sha256Digest digest = security::sha256(std::string_view(*out).substr(body));
  for (size_t i = 0; i < recipients.size(); ++i) {
    const size_t id_end = entries[i] + 1 + recipients[i].id.size();
    const std::string aad = associated_data(route, header, entry_binding(*out, entries[i], id_end, digest));
    uint8_t* wrapped = bytes(*out) + id_end;
    std::copy(content_key.begin(), content_key.end(), wrapped);
    crypto::Poly1305Tag tag;
    crypto::xchacha20_poly1305_seal(recipients[i].pair_key, nonce, bytes(aad), aad.size(), wrapped,
                                    content_key.size(), wrapped, tag);
    std::copy(tag.begin(), tag.end(), wrapped + content_key.size());
  }
  return true;
}

Status parse(std::string_view payload, std::string_view my_id, Header* out) {
  if (!is_envelope(payload)) return Status::not_envelope;
  if (payload.size() < sizeof kMagic + 2) return Status::malformed;
  if (static_cast<uint8_t>(payload[4]) != kVersion) return Status::unknown_version;
  const auto kind = static_cast<uint8_t>(payload[5]);
  if (kind != static_cast<uint8_t>(Kind::direct) && kind != static_cast<uint8_t>(Kind::multi)) return Status::malformed;
  if (payload.size() < kHeaderSize) return Status::malformed;
  Header h;
  h.kind = static_cast<Kind>(kind);
  std::memcpy(h.sender.data(), payload.data() + 6, h.sender.size());
  size_t pos = kHeaderSize;
  if (h.kind == Kind::multi) {
    if (payload.size() < pos + 2) return Status::malformed;
    const size_t count = size_t{static_cast<uint8_t>(payload[pos])} << 8 | static_cast<uint8_t>(payload[pos + 1]);
    pos += 2;
    if (count == 0) return Status::malformed;
    for (size_t i = 0; i < count; ++i) {
      if (payload.size() < pos + 1) return Status::malformed;
      const size_t len = static_cast<uint8_t>(payload[pos]);
      if (len == 0 || len > kMaxIdLen || payload.size() < pos + 1 + len + kWrapSize) return Status::malformed;
      if (h.wrap == 0 && payload.substr(pos + 1, len) == my_id) {
        h.wrap = pos;
        h.wrap_id_len = len;
      }
      pos += 1 + len + kWrapSize;
    }
  }
  if (payload.size() < pos + kInnerSize + kTagSize) return Status::malformed;
  h.body = pos;
  *out = h;
  return h.kind == Kind::multi && h.wrap == 0 ? Status::not_for_us : Status::ok;
}

Status open(std::string_view payload, const Header& h, const ChachaKey& pair_key, const Route& route, Inner* inner,
            std::string* text) {
  text->clear();
  if (!route_fits(route)) return Status::malformed;
  XChachaNonce nonce;
  std::memcpy(nonce.data(), payload.data() + 38, nonce.size());
  ChachaKey body_key = pair_key;
  if (h.kind == Kind::multi) {
    if (h.wrap == 0) return Status::not_for_us;
    const size_t id_end = h.wrap + 1 + h.wrap_id_len;
    const security::Sha256Digest digest = security::sha256(payload.substr(h.body));
    const std::string aad = associated_data(route, payload.substr(0, kHeaderSize),
                                            entry_binding(payload, h.wrap, id_end, digest));
    const uint8_t* wrapped = bytes(payload) + id_end;
    crypto::Poly1305Tag tag;
    std::memcpy(tag.data(), wrapped + body_key.size(), tag.size());
    if (!crypto::xchacha20_poly1305_open(pair_key, nonce, bytes(aad), aad.size(), wrapped, body_key.size(), tag,
                                         body_key.data())) {
      return Status::forged;
    }
  }
  const std::string aad = associated_data(route, payload.substr(0, kHeaderSize),
                                          h.kind == Kind::multi ? recipient_list(payload, h.body) : std::string());
  const size_t len = payload.size() - h.body - kTagSize;
  crypto::Poly1305Tag tag;
  std::memcpy(tag.data(), payload.data() + payload.size() - kTagSize, tag.size());
  text->resize(len);
  const bool ok = crypto::xchacha20_poly1305_open(body_key, nonce, bytes(aad), aad.size(), bytes(payload) + h.body,
                                                  len, tag, bytes(*text));
  crypto::detail::wipe(body_key.data(), body_key.size());
  if (!ok) {
    text->clear();
    return Status::forged;
  }
  inner->counter = get_u64_be(bytes(*text));
  inner->timestamp_ms = get_u64_be(bytes(*text) + 8);
  text->erase(0, kInnerSize);
  return Status::ok;
}

}  // namespace sb::client::e2e
