// ChaCha20 as RFC 8439 section 2.3-2.4 specifies it (block function and stream encryption), and
// HChaCha20 / XChaCha20 as draft-irtf-cfrg-xchacha-03 section 2.2-2.3 builds them on it.
// Vectors: tests/unit/test_crypto_chacha20.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sb::crypto {

inline constexpr size_t kChachaKeySize = 32;
inline constexpr size_t kChachaNonceSize = 12;   // RFC 8439's 96-bit nonce
inline constexpr size_t kHChachaInputSize = 16;  // HChaCha20's 128-bit nonce
inline constexpr size_t kXChachaNonceSize = 24;
inline constexpr size_t kChachaBlockSize = 64;

using ChachaKey = std::array<uint8_t, kChachaKeySize>;
using ChachaNonce = std::array<uint8_t, kChachaNonceSize>;
using HChachaInput = std::array<uint8_t, kHChachaInputSize>;
using XChachaNonce = std::array<uint8_t, kXChachaNonceSize>;

// RFC 8439 section 2.3: one 64-byte keystream block.
void chacha20_block(const ChachaKey& key, uint32_t counter, const ChachaNonce& nonce,
                    uint8_t out[kChachaBlockSize]);

// RFC 8439 section 2.4: out = in XOR the keystream starting at block `counter`. The same call
// decrypts. in == out (in place) is allowed; other overlaps are not. The block counter is 32 bits
// and must not wrap (that would repeat keystream): len may cover at most 2^32 - counter blocks, and
// a longer request aborts the process rather than silently reusing keystream.
void chacha20_encrypt(const ChachaKey& key, uint32_t counter, const ChachaNonce& nonce,
                      const uint8_t* in, uint8_t* out, size_t len);

// draft-irtf-cfrg-xchacha-03 section 2.2: the 20 rounds over (constants, key, 16-byte input),
// without the final addition, returning state words 0-3 and 12-15 as a 32-byte subkey.
void hchacha20(const ChachaKey& key, const HChachaInput& input, ChachaKey& subkey);

// draft-irtf-cfrg-xchacha-03 section 2.3, the step XChaCha20 and AEAD_XChaCha20_Poly1305 share:
// subkey = hchacha20(key, nonce[0..16)), short_nonce = 0x00000000 || nonce[16..24).
void xchacha20_subkey(const ChachaKey& key, const XChachaNonce& nonce, ChachaKey& subkey,
                      ChachaNonce& short_nonce);

// draft-irtf-cfrg-xchacha-03 section 2.3: ChaCha20 under the subkey and short nonce above.
void xchacha20_encrypt(const ChachaKey& key, uint32_t counter, const XChachaNonce& nonce,
                       const uint8_t* in, uint8_t* out, size_t len);

// Which code generates the keystream for chacha20_encrypt. Every choice gives the same bytes; the
// vector kernels (x86-64) run 4 (SSE2) or 8 (AVX2) blocks at once. The default is the fastest the
// CPU supports, chosen once at start-up; tests and benchmarks switch to compare the paths.
enum class ChachaImpl { portable, sse2, avx2 };

ChachaImpl chacha_impl();
// False (and nothing changes) if this CPU or build cannot run `impl`.
bool set_chacha_impl(ChachaImpl impl);
bool chacha_impl_supported(ChachaImpl impl);
const char* chacha_impl_name(ChachaImpl impl);

}  // namespace sb::crypto
