#pragma once
// `mppmc score` as a library call (docs/forecast-skill.md): scores a forecast against what was
// realised. The forecast is an mppmc results file (every series the realised file names, the
// baseline and every variant; from the saved paths when the file has them, else from the stored
// percentiles) or a CSV of published bands (mpp_bands.csv's columns; the band's minimum, medio
// and maximum read as the percentiles `band_percentiles`). Reads and checks everything first:
// every problem is an InputError and nothing is written.
#include <string>
#include <vector>

#include "analysis/skill.h"
#include "core/error.h"

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

//! The tables score_job prints, for any rows and summaries (the backtest prints them too).
std::string skill_tables(const std::vector<ScoredPeriod>& rows, const std::vector<SkillSummary>& summaries);

}  // namespace mppmc::app
