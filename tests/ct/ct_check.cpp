// Constant-time check of the crypto primitives ("ctgrind"): each runs with its secret inputs
// (keys, private scalars, plaintext) marked undefined for valgrind memcheck, which then reports
// every conditional jump and every memory address that depends on them. Results are marked
// defined only after the code under test is done with them: public ones (ciphertext, tag, public
// key, an open's verdict) as publishing them would, secret ones (a shared secret, a decrypted
// plaintext) only so that this program can check the known answer. `make test-ct` builds this
// with the release flags and fails on any report.
#include <valgrind/memcheck.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "client/e2e_envelope.h"
#include "common/crypto/aead.h"
#include "common/crypto/box.h"
#include "common/crypto/chacha20.h"
#include "common/crypto/poly1305.h"
#include "common/crypto/x25519.h"

namespace {

using namespace sb::crypto;

int failures = 0;

template <typename T>
void secret(T& v) {
  VALGRIND_MAKE_MEM_UNDEFINED(&v, sizeof v);
}
void secret(std::vector<uint8_t>& v) { VALGRIND_MAKE_MEM_UNDEFINED(v.data(), v.size()); }
template <typename T>
void make_public(T& v) {
  VALGRIND_MAKE_MEM_DEFINED(&v, sizeof v);
}
void make_public(std::vector<uint8_t>& v) { VALGRIND_MAKE_MEM_DEFINED(v.data(), v.size()); }

// A known answer, so the run also proves the code under test did its work.
void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "ct_check: wrong result: %s\n", what);
    ++failures;
  }
}

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 13);
  return v;
}

X25519Key key_from(const char* hex) {
  X25519Key k;
  for (size_t i = 0; i < k.size(); ++i) std::sscanf(hex + 2 * i, "%2hhx", &k[i]);
  return k;
}

