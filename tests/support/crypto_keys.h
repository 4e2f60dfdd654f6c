// The keys of the published test vectors that more than one crypto unit test uses.
#pragma once

#include "common/crypto/chacha20.h"
#include "common/crypto/x25519.h"
#include "tests/support/hex.h"

namespace sb::test {

// RFC 8439 (sections 2.3.2, 2.4.2: the bytes 00..1f; section 2.8.2 and draft-irtf-cfrg-xchacha-03
// A.3: 80..9f).
inline const crypto::ChachaKey kKey00To1f =
    unhex_array<32>("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
inline const crypto::ChachaKey kKey80To9f =
    unhex_array<32>("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");

// RFC 7748 section 6.1: the private keys of the Diffie-Hellman example.
inline const crypto::X25519Key kAlicePrivate =
    unhex_array<32>("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
inline const crypto::X25519Key kBobPrivate =
    unhex_array<32>("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");

}  // namespace sb::test
