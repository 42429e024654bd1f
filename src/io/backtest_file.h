#pragma once
// Writes the file of `mppmc backtest` (docs/hdf5-schema.md, "Backtest file"; docs/forecast-skill.md,
// "Backtest"): per model the scored periods and summaries (io::write_skill_group), the forecast
// percentiles of every origin, series and year, the fit behind them, and the published bands'
// scores beside them; provenance at the root. Written under a temporary name and renamed when
// complete, like every mppmc file.
//
//   /                                   attrs schema = "mppmc-backtest", schema_version = 1,
//                                       tool_version, git_sha, created_utc, then the record's
//                                       text attributes and seed, paths, horizon_years
//   /origins                            [O] int32, the first forecast year of each origin
//   /percentiles                        [P] float64, percent
//   /band                               attrs min_percentile, medio_percentile, max_percentile
//   /series                             [S] string, the scored mppmc series
//   /realised/year                      [Y] int32
//   /realised/<series>                  [Y] float64, persons/year (NaN: no value)
//   /models/<model>/run                 [O] int32, 1 = fitted and simulated at that origin
//   /models/<model>/year_correlation    [O] float64 (NaN where not run)
//   /models/<model>/fitted_inflow_first [O, H, L] float64, the fit's predictive at /fit_levels
//   /models/<model>/forecast/<series>/quantiles  [O, H, P] float64 (NaN where not run)
//   /models/<model>/forecast/<series>/band       [O, H, 3] float64: min, medio, max
//   /models/<model>/forecast/<series>/mean       [O, H] float64
//   /models/<model>/skill               write_skill_group (the model's rows; group = model)
//   /published/skill                    the published bands' scores (when given)
//   /fit_levels                         [L] float64, probabilities
//   /skipped                            [K] string, the (origin, model) pairs not run, and why
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "analysis/skill.h"

namespace mppmc::io {

//! One series of one model: [origin][year of the horizon][...], NaN where the model did not run.
struct BacktestSeries {
  std::string series;
  std::vector<double> quantiles;  //!< [O][H][P]
  std::vector<double> band;       //!< [O][H][3]
  std::vector<double> mean;       //!< [O][H]
};

struct BacktestModel {
  std::string name;
  std::vector<std::int32_t> run;          //!< [O]
  std::vector<double> year_correlation;   //!< [O]
  std::vector<double> fitted_quantiles;   //!< [O][H][L]
  std::vector<BacktestSeries> forecasts;  //!< one per scored series
  std::vector<ScoredPeriod> rows;
  std::vector<SkillSummary> summaries;
};

struct BacktestRecord {
  std::vector<std::pair<std::string, std::string>> attributes;  //!< provenance (scenario_file, ...)
  std::uint64_t seed = 0;
  std::int64_t paths = 0;
  int horizon_years = 0;
  std::vector<int> origins;
  std::vector<double> percentiles;
  std::array<double, 3> band{};
  std::vector<double> fit_levels;
  std::vector<std::string> series;
  std::vector<int> realised_years;
  std::vector<std::vector<double>> realised;  //!< per series, [Y]
  std::vector<BacktestModel> models;
  std::vector<ScoredPeriod> published_rows;  //!< empty: no /published
  std::vector<SkillSummary> published_summaries;
  std::vector<std::string> skipped;
};

//! Writes `record` to `path` (layout above). Throws RuntimeError when it cannot be written.
void write_backtest_file(const std::string& path, const BacktestRecord& record);

}  // namespace mppmc::io
