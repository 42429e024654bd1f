#pragma once
// Helpers shared by the Catch2 tests.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/run_control.h"
#include "engine/simulation.h"
#include "io/results_writer.h"
#include "io/scenario_reader.h"

namespace mppmc::testing {

//! An empty folder <temp>/<suite>/<name> (whatever an earlier run left there is removed).
inline std::filesystem::path fresh_dir(const std::string& suite, const std::string& name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / suite / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

//! tests/data/small.toml: every distribution family, measures, correlations, partial years.
inline Scenario small_scenario() {
  std::vector<Problem> warnings;
  return io::read_scenario(std::string(MPPMC_SOURCE_DIR) + "/tests/data/small.toml", warnings);
}

//! The column of a recorded input (e.g. "coa.uptake", "inflow.first.annual[2026]").
inline std::size_t input_column(const SimulationResult& r, const std::string& name) {
  const auto& names = r.input_names();
  const auto it = std::find(names.begin(), names.end(), name);
  REQUIRE(it != names.end());
  return static_cast<std::size_t>(it - names.begin());
}

//! A run through the engine's run control (src/engine/run_control.h), its driver chosen from
//! `quantiles` and `keep_paths` as in `mppmc run`: exact -> month by month, exact with
//! keep_paths -> all paths, sketch -> sketch.
struct DriverRun {
  DriverRun(std::vector<const Scenario*> scenarios_, SimulationSettings settings_,
            QuantileMode quantiles_ = QuantileMode::exact, bool keep_paths_ = false,
            std::vector<double> percents_ = {5, 10, 25, 50, 75, 90, 95}, std::array<double, 3> band_ = {5, 50, 95},
            InputRowsSink sink_ = {})
      : scenarios(std::move(scenarios_)),
        settings(settings_),
        quantiles(quantiles_),
        keep_paths(keep_paths_),
        percents(std::move(percents_)),
        band(band_),
        sink(std::move(sink_)) {}

  std::vector<const Scenario*> scenarios;
  SimulationSettings settings;
  QuantileMode quantiles = QuantileMode::exact;
  bool keep_paths = false;
  std::vector<double> percents = {5, 10, 25, 50, 75, 90, 95};
  std::array<double, 3> band = {5, 50, 95};
  InputRowsSink sink;
  ProgressCallback progress;
  CheckpointSettings checkpoint;

  RunOutput operator()() const {
    RunRequest request;
    request.scenarios = scenarios;
    request.settings = settings;
    request.quantiles = quantiles;
    request.keep_paths = keep_paths;
    request.percentiles = percents;
    request.band = band;
    request.sink = sink;
    request.progress = progress;
    request.checkpoint = checkpoint;
    RunContext run(std::move(request));
    return execute(run);
  }
};

//! Writes a results file of small_scenario() (2025-03 + 30 months: partial 2025 and 2027) with
//! `paths` paths and the default percentiles and band; /paths too with `save_paths`.
inline void write_small_results(const std::string& path, std::int64_t paths, std::uint64_t seed, bool save_paths) {
  const Scenario scenario = small_scenario();
  SimulationSettings settings;
  settings.paths = paths;
  settings.seed = seed;
  const SimulationResult result = simulate(scenario, settings);
  io::RunConfig config;
  config.paths = paths;
  config.seed = seed;
  config.save_paths = save_paths;
  const Summary summary = summarize(result, config.percentiles, config.band);
  io::ResultsFile file(path, scenario, config, false);
  file.begin_inputs("", paths, result.input_names());
  file.write_input_rows("", 0, paths, result.input_names().size(), result.input_samples().data());
  file.write_baseline({&scenario, &result, &summary});
  file.commit();
}

//! A full disk without root, for the lifetime of the object: files of this process may not grow
//! past `bytes` (RLIMIT_FSIZE), and a write past that fails with EFBIG instead of raising
//! SIGXFSZ, as a write to a full disk fails with ENOSPC. Restores both on destruction.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) : handler_(std::signal(SIGXFSZ, SIG_IGN)) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    const rlimit limit{bytes, saved_.rlim_max};
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*handler_)(int);
};

//! A fresh empty folder under the system's temporary folder, removed with its contents.
class TemporaryFolder {
 public:
  explicit TemporaryFolder(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TemporaryFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  //! The names of the files in the folder, sorted.
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace mppmc::testing
