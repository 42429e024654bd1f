#include "engine/statistics.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace mppmc {

namespace {

// Places the order statistics `ranks[first, last)` (ascending) at their sorted positions:
// selecting the middle rank splits the array, and each side only holds its own ranks
// (multi-select, O(N log k) for k ranks instead of O(N k)).
void select_ranks(double* data, std::int64_t begin, std::int64_t end, const std::int64_t* first, const std::int64_t* last) {
  if (first == last) return;
  const std::int64_t* middle = first + (last - first) / 2;
  std::nth_element(data + begin, data + *middle, data + end);
  select_ranks(data, begin, *middle, first, middle);
  select_ranks(data, *middle + 1, end, middle + 1, last);
}

}  // namespace

std::vector<double> percentiles_type7(const double* x, std::int64_t n, const std::vector<double>& percents,
                                      std::vector<double>& scratch) {
  MPPMC_CHECK(n >= 1);
  scratch.assign(x, x + n);
  // Type 7 needs the order statistics floor(h) and floor(h) + 1. Select the floor(h)'s; the
  // next one up is then the smallest value between floor(h) and the next selected rank.
  std::vector<std::int64_t> ranks;
  std::vector<double> hs;
  for (double p : percents) {
    MPPMC_CHECK(p >= 0.0 && p <= 100.0);
    const double h = static_cast<double>(n - 1) * p / 100.0;
    hs.push_back(h);
    ranks.push_back(std::min(static_cast<std::int64_t>(std::floor(h)), n - 1));
  }
  std::vector<std::int64_t> unique = ranks;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  select_ranks(scratch.data(), 0, n, unique.data(), unique.data() + unique.size());

  std::vector<double> out;
  out.reserve(percents.size());
  for (std::size_t k = 0; k < percents.size(); ++k) {
    const std::int64_t lo = ranks[k];
    const double lower = scratch[static_cast<std::size_t>(lo)];
    const double fraction = hs[k] - static_cast<double>(lo);
    if (lo + 1 >= n || fraction == 0.0) {
      out.push_back(lower);
      continue;
    }
    const auto next = std::upper_bound(unique.begin(), unique.end(), lo);
    const std::int64_t stop = next == unique.end() ? n : *next + 1;
    const double upper = *std::min_element(scratch.begin() + lo + 1, scratch.begin() + stop);
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
