#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "analysis/inflow_fit.h"
#include "core/error.h"
#include "core/random.h"

using namespace mppmc;

namespace {
// scenarios/data/inflow_annual.csv, first applications 2013-2024.
const std::vector<double> kFirstApplications = {9840,  21810, 43090, 18171, 14716, 20353,
                                                22533, 13670, 24690, 35535, 38375, 32180};

InflowHistory annual_history(int first_year, std::vector<double> annual) {
  InflowHistory h;
  h.first_year = first_year;
  h.annual = std::move(annual);
  return h;
}

// A log random walk exp(x0 + sum of (mu + sigma e)), n years from `first_year`, draws from `path`.
std::vector<double> random_walk(int n, double mu, double sigma, std::uint32_t path, double x0 = std::log(20000.0)) {
  std::vector<double> a;
  double x = x0;
  for (int t = 0; t < n; ++t) {
    if (t > 0) x += mu + sigma * normal_at({99, path, Stream::benchmark, 1, static_cast<std::uint32_t>(t)});
    a.push_back(std::exp(x));
  }
  return a;
}

FitOptions options(InflowModel model, int through, std::vector<int> years) {
  FitOptions o;
  o.model = model;
  o.through = through;
  o.years = std::move(years);
  return o;
}
}  // namespace

TEST_CASE("inflow fit: Student-t quantiles (scipy.stats.t.ppf)", "[unit][kat]") {
  CHECK(student_t_quantile(0.95, 2) == Approx(2.919985580355516).epsilon(1e-12));
  CHECK(student_t_quantile(0.05, 10) == Approx(-1.8124611228107341).epsilon(1e-12));
  CHECK(student_t_quantile(0.75, 7) == Approx(0.7111417780816957).epsilon(1e-12));
  CHECK(student_t_quantile(0.999, 1) == Approx(318.3088389855419).epsilon(1e-10));
  CHECK(student_t_quantile(0.5, 3) == 0);
}

TEST_CASE("inflow fit: the random walk on the shipped history through 2024 (numpy/scipy)", "[unit][kat]") {
  const InflowFit fit =
      fit_inflow(annual_history(2013, kFirstApplications), options(InflowModel::random_walk, 2024, {2025, 2026}));
  CHECK(fit.estimates[0].value == Approx(0.10771722095455226).epsilon(1e-12));  // drift
  CHECK(fit.estimates[1].value == Approx(0.5141833756235407).epsilon(1e-12));   // volatility
  const std::vector<double> expect_2025 = {13540.50436287149, 24611.907733748223, 35839.92023501695, 52190.17949961886,
                                           94863.51822865022};
  const std::vector<double> expect_2026 = {9525.835758705556, 22955.7829298033, 39916.093301814166, 69407.10797585444,
                                           167260.3375533781};
  for (std::size_t k = 0; k < 5; ++k) {
    CHECK(fit.years[0].quantiles[k] == Approx(expect_2025[k]).epsilon(1e-10));
    CHECK(fit.years[1].quantiles[k] == Approx(expect_2026[k]).epsilon(1e-10));
  }
  // rho = corr(x_{n+1}, x_{n+2}) = (1 + 2/m) / sqrt((1 + 1/m)(2 + 4/m)) with m = 11.
  CHECK(fit.year_correlation == Approx(0.7359800721939873).epsilon(1e-12));
  CHECK_FALSE(fit.nowcast);
}

TEST_CASE("inflow fit: a synthetic log random walk gives back its drift and volatility", "[stat]") {
  const double mu = 0.05, sigma = 0.3;
  const InflowFit fit =
      fit_inflow(annual_history(1800, random_walk(400, mu, sigma, 0)), options(InflowModel::random_walk, 2199, {2200}));
  const Estimate& drift = fit.estimates[0];
  const Estimate& volatility = fit.estimates[1];
  CHECK(std::abs(drift.value - mu) < 3 * drift.standard_error);
  CHECK(std::abs(volatility.value - sigma) < 3 * volatility.standard_error);
  CHECK(drift.standard_error == Approx(sigma / std::sqrt(399.0)).epsilon(0.15));
  // Its 90% interval covers about 90% of 1,000 next values drawn from the true process.
  int covered = 0;
  const double origin = std::log(fit.estimates[3].value);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    const double next = std::exp(origin + mu + sigma * normal_at({5, i, Stream::benchmark, 2, 0}));
    covered += fit.years[0].quantiles.front() <= next && next <= fit.years[0].quantiles.back();
  }
  CHECK(std::abs(covered / 1000.0 - 0.9) < 3 * std::sqrt(0.9 * 0.1 / 1000));
}

