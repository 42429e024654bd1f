#pragma once
// Every path's values of a run (SimulationResult), the statistics of its columns (Summary), and
// simulate(): one scenario's paths, kept whole. How a run is executed (drivers, threads,
// checkpoints, processes) is src/engine/run_control.h.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/layout.h"
#include "engine/settings.h"
#include "engine/statistics.h"
#include "model/scenario.h"
#include "model/series.h"

namespace mppmc {

//! All paths' values, column by column: a column is one series in one period, N paths long.
class SimulationResult {
 public:
  SimulationResult(std::int64_t paths, int months, int years, std::vector<std::string> input_names);

  std::int64_t paths() const { return paths_; }
  int months() const { return months_; }
  int years() const { return years_; }
  //! N values of series s in month m (flows per month, stocks at month end).
  double* monthly(SeriesId s, int m) { return &monthly_[column_offset(index(s) * months_ + m)]; }
  const double* monthly(SeriesId s, int m) const { return &monthly_[column_offset(index(s) * months_ + m)]; }
  //! N values of series s in year slot y (flows summed over the year's months, stocks at year end).
  double* annual(SeriesId s, int y) { return &annual_[column_offset(index(s) * years_ + y)]; }
  const double* annual(SeriesId s, int y) const { return &annual_[column_offset(index(s) * years_ + y)]; }

  const std::vector<std::string>& input_names() const { return input_names_; }
  //! Path-level draws, row-major [path][input].
  std::vector<double>& input_samples() { return input_samples_; }
  const std::vector<double>& input_samples() const { return input_samples_; }

 private:
  std::size_t column_offset(int column) const { return static_cast<std::size_t>(column) * stride_; }
  std::int64_t paths_;
  std::size_t stride_;  // doubles from one column to the next: padded_stride(paths)
  int months_;
  int years_;
  LargeArray monthly_;  // [series][month][path], columns stride_ apart
  LargeArray annual_;   // [series][year][path], columns stride_ apart
  std::vector<std::string> input_names_;
  std::vector<double> input_samples_;
};

//! Simulates every path of the scenario (the all-paths driver of src/engine/run_control.h, on
//! settings.threads threads, without a checkpoint). Throws RuntimeError naming the replay
//! address (seed, path, month, series) if a value is not finite, Interrupted when settings.stop
//! turns true.
SimulationResult simulate(const Scenario& scenario, const SimulationSettings& settings,
                          const ProgressCallback& progress = {});

//! The statistics of a run: monthly columns are (series, month) in series-major order
//! (column = series * months + month), annual columns (series, year slot) likewise.
struct Summary {
  std::vector<double> percentiles;         //!< percent, as requested
  std::array<double, 3> band_percentiles;  //!< min, medio, max
  ColumnStatistics monthly;
  ColumnStatistics annual;
};

//! Statistics of every column on `threads` threads (0: all); one task per column, so the
//! numbers do not depend on the thread count.
Summary summarize(const SimulationResult& result, const std::vector<double>& percentiles,
                  const std::array<double, 3>& band_percentiles, int threads = 0);

//! Statistics of the path-wise difference variant - baseline, column by column. Both runs
//! must have the same paths and time axis (the same seed gives common random numbers).
Summary summarize_difference(const SimulationResult& baseline, const SimulationResult& variant,
                             const std::vector<double>& percentiles, const std::array<double, 3>& band_percentiles,
                             int threads = 0);

}  // namespace mppmc
