#pragma once
// The commands as the command line calls them: each runs its job, prints for people and
// returns the exit code. src/cli/main.cpp only declares the options and calls these.
//
// Exit codes (docs/cli.md): 0 done; 2 bad input (every problem listed, nothing written, an
// existing output untouched); 3 a failure while running or writing (I/O, a non-finite value);
// 130 stopped by SIGINT / SIGTERM (after writing the checkpoint, where the run keeps one).
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "app/backtest.h"
#include "app/calibrate.h"
#include "app/fit.h"
#include "app/run.h"
#include "app/score.h"
#include "app/sensitivity.h"

namespace mppmc::app {

inline constexpr int kExitOk = 0, kExitInput = 2, kExitRuntime = 3, kExitInterrupted = 130;

//! Runs `command` and maps what it throws to an exit code, printing it on stderr: InputError
//! (exit 2, every problem, on rank 0 only), Interrupted (130), anything else (3).
int guarded(const std::function<int()>& command);

//! From now on SIGINT and SIGTERM set the returned flag (a run then checkpoints and stops).
const std::atomic<bool>* stop_on_signals();

//! `mppmc run`: progress, the band table of the key series and each variant's impact table
//! (unless quiet), the results file and the time taken.
int run_command(const RunJob& job, bool quiet);
//! `mppmc calibrate`: the iterations (unless quiet) and the calibrated entry.
int calibrate_command(const CalibrateJob& job, bool quiet);
//! `mppmc sensitivity`: progress and the tables (unless quiet), the results file.
int sensitivity_command(const SensitivityJob& job, bool quiet);
//! `mppmc validate`: each scenario file checked; every problem of every file.
int validate_command(const std::vector<std::string>& files);
//! `mppmc info`: what a results or sensitivity file holds.
int info_command(const std::string& file);
//! What `mppmc export` writes: CSV tables into `csv_folder` and/or the workbook `xlsx`.
struct ExportJob {
  std::string file;        //!< a results or sensitivity file
  std::string csv_folder;  //!< "" for none
  std::string xlsx;        //!< "" for none
  bool wide = false;       //!< the CSV's wide annual band tables instead of the tidy ones
  bool decimal_comma = false;
  bool overwrite = false;
};
//! `mppmc export`: a results or sensitivity file's tables as CSV and/or xlsx; each path written.
int export_command(const ExportJob& job);
//! `mppmc score`: the per-period table and the summaries (unless quiet), the scores file.
int score_command(const ScoreJob& job, bool quiet);
//! `mppmc fit`: the data, estimates, predictive per year and rho (unless quiet), the scenario.
int fit_command(const FitJob& job, bool quiet);
//! `mppmc backtest`: a progress line per origin on stderr and the side-by-side table (unless
//! quiet), the backtest file.
int backtest_command(const BacktestJob& job, bool quiet);

}  // namespace mppmc::app
