#pragma once
// Run settings (config/default.toml): how many paths, which seed, which percentiles and band,
// where results go. Command-line options override them (src/app/settings.h). Documented in
// docs/cli.md.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/designs.h"
#include "engine/settings.h"

namespace mppmc::io {

struct RunConfig {
  std::int64_t paths = 100000;
  std::uint64_t seed = 20241119;
  int threads = 0;                                                //!< 0: all hardware threads
  int block_size = 256;                                           //!< paths per block (does not change the numbers)
  Sampling sampling = Sampling::mc;                               //!< design of the path-level inputs
  std::vector<double> percentiles = {5, 10, 25, 50, 75, 90, 95};  //!< percent, ascending
  std::array<double, 3> band = {5, 50, 95};                       //!< percentiles of the minimum, medio, maximum
  QuantileMode quantiles = QuantileMode::automatic;               //!< automatic: exact while it fits memory_limit_gb
  double memory_limit_gb = 0;  //!< memory auto may use for exact percentiles; 0: half the machine's
  std::string output_dir = "results";
  bool save_paths = false;

  std::string source_file;  //!< where it was read from ("" for the built-in defaults)
};

//! Reads and validates a run config file; throws InputError listing every problem.
RunConfig read_run_config(const std::string& path);
//! The settings that determine the results, as TOML text (stored in results files as
//! config_toml). threads and block_size are omitted: they do not change any number.
std::string to_toml(const RunConfig& config);

}  // namespace mppmc::io
