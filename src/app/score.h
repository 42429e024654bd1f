#pragma once
// `mppmc score` as a library call (docs/forecast-skill.md): scores a forecast against what was
// realised. The forecast is an mppmc results file (every series the realised file names, the
// baseline and every variant; from the saved paths when the file has them, else from the stored
// percentiles) or a CSV of published bands (mpp_bands.csv's columns; the band's minimum, medio
// and maximum read as the percentiles `band_percentiles`). Reads and checks everything first:
// every problem is an InputError and nothing is written.
#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "analysis/skill.h"
#include "core/error.h"
#include "io/history_csv.h"

namespace mppmc::app {

struct ScoreJob {
  std::string forecast;  //!< results file (.h5) or published bands (.csv)
  std::string realised;  //!< tidy series,period,value; empty: a bands CSV's own realised column
  std::string output;    //!< .csv (tidy) or anything else (HDF5); empty: nothing written
  std::vector<double> band_percentiles = {5, 50, 95};  //!< bands CSV: minimum, medio, maximum (percent)
  bool overwrite = false;
};

struct ScoreOutcome {
  std::vector<ScoredPeriod> rows;
  std::vector<SkillSummary> summaries;
  std::string table;   //!< the printed tables: one line per scored period, then the summaries
  std::string output;  //!< the file written ("" when none)
};

//! Reads, scores, writes (when an output is given) and returns the rows, summaries and tables.
//! Notes that do not stop the work (a partial year skipped, a realised value that differs
//! between the bands file and the realised file) go to `warnings`.
ScoreOutcome score_job(const ScoreJob& job, std::vector<Problem>& warnings);

//! Which forecast of which period a score belongs to.
struct ForecastLabel {
  std::string group;     //!< "published", "baseline", a variant or a model
  std::string forecast;  //!< an edition, the group again, or a backtest origin
  std::string series;    //!< mppmc series name
  std::string period;    //!< "YYYY" or "YYYY-MM"
  int horizon = 0;       //!< years after the forecast's origin
};

//! Scores one forecast period against `realised`: `band` = minimum, medio (NaN: none), maximum in
//! the series' unit, `band_nominal` the probability the band claims; the method ("paths" or
//! "quantiles") is the predictive's.
ScoredPeriod scored_period(const ForecastLabel& label, const Predictive& predictive, const std::array<double, 3>& band,
                           double band_nominal, double realised);

//! The tables score_job prints, for any rows and summaries: skill_period_table, then
//! skill_summary_table.
std::string skill_tables(const std::vector<ScoredPeriod>& rows, const std::vector<SkillSummary>& summaries);
//! One line per scored period (realised, band, PIT, which intervals covered, IS, CRPS, log ratio).
std::string skill_period_table(const std::vector<ScoredPeriod>& rows);
//! One line per summary: coverage of the 50 / 80 / 90% intervals and the band against nominal,
//! mean interval score, mean CRPS, bias, mean PIT (the backtest prints this one side by side).
std::string skill_summary_table(const std::vector<SkillSummary>& summaries);

//! The published bands as forecasts (group "published", one per edition with a realised value):
//! the band's minimum / medio / maximum at `band_percentiles` (percent), horizon = target year -
//! the year of the month before publication. `realised` (mppmc series, period) -> value, when
//! given, wins over a band's own realised column (a difference is a warning at the band's line).
std::vector<ScoredPeriod> score_published_bands(const std::string& bands_file,
                                                const std::vector<io::PublishedBand>& bands,
                                                const std::vector<double>& band_percentiles,
                                                const std::map<std::pair<std::string, std::string>, double>* realised,
                                                const std::string& realised_file, std::vector<Problem>& warnings);

}  // namespace mppmc::app
