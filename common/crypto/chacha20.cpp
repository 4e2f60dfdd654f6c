// ChaCha20 (RFC 8439 section 2), HChaCha20 and XChaCha20 (draft-irtf-cfrg-xchacha-03 section 2.2,
// 2.3). The portable block function here is the reference; chacha20_encrypt hands whole groups of
// 8 or 4 blocks to the x86 kernels when they are selected and does the rest itself.
#include "common/crypto/chacha20.h"

#include <atomic>
#include <cstdlib>

#include "common/crypto/bytes.h"
#include "common/crypto/chacha20_x86.h"

namespace sb::crypto {
namespace {

using detail::load32_le;
using detail::store32_le;
using detail::wipe;

// "expand 32-byte k" as four little-endian words (section 2.3).
constexpr uint32_t kConstants[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

inline uint32_t rotl32(uint32_t v, int n) { return v << n | v >> (32 - n); }

// Section 2.1.
inline void quarter_round(uint32_t& a, uint32_t& b, uint32_t& c, uint32_t& d) {
  a += b; d ^= a; d = rotl32(d, 16);
  c += d; b ^= c; b = rotl32(b, 12);
  a += b; d ^= a; d = rotl32(d, 8);
  c += d; b ^= c; b = rotl32(b, 7);
}

// Section 2.3's inner_block ten times: a column round then a diagonal round.
void twenty_rounds(uint32_t x[16]) {
  for (int i = 0; i < 10; ++i) {
    quarter_round(x[0], x[4], x[8], x[12]);
    quarter_round(x[1], x[5], x[9], x[13]);
    quarter_round(x[2], x[6], x[10], x[14]);
    quarter_round(x[3], x[7], x[11], x[15]);
    quarter_round(x[0], x[5], x[10], x[15]);
    quarter_round(x[1], x[6], x[11], x[12]);
    quarter_round(x[2], x[7], x[8], x[13]);
    quarter_round(x[3], x[4], x[9], x[14]);
  }
}

// The state layout of section 2.3: constants, key, then words 12-15. ChaCha20 puts the block
// counter and the 96-bit nonce there, HChaCha20 its 128-bit input.
void init_state(uint32_t s[16], const ChachaKey& key, const uint8_t words12_15[16]) {
  for (int i = 0; i < 4; ++i) s[i] = kConstants[i];
  for (int i = 0; i < 8; ++i) s[4 + i] = load32_le(key.data() + 4 * i);
  for (int i = 0; i < 4; ++i) s[12 + i] = load32_le(words12_15 + 4 * i);
}

void init_chacha20_state(uint32_t s[16], const ChachaKey& key, uint32_t counter,
                         const ChachaNonce& nonce) {
  uint8_t tail[16];
  store32_le(tail, counter);
  for (size_t i = 0; i < kChachaNonceSize; ++i) tail[4 + i] = nonce[i];
  init_state(s, key, tail);
}

// Section 2.3: the rounds, then the input state added word by word, serialized little-endian.
void block_from_state(const uint32_t s[16], uint8_t out[kChachaBlockSize]) {
  uint32_t x[16];
  for (int i = 0; i < 16; ++i) x[i] = s[i];
  twenty_rounds(x);
  for (int i = 0; i < 16; ++i) store32_le(out + 4 * i, x[i] + s[i]);
  wipe(x, sizeof x);
}

ChachaImpl best_impl() {
  if (detail::cpu_has_avx2()) return ChachaImpl::avx2;
  if (detail::cpu_has_sse2()) return ChachaImpl::sse2;
  return ChachaImpl::portable;
}

// A function-local static so the CPU is probed on first use, never during another translation
// unit's static initialisation.
std::atomic<ChachaImpl>& impl_choice() {
  static std::atomic<ChachaImpl> choice{best_impl()};
  return choice;
}

}  // namespace

void chacha20_block(const ChachaKey& key, uint32_t counter, const ChachaNonce& nonce,
                    uint8_t out[kChachaBlockSize]) {
  uint32_t s[16];
  init_chacha20_state(s, key, counter, nonce);
  block_from_state(s, out);
  wipe(s, sizeof s);
}

void chacha20_encrypt(const ChachaKey& key, uint32_t counter, const ChachaNonce& nonce,
                      const uint8_t* in, uint8_t* out, size_t len) {
  if (len == 0) return;
  const uint64_t blocks = len / kChachaBlockSize + (len % kChachaBlockSize != 0);
  if (blocks > (uint64_t{1} << 32) - counter) std::abort();  // the counter would wrap

  uint32_t s[16];
  init_chacha20_state(s, key, counter, nonce);
  const ChachaImpl impl = chacha_impl();
  if (impl == ChachaImpl::avx2) {
    constexpr size_t kStep = detail::kAvx2Blocks * kChachaBlockSize;
    for (; len >= kStep; len -= kStep, in += kStep, out += kStep) {
      detail::chacha20_xor_blocks_avx2(s, in, out);
      s[12] += detail::kAvx2Blocks;
    }
  }
  if (impl != ChachaImpl::portable) {
    constexpr size_t kStep = detail::kSse2Blocks * kChachaBlockSize;
    for (; len >= kStep; len -= kStep, in += kStep, out += kStep) {
      detail::chacha20_xor_blocks_sse2(s, in, out);
      s[12] += detail::kSse2Blocks;
    }
  }
  uint8_t keystream[kChachaBlockSize];
  while (len > 0) {
    block_from_state(s, keystream);
    const size_t n = len < kChachaBlockSize ? len : kChachaBlockSize;
    for (size_t i = 0; i < n; ++i) out[i] = in[i] ^ keystream[i];
    ++s[12];
    in += n;
    out += n;
    len -= n;
  }
  wipe(keystream, sizeof keystream);
  wipe(s, sizeof s);
}

void hchacha20(const ChachaKey& key, const HChachaInput& input, ChachaKey& subkey) {
  uint32_t x[16];
  init_state(x, key, input.data());
  twenty_rounds(x);
  for (int i = 0; i < 4; ++i) {
    store32_le(subkey.data() + 4 * i, x[i]);
    store32_le(subkey.data() + 16 + 4 * i, x[12 + i]);
  }
  wipe(x, sizeof x);
}

void xchacha20_subkey(const ChachaKey& key, const XChachaNonce& nonce, ChachaKey& subkey,
                      ChachaNonce& short_nonce) {
  HChachaInput head;
  for (size_t i = 0; i < head.size(); ++i) head[i] = nonce[i];
  hchacha20(key, head, subkey);
  short_nonce.fill(0);
  for (size_t i = 0; i < 8; ++i) short_nonce[4 + i] = nonce[16 + i];
}

void xchacha20_encrypt(const ChachaKey& key, uint32_t counter, const XChachaNonce& nonce,
                       const uint8_t* in, uint8_t* out, size_t len) {
  ChachaKey subkey;
  ChachaNonce short_nonce;
  xchacha20_subkey(key, nonce, subkey, short_nonce);
  chacha20_encrypt(subkey, counter, short_nonce, in, out, len);
  wipe(subkey.data(), subkey.size());
}

ChachaImpl chacha_impl() { return impl_choice().load(std::memory_order_relaxed); }

bool chacha_impl_supported(ChachaImpl impl) {
  switch (impl) {
    case ChachaImpl::portable: return true;
    case ChachaImpl::sse2: return detail::cpu_has_sse2();
    case ChachaImpl::avx2: return detail::cpu_has_avx2();
  }
  return false;
}

bool set_chacha_impl(ChachaImpl impl) {
  if (!chacha_impl_supported(impl)) return false;
  impl_choice().store(impl, std::memory_order_relaxed);
  return true;
}

const char* chacha_impl_name(ChachaImpl impl) {
  switch (impl) {
    case ChachaImpl::portable: return "portable";
    case ChachaImpl::sse2: return "sse2";
    case ChachaImpl::avx2: return "avx2";
  }
  return "?";
}

}  // namespace sb::crypto
