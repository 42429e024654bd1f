#pragma once
// The two drivers that cut the paths into chunks of kStreamChunk, run in waves (between waves
// a checkpoint can hold the completed chunks) and shared round robin between processes:
// * sketch: each chunk's values go into DDSketches and chunk moments (bounded memory);
// * all paths: each chunk's blocks write straight into full columns [series][period][path]
//   (--save-paths, several processes, simulate()); the statistics are then computed column by
//   column as summarize() does.
// Internal to src/engine; reached through src/engine/run_control.h.
#include <cstdint>
#include <memory>

#include "engine/run_control.h"

namespace mppmc::detail {

//! Paths per chunk: the unit of work, of the moments and of the processes' shares, fixed so that
//! the numbers do not depend on threads, block size or processes.
inline constexpr std::int64_t kStreamChunk = 2048;

std::unique_ptr<Driver> make_sketch_driver();
std::unique_ptr<Driver> make_all_paths_driver();

//! Bytes the all-paths driver holds for one scenario of `paths` paths: every path's monthly
//! and annual values of every series (float64), `inputs` recorded inputs per path, the
//! statistics' per-thread copies, and the float32 copies of --save-paths.
std::uint64_t all_paths_memory_bytes(const Scenario& scenario, std::int64_t paths, std::size_t inputs, bool save_paths);

}  // namespace mppmc::detail
