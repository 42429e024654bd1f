#pragma once
// Exact percentiles in one process without every path's history: all paths of every scenario
// (baseline first; common random numbers) advance through one year slot at a time, each block
// of paths stepping the year's months in a row while its state is in cache, into a buffer of
// the year's columns; then the year's monthly and annual columns (and each variant's path-wise
// differences) are summarised in parallel and the buffer is reused. Bit for bit the numbers of
// summarize() on a full SimulationResult, for any thread count or block size. Recorded inputs
// go to the request's sink block by block. Checkpoints are written at year ends and hold the
// statistics so far and every path's stocks; a run stopped within a year checkpoints the state
// at the year's start. A resumed run draws the paths' inputs again (a pure function of their
// addresses) and goes on with the next year. Internal to src/engine; reached through
// src/engine/run_control.h.
#include <cstdint>
#include <memory>

#include "engine/run_control.h"

namespace mppmc::detail {

std::unique_ptr<Driver> make_year_by_year_driver();

//! Bytes the year-by-year driver holds for one scenario of `paths` paths: each path's draws,
//! stocks and sampling source, and a year's monthly and annual columns.
std::uint64_t year_by_year_memory_bytes(const Scenario& scenario, std::int64_t paths);

}  // namespace mppmc::detail