TEST_CASE("inflow fit: with the drift's error included, 12-year fits cover 90% of next values", "[stat]") {
  // Each of 1,000 short histories (12 years, as the shipped one) gets its own fit and its own
  // next value: the interval must hold the estimation error, or coverage falls short of 90%.
  int covered = 0;
  for (std::uint32_t r = 0; r < 1000; ++r) {
    const std::vector<double> a = random_walk(13, 0.08, 0.5, 1000 + r);
    const std::vector<double> history(a.begin(), a.end() - 1);
    const InflowFit fit = fit_inflow(annual_history(2013, history), options(InflowModel::random_walk, 2024, {2025}));
    covered += fit.years[0].quantiles.front() <= a.back() && a.back() <= fit.years[0].quantiles.back();
  }
  CHECK(std::abs(covered / 1000.0 - 0.9) < 3 * std::sqrt(0.9 * 0.1 / 1000));
}

TEST_CASE("inflow fit: AR(1) conditional least squares, known answer (numpy.linalg.lstsq)", "[unit][kat]") {
  const InflowFit fit = fit_inflow(annual_history(2010, {100, 120, 110, 130, 125, 140, 135, 150}),
                                   options(InflowModel::ar1, 2017, {2018, 2019}));
  CHECK(fit.estimates[0].value == Approx(0.44704641537760414).epsilon(1e-10));  // phi
  CHECK(fit.estimates[0].standard_error == Approx(0.3311656829187929).epsilon(1e-10));
  CHECK(fit.estimates[1].value == Approx(2.714937261950654).epsilon(1e-10));  // c
  CHECK(fit.estimates[1].standard_error == Approx(1.591709197922309).epsilon(1e-10));
  CHECK(fit.estimates[4].value == Approx(0.09617669528936604).epsilon(1e-10));  // sigma
  CHECK(fit.estimates[2].value == Approx(2.714937261950654 / (1 - 0.44704641537760414)).epsilon(1e-10));
  // The bootstrap predictive is a pure function of the seed.
  const InflowFit again = fit_inflow(annual_history(2010, {100, 120, 110, 130, 125, 140, 135, 150}),
                                     options(InflowModel::ar1, 2017, {2018, 2019}));
  CHECK(again.years[1].quantiles == fit.years[1].quantiles);
  CHECK(fit.year_correlation > 0);
  CHECK(fit.year_correlation < 1);
}

TEST_CASE("inflow fit: a long AR(1) gives back phi, level and sigma; short fits cover about 90%", "[stat]") {
  const double phi = 0.6, level = std::log(30000.0), sigma = 0.3;
  auto ar1 = [&](int n, std::uint32_t path) {
    std::vector<double> a;
    double x = level;
    for (int t = 0; t < n; ++t) {
      x = level + phi * (x - level) +
          sigma * normal_at({17, path, Stream::benchmark, 3, static_cast<std::uint32_t>(t)});
      a.push_back(std::exp(x));
    }
    return a;
  };
  FitOptions o = options(InflowModel::ar1, 3999, {4000});
  o.replicates = 200;
  const InflowFit fit = fit_inflow(annual_history(2000, ar1(2000, 0)), o);
  CHECK(std::abs(fit.estimates[0].value - phi) < 3 * fit.estimates[0].standard_error);
  CHECK(std::abs(fit.estimates[2].value - level) < 3 * fit.estimates[2].standard_error);
  CHECK(std::abs(fit.estimates[4].value - sigma) < 3 * fit.estimates[4].standard_error);
  // 300 histories of 12 years: the bootstrap interval is approximate, so a wider tolerance.
  o = options(InflowModel::ar1, 2024, {2025});
  o.replicates = 200;
  int covered = 0;
  for (std::uint32_t r = 0; r < 300; ++r) {
    const std::vector<double> a = ar1(13, 100 + r);
    const InflowFit f = fit_inflow(annual_history(2013, std::vector<double>(a.begin(), a.end() - 1)), o);
    covered += f.years[0].quantiles.front() <= a.back() && a.back() <= f.years[0].quantiles.back();
  }
  CHECK(covered / 300.0 > 0.82);
  CHECK(covered / 300.0 < 0.97);
}

TEST_CASE("inflow fit: expert medio with published and random-walk errors (scipy)", "[unit][kat]") {
  // Growth of exactly 10% a year: the random walk's one-step errors are 0. Published forecasts of
  // 2017-2019 were off by x1.2, x0.8, x1.0; the random walk fills 2013-2016: 7 errors.
  std::vector<double> a;
  for (int t = 0; t < 10; ++t) a.push_back(1000 * std::pow(1.1, t));
  FitOptions o = options(InflowModel::expert, 2019, {2020, 2021});
  o.expert_medio = {1000, 1100};
  o.past_forecasts = {{"A", 2017, 100, 120}, {"B", 2018, 100, 80}, {"C", 2019, 100, 100}, {"late", 2020, 100, 300}};
  const InflowFit fit = fit_inflow(annual_history(2010, a), o);
  CHECK(fit.estimates[0].value == Approx(0.10891293676595118).epsilon(1e-12));
  CHECK(fit.estimates[2].value == 3);  // published errors (2020's comes after `through`)
  CHECK(fit.estimates[3].value == 4);
  CHECK(fit.years[0].quantiles[2] == Approx(1000));  // the medio is kept
  CHECK(fit.years[0].quantiles[4] == Approx(1229.176115077708).epsilon(1e-10));
  CHECK(fit.years[1].quantiles[0] == Approx(821.597656322977).epsilon(1e-10));
  CHECK(fit.year_correlation == Approx(std::sqrt(0.5)));
}

