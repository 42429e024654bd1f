#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "analysis/skill.h"
#include "core/random.h"

using namespace mppmc;

namespace {
// Closed-form CRPS of N(mu, sigma^2) at y (Gneiting et al. 2005, eq. 5).
double normal_crps(double mu, double sigma, double y) {
  const double z = (y - mu) / sigma;
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
  return sigma * (z * (2 * normal_cdf(z) - 1) + 2 * pdf - 1 / std::sqrt(M_PI));
}
}  // namespace

TEST_CASE("skill: interval score and pinball loss, hand-computed", "[unit][stat][kat]") {
  // [10, 20] at alpha = 0.1: width 10, plus 2/0.1 = 20 per person outside.
  CHECK(interval_score(10, 20, 0.1, 15) == 10);
  CHECK(interval_score(10, 20, 0.1, 10) == 10);
  CHECK(interval_score(10, 20, 0.1, 5) == 10 + 20 * 5);
  CHECK(interval_score(10, 20, 0.1, 23) == 10 + 20 * 3);
  CHECK(pinball_loss(10, 0.9, 12) == Approx(0.9 * 2));  // under-forecast at a high level: costly
  CHECK(pinball_loss(10, 0.9, 8) == Approx(0.1 * 2));
  CHECK(pinball_loss(10, 0.5, 10) == 0);
}

TEST_CASE("skill: sample PIT is the mid-rank, CRPS exact for the empirical distribution", "[unit][stat][kat]") {
  const Predictive f = Predictive::from_sample({4, 1, 3, 2});
  CHECK(f.is_sample());
  // (#below + #equal / 2 + 1/2) / (N + 1)
  CHECK(f.pit(2.5) == Approx(2.5 / 5));
  CHECK(f.pit(2) == Approx((1 + 0.5 + 0.5) / 5));
  CHECK(f.pit(0) == Approx(0.5 / 5));
  CHECK(f.pit(10) == Approx(4.5 / 5));
  // By hand: integral of (F(x) - 1{x >= 2.5})^2 = 0.0625 + 0.125 + 0.125 + 0.0625.
  CHECK(f.crps(2.5) == Approx(0.375));
  // Above the sample: mean |x - 10| = (9 + 8 + 7 + 6) / 4 = 7.5, less E|X - X'| / 2 = 20 / 16 / 2.
  CHECK(f.crps(10) == Approx(7.5 - 0.625));
  CHECK(f.quantile(0.25) == Approx(1.75));  // numpy.percentile([1, 2, 3, 4], 25)
  CHECK(*f.medio() == Approx(2.5));
  // One value: the CRPS is the absolute error.
  CHECK(Predictive::from_sample({7}).crps(3) == Approx(4));
  CHECK_THROWS_AS(Predictive::from_sample({}), std::invalid_argument);
  CHECK_THROWS_AS(Predictive::from_sample({1, NAN}), std::invalid_argument);
}

TEST_CASE("skill: CRPS of a large normal sample matches the closed form", "[stat]") {
  const double mu = 100, sigma = 15;
  std::vector<double> x(200000);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = mu + sigma * normal_at({77, static_cast<std::uint32_t>(i), Stream::benchmark, 0, 0});
  const Predictive f = Predictive::from_sample(x);
  for (double y : {100.0, 120.0, 60.0}) {
    CHECK(f.crps(y) == Approx(normal_crps(mu, sigma, y)).epsilon(0.01));
    CHECK(f.pit(y) == Approx(normal_cdf((y - mu) / sigma)).margin(0.005));
  }
  CHECK(normal_crps(mu, sigma, 120) == Approx(12.809009698028747));  // scipy
}

TEST_CASE("skill: stored quantiles interpolate monotonely with normal tails", "[unit][stat][kat]") {
  const Predictive f = Predictive::from_quantiles({0.05, 0.5, 0.95}, {37600, 57600, 66700});
  CHECK_FALSE(f.is_sample());
  CHECK(f.quantile(0.05) == 37600);
  CHECK(f.quantile(0.5) == 57600);
  CHECK(f.quantile(0.275) == Approx(47600));  // halfway in level, halfway in value
  CHECK(f.pit(50000) == Approx(0.05 + 0.45 * 12400 / 20000));
  // Beyond the outer levels: the normal through (0.05, 37600) and (0.5, 57600) (scipy).
  CHECK(f.pit(30000) == Approx(0.011606886092425254).epsilon(1e-9));
  CHECK(f.quantile(0.02) == Approx(32628.186375000598).epsilon(1e-9));
  CHECK(f.pit(70000) == Approx(0.9874979379932532).epsilon(1e-9));
  for (double y = 20000; y < 90000; y += 137) CHECK(f.quantile(f.pit(y)) == Approx(y).epsilon(1e-9));
  CHECK(*f.medio() == 57600);
  // No stored medio: none is invented.
  CHECK_FALSE(Predictive::from_quantiles({0.05, 0.95}, {49000, 76000}).medio());
  CHECK_THROWS_AS(Predictive::from_quantiles({0.5, 0.05}, {1, 2}), std::invalid_argument);
  CHECK_THROWS_AS(Predictive::from_quantiles({0.05, 0.5}, {2, 1}), std::invalid_argument);
  CHECK_THROWS_AS(Predictive::from_quantiles({0.0, 0.5}, {1, 2}), std::invalid_argument);
}

