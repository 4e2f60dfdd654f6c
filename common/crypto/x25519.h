// X25519 as RFC 7748 section 5 specifies it (the Montgomery ladder on Curve25519's u-coordinate)
// and its Diffie-Hellman use from section 6.1. Constant time: the ladder swaps with masks, and no
// branch or memory index depends on the scalar. Vectors: tests/unit/test_crypto_x25519.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sb::crypto {

inline constexpr size_t kX25519KeySize = 32;

// Scalars (private keys), u-coordinates (public keys) and shared secrets alike: 32 bytes,
// little-endian, as section 5 encodes them.
using X25519Key = std::array<uint8_t, kX25519KeySize>;

// Section 5's X25519(k, u): k is clamped (decodeScalar25519), the top bit of u is ignored and a
// non-canonical u (2^255 - 19 .. 2^255 - 1) is taken mod p, as the section requires. No check of
// the result: that is x25519_shared_secret's job.
void x25519(const X25519Key& scalar, const X25519Key& u, X25519Key& out);

// Section 6.1: the public key is X25519(private_key, 9).
void x25519_public_key(const X25519Key& private_key, X25519Key& public_key);

// Section 6.1: X25519(private_key, peer_public), refused (false) when the result is all zero,
// which is what a low-order peer key produces: such a "shared" secret is known to everyone, and
// section 6.1 tells the protocol to check for it. On false, shared is all zero.
[[nodiscard]] bool x25519_shared_secret(const X25519Key& private_key, const X25519Key& peer_public,
                                        X25519Key& shared);

}  // namespace sb::crypto
