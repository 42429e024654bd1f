#pragma once
// Exact percentiles in one process without every path's history: all paths of every scenario
// (baseline first; common random numbers) advance one month at a time into a buffer of that
// month's 24 columns, each flow's annual value growing in a running sum beside it; while the
// paths step month m, the columns of month m - 1 (and of its year, at a year's end; and each
// variant's path-wise differences) are summarised in the same parallel loop, from the other of
// two buffers. Memory is two months' columns and two years' running sums, not a year's
// columns. Bit for bit the numbers of summarize() on a full SimulationResult, for any thread
// count or block size: the annual sums are formed as annual_values forms them (0 + m1 + m2 +
// ... in month order) and each column's statistics see the same N values in path order.
// Recorded inputs go to the request's sink block by block.
//
// Checkpoints can be written after any month: they hold the statistics so far, every path's
// stocks and, within a year, the year's running sums, so the first one comes within
// --checkpoint-seconds of the end of the draws even inside the first year. A stop is honoured
// between months (one month of every path is a fraction of a second). A resumed run draws the
// paths' inputs again (a pure function of their addresses) and goes on with the next month.
// Internal to src/engine; reached through src/engine/run_control.h.
#include <cstdint>
#include <memory>

#include "engine/run_control.h"

namespace mppmc::detail {

std::unique_ptr<Driver> make_month_by_month_driver();

//! Bytes the month-by-month driver holds for one scenario of `paths` paths: each path's draws,
//! stocks and sampling source, two months' columns and two years' running annual sums.
std::uint64_t month_by_month_memory_bytes(const Scenario& scenario, std::int64_t paths);

}  // namespace mppmc::detail
