#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <set>
#include <vector>

#include "core/random.h"
#include "core/simd.h"

using namespace mppmc;

TEST_CASE("philox: Random123's published known-answer vectors", "[kat][unit]") {
  // kat_vectors of Random123 1.14 (philox4x32 with 10 rounds).
  using Philox = r123::Philox4x32;
  struct Kat {
    Philox::ctr_type counter;
    Philox::key_type key;
    Philox::ctr_type expected;
  };
  const Kat kats[] = {
      {{{0, 0, 0, 0}}, {{0, 0}}, {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}}},
      {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}},
       {{0xffffffff, 0xffffffff}},
       {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}}},
      {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}},
       {{0xa4093822, 0x299f31d0}},
       {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}},
  };
  for (const Kat& k : kats) CHECK(Philox()(k.counter, k.key) == k.expected);
}

TEST_CASE("draws: a pure function of the address; neighbouring addresses differ", "[determinism][unit]") {
  const DrawAddress a{42, 7, Stream::monthly_noise, 0, 24300};
  CHECK(uniform_at(a) == uniform_at(a));
  std::set<double> seen;
  for (std::uint32_t path = 0; path < 4; ++path)
    for (auto stream : {Stream::path_input, Stream::inflow_year, Stream::monthly_noise, Stream::measure_effect})
      for (std::uint32_t period = 0; period < 4; ++period) seen.insert(uniform_at({42, path, stream, 3, period}));
  CHECK(seen.size() == 64);
  CHECK(uniform_at({1, 0, Stream::path_input, 0, 0}) != uniform_at({2, 0, Stream::path_input, 0, 0}));
  CHECK(uniform_at({1ULL << 32, 0, Stream::path_input, 0, 0}) != uniform_at({0, 0, Stream::path_input, 0, 0}));
}

TEST_CASE("draws: uniforms lie in (0, 1) with the moments of U(0,1); normals of N(0,1)", "[stat][unit]") {
  const int n = 200000;
  double sum = 0, sum2 = 0, zsum = 0, zsum2 = 0;
  for (int i = 0; i < n; ++i) {
    const DrawAddress at{2024, static_cast<std::uint32_t>(i), Stream::path_input, 5, 0};
    const double u = uniform_at(at);
    REQUIRE(u > 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    sum2 += u * u;
    const double z = normal_at(at);
    zsum += z;
    zsum2 += z * z;
  }
  // Standard errors: mean 1/sqrt(12 n) = 6.5e-4, variance about 1.5e-4; 5 sigma bounds.
  CHECK(std::abs(sum / n - 0.5) < 5 * 6.5e-4);
  CHECK(std::abs(sum2 / n - (sum / n) * (sum / n) - 1.0 / 12) < 5 * 1.5e-4);
  CHECK(std::abs(zsum / n) < 5 / std::sqrt(n));
  CHECK(std::abs(zsum2 / n - 1.0) < 5 * std::sqrt(2.0 / n));
}

TEST_CASE("draws: every 53-bit word maps strictly inside (0, 1), the extremes included", "[unit]") {
  const std::uint64_t top = (std::uint64_t{1} << 53) - 1;
  CHECK(unit_interval(0) == 0x1.0p-54);
  CHECK(unit_interval(1) == 1.5 * 0x1.0p-53);
  // (2^53 - 1) + 1/2 is a tie between 2^53 - 1 and 2^53 and rounds to even, i.e. to 2^53.
  CHECK((static_cast<double>(top) + 0.5) * 0x1.0p-53 == 1.0);
  CHECK(unit_interval(top) < 1.0);
  CHECK(unit_interval(top) == 1.0 - 0x1.0p-53);
  CHECK(unit_interval(top - 1) < unit_interval(top));
  CHECK(std::isfinite(normal_quantile(unit_interval(top))));
  CHECK(std::isfinite(normal_quantile(unit_interval(0))));
}

TEST_CASE("draws: uniforms_at is uniform_at bit for bit, AVX2 or not", "[determinism][unit]") {
  // Keys with both 32-bit halves set, extreme counters, and lengths with a remainder after the
  // groups of four; the Philox known answers above pin uniform_at itself.
  std::vector<std::uint32_t> paths;
  for (std::uint32_t i = 0; i < 1000; ++i) paths.push_back(i * 2654435761u);
  paths.push_back(0);
  paths.push_back(0xffffffffu);
  for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{20241119}, ~std::uint64_t{0} >> 1}) {
    for (const std::uint32_t period : {0u, 24300u, 0xffffffffu}) {
      for (const bool avx2 : {false, true}) {
        allow_avx2(avx2);
        for (const int n : {static_cast<int>(paths.size()), 1, 3, 5}) {
          std::vector<double> u(static_cast<std::size_t>(n));
          uniforms_at(seed, paths.data(), n, Stream::monthly_noise, 7, period, u.data());
          for (int i = 0; i < n; ++i) {
            const double expected =
                uniform_at({seed, paths[static_cast<std::size_t>(i)], Stream::monthly_noise, 7, period});
            CAPTURE(seed, period, avx2, n, i);
            CHECK(std::memcmp(&u[static_cast<std::size_t>(i)], &expected, sizeof(double)) == 0);
          }
        }
      }
    }
  }
  allow_avx2(true);
}
