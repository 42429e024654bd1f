#pragma once
// Helpers shared by the Catch2 tests.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/simulation.h"
#include "io/scenario_reader.h"

namespace mppmc::testing {

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
