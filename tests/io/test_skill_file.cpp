#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "io/hdf5_file.h"
#include "io/skill_file.h"

using namespace mppmc;
namespace fs = std::filesystem;

namespace {
std::vector<ScoredPeriod> two_rows() {
  std::vector<ScoredPeriod> rows(2);
  rows[0].group = rows[1].group = "published";
  rows[0].forecast = "2022-II";
  rows[1].forecast = "2023-I";
  rows[0].series = rows[1].series = "total_inflow";
  rows[0].period = "2022";
  rows[1].period = "2023";
  rows[0].method = rows[1].method = "quantiles";
  rows[0].realised = 48600;
  rows[1].realised = 50600;
  rows[0].medio = NAN;  // 2022-II published no medio
  rows[1].medio = 67000;
  rows[0].score = score_period(Predictive::from_quantiles({0.05, 0.95}, {48210, 55170}), {48210, 55170}, 48600);
  rows[1].score =
      score_period(Predictive::from_quantiles({0.05, 0.5, 0.95}, {49000, 67000, 77000}), {49000, 77000}, 50600);
  return rows;
}
}  // namespace

TEST_CASE("skill file: tidy CSV, one statistic a line, empty where a value does not exist", "[unit][io]") {
  const std::vector<ScoredPeriod> rows = two_rows();
  const std::vector<SkillSummary> summaries = summarize_skill(rows);
  const std::string text = io::skill_csv_text(rows, summaries);
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  CHECK(lines.front() == "kind,group,forecast,series,period,horizon,method,statistic,value");
  CHECK(lines.size() == 1 + 2 * 14 + summaries.size() * 11);
  CHECK(std::count(lines.begin(), lines.end(), "period,published,2022-II,total_inflow,2022,0,quantiles,log_ratio,") ==
        1);
  CHECK(std::count(lines.begin(), lines.end(),
                   "period,published,2023-I,total_inflow,2023,0,quantiles,interval_score,28000") == 1);
  CHECK(std::count(lines.begin(), lines.end(), "summary,published,,total_inflow,,all,,coverage_90,1") == 1);
}

TEST_CASE("skill file: the HDF5 group reads back column by column", "[unit][io]") {
  const std::vector<ScoredPeriod> rows = two_rows();
  const std::vector<SkillSummary> summaries = summarize_skill(rows);
  const fs::path dir = fs::temp_directory_path() / "mppmc_skill_file_tests";
  fs::create_directories(dir);
  const std::string path = (dir / "scores.h5").string();
  io::write_skill_file(path, rows, summaries, {{"forecast_file", "mpp_bands.csv"}});
  std::optional<io::h5::Handle> file = io::h5::open_file(path);
  REQUIRE(file);
  const hid_t root = file->id();
  CHECK(io::h5::read_string_attribute(root, "schema") == "mppmc-skill");
  CHECK(io::h5::read_string_attribute(root, "forecast_file") == "mpp_bands.csv");
  CHECK(io::h5::read_strings(root, "skill/periods/forecast") == std::vector<std::string>{"2022-II", "2023-I"});
  CHECK(io::h5::read_ints(root, "skill/periods/covered_90") == std::vector<std::int64_t>{1, 1});
  const std::vector<double> is = io::h5::read_doubles(root, "skill/periods/interval_score");
  CHECK(is == std::vector<double>{6960, 28000});
  CHECK(std::isnan(io::h5::read_doubles(root, "skill/periods/log_ratio")[0]));
  CHECK(io::h5::read_ints(root, "skill/summary/horizon") == std::vector<std::int64_t>{0, -1});
  CHECK(io::h5::read_doubles(root, "skill/summary/mean_interval_score")[1] == 17480);
  // No temporary file is left beside it.
  for (const auto& entry : fs::directory_iterator(dir))
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
}
