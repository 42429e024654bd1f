#pragma once
// Writes a run to an HDF5 results file, schema 1 (docs/hdf5-schema.md). The file is written
// under a temporary name in the target folder and renamed into place only when complete, so
// a reader never sees half a file and a failed run leaves an existing file untouched.
#include <string>

#include "engine/simulation.h"
#include "io/run_config.h"
#include "model/scenario.h"

namespace mppmc::io {

struct RunRecord {
  const Scenario* scenario;
  const RunConfig* config;       //!< the effective settings (config file + command line)
  bool deterministic = false;
  const SimulationResult* result;
  const Summary* summary;
  bool save_paths = false;
};

//! Writes `record` to `path` (atomically). Throws RuntimeError on I/O failure.
void write_results(const std::string& path, const RunRecord& record);

//! Fails early, before any work, if `path` cannot be written: creates its folder and a probe
//! file next to it (removed again). Throws RuntimeError naming the reason.
void check_writable(const std::string& path);

//! UTC time "YYYY-MM-DDTHH:MM:SSZ": now, or SOURCE_DATE_EPOCH when set (reproducible files).
std::string created_utc();

}  // namespace mppmc::io
