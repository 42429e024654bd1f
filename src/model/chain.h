#pragma once
// The chain's month step (docs/model-spec.md, "One month, in this order") on a block of
// paths in structure-of-arrays form: every stock, parameter and output is an array over the
// block's paths, so the loop over paths is branch-light and vectorises.
#include <array>

#include "model/parameters.h"
#include "model/series.h"

namespace mppmc {

//! One month's inputs for n paths. `param[p]` points at n values of parameter p in this
//! month after measures and the rate cap (the entry for inflow_first_annual is unused: the
//! month's first inflow comes in `first`).
struct MonthInputs {
  const double* first = nullptr;  //!< first applications this month, persons
  std::array<const double*, kParamCount> param{};
};

//! Advances n paths by one month. `stock[s]` holds n values of InitialStock s (persons), read
//! as the values at the start of the month and left as those at its end. `out[k]` receives n
//! values of SeriesId k for the month (flows in persons or EUR per month, stocks at month end).
void step_month(int n, const MonthInputs& in, const std::array<double*, kInitialStockCount>& stock,
                const std::array<double*, kSeriesCount>& out);

}  // namespace mppmc
