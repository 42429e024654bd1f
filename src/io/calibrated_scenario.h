#pragma once
// Writes the scenario file that `mppmc calibrate` produces: the original text with its comments,
// the year-Y entry of inflow.first.annual replaced by the calibrated metalog (the following year
// pinned to the entry it had), and a header recording the target and the achieved percentiles.
// A file that extends another is written resolved (self-contained), so the result runs from
// wherever it is written.
#include <string>

#include "analysis/calibration.h"
#include "model/scenario.h"

namespace mppmc::io {

struct CalibrationRecord {
  CalibrationTarget target;
  CalibrationResult result;
  std::uint64_t seed = 0;
  std::int64_t paths = 0;
};

//! The calibrated scenario as TOML text. `original` is the scenario read from `scenario_path`.
std::string calibrated_scenario_text(const std::string& scenario_path, const Scenario& original,
                                     const CalibrationRecord& record);

//! The calibrated year entry as an inline TOML distribution.
std::string calibrated_entry_text(const CalibrationRecord& record);

}  // namespace mppmc::io
