#pragma once
// How a run executes, in one place: the scenarios prepared once (input plan, sampling design,
// settings), the choice of driver, the thread arena, stop and checkpoint timing, progress. A
// driver (month by month, sketch, all paths; later others, e.g. on a GPU) implements one
// interface, Driver, and keeps only what differs: how it orders the work and what it keeps.
//
// Every driver gives every column the same N values in path order, so the choice of driver,
// threads, block size and processes never changes a number (tests/engine/test_month_by_month.cpp,
// tests/python/test_determinism.py, tests/python/test_mpi.py).
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/designs.h"
#include "engine/inputs.h"
#include "engine/settings.h"
#include "engine/simulation.h"
#include "model/scenario.h"

namespace mppmc {

//! Relative accuracy of the DDSketches of `--quantiles sketch` (docs/overnight.md: the bound).
inline constexpr double kSketchAlpha = 0.005;

//! How the results file names the percentile method of a run: "exact" or "ddsketch:<alpha>".
std::string quantile_method_name(QuantileMode mode);

//! What a run computes.
struct RunRequest {
  std::vector<const Scenario*> scenarios;  //!< baseline first, then variants (common random numbers)
  SimulationSettings settings;             //!< settings.design: rows of a one-scenario run (sensitivity)
  Sampling sampling = Sampling::mc;        //!< design of each scenario's inputs, unless settings.design
  QuantileMode quantiles = QuantileMode::exact;
  double memory_limit_bytes = 0;             //!< what `automatic` may use for exact percentiles; 0: half the machine's
  bool keep_paths = false;                   //!< every path's values in RunOutput::results (--save-paths)
  bool summarize = true;                     //!< statistics of every column (false: only the paths)
  std::vector<double> percentiles;           //!< percent, ascending
  std::array<double, 3> band = {5, 50, 95};  //!< percentiles of the minimum, medio, maximum
  CheckpointSettings checkpoint;
  InputRowsSink sink;  //!< recorded inputs as they are drawn (not with keep_paths: see results)
  ProgressCallback progress;
};

//! What a run gives back. On ranks other than 0 of an MPI run: no statistics, and results that
//! hold only that process's share of the paths (rank 0 has them all).
struct RunOutput {
  std::vector<Summary> runs;              //!< per scenario, baseline first
  std::vector<Summary> differences;       //!< per variant: the path-wise difference variant - baseline
  std::vector<SimulationResult> results;  //!< per scenario, with keep_paths: every path
};

//! Thrown when a run stopped on request (after writing its checkpoint, where it keeps one).
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! The kinds of driver. Month by month: exact percentiles in one process holding two months'
//! columns. Sketch: chunks of paths into DDSketches, bounded memory. All paths: chunks into
//! full columns of every path (--save-paths, several processes, simulate()).
enum class DriverKind { month_by_month, sketch, all_paths };

//! The driver for percentiles of `quantiles` (exact or sketch): sketch for sketch; else month
//! by month in one process unless every path is kept; else all paths.
DriverKind driver_kind(QuantileMode quantiles, bool keep_paths);

//! Bytes of memory this machine has.
std::uint64_t physical_memory_bytes();

//! One scenario of a run, prepared once: its input plan, its sampling design (built from that
//! plan, so a variant's shared inputs get the baseline's columns) and its settings with the
//! design in place. Neither copied nor moved: the design refers to the plan.
class PreparedScenario {
 public:
  PreparedScenario(const Scenario& scenario, const SimulationSettings& settings, Sampling sampling);
  PreparedScenario(const PreparedScenario&) = delete;
  PreparedScenario& operator=(const PreparedScenario&) = delete;

  const Scenario& scenario() const { return *scenario_; }
  const InputPlan& plan() const { return plan_; }
  //! The run's settings, with `design` set to this scenario's design (null: plain Monte Carlo).
  const SimulationSettings& settings() const { return settings_; }

