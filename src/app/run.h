#pragma once
// `mppmc run`: a baseline and its variants, from files in to a results file out. Reads and
// checks everything first and throws InputError listing every problem before any work; nothing
// is written then, and an existing output is left untouched.
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/settings.h"
#include "core/calendar.h"
#include "core/error.h"
#include "engine/settings.h"
#include "io/run_config.h"

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
  std::string output;               //!< the results file written
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

}  // namespace mppmc::app
