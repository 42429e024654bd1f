// Known answers for the quantile transforms. Expected values are scipy.stats 1.10 results
// (an independent implementation), e.g. stats.truncnorm.ppf, stats.beta.ppf, stats.triang.ppf.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "core/distribution.h"

using Catch::Matchers::WithinRel;
using mppmc::Distribution;
using mppmc::fit_metalog;

TEST_CASE("distributions: quantiles match scipy known answers", "[kat][unit]") {
  CHECK_THAT(Distribution::normal(0, 1).quantile(0.975), WithinRel(1.959963984540054, 1e-14));
  CHECK_THAT(Distribution::normal(0, 1).quantile(1e-10), WithinRel(-6.361340902404056, 1e-12));
  CHECK_THAT(Distribution::normal(4000, 300, 2000, 6000).quantile(0.3), WithinRel(3842.6798461921035, 1e-12));
  CHECK_THAT(Distribution::normal(1.0, 0.05, 0.7, 1.3).quantile(0.9), WithinRel(1.0640775780523646, 1e-12));
  CHECK_THAT(Distribution::normal(1.0, 1.0, 0.0).quantile(0.25), WithinRel(0.6654742733055667, 1e-12));
  CHECK_THAT(Distribution::lognormal(45000, 0.25).quantile(0.9), WithinRel(61994.79197765558, 1e-13));
  CHECK_THAT(Distribution::triangular(0.55, 0.7, 0.85).quantile(0.2), WithinRel(0.6448683298050514, 1e-14));
  CHECK_THAT(Distribution::triangular(0.55, 0.7, 0.85).quantile(0.8), WithinRel(0.7551316701949486, 1e-14));
  CHECK_THAT(Distribution::pert(0.8, 1.0, 1.1).quantile(0.1), WithinRel(0.906662990713826, 1e-12));
  CHECK_THAT(Distribution::pert(0.8, 1.0, 1.1).quantile(0.5), WithinRel(0.9872562478987637, 1e-12));
  CHECK_THAT(Distribution::beta(30, 20).quantile(0.05), WithinRel(0.4847666100026425, 1e-12));
  CHECK_THAT(Distribution::beta(2, 2, 60000, 90000).quantile(0.7), WithinRel(79102.27526728297, 1e-12));
  CHECK(Distribution::uniform(2, 6).quantile(0.25) == 3.0);
  CHECK(Distribution::fixed(7.5).quantile(0.9) == 7.5);
}

TEST_CASE("distributions: the median is Q(0.5) and symmetric families centre on their middle", "[unit]") {
  CHECK(Distribution::normal(3, 2).median() == 3.0);
  CHECK(Distribution::lognormal(45000, 0.3).median() == 45000.0);
  CHECK_THAT(Distribution::triangular(0, 5, 10).median(), WithinRel(5.0, 1e-15));
  CHECK_THAT(Distribution::beta(2, 2, 10, 20).median(), WithinRel(15.0, 1e-12));
}

TEST_CASE("distributions: quantile functions are non-decreasing and stay in their support", "[unit]") {
  const Distribution all[] = {Distribution::uniform(1, 2),
                              Distribution::normal(0, 1, -1, 2),
                              Distribution::lognormal(10, 0.5),
                              Distribution::triangular(0, 0, 1),
                              Distribution::pert(0, 0.2, 1),
                              Distribution::beta(0.5, 3, 5, 6),
                              Distribution::quantiles(fit_metalog({0.1, 0.5, 0.9}, {10, 20, 40}, 0, 100))};
  for (const Distribution& d : all) {
    double previous = -INFINITY;
    for (int i = 1; i < 1000; ++i) {
      const double x = d.quantile(i / 1000.0);
      CHECK(x >= previous);
      CHECK(x >= d.support_low());
      CHECK(x <= d.support_high());
      previous = x;
    }
  }
}

