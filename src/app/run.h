#pragma once
// `mppmc run`: a baseline and its variants, from files in to a results file out, or to the same
// results in memory (the Python module). Reads and checks everything first and throws
// InputError listing every problem before any work; nothing is written then, and an existing
// output is left untouched.
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/settings.h"
#include "core/calendar.h"
#include "core/error.h"
#include "engine/settings.h"
#include "engine/simulation.h"
#include "io/run_config.h"
#include "model/scenario.h"

namespace mppmc::app {

struct RunJob {
  std::vector<std::string> scenarios;  //!< baseline first; empty: the shipped default scenario
  std::string config;                  //!< empty: the shipped config/default.toml
  std::string output;                  //!< empty: <output.dir>/<stems joined by +>.h5
  RunOverrides overrides;
  std::optional<double> checkpoint_seconds;  //!< checkpoint interval; unset: 300 s; 0: only when stopped
  bool resume = false;                       //!< continue from <output>.ckpt
  bool overwrite = false;
  const std::atomic<bool>* stop = nullptr;  //!< set by SIGINT / SIGTERM: checkpoint and stop
  //! Called once everything is checked, before the long work, with the warnings so far (and
  //! may take them, e.g. to print them while the run goes on).
  std::function<void(std::vector<Problem>& warnings)> before_work;
};

struct RunOutcome {
  std::string output;               //!< the results file written (empty for a run in memory)
  std::vector<std::string> files;   //!< the scenario files, baseline first
  std::vector<std::string> names;   //!< their file stems (variant names)
  std::vector<std::string> titles;  //!< their [scenario] names
  io::RunConfig config;             //!< the effective settings
  std::string quantile_method;      //!< "exact" or "ddsketch:<alpha>"
  MonthIndex start = 0;
  int horizon_months = 0;
};

//! Reads, checks, simulates (common random numbers for the variants), summarises and writes.
//! Under MPI every process calls it; rank 0 writes the file and gets the outcome (the others
//! an empty one).
RunOutcome run_job(const RunJob& job, std::vector<Problem>& warnings, const ProgressCallback& progress);

//! One scenario's recorded inputs, as /inputs of the results file holds them.
struct RecordedInputs {
  std::vector<std::string> names;  //!< the recorded inputs' names
  std::vector<double> samples;     //!< every path's draws, row-major [path][input], in the inputs' units
};

//! A run's results in memory: what run_job writes to the results file, the same numbers bit for
//! bit (the same run, summaries and recorded inputs; only no file).
struct RunResults {
  RunOutcome outcome;                   //!< output is empty
  std::vector<Scenario> scenarios;      //!< as read, baseline first: time axis, resolved TOML
  std::vector<Summary> runs;            //!< per scenario, baseline first (/ and /variants/<name>/)
  std::vector<Summary> differences;     //!< per variant: variant - baseline, path by path (/compare/<name>/)
  std::vector<RecordedInputs> inputs;   //!< per scenario (/inputs, /variants/<name>/inputs)
  std::vector<SimulationResult> paths;  //!< per scenario with save_paths: every path (/paths); else empty
};

//! Reads, checks and simulates like run_job but keeps the results in memory and writes nothing:
//! no results file and no checkpoint (job.output, resume, overwrite and checkpoint_seconds are
//! not used). One process only. Throws InputError before any work, Interrupted when job.stop
//! turns true, RuntimeError for a non-finite value.
RunResults run_in_memory(const RunJob& job, std::vector<Problem>& warnings, const ProgressCallback& progress);

}  // namespace mppmc::app