TEST_CASE("inflow fit: the first quarters complete a year without an annual value", "[unit]") {
  // Every year's quarters hold 20/25/25/30% of it; 2020 has Q1 and Q2 only (900 + 1125).
  InflowHistory h;
  h.first_year = 2010;
  h.first_quarter = 4 * 2010;
  for (int t = 0; t < 10; ++t) {
    const double year = 1000 * (1 + 0.1 * (t % 3));
    h.annual.push_back(year);
    for (double share : {0.20, 0.25, 0.25, 0.30}) h.quarterly.push_back(share * year);
  }
  h.quarterly.push_back(900);
  h.quarterly.push_back(1125);
  const InflowFit fit = fit_inflow(h, options(InflowModel::random_walk, 2020, {2021}));
  REQUIRE(fit.nowcast);
  CHECK(fit.nowcast->quarters == 2);
  CHECK(fit.nowcast->share == Approx(0.45));
  CHECK(fit.nowcast->log_sd == Approx(0).margin(1e-12));
  CHECK(fit.estimates[3].value == Approx(2025 / 0.45));  // the origin level
  CHECK(fit.last_year == 2020);
  // Seasonality from the quarters alone: flat within each quarter, 4 x share / 3 per month.
  REQUIRE(fit.seasonality);
  CHECK((*fit.seasonality)[0] == Approx(0.8));
  CHECK((*fit.seasonality)[11] == Approx(1.2));
}

TEST_CASE("inflow fit: seasonality from quarters split by the monthly pattern", "[unit]") {
  const std::array<double, 12> pattern = {0.9, 0.7, 0.8, 0.9, 1.0, 1.1, 1.0, 1.1, 1.3, 1.2, 1.1, 0.9};
  InflowHistory h = annual_history(2015, {1200, 1200, 1200, 1200, 1200});
  h.first_month = 12 * 2016;
  for (int y = 0; y < 2; ++y)
    for (double w : pattern) h.monthly.push_back(100 * w);
  h.first_quarter = 4 * 2015;
  for (int y = 0; y < 5; ++y)
    for (int q = 0; q < 4; ++q) h.quarterly.push_back(100 * (pattern[3 * q] + pattern[3 * q + 1] + pattern[3 * q + 2]));
  const InflowFit fit = fit_inflow(h, options(InflowModel::random_walk, 2019, {2020}));
  REQUIRE(fit.seasonality);
  for (int k = 0; k < 12; ++k) CHECK((*fit.seasonality)[k] == Approx(pattern[k]));
  CHECK(fit.seasonality_source.find("2015-2019") != std::string::npos);
}

TEST_CASE("inflow fit: bad input is an InputError", "[unit]") {
  const InflowHistory h = annual_history(2013, kFirstApplications);
  // through before the data start
  CHECK_THROWS_AS(fit_inflow(h, options(InflowModel::random_walk, 2010, {2011})), InputError);
  // too few years for each model
  CHECK_THROWS_AS(fit_inflow(h, options(InflowModel::random_walk, 2015, {2016})), InputError);
  CHECK_THROWS_AS(fit_inflow(h, options(InflowModel::ar1, 2017, {2018})), InputError);
  CHECK_NOTHROW(fit_inflow(h, options(InflowModel::ar1, 2018, {2019})));
  FitOptions expert = options(InflowModel::expert, 2015, {2016});
  expert.expert_medio = {20000};
  CHECK_THROWS_AS(fit_inflow(h, expert), InputError);
  // a forecast year not after through; a year beyond the data with no quarters to complete it
  CHECK_THROWS_AS(fit_inflow(h, options(InflowModel::random_walk, 2024, {2024})), InputError);
  CHECK_THROWS_AS(fit_inflow(h, options(InflowModel::random_walk, 2025, {2026})), InputError);
  // a value that is not above 0
  CHECK_THROWS_AS(
      fit_inflow(annual_history(2013, {100, 0, 100, 100, 100}), options(InflowModel::random_walk, 2017, {2018})),
      InputError);
  CHECK(parse_inflow_model("ar1") == InflowModel::ar1);
  CHECK_FALSE(parse_inflow_model("arima"));
}
