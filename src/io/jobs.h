#pragma once
// The commands' work, from files in to files out, as library calls: `mppmc run` (a baseline and
// its variants), `mppmc calibrate` and `mppmc sensitivity`. Each reads and checks everything
// first and throws InputError listing every problem before any work; nothing is written then,
// and an existing output is left untouched. The CLI (src/cli/main.cpp) only parses options,
// prints and maps errors to exit codes.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/calibration.h"
#include "core/error.h"
#include "engine/simulation.h"
#include "io/calibrated_scenario.h"
#include "io/run_config.h"

namespace mppmc::io {

//! A shipped file (scenario, config): from the current folder if it is there, else from the
//! source tree the binary was built from, so the commands work from any folder.
std::string shipped(const std::string& relative);

//! `mppmc run`: the first scenario is the baseline, the others are variants. Zero / negative /
//! empty fields mean "from the config file".
struct RunJob {
  std::vector<std::string> scenarios;  //!< empty: the shipped default scenario
  std::string config;                  //!< empty: the shipped config/default.toml
  std::string output;                  //!< empty: <output.dir>/<stems joined by +>.h5
  std::int64_t paths = 0;
  std::uint64_t seed = 0;
  bool seed_given = false;
  int threads = -1;
  int block_size = 0;
  std::string sampling;
  std::string quantiles;       //!< exact | sketch | auto; empty: from the config
  double memory_limit_gb = 0;  //!< auto's limit for exact percentiles; 0: from the config
  bool deterministic = false;
  bool save_paths = false;
  bool overwrite = false;
  double checkpoint_seconds = -1;           //!< checkpoint interval; <0: 300 s; 0: only when stopped
  bool resume = false;                      //!< continue from <output>.ckpt
  const std::atomic<bool>* stop = nullptr;  //!< set by SIGINT / SIGTERM: checkpoint and stop
};

struct RunOutcome {
  std::string output;               //!< the results file written
  std::vector<std::string> files;   //!< the scenario files, baseline first
  std::vector<std::string> names;   //!< their file stems (variant names)
  std::vector<std::string> titles;  //!< their [scenario] names
  RunConfig config;                 //!< the effective settings
  std::string quantile_method;      //!< "exact" or "ddsketch:<alpha>"
  MonthIndex start = 0;
  int horizon_months = 0;
};

//! Reads, checks, simulates (common random numbers for the variants), summarises and writes.
RunOutcome run_job(const RunJob& job, std::vector<Problem>& warnings, const ProgressCallback& progress);

//! `mppmc calibrate`.
struct CalibrateJob {
  std::string scenario;
  std::string series = "total_inflow";
  int year = 0;
  std::vector<double> band;
  std::vector<double> percentiles = {5, 50, 95};
  std::string output;
  std::string config;
  std::int64_t paths = 0;
  std::uint64_t seed = 0;
  bool seed_given = false;
  int threads = -1;
  bool overwrite = false;
};

//! Called once the target and the settings are known, before the first iteration.
using CalibrationStart = std::function<void(const CalibrationTarget&, const SimulationSettings&)>;

//! Calibrates, writes the scenario file (read back and compared before it takes the output's
//! name) and returns what was achieved.
CalibrationRecord calibrate_job(const CalibrateJob& job, std::vector<Problem>& warnings, const CalibrationStart& start,
                                const CalibrationLog& log);

//! `mppmc sensitivity`: a study file, or an analytic benchmark.
struct SensitivityJob {
  std::string study;
  std::string benchmark;  //!< "ishigami" or "sobol-g" instead of a study
  std::string output;     //!< empty: results/<study>-sensitivity.h5 or results/benchmark-<name>.h5
  std::int64_t samples = 0;
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::string sampling;
  int bootstrap = -1;
  int threads = 0;
  bool overwrite = false;
};

//! Runs the study or benchmark and writes the sensitivity file; returns its path.
std::string sensitivity_job(const SensitivityJob& job, std::vector<Problem>& warnings,
                            const ProgressCallback& progress);

}  // namespace mppmc::io