// RFC 7748 section 6.1.
void check_x25519() {
  X25519Key alice = key_from("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const X25519Key bob_public =
      key_from("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

  secret(alice);
  X25519Key alice_public;
  x25519_public_key(alice, alice_public);
  make_public(alice_public);
  expect(alice_public ==
             key_from("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"),
         "x25519 public key");

  X25519Key shared;
  bool ok = x25519_shared_secret(alice, bob_public, shared);
  make_public(ok);  // whether the peer's key is of low order is not a secret
  make_public(shared);
  const X25519Key expected_shared =
      key_from("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  expect(ok && shared == expected_shared, "x25519 shared secret");

  // The scalar multiplication with the point secret too: the ladder must not care which.
  X25519Key u = bob_public, out;
  secret(u);
  x25519(alice, u, out);
  make_public(out);
  expect(out == shared, "x25519 with a secret u");

  // A low-order peer: the refusal itself must not branch on the secret.
  const X25519Key zero{};
  ok = x25519_shared_secret(alice, zero, shared);
  make_public(ok);
  expect(!ok, "x25519 refuses a low-order point");

  ChachaKey box_key;
  ok = box_beforenm(alice, bob_public, box_key);
  make_public(ok);
  make_public(box_key);
  expect(ok, "box_beforenm");
}

void check_chacha20_and_poly1305() {
  ChachaKey key = key_from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const ChachaNonce nonce{};
  secret(key);
  // 8 + 4 + 1 blocks and a partial one: the AVX2 kernel, the SSE2 kernel and the portable code.
  std::vector<uint8_t> msg = pattern(13 * 64 + 7, 1), ct(msg.size());
  secret(msg);
  chacha20_encrypt(key, 1, nonce, msg.data(), ct.data(), msg.size());
  make_public(ct);

  uint8_t block[kChachaBlockSize];
  chacha20_block(key, 7, nonce, block);
  VALGRIND_MAKE_MEM_DEFINED(block, sizeof block);

  ChachaKey subkey;
  hchacha20(key, HChachaInput{}, subkey);
  make_public(subkey);

  Poly1305Key mac_key = key;
  secret(mac_key);
  Poly1305Tag tag = poly1305(mac_key, msg.data(), msg.size());
  make_public(tag);
}

// draft-irtf-cfrg-xchacha-03 A.3.1's key and nonce; the message is longer, to reach every kernel.
void check_aead() {
  ChachaKey key = key_from("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  XChachaNonce nonce;
  for (size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<uint8_t>(0x40 + i);
  const std::vector<uint8_t> aad = pattern(12, 0x50);
  const std::vector<uint8_t> original = pattern(13 * 64 + 7, 9);
  secret(key);

  std::vector<uint8_t> msg = original, ct(msg.size());
  secret(msg);
  Poly1305Tag tag;
  xchacha20_poly1305_seal(key, nonce, aad.data(), aad.size(), msg.data(), msg.size(), ct.data(),
                          tag);
  make_public(ct);  // ciphertext and tag go on the wire
  make_public(tag);

  std::vector<uint8_t> pt(ct.size());
  bool ok = xchacha20_poly1305_open(key, nonce, aad.data(), aad.size(), ct.data(), ct.size(), tag,
                                    pt.data());
  make_public(ok);
  make_public(pt);
  expect(ok && pt == original, "xchacha20_poly1305 open of a sealed message");

  // A wrong tag: the comparison runs on secret data; only its verdict is public.
  Poly1305Tag bad = tag;
  bad[5] ^= 0x10;
  ok = xchacha20_poly1305_open(key, nonce, aad.data(), aad.size(), ct.data(), ct.size(), bad,
                               pt.data());
  make_public(ok);
  expect(!ok, "xchacha20_poly1305 refuses a wrong tag");

  ChachaNonce short_nonce{};
  chacha20_poly1305_seal(key, short_nonce, aad.data(), aad.size(), msg.data(), msg.size(),
                         ct.data(), tag);
  make_public(ct);
  make_public(tag);
  ok = chacha20_poly1305_open(key, short_nonce, aad.data(), aad.size(), ct.data(), ct.size(), tag,
                              pt.data());
  make_public(ok);
  make_public(pt);
  expect(ok && pt == original, "chacha20_poly1305 round trip");
}

// The client's envelope (client/e2e_envelope.cpp): sealing and opening a direct and a multi
// envelope, and refusing a changed one, with the pair keys, the content key, the counter and the
// text secret. Lengths, ids and the header are public (they travel in clear).
void check_envelope() {
  using namespace sb::client::e2e;
  const X25519Key sender_public = key_from("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  ChachaKey pair_b = key_from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  ChachaKey pair_c = key_from("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
  ChachaKey content = key_from("404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f");
  XChachaNonce nonce{};
  const std::string original(3 * 64 + 5, 'p');
  std::string text = original;
  Inner inner{0x0102030405060708u, 0x1112131415161718u};
  secret(pair_b);
  secret(pair_c);
  secret(content);
  secret(inner);
  VALGRIND_MAKE_MEM_UNDEFINED(text.data(), text.size());

  std::string direct, multi;
  expect(seal_direct_with(nonce, sender_public, pair_b, {"a", "b"}, inner, text, &direct), "seal_direct");
  VALGRIND_MAKE_MEM_DEFINED(direct.data(), direct.size());  // the envelope goes on the wire
  expect(seal_multi_with(nonce, content, sender_public, {{"b", pair_b}, {"c", pair_c}}, {"a", "#g"}, inner, text,
                         &multi),
         "seal_multi");
  VALGRIND_MAKE_MEM_DEFINED(multi.data(), multi.size());

  Header h;
  Inner got;
  std::string opened;
  expect(parse(direct, "b", &h) == Status::ok, "parse direct");
  Status st = open(direct, h, pair_b, {"a", "b"}, &got, &opened);
  make_public(st);
  VALGRIND_MAKE_MEM_DEFINED(opened.data(), opened.size());
  make_public(got);
  expect(st == Status::ok && opened == original && got.counter == 0x0102030405060708u, "open direct");

  expect(parse(multi, "c", &h) == Status::ok, "parse multi");
  st = open(multi, h, pair_c, {"a", "#g"}, &got, &opened);
  make_public(st);
  VALGRIND_MAKE_MEM_DEFINED(opened.data(), opened.size());
  expect(st == Status::ok && opened == original, "open multi");

  // Changed on the way: the verdict is the only thing that becomes public.
  direct[direct.size() / 2] = static_cast<char>(direct[direct.size() / 2] ^ 1);
  expect(parse(direct, "b", &h) == Status::ok, "parse changed");
  st = open(direct, h, pair_b, {"a", "b"}, &got, &opened);
  make_public(st);
  expect(st == Status::forged, "open refuses a changed envelope");
}

}  // namespace

int main() {
  if (!RUNNING_ON_VALGRIND) {
    std::fprintf(stderr, "ct_check: proves nothing outside valgrind; run it with make test-ct\n");
    return 2;
  }
  for (ChachaImpl impl : {ChachaImpl::portable, ChachaImpl::sse2, ChachaImpl::avx2}) {
    if (!set_chacha_impl(impl)) {
      std::fprintf(stderr, "ct_check: %s not supported here, skipped\n", chacha_impl_name(impl));
      continue;
    }
    std::fprintf(stderr, "ct_check: chacha20 implementation %s\n", chacha_impl_name(impl));
    check_chacha20_and_poly1305();
    check_aead();
  }
  check_x25519();
  check_envelope();
  if (failures > 0) return 1;
  std::fprintf(stderr, "ct_check: done (any memcheck report above is a failure)\n");
  return 0;
}
