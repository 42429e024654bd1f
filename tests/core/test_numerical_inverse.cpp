// The numerical inverse (core/numerical_inverse.h) against Boost's incomplete beta function:
// for every x = Q~(u) the u-error |F(x) - u| must stay within 1e-13 min(u, 1 - u) plus the
// change of F over one ulp of x (the header's guarantee). The oracle is Boost's ibeta/ibetac
// with PreciseMathPolicy (long double inside; relative error ~2e-16 against mpmath, where the
// double policy reaches 1.3e-13 for a = b = 1000), each tail computed from its own end of
// [low, high]. The default tests check the bound on 2^14 grid points and 2^14 random u per
// family (2^12 for the extreme shapes) and monotonicity on u = k / 2^20: about 3 s of CPU.
// "[.][slow]" checks the full u = k / 2^20 grid and 10^6 random u per family (about 3 minutes
// of CPU), and "[.][report]" prints the figures of docs/design.md, "Draws through set-up-once numerical inverses".
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "core/boost_math.h"
#include "core/distribution.h"
#include "core/normal.h"
#include "core/numerical_inverse.h"
#include "core/random.h"

using mppmc::Distribution;
using mppmc::InversionTarget;
using mppmc::NumericalInverse;
using mppmc::PreciseMathPolicy;

