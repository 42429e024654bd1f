#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "engine/statistics.h"
#include "io/forecast_file.h"
#include "support.h"

using namespace mppmc;
namespace fs = std::filesystem;

namespace {
// tests/data/small.toml (2025-03 + 30 months: partial 2025 and 2027), 400 paths, saved paths.
std::string small_results(bool save_paths) {
  const fs::path dir = fs::temp_directory_path() / "mppmc_forecast_tests";
  fs::create_directories(dir);
  const std::string path = (dir / (save_paths ? "paths.h5" : "plain.h5")).string();
  if (fs::exists(path)) return path;
  testing::write_small_results(path, 400, 11, save_paths);
  return path;
}
}  // namespace

TEST_CASE("forecast file: percentiles, band and time axis of a series", "[unit][io]") {
  const std::string path = small_results(false);
  const io::ResultsForecast f = io::read_results_forecast(path, "total_inflow", "", true, true);
  CHECK(f.periods == std::vector<std::string>{"2025", "2026", "2027"});
  CHECK(f.months == std::vector<int>{10, 12, 8});
  CHECK(f.origin_year == 2025);  // the month before 2025-03 is in 2025
  CHECK(f.levels == std::vector<double>{0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95});
  CHECK(f.band_levels == std::array<double, 3>{0.05, 0.5, 0.95});
  CHECK(f.paths == 0);  // no /paths in this file
  CHECK(f.quantiles.size() == 7 * 3);
  // The band's min is the 5th percentile, its medio the 50th.
  for (std::size_t t = 0; t < 3; ++t) {
    CHECK(f.band[t] == f.quantiles[0 * 3 + t]);
    CHECK(f.band[3 + t] == f.quantiles[3 * 3 + t]);
  }
  const io::ResultsForecast m = io::read_results_forecast(path, "coa_occupancy", "", false, false);
  CHECK(m.periods.size() == 30);
  CHECK(m.periods.front() == "2025-03");
}

TEST_CASE("forecast file: saved paths give the annual values whose percentiles the file stores", "[unit][io]") {
  const std::string path = small_results(true);
  for (const char* series : {"total_inflow", "coa_occupancy"}) {  // a flow (summed) and a stock (year end)
    const io::ResultsForecast f = io::read_results_forecast(path, series, "", true, true);
    REQUIRE(f.paths == 400);
    std::vector<double> scratch;
    for (std::size_t t = 0; t < f.periods.size(); ++t) {
      const std::vector<double> q = percentiles_type7(&f.samples[t * 400], 400, {5, 10, 25, 50, 75, 90, 95}, scratch);
      for (std::size_t k = 0; k < q.size(); ++k)
        CHECK(q[k] == Approx(f.quantiles[k * f.periods.size() + t]).epsilon(1e-5));  // float32 paths
    }
  }
}

TEST_CASE("forecast file: a missing series, variant or file is an InputError naming the file", "[unit][io]") {
  const std::string path = small_results(false);
  try {
    io::read_results_forecast(path, "asylum_total", "", true, false);
    FAIL("no InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find(path) != std::string::npos);
    CHECK(std::string(e.what()).find("asylum_total") != std::string::npos);
  }
  CHECK_THROWS_AS(io::read_results_forecast(path, "total_inflow", "faster", true, false), InputError);
  CHECK_THROWS_AS(io::read_results_forecast(path + ".missing", "total_inflow", "", true, false), InputError);
  CHECK(io::results_variants(path).empty());
}
