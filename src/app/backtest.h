#pragma once
// `mppmc backtest` (docs/forecast-skill.md, "Backtest"): rolling-origin evaluation of the fitted
// inflow models through the chain. For each origin O (the first forecast year; the fit uses the
// history's data through O - 1 only) and each model:
//   1. fit first applications (analysis/inflow_fit.h) on the annual history through O - 1;
//   2. build the scenario in memory: the base moved to start O-01 with `horizon_years` years,
//      its inflow.first.annual and year_correlation from the fit, every other input as in the
//      base (per-year tables take their first entry for years before it; the initial stocks
//      and measures are the base's own);
//   3. simulate: one run per origin with one scenario per model (engine/run_control.h), so the
//      models at one origin share every random number, and the same seed and paths at every
//      origin, so a calendar month's draws are shared across origins too (common random numbers);
//   4. score inflow_first and total_inflow of every forecast year the history has a value for
//      (analysis/skill.h, from every path's annual value).
// The published bands, when given, are scored beside the models (group "published"). Reads and
// checks everything first: every problem is an InputError and nothing is written.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/inflow_fit.h"
#include "analysis/skill.h"
#include "core/error.h"
#include "model/scenario.h"

namespace mppmc::app {

struct BacktestJob {
  std::string scenario;                              //!< the base scenario; empty: the shipped default
  std::string history;                               //!< annual history (wide or tidy); empty: the shipped one
  std::string series = "first_applications";         //!< the first applications: fitted, scored as inflow_first
  std::string total_series = "total_asylum_inflow";  //!< total inflow: scored as total_inflow (optional)
  std::string origins;                               //!< "2016-2024" or "2020": first forecast years
  std::vector<std::string> models;                   //!< empty: random-walk, ar1, expert
  int horizon_years = 3;                             //!< years simulated from each origin, 1..10
  std::string published;                             //!< optional published bands CSV
  std::string config;                                //!< run settings (seed, percentiles, band); empty: shipped
  std::optional<std::int64_t> paths;                 //!< default kBacktestPaths
  std::optional<std::uint64_t> seed;                 //!< default: the config's
  int threads = 0;                                   //!< 0: all cores (never changes a number)
  bool skip_short = false;  //!< an (origin, model) without enough data is skipped (a warning), not refused
  std::string output;       //!< the backtest file (.h5)
  bool overwrite = false;
};

//! Paths per origin unless --paths: enough for the 5th and 95th percentiles to about 1%.
inline constexpr std::int64_t kBacktestPaths = 10000;

//! Called once per origin with a line of progress (fits done, paths simulated, time).
using BacktestProgress = std::function<void(const std::string& line)>;

struct BacktestOutcome {
  std::vector<int> origins;
  std::vector<std::string> models;
  std::vector<ScoredPeriod> rows;       //!< every model's and the published bands' scored periods
  std::vector<SkillSummary> summaries;  //!< per group (model or "published"), series and horizon
  std::vector<std::string> skipped;     //!< "origin O, model M: why"
  std::string table;                    //!< what the command prints
  std::string output;
};

//! Runs the backtest and writes its file. Warnings (a year without a realised total, a skipped
//! origin, a realised value that differs from a band's own column) go to `warnings`.
BacktestOutcome backtest_job(const BacktestJob& job, std::vector<Problem>& warnings, const BacktestProgress& progress);

//! The scenario a model forecasts with from `origin`: `base` moved to start `origin`-01 with
//! `years` years, its inflow.first.annual the fit's predictive per year (io::fitted_entries),
//! its year_correlation the fit's rho; everything else as in `base`.
Scenario backtest_scenario(const Scenario& base, int origin, int years, const InflowFit& fit);

//! "2016-2024" -> {2016, 2024}; "2020" -> {2020, 2020}; nullopt for anything else (or first > last).
std::optional<std::pair<int, int>> parse_origins(const std::string& text);

}  // namespace mppmc::app