namespace {

constexpr double kBound = 1e-13;

// A beta(a, b) on [low, high] (PERT is one), with its parameters for the oracle.
struct Shape {
  std::string name;
  Distribution distribution;
  double a, b, low, high;
};

Shape beta(double a, double b, double low = 0.0, double high = 1.0) {
  char name[96];
  std::snprintf(name, sizeof name, "beta(%g, %g) on [%g, %g]", a, b, low, high);
  return {name, Distribution::beta(a, b, low, high), a, b, low, high};
}

// Beta-PERT, shape 4 (Malcolm et al. 1959): a = 1 + 4 (mode - low) / (high - low).
Shape pert(double low, double mode, double high) {
  char name[96];
  std::snprintf(name, sizeof name, "PERT(%.10g, %.10g, %.10g)", low, mode, high);
  return {name,
          Distribution::pert(low, mode, high),
          1.0 + 4.0 * (mode - low) / (high - low),
          1.0 + 4.0 * (high - mode) / (high - low),
          low,
          high};
}

// The families of issue 15 (the two PERTs and beta(38, 2) of the default scenario among them).
std::vector<Shape> ordinary_shapes() {
  return {pert(0.75, 1, 1.15), pert(0.035, 0.05, 0.10), beta(28, 22), beta(0.5, 0.5), beta(1, 1), beta(2, 200),
          beta(200, 2),        beta(1e3, 1e3),          beta(38, 2)};
}

// Extreme shapes that the scenario reader accepts (checked below with its probe): tiny and huge
// a, b; a mode at a bound; a range far from 0 (where rounding x limits every value); a range
// across 0.
std::vector<Shape> extreme_shapes() {
  return {beta(1e-3, 1e-3), beta(1e-3, 1),  beta(1, 1e-3),
          beta(0.1, 30),    beta(1e5, 1e5), beta(1e5, 1),
          beta(2, 1e5),     pert(0, 0, 1),  pert(1000, 1000.001, 1000.002),
          beta(2, 2, -1, 1)};
}

// The reader's probe (src/io/scenario_reader.cpp, cannot_sample): Distribution::quantile finite
// and non-decreasing at these u.
bool reader_accepts(const Distribution& d) {
  double previous = -std::numeric_limits<double>::infinity();
  for (const double u : {1e-30, 0x1.0p-54, 1e-9, 1e-3, 0.1, 0.5, 0.9, 0.999, 1 - 1e-9, 1 - 0x1.0p-53}) {
    try {
      const double q = d.quantile(u);
      if (!std::isfinite(q) || q < previous) return false;
      previous = q;
    } catch (const std::exception&) {
      return false;
    }
  }
  return true;
}

// The mass of the lower (F) or upper (1 - F) tail at x, each from the nearer end of the range.
double oracle_mass(const Shape& s, double x, bool upper) {
  const double y = (x - s.low) / (s.high - s.low), y_complement = (s.high - x) / (s.high - s.low);
  if (y <= 0.5)
    return upper ? boost::math::ibetac(s.a, s.b, y, PreciseMathPolicy())
                 : boost::math::ibeta(s.a, s.b, y, PreciseMathPolicy());
  return upper ? boost::math::ibeta(s.b, s.a, y_complement, PreciseMathPolicy())
               : boost::math::ibetac(s.b, s.a, y_complement, PreciseMathPolicy());
}

struct Tally {
  double worst_ratio = 0.0;     // max |F(x) - s| / (bound s + D(x)): <= 1 is the guarantee
  double worst_ratio_at = 0.0;  // the mass s (lower: u, upper: 1 - u) where it was found
  double worst_relative = 0.0;  // max |F(x) - s| / s where D(x) <= bound s / 10 (rounding negligible)
  double worst_overall = 0.0;   // max |F(x) - s| / s, rounding included
  long points = 0, violations = 0, outside = 0;
};

// Checks x against the mass s = u (lower) or s = 1 - u (upper).
void check_value(const Shape& shape, double s, bool upper, double x, Tally& tally) {
  ++tally.points;
  if (!(x >= shape.low && x <= shape.high)) {
    ++tally.outside;
    return;
  }
  const double m = oracle_mass(shape, x, upper);
  const double error = std::fabs(m - s);
  double ulp_change = 0.0;
  if (error > 0.1 * kBound * s) {  // only then can D matter
    const double up = std::min(std::nextafter(x, shape.high), shape.high);
    const double down = std::max(std::nextafter(x, shape.low), shape.low);
    ulp_change = std::max(std::fabs(oracle_mass(shape, up, upper) - m), std::fabs(m - oracle_mass(shape, down, upper)));
  }
  const double ratio = error / (kBound * s + ulp_change);
  if (ratio > 1.0) ++tally.violations;
  if (ratio > tally.worst_ratio) {
    tally.worst_ratio = ratio;
    tally.worst_ratio_at = s;
  }
  tally.worst_overall = std::max(tally.worst_overall, error / s);
  if (ulp_change <= 0.1 * kBound * s) tally.worst_relative = std::max(tally.worst_relative, error / s);
}

void check_u(const Shape& shape, const NumericalInverse& inverse, double u, Tally& tally) {
  const bool upper = u >= 0.5;
  check_value(shape, upper ? 1.0 - u : u, upper, inverse.quantile(u), tally);
}

// u = k / 2^bits, a log grid into both tails (the upper one beyond 1 - 2^-53 through
// upper_quantile), and `random` Philox uniforms.
Tally check_accuracy(const Shape& shape, const NumericalInverse& inverse, int bits, long random) {
  Tally tally;
  const double step = std::ldexp(1.0, -bits);
  for (long k = 1; k < (1L << bits); ++k) check_u(shape, inverse, static_cast<double>(k) * step, tally);
  for (double e = 1.0; e <= 30.0; e += 0.125) {
    const double s = std::pow(10.0, -e);
    check_u(shape, inverse, s, tally);
    check_value(shape, s, true, inverse.upper_quantile(s), tally);
    if (s >= 0x1.0p-53) check_u(shape, inverse, 1.0 - s, tally);
  }
  for (long i = 0; i < random; ++i)
    check_u(shape, inverse, mppmc::uniform_at({15, static_cast<std::uint32_t>(i), mppmc::Stream::path_input, 0, 0}),
            tally);
  return tally;
}

// Q~ non-decreasing over u = k / 2^bits, over a log grid into both tails, and over the 256
// doubles either side of the junctions (the tail switch points and the split at 1/2).
void check_monotone(const Shape& shape, const NumericalInverse& inverse, int bits) {
  INFO(shape.name);
  std::vector<double> us;
  for (double e = 30.0; e > 1.0; e -= 1.0 / 64) us.push_back(std::pow(10.0, -e));
  const double step = std::ldexp(1.0, -bits);
  for (long k = 1; k < (1L << bits); ++k) us.push_back(static_cast<double>(k) * step);
  for (double e = 1.0; e <= 15.9; e += 1.0 / 64) us.push_back(1.0 - std::pow(10.0, -e));
  for (const double junction : {inverse.lower_switch(), 0.5, 1.0 - inverse.upper_switch()}) {
    if (!(junction > 0.0 && junction < 1.0)) continue;
    std::vector<double> around(1, junction);
    for (int i = 0; i < 256; ++i) around.push_back(std::nextafter(around.back(), 1.0));
    double u = junction;
    for (int i = 0; i < 256; ++i) around.insert(around.begin(), u = std::nextafter(u, 0.0));
    us.insert(us.end(), around.begin(), around.end());
  }
  std::sort(us.begin(), us.end());
  double previous = -std::numeric_limits<double>::infinity();
  long decreases = 0, outside = 0;
  for (const double u : us) {
    const double x = inverse.quantile(u);
    if (x < previous) ++decreases;
    if (!(x >= shape.low && x <= shape.high)) ++outside;
    previous = x;
  }
  CHECK(decreases == 0);
  CHECK(outside == 0);
}

void require_accurate(const Shape& shape, const Tally& tally) {
  INFO(shape.name << ": worst |F(x) - u| / (1e-13 min(u, 1-u) + D(x)) = " << tally.worst_ratio << " at mass "
                  << tally.worst_ratio_at << ", " << tally.violations << " of " << tally.points << " points");
  CHECK(tally.violations == 0);
  CHECK(tally.outside == 0);
}

}  // namespace