TEST_CASE("skill: coinciding stored values are an atom; PIT takes its midpoint", "[unit][stat][kat]") {
  // Levels 0.1, 0.5, 0.9 at 10, 10, 20: P(X < 10) = 0.1 (the lower tail ends at level 0.1),
  // P(X <= 10) = 0.5, so PIT(10) = 0.3.
  const Predictive f = Predictive::from_quantiles({0.1, 0.5, 0.9}, {10, 10, 20});
  CHECK(f.cdf(10) == Approx(0.5));
  CHECK(f.pit(10) == Approx(0.3));
  CHECK(f.pit(15) == Approx(0.7));
  CHECK(f.pit(9.99) < 0.1);
}

TEST_CASE("skill: quantile-decomposition CRPS of a normal's percentiles matches the closed form", "[stat][kat]") {
  const double mu = 40000, sigma = 8000;
  std::vector<double> levels, values;
  for (int k = 1; k <= 99; ++k) {
    levels.push_back(k / 100.0);
    values.push_back(mu + sigma * normal_quantile(k / 100.0));
  }
  const Predictive f = Predictive::from_quantiles(levels, values);
  for (double y : {40000.0, 30000.0, 65000.0, 15000.0}) {
    CHECK(f.crps(y) == Approx(normal_crps(mu, sigma, y)).epsilon(0.003));
    CHECK(f.pit(y) == Approx(normal_cdf((y - mu) / sigma)).margin(2e-4));
  }
  // The tails are the normal itself (it passes through the outermost points).
  CHECK(f.pit(mu + 3 * sigma) == Approx(normal_cdf(3)).epsilon(1e-9));
}

TEST_CASE("skill: the published MPP bands read as 90% intervals (issue 12's known answer)", "[stat][kat]") {
  // scenarios/data/mpp_bands.csv, the four editions with a realisation; min / max as the 5th and
  // 95th percentiles, the medio (where published) as the 50th.
  struct Edition {
    std::vector<double> levels, values;
    double realised;
  };
  const std::vector<Edition> editions = {
      {{0.05, 0.95}, {48210, 55170}, 48600},              // 2022-II
      {{0.05, 0.5, 0.95}, {49000, 67000, 77000}, 50600},  // 2023-I
      {{0.05, 0.95}, {49000, 76000}, 45640},              // 2023-II
      {{0.05, 0.5, 0.95}, {49800, 69800, 78500}, 45640},  // 2024-I
  };
  std::vector<ScoredPeriod> rows;
  for (const Edition& e : editions) {
    ScoredPeriod r;
    r.group = "published";
    r.series = "total_inflow";
    r.score =
        score_period(Predictive::from_quantiles(e.levels, e.values), {e.values.front(), e.values.back()}, e.realised);
    rows.push_back(r);
  }
  // By hand: 6,960 + 28,000 + (27,000 + 20 x 3,360) + (28,700 + 20 x 4,160) = 241,060.
  CHECK(rows[0].score.interval_score == Approx(6960));
  CHECK(rows[2].score.interval_score == Approx(94200));
  const std::vector<SkillSummary> s = summarize_skill(rows);
  REQUIRE(s.size() == 2);  // horizon 0 and all horizons
  CHECK(s[1].horizon == -1);
  CHECK(s[1].count == 4);
  CHECK(s[1].coverage_90 == 0.5);
  CHECK(s[1].coverage_band == 0.5);
  CHECK(s[1].mean_interval_score == Approx(60265));
  // The two editions with a medio: ln(50600 / 67000) and ln(45640 / 69800).
  CHECK(s[1].bias_count == 2);
  CHECK(s[1].bias == Approx((std::log(50600.0 / 67000) + std::log(45640.0 / 69800)) / 2));
  // Every realisation in the lowest 6% of its band or below it.
  for (const ScoredPeriod& r : rows) CHECK(r.score.band_position < 0.06);
}

TEST_CASE("skill: summaries per group, series and horizon, then all horizons", "[unit][stat]") {
  auto row = [](std::string group, std::string series, int horizon, bool covered, double is, double log_ratio) {
    ScoredPeriod r;
    r.group = group;
    r.series = series;
    r.horizon = horizon;
    r.score.covered_90 = covered;
    r.score.interval_score = is;
    r.score.log_ratio = log_ratio;
    return r;
  };
  const std::vector<ScoredPeriod> rows = {row("b", "x", 2, true, 10, 0.2), row("a", "x", 1, false, 30, NAN),
                                          row("b", "x", 1, true, 20, -0.4), row("b", "x", 2, false, 40, 0.0)};
  const std::vector<SkillSummary> s = summarize_skill(rows);
  REQUIRE(s.size() == 5);
  CHECK((s[0].group == "a" && s[0].horizon == 1 && s[0].count == 1));
  CHECK(std::isnan(s[0].bias));
  CHECK((s[1].group == "a" && s[1].horizon == -1));
  CHECK((s[2].group == "b" && s[2].horizon == 1 && s[2].mean_interval_score == 20));
  CHECK((s[3].horizon == 2 && s[3].coverage_90 == 0.5 && s[3].mean_interval_score == 25 && s[3].bias == Approx(0.1)));
  CHECK((s[4].horizon == -1 && s[4].count == 3 && s[4].coverage_90 == Approx(2.0 / 3)));
  CHECK(s[4].bias == Approx(-0.2 / 3));
}
