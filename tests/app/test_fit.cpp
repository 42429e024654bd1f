#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "app/fit.h"
#include "io/scenario_reader.h"
#include "support.h"

using namespace mppmc;
namespace fs = std::filesystem;

namespace {
const std::string kSource = std::string(MPPMC_SOURCE_DIR) + "/";
const std::string kData = kSource + "scenarios/data/";

fs::path fresh_dir(const std::string& name) {
  return testing::fresh_dir("mppmc_app_fit_tests", name);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

app::FitJob shipped_job(const fs::path& dir) {
  app::FitJob job;
  job.scenario = kSource + "scenarios/mpp-2024-II.toml";
  job.history = kData + "inflow_annual.csv";
  job.output = (dir / "fitted.toml").string();
  return job;
}
}  // namespace

TEST_CASE("fit job: a random walk through 2024 written into the shipped scenario", "[cli]") {
  const fs::path dir = fresh_dir("rw");
  app::FitJob job = shipped_job(dir);
  job.quarterly = kData + "inflow_quarterly_cbs.csv";
  job.monthly = kData + "inflow_monthly_cbs.csv";
  std::vector<Problem> warnings;
  const app::FitOutcome out = app::fit_job(job, warnings);
  CHECK(warnings.empty());
  CHECK(out.comments_kept);
  CHECK(out.fit.through == 2024);
  REQUIRE(out.fit.years.size() == 5);  // 2025-2029
  std::vector<Problem> ignored;
  const Scenario base = io::read_scenario(job.scenario, ignored);
  const Scenario fitted = io::read_scenario(job.output, ignored);
  // The annual table is the fitted predictive: its median and 5th / 95th percentiles per year.
  for (const YearPredictive& y : out.fit.years) {
    const Distribution& d = fitted.param(ParamId::inflow_first_annual).at(y.year);
    CHECK(d.quantile(0.5) == Approx(y.quantiles[2]).epsilon(1e-4));
    CHECK(d.quantile(0.05) == Approx(y.quantiles[0]).epsilon(1e-4));
    CHECK(d.quantile(0.95) == Approx(y.quantiles[4]).epsilon(1e-4));
  }
  CHECK(fitted.year_correlation == Approx(out.fit.year_correlation).margin(5e-4));
  CHECK(fitted.seasonality[8] > fitted.seasonality[1]);  // September above February
  // Everything else as in the base scenario.
  CHECK(fitted.initial == base.initial);
  CHECK(fitted.param(ParamId::coa_uptake) == base.param(ParamId::coa_uptake));
  CHECK(fitted.correlations == base.correlations);
  CHECK(fitted.monthly_noise_sd == base.monthly_noise_sd);
  // The header records the provenance; the base file's source comments stay.
  const std::string text = read_text(job.output);
  CHECK(text.rfind("# Fitted by `mppmc fit`", 0) == 0);
  CHECK(text.find("inflow_annual.csv, series first_applications, years 2013-2024") != std::string::npos);
  CHECK(text.find("drift (log per year)") != std::string::npos);
  CHECK(text.find("# source: IND jaarcijfers 2024") != std::string::npos);
  CHECK(text.find("Calibrated by") == std::string::npos);  // calibrate's header is replaced
  CHECK(out.summary.find("year_correlation") != std::string::npos);
  for (const auto& entry : fs::directory_iterator(dir)) CHECK(entry.path().filename() == "fitted.toml");
}

TEST_CASE("fit job: AR(1) and expert models write scenarios that read back", "[cli]") {
  const fs::path dir = fresh_dir("models");
  for (const char* model : {"ar1", "expert"}) {
    app::FitJob job = shipped_job(dir);
    job.model = model;
    job.published = kData + "mpp_bands.csv";
    job.output = (dir / (std::string(model) + ".toml")).string();
    std::vector<Problem> warnings;
    const app::FitOutcome out = app::fit_job(job, warnings);
    std::vector<Problem> ignored;
    const Scenario fitted = io::read_scenario(job.output, ignored);
    CHECK(fitted.param(ParamId::inflow_first_annual).at(2026).quantile(0.5) ==
          Approx(out.fit.years[1].quantiles[2]).epsilon(1e-4));
    if (std::string(model) == "expert") {
      // The scenario's own medio is kept.
      const Scenario base = io::read_scenario(job.scenario, ignored);
      CHECK(out.fit.years[0].quantiles[2] ==
            Approx(base.param(ParamId::inflow_first_annual).at(2025).median()).epsilon(1e-12));
      CHECK(out.fit.estimates[2].value == 2);  // MPP 2023-I and 2024-I have a medio and an outcome
    }
  }
}

TEST_CASE("fit job: bad input is an InputError and nothing is written", "[cli]") {
  const fs::path dir = fresh_dir("bad");
  app::FitJob job = shipped_job(dir);
  std::vector<Problem> warnings;
  SECTION("--through before the data start") {
    job.through = 2010;
  }
  SECTION("--through inside the scenario") {
    job.through = 2025;
  }
  SECTION("an origin with too few years") {
    job.through = 2015;
  }
  SECTION("a history with a gap") {
    std::ofstream(dir / "gap.csv") << "year,first_applications\n2019,1\n2021,2\n";
    job.history = (dir / "gap.csv").string();
  }
  SECTION("a missing column, an unknown model") {
    job.series = "first_apps";
    job.model = "arima";
  }
  CHECK_THROWS_AS(app::fit_job(job, warnings), InputError);
  CHECK_FALSE(fs::exists(job.output));
}