TEST_CASE("numerical inverse: the test shapes are ones the scenario reader accepts", "[unit]") {
  for (const auto& shapes : {ordinary_shapes(), extreme_shapes()})
    for (const Shape& shape : shapes) {
      INFO(shape.name);
      CHECK(reader_accepts(shape.distribution));
    }
}

TEST_CASE("numerical inverse: |F(Q~(u)) - u| <= 1e-13 min(u, 1-u) + one ulp's change, beta and PERT", "[unit][stat]") {
  for (const Shape& shape : ordinary_shapes()) {
    const auto inverse = shape.distribution.prepare_inverse();
    REQUIRE(inverse);
    require_accurate(shape, check_accuracy(shape, *inverse, 14, 1L << 14));
  }
}

TEST_CASE("numerical inverse: the same bound for extreme shapes the input checks accept", "[unit][stat]") {
  for (const Shape& shape : extreme_shapes()) {
    const auto inverse = shape.distribution.prepare_inverse();
    REQUIRE(inverse);
    require_accurate(shape, check_accuracy(shape, *inverse, 12, 1L << 12));
  }
}

TEST_CASE("numerical inverse: Q~ is non-decreasing and stays in [low, high]", "[unit]") {
  for (const Shape& shape : ordinary_shapes()) check_monotone(shape, *shape.distribution.prepare_inverse(), 20);
  for (const Shape& shape : extreme_shapes()) check_monotone(shape, *shape.distribution.prepare_inverse(), 12);
}

TEST_CASE("numerical inverse: where the rounding of x allows, the plain bound 1e-13 min(u, 1-u) holds", "[unit]") {
  // Ordinary shapes on [0, 1] have no flat ends in x: the slack of one ulp is never needed
  // away from the far tails.
  for (const Shape& shape : {beta(28, 22), beta(2, 200), beta(200, 2), beta(0.5, 0.5), beta(1e3, 1e3)}) {
    const Tally tally = check_accuracy(shape, *shape.distribution.prepare_inverse(), 10, 0);
    INFO(shape.name);
    CHECK(tally.worst_relative <= kBound);
  }
}

TEST_CASE("numerical inverse: the polynomials cover all but the far tails and stay small", "[unit]") {
  for (const Shape& shape : ordinary_shapes()) {
    const auto inverse = shape.distribution.prepare_inverse();
    INFO(shape.name);
    CHECK(inverse->lower_switch() <= 1e-8);
    CHECK(inverse->upper_switch() <= 1e-8);
    CHECK(inverse->memory_bytes() < 64 * 1024);
  }
}

TEST_CASE("numerical inverse: only beta and PERT get one; their quantile() is unchanged", "[unit]") {
  using mppmc::fit_metalog;
  for (const Distribution& d : {Distribution::fixed(2), Distribution::uniform(1, 2), Distribution::normal(0, 1),
                                Distribution::lognormal(5, 0.3), Distribution::triangular(0, 1, 2),
                                Distribution::quantiles(fit_metalog({0.1, 0.5, 0.9}, {10, 20, 40}, 0, 100))})
    CHECK(d.prepare_inverse() == nullptr);
  const Distribution pert = Distribution::pert(0.8, 1.0, 1.1);
  const double before = pert.quantile(0.1);
  REQUIRE(pert.prepare_inverse() != nullptr);
  CHECK(pert.quantile(0.1) == before);
  // scipy.stats.beta(11/3, 7/3, loc=0.8, scale=0.3).ppf(0.1), as in test_distribution.cpp.
  CHECK_THAT(pert.prepare_inverse()->quantile(0.1), Catch::Matchers::WithinRel(0.906662990713826, 1e-12));
}

