#pragma once
// One block of paths of one scenario, in structure-of-arrays form: its draws, its stocks, and
// one month step at a time. The unit of work of every driver (src/engine/chunked.cpp,
// src/engine/month_by_month.cpp), so all compute every path's values with the same operations in
// the same order. Internal to src/engine.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/layout.h"
#include "engine/inputs.h"
#include "engine/settings.h"
#include "model/chain.h"
#include "model/scenario.h"
#include "model/series.h"

namespace mppmc::detail {

//! Where row `row`'s draws come from under `settings`.
RowSource row_source(const InputPlan& plan, const SimulationSettings& settings, std::int64_t row);
//! The same into `source`, reusing its arrays.
void row_source(const InputPlan& plan, const SimulationSettings& settings, std::int64_t row, RowSource& source);

//! Whether x[0..n) are all finite (no infinity, no NaN); branch-free, for the check after
//! every month step.
bool all_finite(const double* x, int n);

//! sum[i] += x[i] for i < n (the arrays do not overlap).
void add_to(double* sum, const double* x, int n);

//! The annual values of one series for n paths from its `count` months of the year, in order:
//! a flow is summed as 0 + m1 + m2 + ... in month order, a stock is the last month's value.
//! Both drivers form annual values here, so they agree bit for bit.
void annual_values(SeriesKind kind, const double* const* months, int count, int n, double* annual);

class PathBlock {
 public:
  //! Draws paths [begin, begin + n); their recorded inputs go to `recorded` (n rows of
  //! plan.recorded_names().size() values). The stocks start at the scenario's initial values.
  //! `same_draws`: a block of the same paths of another scenario whose plan draws the same
  //! parameters (InputPlan::same_parameter_draws); its parameter values and inflow levels are
  //! copied (the same numbers, without evaluating the quantiles again) and only this
  //! scenario's measure effects are drawn.
  //! The block's arrays come from `arena`, which must outlive it.
  PathBlock(const Scenario& scenario, const InputPlan& plan, const SimulationSettings& settings, std::int64_t begin,
            int n, double* recorded, BlockArena& arena, const PathBlock* same_draws = nullptr);

  std::int64_t begin() const { return begin_; }
  int size() const { return n_; }

  //! Advances the block by month m (0-based; months in order), writing series k of path
  //! begin() + i to out[k][i]. Throws RuntimeError naming the replay address when a value is
  //! not finite.
  void step(int m, const std::array<double*, kSeriesCount>& out);

  //! The stocks between months: [InitialStock][path], size() values each (persons); what a
  //! checkpoint keeps.
  const std::array<double*, kInitialStockCount>& stocks() const { return stocks_; }

 private:
  const Scenario& scenario_;
  const InputPlan& plan_;
  std::uint64_t seed_;
  std::int64_t begin_;
  int n_;
  // Parameter p's values in year slot y, n of them.
  const double* value(int y, int p) const {
    return &values_[slot_[static_cast<std::size_t>(y) * kParamCount + static_cast<std::size_t>(p)] * stride_];
  }

  std::size_t stride_;  // padded_stride(n): from one [..][path] array to the next
  // The draws, written once by the constructor before they are read: not zero-filled first.
  // Every array is the arena's (huge pages, no allocation per block).
  // A parameter that is the same in every year is stored once: slot_[year][param] is the
  // array of values_ that holds its values.
  std::vector<std::uint32_t> slot_;
  double* values_;  // [slot][path]
  double* level_;   // [year][path]
  double* effect_;  // [measure][path]
  // The monthly noise, sorted out once: every path's given factor (NaN where it is drawn, 1
  // without noise), and the paths that draw it with their draw addresses.
  double* noise_factor_;          // per path
  std::uint32_t* noise_drawn_;    // the paths that draw their noise, noise_draws_ of them
  std::uint32_t* noise_address_;  // their draw addresses, in the same order
  int noise_draws_ = 0;
  std::vector<std::vector<std::size_t>> measures_on_;  // per parameter: its measures
  std::array<double*, kInitialStockCount> stocks_;     // [stock][path]
};

}  // namespace mppmc::detail
