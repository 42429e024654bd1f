#pragma once
// The Monte Carlo driver: blocks of paths in parallel (oneTBB), each block stepping its paths
// month by month in structure-of-arrays form and writing into its own slots of the result
// columns (one owner per slot), so the result is a pure function of (scenario, seed, paths).
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/layout.h"

#include "engine/inputs.h"
#include "engine/statistics.h"
#include "model/scenario.h"
#include "model/series.h"

namespace mppmc {

struct SimulationSettings {
  std::uint64_t seed = 1;
  std::int64_t paths = 1000;   //!< 1 .. 2^32 - 1
  int threads = 0;             //!< 0: all hardware threads
  int block_size = 256;        //!< paths per block; any value gives the same numbers
  bool deterministic = false;  //!< every input at its median, no monthly noise
  //! Where each row's draws come from (Latin hypercube, Sobol points, Saltelli matrices,
  //! tornado); null: plain Monte Carlo, row i drawing from path i's addresses.
  const PathDesign* design = nullptr;
  //! When it turns true, the run stops at the next block by throwing Interrupted.
  const std::atomic<bool>* stop = nullptr;
};

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

//! Bytes the exact-percentile run of `paths` paths holds at its peak: every path's monthly and
//! annual values of every series (float64), the recorded inputs, the statistics' per-thread
//! copies, and the float32 copies of --save-paths.
std::uint64_t estimated_memory_bytes(const Scenario& scenario, std::int64_t paths, bool save_paths);

//! Called now and then from the driver's thread with the number of paths done.
using ProgressCallback = std::function<void(std::int64_t done, std::int64_t total)>;

//! Simulates every path of the scenario. Throws RuntimeError naming the replay address
//! (seed, path, month, series) if a value is not finite.
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

//! Paths per chunk of a streamed run: the unit of work and of the partial moments, fixed so
//! that the numbers do not depend on threads or block size.
inline constexpr std::int64_t kStreamChunk = 2048;

//! Receives one chunk's recorded inputs of one scenario: rows [first_row, first_row + rows)
//! of /inputs/samples, row-major. Called from worker threads; the callee serialises.
using InputRowsSink =
    std::function<void(std::size_t scenario, std::int64_t first_row, std::int64_t rows, const double* samples)>;

struct StreamedSummaries {
  std::vector<Summary> runs;         //!< per scenario (baseline first)
  std::vector<Summary> differences;  //!< per variant: the path-wise difference variant - baseline
};

//! Bounded-memory statistics: every scenario (baseline first, then variants; common random
//! numbers) is simulated chunk by chunk, and each chunk's values go into DDSketches of relative
//! accuracy `alpha` (percentiles and band) and into per-chunk moments merged in chunk order
//! (mean, std). Memory is a few chunks per thread plus the sketches, whatever the number of
//! paths. Bit for bit the same for any thread count or block size.
//! Checkpoints of a chunked run: after every wave of chunks the state of the completed chunks
//! (which they are; in sketch mode their merged sketches and moments, in exact mode their
//! values) can be written, atomically, to `checkpoint`; a resumed run reads it (a sketch run
//! regenerates the completed chunks' recorded inputs, a pure function of their addresses) and
//! simulates only the rest, which gives the same numbers bit for bit as an uninterrupted run.
struct StreamControl {
  std::string checkpoint;                   //!< path of the checkpoint file; empty: none
  double checkpoint_seconds = 300;          //!< write one at least this often (0: only when stopped)
  bool resume = false;                      //!< start from `checkpoint`
  std::uint64_t fingerprint = 0;            //!< of everything that determines the numbers; checked on resume
  const std::atomic<bool>* stop = nullptr;  //!< when it turns true: write a checkpoint and throw Interrupted
};

//! Thrown when a streamed run stopped on request after writing its checkpoint.
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! `designs`: per scenario, its sampling design (or null for plain Monte Carlo); may be empty.
//! `exact`: for exact percentiles, one full-size result per scenario that the chunks fill in
//! (with checkpoints holding the completed chunks' values); the summaries are then empty and
//! the caller summarises the results.
StreamedSummaries summarize_streaming(const std::vector<const Scenario*>& scenarios, const SimulationSettings& settings,
                                      const std::vector<const PathDesign*>& designs,
                                      const std::vector<double>& percentiles,
                                      const std::array<double, 3>& band_percentiles, double alpha,
                                      const InputRowsSink& sink, const ProgressCallback& progress = {},
                                      const StreamControl& control = {},
                                      std::vector<SimulationResult>* exact = nullptr);

//! Exact percentiles in one process without every path's history: all paths of every scenario
//! (baseline first; common random numbers) advance through one year slot at a time, each
//! block of paths stepping the year's months in a row, into a buffer of the year's columns;
//! then the year's monthly and annual columns (and each variant's path-wise differences) are
//! summarised in parallel and the buffer is reused. Bit for bit the numbers of summarize() on a
//! full SimulationResult, for any thread count or block size. Recorded inputs go to `sink`
//! block by block. Checkpoints (`control`) are written at year ends and hold the statistics so
//! far and every path's stocks; a run stopped within a year checkpoints the state at the
//! year's start. A resumed run draws the paths' inputs again (a pure function of their
//! addresses) and goes on with the next year.
StreamedSummaries summarize_year_by_year(const std::vector<const Scenario*>& scenarios,
                                         const SimulationSettings& settings,
                                         const std::vector<const PathDesign*>& designs,
                                         const std::vector<double>& percentiles,
                                         const std::array<double, 3>& band_percentiles, const InputRowsSink& sink,
                                         const ProgressCallback& progress = {}, const StreamControl& control = {});

//! Bytes summarize_year_by_year holds for one scenario of `paths` paths: each path's draws,
//! stocks and sampling source, and a year's monthly and annual columns.
std::uint64_t year_by_year_memory_bytes(const Scenario& scenario, std::int64_t paths);

}  // namespace mppmc