TEST_CASE("numerical inverse: any continuous family; where the exact quantile throws, bisection", "[unit]") {
  // The standard normal (infinite support) from Boost's erfc, its exact quantile refusing every
  // mass below 0.3: the tails below the switch points come from bisection on the CDF.
  InversionTarget normal;
  normal.cdf = [](double x) { return 0.5 * boost::math::erfc(-x / std::sqrt(2.0), PreciseMathPolicy()); };
  normal.ccdf = [](double x) { return 0.5 * boost::math::erfc(x / std::sqrt(2.0), PreciseMathPolicy()); };
  normal.quantile = [](double u) { return u < 0.3 ? throw std::domain_error("refused") : mppmc::normal_quantile(u); };
  normal.upper_quantile = [](double v) {
    return v < 0.3 ? throw std::domain_error("refused") : -mppmc::normal_quantile(v);
  };
  mppmc::InversionOptions options;
  options.tail_mass = 1e-4;  // the polynomials stop at 1e-4: below, bisection
  const NumericalInverse inverse(normal, options);
  CHECK(inverse.lower_switch() <= 1e-4);
  CHECK(inverse.lower_switch() > 1e-6);
  for (double e = 0.5; e <= 30.0; e += 0.25) {
    const double s = std::pow(10.0, -e);
    for (const bool upper : {false, true}) {
      const double x = upper ? inverse.upper_quantile(s) : inverse.quantile(s);
      const double m = upper ? normal.ccdf(x) : normal.cdf(x);
      const double ulp_change =
          std::fabs((upper ? normal.ccdf(std::nextafter(x, -INFINITY)) : normal.cdf(std::nextafter(x, INFINITY))) - m);
      INFO("mass " << s << (upper ? " (upper)" : " (lower)") << ": x = " << x << ", F = " << m);
      CHECK(std::fabs(m - s) <= kBound * s + ulp_change);
    }
  }
}

TEST_CASE("numerical inverse: the full grid u = k / 2^20 and 10^6 random u per family", "[.][slow]") {
  for (const auto& shapes : {ordinary_shapes(), extreme_shapes()})
    for (const Shape& shape : shapes) {
      const auto inverse = shape.distribution.prepare_inverse();
      require_accurate(shape, check_accuracy(shape, *inverse, 20, 1000000));
      check_monotone(shape, *inverse, 20);
    }
}

TEST_CASE("numerical inverse: figures for docs/design.md", "[.][report]") {
  std::printf("%-36s %9s %5s %7s %9s %9s %10s %10s %10s %10s\n", "family", "setup ms", "int", "bytes", "lo switch",
              "hi switch", "ratio", "rel err", "all err", "Boost rel");
  for (const auto& shapes : {ordinary_shapes(), extreme_shapes()})
    for (const Shape& shape : shapes) {
      const auto start = std::chrono::steady_clock::now();
      const auto inverse = shape.distribution.prepare_inverse();
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      const Tally tally = check_accuracy(shape, *inverse, 16, 1L << 16);
      // Today's draws (Distribution::quantile, Boost's ibeta_inv with MathPolicy) on the same u.
      Tally boost;
      for (long k = 1; k < (1L << 16); ++k) {
        const double u = std::ldexp(static_cast<double>(k), -16);
        try {
          check_value(shape, u < 0.5 ? u : 1.0 - u, u >= 0.5, shape.distribution.quantile(u), boost);
        } catch (const std::exception&) {
          ++boost.outside;
        }
      }
      std::printf("%-36s %9.2f %5zu %7zu %9.2g %9.2g %10.3g %10.2g %10.2g %10.2g\n", shape.name.c_str(), ms,
                  inverse->interval_count(), inverse->memory_bytes(), inverse->lower_switch(), inverse->upper_switch(),
                  tally.worst_ratio, tally.worst_relative, tally.worst_overall, boost.worst_relative);
    }
}
