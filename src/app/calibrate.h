#pragma once
// `mppmc calibrate`: a year's first-inflow distribution fitted so that the simulated
// percentiles of a series match a published band; writes the calibrated scenario file (or gives
// its text, for the Python module).
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "analysis/calibration.h"
#include "app/settings.h"
#include "core/error.h"
#include "io/calibrated_scenario.h"

namespace mppmc::app {

struct CalibrateJob {
  std::string scenario;
  std::string series = "total_inflow";  //!< total_inflow or inflow_first
  int year = 0;                         //!< calendar year of the band
  std::vector<double> band;             //!< MIN, MEDIO, MAX (persons/year)
  std::vector<double> percentiles = {5, 50, 95};
  std::string output;
  std::string config;      //!< empty: the shipped config/default.toml
  RunOverrides overrides;  //!< paths, seed and threads are used
  bool overwrite = false;
};

//! Called once the target and the settings are known, before the first iteration.
using CalibrationStart = std::function<void(const CalibrationTarget&, const SimulationSettings&)>;

//! Calibrates, writes the scenario file (read back and compared before it takes the output's
//! name) and returns what was achieved. Throws InputError for bad inputs, before any work.
io::CalibrationRecord calibrate_job(const CalibrateJob& job, std::vector<Problem>& warnings,
                                    const CalibrationStart& start, const CalibrationLog& log);

//! A calibration in memory: what was achieved and the text calibrate_job would write.
struct CalibrationOutcome {
  io::CalibrationRecord record;
  std::string scenario_toml;  //!< the calibrated scenario file's text
};

//! Calibrates like calibrate_job but writes nothing (job.output and overwrite are not used).
CalibrationOutcome calibrate_in_memory(const CalibrateJob& job, std::vector<Problem>& warnings,
                                       const CalibrationStart& start, const CalibrationLog& log);

}  // namespace mppmc::app
