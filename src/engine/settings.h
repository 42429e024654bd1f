#pragma once
// The settings of a simulation, apart from the scenario: how many paths from which seed, how
// they are spread over threads, where each row's draws come from, how percentiles are found,
// when the run stops and where it keeps its state. Plain values; the drivers read them
// (src/engine/run_control.h), the readers of config files and the command line fill them.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mppmc {

class PathDesign;

struct SimulationSettings {
  std::uint64_t seed = 1;
  std::int64_t paths = 1000;   //!< 1 .. 2^32 - 1
  int threads = 0;             //!< 0: all hardware threads
  int block_size = 256;        //!< paths per block; any value gives the same numbers
  bool deterministic = false;  //!< every input at its median, no monthly noise
  //! Where each row's draws come from (Latin hypercube, Sobol points, Saltelli matrices,
  //! tornado); null: plain Monte Carlo, row i drawing from path i's addresses.
  const PathDesign* design = nullptr;
  //! When it turns true, the run stops at the next block: it writes its checkpoint (when it
  //! keeps one) and throws Interrupted.
  const std::atomic<bool>* stop = nullptr;
};

//! How percentiles are found (docs/overnight.md): `exact` keeps every path's values of the
//! columns being summarised (type-7 percentiles); `sketch` streams them into DDSketches of
//! bounded memory; `automatic` ("auto") takes exact while it fits the memory limit.
enum class QuantileMode { exact, sketch, automatic };

//! "exact", "sketch", "auto".
const char* quantile_mode_name(QuantileMode mode);
//! The mode named `text` ("exact", "sketch" or "auto"); nothing for any other text.
std::optional<QuantileMode> parse_quantile_mode(std::string_view text);

//! Checkpoints of a long run (docs/overnight.md).
struct CheckpointSettings {
  std::string path;               //!< the checkpoint file; empty: none
  double interval_seconds = 300;  //!< write one at least this often (0: only when stopped)
  bool resume = false;            //!< start from `path`
  std::uint64_t fingerprint = 0;  //!< of everything that determines the numbers; checked on resume
};

//! Called now and then from the driver's thread with the number of paths done.
using ProgressCallback = std::function<void(std::int64_t done, std::int64_t total)>;

//! Receives one block's or chunk's recorded inputs of one scenario: rows [first_row,
//! first_row + rows) of /inputs/samples, row-major. Called from worker threads; the callee
//! serialises.
using InputRowsSink =
    std::function<void(std::size_t scenario, std::int64_t first_row, std::int64_t rows, const double* samples)>;

}  // namespace mppmc
