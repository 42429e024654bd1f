#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "app/backtest.h"
#include "io/scenario_reader.h"
#include "support.h"

using namespace mppmc;
namespace fs = std::filesystem;

namespace {
const std::string kSource = std::string(MPPMC_SOURCE_DIR) + "/";

fs::path fresh_dir(const std::string& name) {
  return testing::fresh_dir("mppmc_app_backtest_tests", name);
}

InflowFit random_walk_fit(int through, int years) {
  InflowHistory history;
  history.first_year = 2013;
  history.annual = {9840, 21810, 43090, 18171, 14716, 20353, 22533, 13670, 24690, 35535, 38375, 32180};
  FitOptions options;
  options.through = through;
  for (int y = through + 1; y <= through + years; ++y) options.years.push_back(y);
  return fit_inflow(history, options);
}
}  // namespace

TEST_CASE("backtest: origins are FIRST-LAST or one year", "[unit]") {
  CHECK(app::parse_origins("2016-2024") == std::make_pair(2016, 2024));
  CHECK(app::parse_origins("2020") == std::make_pair(2020, 2020));
  CHECK_FALSE(app::parse_origins("2024-2016"));
  CHECK_FALSE(app::parse_origins("2016-24"));
  CHECK_FALSE(app::parse_origins("2016-2024x"));
  CHECK_FALSE(app::parse_origins("20x6"));
  CHECK_FALSE(app::parse_origins(""));
}

TEST_CASE("backtest: the scenario of an origin is the base moved, with the fit's inflow", "[unit]") {
  std::vector<Problem> warnings;
  const Scenario base = io::read_scenario(kSource + "scenarios/mpp-2024-II.toml", warnings);
  const InflowFit fit = random_walk_fit(2018, 3);
  const Scenario s = app::backtest_scenario(base, 2019, 3, fit);
  CHECK(format_year_month(s.start) == "2019-01");
  CHECK(s.horizon_months == 36);
  CHECK(s.first_year() == 2019);
  CHECK(s.last_year() == 2021);
  for (std::size_t k = 0; k < fit.years.size(); ++k) {
    const Distribution& d = s.param(ParamId::inflow_first_annual).at(fit.years[k].year);
    CHECK(d.quantile(0.05) == Approx(fit.years[k].quantiles[0]).epsilon(1e-4).margin(0.5));  // whole persons
    CHECK(d.quantile(0.5) == Approx(fit.years[k].quantiles[2]).epsilon(1e-4).margin(0.5));   // whole persons
    CHECK(d.quantile(0.95) == Approx(fit.years[k].quantiles[4]).epsilon(1e-4).margin(0.5));  // whole persons
  }
  CHECK(s.year_correlation == Approx(fit.year_correlation).margin(5e-4));
  // Everything else is the base's: stocks, seasonality, per-year tables (whose first entry, 2025,
  // now holds for 2019-2021 too), correlations.
  CHECK(s.initial == base.initial);
  CHECK(s.seasonality == base.seasonality);
  CHECK(s.monthly_noise_sd == base.monthly_noise_sd);
  CHECK(s.param(ParamId::ind_asylum_capacity_per_month) == base.param(ParamId::ind_asylum_capacity_per_month));
  CHECK(s.param(ParamId::ind_asylum_capacity_per_month).at(2019) ==
        base.param(ParamId::ind_asylum_capacity_per_month).at(2025));
  CHECK(s.correlations == base.correlations);
}

TEST_CASE("backtest job: bad input is an InputError and nothing is written", "[cli]") {
  const fs::path dir = fresh_dir("bad");
  app::BacktestJob job;
  job.origins = "2019-2021";
  job.paths = 200;
  job.output = (dir / "backtest.h5").string();
  std::vector<Problem> warnings;
  std::size_t expected = 1;
  SECTION("an origin with too few years before it") {
    job.origins = "2017-2019";
    job.models = {"ar1"};
    expected = 2;  // 2017 and 2018
  }
  SECTION("origins outside the history") {
    job.origins = "2024-2026";
  }
  SECTION("an unknown model, a model twice") {
    job.models = {"arima", "ar1", "ar1"};
    expected = 2;
  }
  SECTION("a horizon of 0 years") {
    job.horizon_years = 0;
  }
  SECTION("no output") {
    job.output.clear();
  }
  try {
    app::backtest_job(job, warnings, {});
    FAIL("no InputError");
  } catch (const InputError& e) {
    CHECK(e.problems().size() == expected);
  }
  CHECK(fs::is_empty(dir));
}

TEST_CASE("backtest job: scores each model against the history, the published bands beside", "[cli]") {
  const fs::path dir = fresh_dir("run");
  app::BacktestJob job;
  job.origins = "2023-2024";
  job.horizon_years = 2;
  job.paths = 500;
  job.published = kSource + "scenarios/data/mpp_bands.csv";
  job.output = (dir / "backtest.h5").string();
  std::vector<Problem> warnings;
  int lines = 0;
  const app::BacktestOutcome out = app::backtest_job(job, warnings, [&](const std::string&) { ++lines; });
  CHECK(lines == 2);  // one progress line per origin
  CHECK(out.models == std::vector<std::string>{"random-walk", "ar1", "expert"});
  // Per model: origin 2023 scores 2023 and 2024, origin 2024 scores 2024 (2025 has no outcome),
  // each for total inflow and first applications: 3 x 2 rows.
  std::map<std::string, int> rows;
  for (const ScoredPeriod& r : out.rows) {
    ++rows[r.group];
    if (r.group == "published") continue;
    CHECK(r.method == "paths");
    CHECK(r.horizon == std::stoi(r.period) - (std::stoi(r.forecast) - 1));
    CHECK(r.realised ==
          (r.series == "total_inflow" ? (r.period == "2023" ? 50600 : 45640) : (r.period == "2023" ? 38375 : 32180)));
  }
  CHECK(rows["random-walk"] == 6);
  CHECK(rows["ar1"] == 6);
  CHECK(rows["expert"] == 6);
  CHECK(rows["published"] == 3);  // 2023-I for 2023, 2023-II and 2024-I for 2024
  CHECK(out.table.find("not scored: forecast years after 2024") != std::string::npos);
  CHECK(fs::exists(job.output));
}
