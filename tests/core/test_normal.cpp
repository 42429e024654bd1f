// Wichura's AS 241 normal quantile against Boost.Math's erfc_inv (what mppmc 0.1 used): on a
// dense grid of u over both tails and the centre, on 10^6 random u, and in the far tails. The
// bound is on z, relative to max(1, |z|): 2e-15, a few units in the last place of z.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/boost_math.h"
#include "core/normal.h"
#include "core/simd.h"

using namespace mppmc;

namespace {

double boost_normal_quantile(double u) {
  return -std::sqrt(2.0) * boost::math::erfc_inv(2.0 * u, MathPolicy());
}

// |AS241(u) - Boost(u)| / max(1, |z|).
double error_at(double u) {
  const double z = boost_normal_quantile(u);
  return std::fabs(normal_quantile(u) - z) / std::max(1.0, std::fabs(z));
}

}  // namespace

TEST_CASE("normal quantile: AS 241 agrees with Boost to 2e-15 relative", "[core]") {
  constexpr double kBound = 2e-15;
  double worst = 0.0;
  // A dense grid of the centre and both sides of the 0.425 split.
  for (int k = 1; k < 200000; ++k) worst = std::max(worst, error_at(k / 200000.0));
  // Both tails on a log grid, down to 1e-300 (both branches of the tail, r <= 5 and r > 5).
  for (double e = -1.0; e >= -300.0; e -= 0.01) {
    const double u = std::pow(10.0, e);
    worst = std::max({worst, error_at(u), 1.0 - u < 1.0 ? error_at(1.0 - u) : 0.0});
  }
  // 10^6 random u.
  std::mt19937_64 rng(20261201);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int k = 0; k < 1000000; ++k) {
    const double u = uniform(rng);
    if (u > 0.0) worst = std::max(worst, error_at(u));
  }
  INFO("worst error " << worst);
  CHECK(worst <= kBound);
  CHECK(normal_quantile(0.5) == 0.0);
  CHECK(normal_quantile(0.0) == -HUGE_VAL);
  CHECK(normal_quantile(1.0) == HUGE_VAL);
  CHECK(normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-15));
  // Symmetry: Phi^-1(1 - u) = -Phi^-1(u) where u, 1 - u and u - 0.5 are exact (multiples of 2^-10).
  for (double u : {0.0078125, 0.125, 0.3125, 0.4375}) CHECK(normal_quantile(1.0 - u) == -normal_quantile(u));
}

TEST_CASE("normal quantiles: the block form is normal_quantile bit for bit, AVX2 or not", "[core]") {
  // Both sides of the 0.425 split, both tails, the exact ends, and lengths that leave a
  // remainder after the groups of four.
  std::vector<double> u;
  for (int k = 0; k <= 20000; ++k) u.push_back(k / 20000.0);
  for (double e = -1.0; e >= -300.0; e -= 0.5) u.push_back(std::pow(10.0, e));
  u.push_back(0.075);
  u.push_back(0.925);
  u.push_back(std::nextafter(0.075, 0.0));
  u.push_back(std::nextafter(0.925, 1.0));
  for (const bool avx2 : {false, true}) {
    allow_avx2(avx2);
    for (const int n : {static_cast<int>(u.size()), 1, 3, 7}) {
      std::vector<double> z(u.begin(), u.begin() + n);
      normal_quantiles(z.data(), n);
      for (int i = 0; i < n; ++i) {
        const double expected = normal_quantile(u[static_cast<std::size_t>(i)]);
        CAPTURE(avx2, n, u[static_cast<std::size_t>(i)]);
        CHECK(std::memcmp(&z[static_cast<std::size_t>(i)], &expected, sizeof(double)) == 0);
      }
    }
  }
  allow_avx2(true);
}
