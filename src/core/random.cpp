#include "core/random.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "core/simd.h"

namespace mppmc {

namespace {

void uniforms_portable(std::uint64_t seed, const std::uint32_t* paths, int n, Stream stream, std::uint32_t item,
                       std::uint32_t period, double* u) {
  for (int i = 0; i < n; ++i) u[i] = uniform_at({seed, paths[i], stream, item, period});
}

#if defined(__x86_64__) || defined(__i386__)
// Philox4x32-10 (Random123's philox4x32_R with its constants) on four counters at once: each
// 64-bit lane holds one 32-bit word, so that _mm256_mul_epu32 gives a round's full 64-bit
// products. Integer operations only: the same bits as r123::Philox4x32.
[[gnu::target("avx2")]] void uniforms_avx2(std::uint64_t seed, const std::uint32_t* paths, int n, Stream stream,
                                           std::uint32_t item, std::uint32_t period, double* u) {
  const __m256i multiplier0 = _mm256_set1_epi64x(0xD2511F53), multiplier1 = _mm256_set1_epi64x(0xCD9E8D57);
  const __m256i low_word = _mm256_set1_epi64x(0xffffffff);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256i x0 = _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(paths + i)));
    __m256i x1 = _mm256_set1_epi64x(static_cast<std::uint32_t>(stream));
    __m256i x2 = _mm256_set1_epi64x(item), x3 = _mm256_set1_epi64x(period);
    std::uint32_t key0 = static_cast<std::uint32_t>(seed), key1 = static_cast<std::uint32_t>(seed >> 32);
    for (int round = 0; round < 10; ++round) {
      if (round > 0) {  // the key schedule (Weyl sequence) between rounds
        key0 += 0x9E3779B9u;
        key1 += 0xBB67AE85u;
      }
      const __m256i product0 = _mm256_mul_epu32(x0, multiplier0), product1 = _mm256_mul_epu32(x2, multiplier1);
      const __m256i next0 =
          _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(product1, 32), x1), _mm256_set1_epi64x(key0));
      const __m256i next2 =
          _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(product0, 32), x3), _mm256_set1_epi64x(key1));
      x1 = _mm256_and_si256(product1, low_word);
      x3 = _mm256_and_si256(product0, low_word);
      x0 = next0;
      x2 = next2;
    }
    // 53 bits from the first two words, as uniform_at takes them.
    const __m256i bits = _mm256_srli_epi64(_mm256_or_si256(_mm256_slli_epi64(x0, 32), x1), 11);
    alignas(32) std::uint64_t k[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(k), bits);
    for (int l = 0; l < 4; ++l) u[i + l] = unit_interval(k[l]);
  }
  uniforms_portable(seed, paths + i, n - i, stream, item, period, u + i);
}
#endif

}  // namespace

void uniforms_at(std::uint64_t seed, const std::uint32_t* paths, int n, Stream stream, std::uint32_t item,
                 std::uint32_t period, double* u) {
#if defined(__x86_64__) || defined(__i386__)
  if (use_avx2()) {
    uniforms_avx2(seed, paths, n, stream, item, period, u);
    return;
  }
#endif
  uniforms_portable(seed, paths, n, stream, item, period, u);
}

}  // namespace mppmc
