#pragma once
// The settings a job runs with: the run config file's (config/default.toml unless --config),
// then what the command line gives over them. One place applies that order for every command.
#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "analysis/study.h"
#include "core/error.h"
#include "engine/designs.h"
#include "engine/settings.h"
#include "io/run_config.h"

namespace mppmc::app {

//! The largest values the command line and the Python module accept: paths per run, worker
//! threads and paths per block (the smallest are 1, 0 (all cores) and 1).
inline constexpr std::int64_t kMaxPaths = 4294967295;
inline constexpr int kMaxThreads = 4096;
inline constexpr int kMaxBlockSize = 1 << 20;

//! What the command line may set over a run config; an unset field keeps the config's value.
struct RunOverrides {
  std::optional<std::int64_t> paths;
  std::optional<std::uint64_t> seed;
  std::optional<int> threads;     //!< 0: all cores
  std::optional<int> block_size;  //!< paths per block
  std::optional<Sampling> sampling;
  std::optional<QuantileMode> quantiles;
  std::optional<double> memory_limit_gb;  //!< GB that auto may use for exact percentiles
  bool save_paths = false;                //!< on top of the config's output.save_paths
  bool deterministic = false;             //!< every input at its median: one path unless `paths`
  //! Percentiles (percent, strictly increasing in [0, 100]) and band (min < medio < max
  //! percentiles) over the config's [statistics] and [band]; the command line has no option
  //! for them (its config file sets them), the Python module does.
  std::optional<std::vector<double>> percentiles;
  std::optional<std::array<double, 3>> band;
};

//! The problems of `overrides`: values out of range (the command line's options refuse them
//! first), percentiles and band.
void check_overrides(const RunOverrides& overrides, std::vector<Problem>& problems);

//! The settings a run uses: `config`, then `overrides` over it.
io::RunConfig effective_settings(io::RunConfig config, const RunOverrides& overrides);

//! The simulation settings of `config` (seed, paths, threads, block size).
SimulationSettings simulation_settings(const io::RunConfig& config);

//! What the command line may set over a sensitivity study file.
struct StudyOverrides {
  std::optional<std::int64_t> samples;  //!< N base samples
  std::optional<std::uint64_t> seed;
  std::optional<Sampling> sampling;
  std::optional<int> bootstrap;  //!< resamples for the intervals
};

//! The study a sensitivity job runs: `study`, then `overrides` over it.
Study effective_study(Study study, const StudyOverrides& overrides);

//! The run config at `path` (empty: the shipped config/default.toml); its problems are added
//! to `problems` (and the built-in defaults returned) instead of thrown, so that a job can
//! report them with every other problem of its inputs.
io::RunConfig read_config(const std::string& path, std::vector<Problem>& problems);

//! A shipped file (scenario, config): from the current folder if it is there, else from the
//! source tree the binary was built from, so the commands work from any folder.
std::string shipped(const std::string& relative);

//! The problems with writing a job's output at `output`: a folder (or a name ending in '/'), a
//! file name longer than file systems allow, a path through an existing file, one of the job's
//! own input files, or an existing file without `overwrite`. Checked before any work, so that a
//! long run cannot fail at its end. `example`: a file name to suggest inside a folder.
void check_output(const std::string& output, bool overwrite, const std::vector<std::string>& inputs,
                  const std::string& example, std::vector<Problem>& problems);

//! Runs `read` (a reader that throws InputError) and adds its problems to `problems` instead,
//! so that a job reports every problem of every file at once; returns what it read, or a
//! default value when it failed (nothing for a `read` that returns nothing).
template <typename Read>
auto collect_problems(std::vector<Problem>& problems, Read read) -> decltype(read()) {
  try {
    return read();
  } catch (const InputError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    if constexpr (!std::is_void_v<decltype(read())>) return {};
  }
}

}  // namespace mppmc::app