TEST_CASE("metalog: fits exactly through its points, unbounded and bounded", "[unit]") {
  const std::vector<double> p = {0.05, 0.5, 0.95}, q = {30000, 45000, 52000};
  constexpr double inf = std::numeric_limits<double>::infinity();
  const std::pair<double, double> bounds[] = {{-inf, inf}, {0.0, inf}, {-inf, 60000.0}, {0.0, 60000.0}};
  for (auto [lower, upper] : bounds) {
    const auto m = fit_metalog(p, q, lower, upper);
    for (std::size_t i = 0; i < p.size(); ++i) CHECK_THAT(m.quantile(p[i]), WithinRel(q[i], 1e-12));
    CHECK(m.quantile(1e-9) > lower);
    CHECK(m.quantile(1 - 1e-9) < upper);
  }
  // Five and six terms (Keelin's ordering) also pass through every point.
  const std::vector<double> p6 = {0.02, 0.1, 0.3, 0.6, 0.85, 0.98}, q6 = {1, 3, 6, 9, 13, 20};
  const auto m6 = fit_metalog(p6, q6, -INFINITY, INFINITY);
  for (std::size_t i = 0; i < p6.size(); ++i) CHECK_THAT(m6.quantile(p6[i]), WithinRel(q6[i], 1e-10));
}

TEST_CASE("metalog: a symmetric three-point fit is the logistic distribution", "[kat][unit]") {
  // With q symmetric around the median, a3 = 0 and Q(u) = a1 + a2 ln(u / (1 - u)).
  const double a2 = 10.0 / std::log(0.9 / 0.1);
  const auto m = fit_metalog({0.1, 0.5, 0.9}, {90, 100, 110}, -INFINITY, INFINITY);
  CHECK_THAT(m.quantile(0.75), WithinRel(100 + a2 * std::log(3.0), 1e-12));
}

TEST_CASE("metalog: refuses fits that are not a distribution and unusable points", "[unit]") {
  // Strongly skewed points: the three-term metalog's quantile function turns down in a tail
  // (Keelin's feasibility bound |a3| / a2 < 1.66711 is broken).
  CHECK_THROWS_WITH(fit_metalog({0.1, 0.5, 0.9}, {0, 1000, 1001}, -INFINITY, INFINITY),
                    Catch::Contains("not a valid distribution"));
  CHECK_THROWS_WITH(fit_metalog({0.1, 0.5}, {1, 2}, -INFINITY, INFINITY), Catch::Contains("at least 3"));
  CHECK_THROWS_WITH(fit_metalog({0.5, 0.1, 0.9}, {1, 2, 3}, -INFINITY, INFINITY), Catch::Contains("increasing"));
  CHECK_THROWS_WITH(fit_metalog({0.1, 0.5, 0.9}, {3, 2, 1}, -INFINITY, INFINITY), Catch::Contains("increasing"));
  CHECK_THROWS_WITH(fit_metalog({0.0, 0.5, 0.9}, {1, 2, 3}, -INFINITY, INFINITY), Catch::Contains("between 0 and 1"));
  CHECK_THROWS_WITH(fit_metalog({0.1, 0.5, 0.9}, {1, 2, 3}, 1.5, INFINITY), Catch::Contains("lower and upper"));
  CHECK_THROWS_WITH(fit_metalog({0.1, 0.5, 0.9}, {1, 2}, -INFINITY, INFINITY), Catch::Contains("q has"));
}

TEST_CASE("distributions: tail probabilities by bisection match closed forms", "[unit]") {
  // P(N(0,1) < -3) = 0.0013498980316301 (standard normal table).
  CHECK_THAT(Distribution::normal(0, 1).probability_below(-3), WithinRel(0.0013498980316301, 1e-9));
  CHECK_THAT(Distribution::uniform(0, 4).probability_above(3), WithinRel(0.25, 1e-12));
  CHECK(Distribution::uniform(0, 4).probability_below(0) == 0.0);
}
