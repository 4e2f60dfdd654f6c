// The end-to-end envelope (docs/E2E.md has it byte by byte): what an --e2e client puts in a SEND
// payload instead of the text. Pure: no I/O, no state; it depends on common/crypto and SHA-256
// only, so the constant-time check (tests/ct/) builds it as it is.
//
//   direct (one recipient):  header | ciphertext | tag
//   multi  (#group, *, pattern): header | count | count x (id, wrapped content key) | ciphertext | tag
//
// header = magic FF 53 42 45 ("\xffSBE"), version 1, kind, the sender's X25519 public key, a random
// 24-byte nonce. A direct envelope is sealed with AEAD_XChaCha20_Poly1305 under the pair key
// (box_beforenm of sender and recipient); a multi envelope under a fresh content key, which is
// wrapped under each recipient's pair key together with the SHA-256 of the sealed body. The
// associated data binds the source and target as the server routes them and every header byte,
// so a payload moved to another source, target or recipient, or changed anywhere, fails to open.
// The plaintext starts with the sender's counter and a timestamp (Inner) for replay protection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/chacha20.h"
#include "common/crypto/x25519.h"

namespace sb::client::e2e {

inline constexpr uint8_t kMagic[4] = {0xFF, 'S', 'B', 'E'};
inline constexpr uint8_t kVersion = 1;
inline constexpr size_t kHeaderSize = 62;       // magic 4, version 1, kind 1, sender key 32, nonce 24
inline constexpr size_t kInnerSize = 16;        // counter 8, timestamp 8 (big-endian)
inline constexpr size_t kTagSize = 16;
inline constexpr size_t kWrapSize = 32 + 16;    // wrapped content key and its tag
inline constexpr size_t kMaxRecipients = 65535;
inline constexpr size_t kMaxRouteName = 255;    // source and target lengths are one byte in the AAD

enum class Kind : uint8_t { direct = 1, multi = 2 };

// The route as the server sees it: the source id and the SEND target ("b", "#ops", "*", a
// pattern). The sender binds the route it sends on; the receiver checks it against the FROM line.
struct Route {
  std::string_view source;
  std::string_view target;
};

// What the plaintext carries before the text.
struct Inner {
  uint64_t counter = 0;
  uint64_t timestamp_ms = 0;  // sender's clock, milliseconds since the Unix epoch
};

struct Recipient {
  std::string_view id;
  crypto::ChachaKey pair_key;
};

// True when the payload starts with the magic: a payload meant for an --e2e client.
bool is_envelope(std::string_view payload);

// Sealing. The nonce (and a multi envelope's content key) come from crypto::random_bytes. False,
// with nothing written, for a route name over kMaxRouteName bytes or a recipient list that is
// empty, longer than kMaxRecipients or has an id over 64 bytes.
bool seal_direct(const crypto::X25519Key& sender, const crypto::ChachaKey& pair_key, const Route& route,
                 const Inner& inner, std::string_view text, std::string* out);
bool seal_multi(const crypto::X25519Key& sender, const std::vector<Recipient>& recipients, const Route& route,
                const Inner& inner, std::string_view text, std::string* out);
// The same with the random values given (tests and the constant-time check).
bool seal_direct_with(const crypto::XChachaNonce& nonce, const crypto::X25519Key& sender,
                      const crypto::ChachaKey& pair_key, const Route& route, const Inner& inner,
                      std::string_view text, std::string* out);
bool seal_multi_with(const crypto::XChachaNonce& nonce, const crypto::ChachaKey& content_key,
                     const crypto::X25519Key& sender, const std::vector<Recipient>& recipients,
                     const Route& route, const Inner& inner, std::string_view text, std::string* out);

enum class Status : uint8_t {
  ok,
  not_envelope,     // no magic: not meant for an --e2e client
  unknown_version,  // a version this client does not speak
  malformed,        // too short, a bad kind, count or id length
  not_for_us,       // a multi envelope without an entry for our id
  forged,           // a tag did not verify: changed on the way, another route, another recipient
};

// The public part of an envelope, as parse() finds it.
struct Header {
  Kind kind = Kind::direct;
  crypto::X25519Key sender{};
  size_t body = 0;  // offset of the ciphertext (after the recipient entries of a multi envelope)
  size_t wrap = 0;  // multi: offset of our wrapped key, 0 when there is none for us
  size_t wrap_id_len = 0;
};

// Reads the header (and, for a multi envelope, finds the entry for `my_id`). No secret is involved.
Status parse(std::string_view payload, std::string_view my_id, Header* out);

// Verifies and decrypts what parse() accepted: `pair_key` is box_beforenm(our private key, the
// header's sender key), `route` the source and target the FROM line gives. On ok, *inner and *text
// hold the plaintext; on anything else *text is empty.
Status open(std::string_view payload, const Header& header, const crypto::ChachaKey& pair_key,
            const Route& route, Inner* inner, std::string* text);

}  // namespace sb::client::e2e
