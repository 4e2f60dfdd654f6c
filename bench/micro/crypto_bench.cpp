// The end-to-end encryption primitives on one core: X25519 key pairs and shared secrets per
// second, and XChaCha20-Poly1305 seal in bytes/s at 64 B, 1 KiB and 64 KiB with each ChaCha20
// implementation; ChaCha20 and Poly1305 alone show which half bounds the AEAD.
#include <benchmark/benchmark.h>

#include <vector>

#include "common/crypto/aead.h"
#include "common/crypto/box.h"
#include "common/crypto/chacha20.h"
#include "common/crypto/poly1305.h"
#include "common/crypto/x25519.h"

namespace {

using namespace sb::crypto;

X25519Key fixed_key(uint8_t seed) {
  X25519Key k;
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(seed * 31 + i * 7);
  return k;
}

void BM_X25519Keypair(benchmark::State& state) {
  X25519Key pub, priv;
  for (auto _ : state) {
    box_keypair(pub, priv);  // includes the 32 bytes from getrandom
    benchmark::DoNotOptimize(pub.data());
  }
  state.counters["keypairs/s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate);
}
BENCHMARK(BM_X25519Keypair);

void BM_X25519SharedSecret(benchmark::State& state) {
  const X25519Key mine = fixed_key(1);
  X25519Key peer;
  x25519_public_key(fixed_key(2), peer);
  X25519Key shared;
  for (auto _ : state) {
    benchmark::DoNotOptimize(x25519_shared_secret(mine, peer, shared));
    benchmark::ClobberMemory();
  }
  state.counters["secrets/s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate);
}
BENCHMARK(BM_X25519SharedSecret);

// Runs the body with one ChaCha20 implementation, or skips if this CPU lacks it.
class ImplScope {
 public:
  ImplScope(benchmark::State& state, ChachaImpl impl) : saved_(chacha_impl()) {
    ok_ = set_chacha_impl(impl);
    if (!ok_) state.SkipWithError("implementation not supported on this CPU");
  }
  ~ImplScope() { set_chacha_impl(saved_); }
  bool ok() const { return ok_; }

 private:
  ChachaImpl saved_;
  bool ok_;
};

void BM_XChaChaPolySeal(benchmark::State& state, ChachaImpl impl) {
  ImplScope scope(state, impl);
  if (!scope.ok()) return;
  const size_t len = static_cast<size_t>(state.range(0));
  const ChachaKey key = fixed_key(3);
  XChachaNonce nonce{};
  std::vector<uint8_t> msg(len, 0x5a), out(len);
  Poly1305Tag tag;
  for (auto _ : state) {
    ++nonce[0];  // a new nonce per message, as real use requires
    xchacha20_poly1305_seal(key, nonce, nullptr, 0, msg.data(), len, out.data(), tag);
    benchmark::DoNotOptimize(tag.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * len));
}
BENCHMARK_CAPTURE(BM_XChaChaPolySeal, avx2, ChachaImpl::avx2)->Arg(64)->Arg(1024)->Arg(65536);
BENCHMARK_CAPTURE(BM_XChaChaPolySeal, sse2, ChachaImpl::sse2)->Arg(64)->Arg(1024)->Arg(65536);
BENCHMARK_CAPTURE(BM_XChaChaPolySeal, portable, ChachaImpl::portable)
    ->Arg(64)->Arg(1024)->Arg(65536);

void BM_ChaCha20(benchmark::State& state, ChachaImpl impl) {
  ImplScope scope(state, impl);
  if (!scope.ok()) return;
  const size_t len = static_cast<size_t>(state.range(0));
  const ChachaKey key = fixed_key(4);
  const ChachaNonce nonce{};
  std::vector<uint8_t> buf(len, 0x5a);
  for (auto _ : state) {
    chacha20_encrypt(key, 1, nonce, buf.data(), buf.data(), len);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * len));
}
BENCHMARK_CAPTURE(BM_ChaCha20, avx2, ChachaImpl::avx2)->Arg(65536);
BENCHMARK_CAPTURE(BM_ChaCha20, sse2, ChachaImpl::sse2)->Arg(65536);
BENCHMARK_CAPTURE(BM_ChaCha20, portable, ChachaImpl::portable)->Arg(65536);

void BM_Poly1305(benchmark::State& state) {
  const size_t len = static_cast<size_t>(state.range(0));
  const Poly1305Key key = fixed_key(5);
  std::vector<uint8_t> msg(len, 0x5a);
  for (auto _ : state) {
    Poly1305Tag tag = poly1305(key, msg.data(), len);
    benchmark::DoNotOptimize(tag.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * len));
}
BENCHMARK(BM_Poly1305)->Arg(65536);

}  // namespace