 private:
  const Scenario* scenario_;
  InputPlan plan_;
  std::optional<SampledDesign> design_;
  SimulationSettings settings_;
};

namespace detail {

//! Runs work on `threads` threads (0: all). The global limit lets a request above the core
//! count through (TBB would otherwise cap it and warn); either way the numbers do not change.
class ThreadLimit {
 public:
  explicit ThreadLimit(int threads) : arena_(threads > 0 ? threads : tbb::task_arena::automatic) {
    if (threads > 0) control_.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  }
  tbb::task_arena& arena() const { return arena_; }

 private:
  std::optional<tbb::global_control> control_;
  mutable tbb::task_arena arena_;
};

}  // namespace detail

//! A run, prepared: the scenarios' plans and designs built once, the percentile method and the
//! driver chosen, the thread arena. What the caller needs before the run (recorded input names,
//! memory, the method for the file) and what a driver needs during it (stop flag, checkpoint
//! clock, progress).
class RunContext {
 public:
  //! Prepares every scenario and resolves `automatic` percentiles: exact while the exact
  //! driver's peak memory for all scenarios fits the limit and every path is not kept.
  explicit RunContext(RunRequest request);

  const RunRequest& request() const { return request_; }
  std::size_t runs() const { return prepared_.size(); }
  const PreparedScenario& prepared(std::size_t k) const { return *prepared_[k]; }
  const Scenario& baseline() const { return prepared_.front()->scenario(); }
  std::int64_t paths() const { return request_.settings.paths; }
  //! Exact or sketch (never automatic).
  QuantileMode quantiles() const { return quantiles_; }
  DriverKind driver() const { return driver_kind(quantiles_, request_.keep_paths); }
  //! Bytes the exact-percentile driver (month by month, or all paths when every path is kept or
  //! the run spans processes) holds at its peak for all scenarios: what `auto` weighs.
  std::uint64_t exact_memory_bytes() const;
  //! Of everything that determines the numbers (version, method, seed, paths, sampling,
  //! scenarios): a checkpoint written for another fingerprint is refused on resume.
  std::uint64_t fingerprint() const { return fingerprint_; }
  //! Where the run's parallel work goes (--threads).
  tbb::task_arena& arena() const { return limit_.arena(); }
  //! The percentiles of the request followed by the band's three.
  const std::vector<double>& all_percents() const { return all_percents_; }

  //! Where the recorded inputs go (the request's sink until then): set once the caller has
  //! somewhere to put them, e.g. a results file made with the resolved percentile method.
  void set_sink(InputRowsSink sink) { request_.sink = std::move(sink); }

  //! Whether a stop was asked for (SIGINT / SIGTERM).
  bool stop_requested() const;
  //! After a unit of work, with more work left or not: whether to write a checkpoint now (a
  //! checkpoint file is kept, work is left, and a stop was asked for or the interval passed).
  bool checkpoint_due(bool more_left) const;
  //! Starts the checkpoint interval again (after writing one, and when the work starts).
  void restart_checkpoint_clock();

  //! Reports `done` of paths() paths to the progress callback; from the arena's thread 0 only,
  //! so that the callback is never called concurrently.
  void report(std::int64_t done) const;
  //! Reports the end of the run (any thread outside the arena).
  void report_finished() const;

 private:
  RunRequest request_;
  std::vector<std::unique_ptr<PreparedScenario>> prepared_;
  QuantileMode quantiles_ = QuantileMode::exact;
  std::uint64_t fingerprint_ = 0;
  detail::ThreadLimit limit_;
  std::vector<double> all_percents_;
  std::chrono::steady_clock::time_point last_checkpoint_;
};

//! A way of running all paths of the prepared scenarios into their statistics (or paths).
class Driver {
 public:
  virtual ~Driver() = default;
  virtual RunOutput run(RunContext& context) const = 0;
};

//! The driver of `kind`.
std::unique_ptr<Driver> make_driver(DriverKind kind);

//! Runs the prepared run with its driver. Throws RuntimeError naming the replay address when a
//! value is not finite, Interrupted when stopped, InputError for a checkpoint that cannot be
//! resumed.
RunOutput execute(RunContext& run);

}  // namespace mppmc
