#include "model/scenario.h"

#include <algorithm>

namespace mppmc {

const Distribution& YearTable::at(int year) const {
  if (years.empty() || year <= years.front()) return values.front();
  // Latest listed year <= year.
  const auto it = std::upper_bound(years.begin(), years.end(), year);
  return values[static_cast<std::size_t>(it - years.begin()) - 1];
}

bool YearTable::is_fixed() const {
  return std::all_of(values.begin(), values.end(), [](const Distribution& d) { return d.is_fixed(); });
}

double Measure::factor(MonthIndex month, double effect_value) const {
  if (month < start) return 1.0;
  if (ramp_months == 0) return effect_value;
  const int k = month - start;
  const double ramp = std::min(1.0, static_cast<double>(k + 1) / ramp_months);
  return 1.0 + (effect_value - 1.0) * ramp;
}

std::vector<int> Scenario::months_in_year() const {
  std::vector<int> counts(static_cast<std::size_t>(year_count()), 0);
  for (int m = 0; m < horizon_months; ++m) ++counts[static_cast<std::size_t>(year_slot(m))];
  return counts;
}

}  // namespace mppmc
