#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "app/score.h"
#include "io/forecast_file.h"
#include "support.h"

using namespace mppmc;
namespace fs = std::filesystem;

namespace {
const std::string kData = std::string(MPPMC_SOURCE_DIR) + "/scenarios/data/";

fs::path fresh_dir(const std::string& name) {
  return testing::fresh_dir("mppmc_app_score_tests", name);
}

std::string write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}

// tests/data/small.toml (2025-03 + 30 months), 300 paths; with or without saved paths.
std::string small_results(const fs::path& dir, bool save_paths) {
  const std::string path = (dir / (save_paths ? "paths.h5" : "plain.h5")).string();
  testing::write_small_results(path, 300, 3, save_paths);
  return path;
}
}  // namespace

TEST_CASE("score job: the published bands against realised.csv (issue 12's known answer)", "[cli][kat]") {
  const fs::path dir = fresh_dir("bands");
  app::ScoreJob job;
  job.forecast = kData + "mpp_bands.csv";
  job.realised = kData + "realised.csv";
  job.output = (dir / "scores.csv").string();
  std::vector<Problem> warnings;
  const app::ScoreOutcome out = app::score_job(job, warnings);
  REQUIRE(out.rows.size() == 4);  // 2024-II's 2025 is not yet realised
  CHECK(out.rows[2].forecast == "2023-II");
  CHECK(out.rows[2].horizon == 1);  // published 2023-11 for 2024
  CHECK(out.rows[0].horizon == 0);
  const SkillSummary& all = out.summaries.back();
  CHECK(all.horizon == -1);
  CHECK(all.count == 4);
  CHECK(all.coverage_90 == 0.5);
  CHECK(all.mean_interval_score == Approx(60265));
  CHECK(warnings.empty());  // the bands' realised column agrees with realised.csv
  CHECK(out.table.find("2023-II") != std::string::npos);
  CHECK(fs::exists(job.output));
  // Without --realised the bands' own column gives the same scores.
  job.realised.clear();
  job.output.clear();
  const app::ScoreOutcome own = app::score_job(job, warnings);
  CHECK(own.summaries.back().mean_interval_score == Approx(60265));
}

TEST_CASE("score job: a results file, from stored percentiles or from saved paths", "[cli]") {
  const fs::path dir = fresh_dir("results");
  for (bool save_paths : {false, true}) {
    const std::string results = small_results(dir, save_paths);
    const io::ResultsForecast f = io::read_results_forecast(results, "total_inflow", "", true, false);
    // The realised 2026 value is the forecast's own median: PIT 1/2, inside every central interval.
    const double median = f.quantiles[3 * 3 + 1];
    const std::string realised = write_file(dir / "realised.csv",
                                            "series,period,value\ntotal_inflow,2025,1\n"
                                            "total_inflow,2026," +
                                                std::to_string(median) + "\n");
    app::ScoreJob job;
    job.forecast = results;
    job.realised = realised;
    job.output = (dir / (save_paths ? "paths-scores.h5" : "plain-scores.h5")).string();
    std::vector<Problem> warnings;
    const app::ScoreOutcome out = app::score_job(job, warnings);
    REQUIRE(out.rows.size() == 1);  // 2025 covers 10 months only: not scored, said so
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].value == "2025");
    const ScoredPeriod& r = out.rows[0];
    CHECK(r.method == (save_paths ? "paths" : "quantiles"));
    CHECK(r.horizon == 1);  // origin 2025 (the month before 2025-03), period 2026
    CHECK(r.score.pit == Approx(0.5).margin(save_paths ? 2.0 / 301 : 1e-12));
    CHECK(r.score.covered_50);
    CHECK(r.score.log_ratio == Approx(0).margin(1e-6));
    CHECK(fs::exists(job.output));
  }
}

TEST_CASE("score job: bad input is an InputError and nothing is written", "[cli]") {
  const fs::path dir = fresh_dir("bad");
  const std::string results = small_results(dir, false);
  app::ScoreJob job;
  job.forecast = results;
  job.output = (dir / "scores.h5").string();
  std::vector<Problem> warnings;
  SECTION("a forecast file without the series") {
    job.realised = write_file(dir / "r.csv", "series,period,value\nasylum_total,2026,40000\n");
    try {
      app::score_job(job, warnings);
      FAIL("no InputError");
    } catch (const InputError& e) {
      CHECK(std::string(e.what()).find(results) != std::string::npos);
      CHECK(std::string(e.what()).find("asylum_total") != std::string::npos);
    }
  }
  SECTION("a realised file with a gap") {
    job.realised = write_file(dir / "r.csv", "series,period,value\ntotal_inflow,2024,1\ntotal_inflow,2026,2\n");
    CHECK_THROWS_AS(app::score_job(job, warnings), InputError);
  }
  SECTION("no realised value for any forecast period") {
    job.realised = write_file(dir / "r.csv", "series,period,value\ntotal_inflow,2030,1\n");
    CHECK_THROWS_AS(app::score_job(job, warnings), InputError);
  }
  SECTION("no --realised for a results file, bad band percentiles") {
    job.band_percentiles = {50, 5, 95};
    try {
      app::score_job(job, warnings);
      FAIL("no InputError");
    } catch (const InputError& e) {
      CHECK(e.problems().size() == 2);
    }
  }
  SECTION("an existing output without --overwrite") {
    job.realised = kData + "realised.csv";
    write_file(job.output, "keep");
    CHECK_THROWS_AS(app::score_job(job, warnings), InputError);
    std::ifstream in(job.output);
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "keep");
    return;
  }
  CHECK_FALSE(fs::exists(job.output));
}
