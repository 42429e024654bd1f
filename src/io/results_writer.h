#pragma once
// Writes runs to an HDF5 results file, schema 2 (docs/hdf5-schema.md): every dataset names its
// dimensions (HDF5 dimension scales, so netCDF-4 tools and xarray label its axes) and carries
// units and long_name. The file is written
// under a temporary name in the target folder and renamed into place only by commit(), so a
// reader never sees half a file and a failed run leaves an existing file untouched.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <hdf5.h>

#include "engine/simulation.h"
#include "io/hdf5_file.h"
#include "io/run_config.h"
#include "model/scenario.h"

namespace mppmc::io {

//! The results file's schema_version: 2 since every dataset names its dimensions
//! (docs/hdf5-schema.md, "What changed from schema 1").
constexpr std::int64_t kResultsSchemaVersion = 2;

//! One simulated scenario and what to record of it.
struct RunRecord {
  const Scenario* scenario;
  const SimulationResult* result;  //!< every path's values, for /paths (save_paths); else null
  const Summary* summary;
};

class ResultsFile {
 public:
  //! Starts `<path>.tmp-<pid>` with the root attributes, time axis, percentiles and band, taken
  //! from the baseline scenario and the effective settings.
  ResultsFile(std::string path, const Scenario& baseline, const RunConfig& config, bool deterministic,
              const std::string& quantile_method = "exact");
  //! Removes the temporary file unless commit() succeeded.
  ~ResultsFile();
  ResultsFile(const ResultsFile&) = delete;
  ResultsFile& operator=(const ResultsFile&) = delete;

  //! The baseline: statistics at the root and, with save_paths, /paths.
  void write_baseline(const RunRecord& run);
  //! A variant under /variants/<name>/ (same layout as the root) and the statistics of the
  //! path-wise difference variant - baseline under /compare/<name>/.
  void write_variant(const std::string& name, const RunRecord& run, const Summary& difference);
  //! /inputs of the baseline (variant "") or of a variant, [rows, names] float64, created
  //! before the run's statistics in every kind of run and filled in any order with
  //! write_input_rows, which several threads may call at once (for disjoint rows).
  void begin_inputs(const std::string& variant, std::int64_t rows, const std::vector<std::string>& names);
  void write_input_rows(const std::string& variant, std::int64_t first_row, std::int64_t rows, std::size_t columns,
                        const double* data);
  //! Closes the file, checking every close (a full disk is a RuntimeError, and the temporary
  //! is removed), writes its checksum, forces it to disk and renames it into place
  //! (core/atomic_file.h publish). Before commit() an existing file at the path is untouched.
  void commit();

 private:
  //! /variants/<name>, created with the variant's dimension scales when it does not exist yet.
  h5::Handle variant_group(const std::string& name);

  struct State;
  std::string path_;
  std::string temporary_;
  bool save_paths_;
  std::unique_ptr<State> state_;
};

//! Fails early, before any work, if `path` cannot be written: creates its folder and a probe
//! file next to it (removed again). Throws RuntimeError naming the reason.
void check_writable(const std::string& path);

//! Writes an HDF5 file through `fill` under `<path>.tmp-<pid>`: the root gets the attributes
//! schema, schema_version, tool_version, git_sha and created_utc first; then every close is
//! checked, the file's checksum written, and it is forced to disk and renamed into place
//! (core/atomic_file.h publish). On any failure the temporary is removed and `path` untouched.
void write_hdf5_atomically(const std::string& path, const std::string& schema, std::int64_t schema_version,
                           const std::function<void(hid_t)>& fill);

//! A series' unit: monthly as the series states it ("persons/month"), annual per year for a flow
//! ("persons/year"; the sum over the year's months) and unchanged for a stock.
std::string series_unit(const SeriesInfo& info, bool annual);
//! A series' name as words, for long_name: "total_inflow" -> "total inflow".
std::string series_words(std::string_view name);

//! UTC time "YYYY-MM-DDTHH:MM:SSZ": now, or SOURCE_DATE_EPOCH when set (reproducible files).
std::string created_utc();

}  // namespace mppmc::io
