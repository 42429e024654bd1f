#include "engine/statistics.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace mppmc {

std::vector<double> percentiles_type7(const double* x, std::int64_t n, const std::vector<double>& percents,
                                      std::vector<double>& scratch) {
  MPPMC_CHECK(n >= 1);
  scratch.assign(x, x + n);
  // The order statistics needed: floor(h) and floor(h) + 1 for each percentile.
  struct Need {
    double h;
    std::int64_t lo;
  };
  std::vector<Need> needs;
  std::vector<std::int64_t> ranks;
  for (double p : percents) {
    MPPMC_CHECK(p >= 0.0 && p <= 100.0);
    const double h = static_cast<double>(n - 1) * p / 100.0;
    const auto lo = std::min(static_cast<std::int64_t>(std::floor(h)), n - 1);
    needs.push_back({h, lo});
    ranks.push_back(lo);
    if (lo + 1 < n) ranks.push_back(lo + 1);
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  // Selection in ascending rank order: each nth_element only touches the part above the last rank.
  auto begin = scratch.begin();
  for (std::int64_t r : ranks) {
    std::nth_element(begin, scratch.begin() + r, scratch.end());
    begin = scratch.begin() + r + 1;
  }
  std::vector<double> out;
  out.reserve(percents.size());
  for (const Need& need : needs) {
    const double lower = scratch[static_cast<std::size_t>(need.lo)];
    if (need.lo + 1 >= n) {
      out.push_back(lower);
      continue;
    }
    const double upper = scratch[static_cast<std::size_t>(need.lo + 1)];
    const double fraction = need.h - static_cast<double>(need.lo);
    // numpy's _lerp form: exact at both ends and monotone in the fraction.
    out.push_back(fraction >= 0.5 ? upper - (upper - lower) * (1.0 - fraction) : lower + (upper - lower) * fraction);
  }
  return out;
}

Moments moments(const double* x, std::int64_t n) {
  MPPMC_CHECK(n >= 1);
  double sum = 0.0;
  for (std::int64_t i = 0; i < n; ++i) sum += x[i];
  const double mean = sum / static_cast<double>(n);
  double squares = 0.0;
  for (std::int64_t i = 0; i < n; ++i) squares += (x[i] - mean) * (x[i] - mean);
  return {mean, std::sqrt(squares / static_cast<double>(n))};
}

}  // namespace mppmc
