#include "engine/statistics.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace mppmc {

namespace {

// Places the order statistics `ranks[first, last)` (ascending) at their sorted positions:
// selecting the middle rank splits the array, and each side only holds its own ranks
// (multi-select, O(N log k) for k ranks instead of O(N k)).
void select_ranks(double* data, std::int64_t begin, std::int64_t end, const std::int64_t* first,
                  const std::int64_t* last) {
  if (first == last) return;
  const std::int64_t* middle = first + (last - first) / 2;
  std::nth_element(data + begin, data + *middle, data + end);
  select_ranks(data, begin, *middle, first, middle);
  select_ranks(data, *middle + 1, end, middle + 1, last);
}

constexpr std::int64_t kBins = 4096;
static_assert(kBins <= 65536, "bins are recorded in 16 bits");

// Sums over a column run in kLanes lanes keyed by path index (lane i mod 8 holds paths i, i + 8,
// ...), combined in one fixed order: the same bits whatever the threads, blocks or processes
// (a column always holds its N values in path order), and eight independent addition chains
// instead of one, so the additions no longer wait on each other.
constexpr int kLanes = 8;

// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)).
double combine_lanes(const double (&lane)[kLanes]) {
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// Pass 1 of order_statistics: the sum (in lanes), min and max.
struct SumRange {
  double sum, min, max;
};
SumRange sum_min_max(const double* x, std::int64_t n) {
  double sum[kLanes] = {}, lo[kLanes], hi[kLanes];
  for (int l = 0; l < kLanes; ++l) lo[l] = hi[l] = x[0];
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      sum[l] += x[i + l];
      lo[l] = x[i + l] < lo[l] ? x[i + l] : lo[l];
      hi[l] = x[i + l] > hi[l] ? x[i + l] : hi[l];
    }
  for (int l = 0; i < n; ++i, ++l) {
    sum[l] += x[i];
    lo[l] = x[i] < lo[l] ? x[i] : lo[l];
    hi[l] = x[i] > hi[l] ? x[i] : hi[l];
  }
  double min = lo[0], max = hi[0];
  for (int l = 1; l < kLanes; ++l) {
    min = std::min(min, lo[l]);
    max = std::max(max, hi[l]);
  }
  return {combine_lanes(sum), min, max};
}

// The squared deviations from `mean`, in lanes.
double squares_about(const double* x, std::int64_t n, double mean) {
  double squares[kLanes] = {};
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) squares[l] += (x[i + l] - mean) * (x[i + l] - mean);
  for (int l = 0; i < n; ++i, ++l) squares[l] += (x[i] - mean) * (x[i] - mean);
  return combine_lanes(squares);
}

// Pass 2: the squared deviations from `mean` (returned), then each value's bin (kept in `bins`
// for pass 3) and the count of values below each bin. Two interleaved histograms of 32-bit
// counts (in L1): neighbouring values often fall in the same bin, and one array would make each
// increment wait for the previous one's store.
double histogram_and_squares(const double* x, std::int64_t n, double min, double scale, double mean,
                             std::vector<std::uint16_t>& bins, std::vector<std::int64_t>& count) {
  auto bin_of = [&](double v) {
    return static_cast<std::uint16_t>(std::min<std::int64_t>(kBins - 1, static_cast<std::int64_t>((v - min) * scale)));
  };
  const double squares = squares_about(x, n, mean);
  std::vector<std::uint32_t> even(kBins, 0), odd(kBins, 0);
  bins.resize(static_cast<std::size_t>(n));
  std::int64_t pair = 0;
  for (; pair + 1 < n; pair += 2) {
    const std::uint16_t b0 = bin_of(x[pair]), b1 = bin_of(x[pair + 1]);
    bins[static_cast<std::size_t>(pair)] = b0;
    bins[static_cast<std::size_t>(pair + 1)] = b1;
    ++even[b0];
    ++odd[b1];
  }
  if (pair < n) {
    const std::uint16_t b0 = bin_of(x[pair]);
    bins[static_cast<std::size_t>(pair)] = b0;
    ++even[b0];
  }
  count.assign(kBins + 1, 0);  // count[b]: values in bins below b
  for (std::int64_t b = 0; b < kBins; ++b)
    count[static_cast<std::size_t>(b + 1)] =
        count[static_cast<std::size_t>(b)] + even[static_cast<std::size_t>(b)] + odd[static_cast<std::size_t>(b)];
  return squares;
}

// Pass 3: the order statistics `ranks` of x[0..n) from the values of the bins that hold them.
void select_in_bins(const double* x, std::int64_t n, const std::vector<std::int64_t>& ranks,
                    const std::vector<std::uint16_t>& bins, const std::vector<std::int64_t>& count,
                    std::vector<double>& values, std::vector<double>& scratch) {
  // The bins of the ranks, and where each wanted bin's values go in the candidate buffer:
  std::vector<std::int64_t> bin_of_rank(ranks.size()), slot(kBins, -1), next(kBins, -1), wanted_bins;
  std::int64_t wanted_total = 0;
  for (std::size_t k = 0; k < ranks.size(); ++k) {
    const auto b =
        static_cast<std::int64_t>(std::upper_bound(count.begin(), count.end(), ranks[k]) - count.begin()) - 1;
    bin_of_rank[k] = b;
    if (slot[static_cast<std::size_t>(b)] < 0) {
      slot[static_cast<std::size_t>(b)] = next[static_cast<std::size_t>(b)] = wanted_total;
      wanted_total += count[static_cast<std::size_t>(b + 1)] - count[static_cast<std::size_t>(b)];
      wanted_bins.push_back(b);
    }
  }
  scratch.resize(static_cast<std::size_t>(wanted_total));
  // Each value's bin is read back from pass 2 (2 bytes, not recomputed from the 8-byte value),
  // and a byte per bin says whether it is wanted: 4 KB stay in L1, where the 32 KB of `next`
  // would not.
  std::vector<std::uint8_t> wanted(kBins, 0);
  for (const std::int64_t b : wanted_bins) wanted[static_cast<std::size_t>(b)] = 1;
  for (std::int64_t j = 0; j < n; ++j) {
    const std::size_t b = bins[static_cast<std::size_t>(j)];
    if (wanted[b] != 0) scratch[static_cast<std::size_t>(next[b]++)] = x[j];
  }
  // Select within each wanted bin, all of its ranks at once.
  for (const std::int64_t b : wanted_bins) {
    const std::int64_t begin = slot[static_cast<std::size_t>(b)];
    const std::int64_t below = count[static_cast<std::size_t>(b)];
    std::vector<std::int64_t> local;
    for (std::size_t k = 0; k < ranks.size(); ++k)
      if (bin_of_rank[k] == b) local.push_back(begin + ranks[k] - below);
    select_ranks(scratch.data(), begin, next[static_cast<std::size_t>(b)], local.data(), local.data() + local.size());
  }
  for (std::size_t k = 0; k < ranks.size(); ++k)
    values[k] = scratch[static_cast<std::size_t>(slot[static_cast<std::size_t>(bin_of_rank[k])] + ranks[k] -
                                                 count[static_cast<std::size_t>(bin_of_rank[k])])];
}

// The values of the order statistics `ranks` (ascending, unique) of x[0..n), exactly, and the
// column's moments. A histogram over [min, max] (bin = floor((x - min) * scale) is monotone in
// x, so every value of a lower bin is <= every value of a higher one) finds the bin of each rank;
// only the few bins that hold a wanted rank are copied and selected in. Passes: the sum with
// min/max; the squared deviations; the histogram; the copy of the wanted bins. The sums run in
// the same lanes as `moments`, so the mean and std are bit for bit those of `moments`.
void order_statistics(const double* x, std::int64_t n, const std::vector<std::int64_t>& ranks,
                      std::vector<double>& values, std::vector<double>& scratch, Moments& moments_out) {
  values.assign(ranks.size(), 0.0);
  const SumRange range = sum_min_max(x, n);
  const double mean = range.sum / static_cast<double>(n);
  if (!(range.max > range.min)) {
    std::fill(values.begin(), values.end(), range.min);
    moments_out = moments(x, n);
    return;
  }
  const double scale = static_cast<double>(kBins) / (range.max - range.min);
  thread_local std::vector<std::uint16_t> bins;  // each value's bin, for pass 3 (reused per thread)
  std::vector<std::int64_t> count;
  const double squares = histogram_and_squares(x, n, range.min, scale, mean, bins, count);
  moments_out = {mean, std::sqrt(squares / static_cast<double>(n))};
  select_in_bins(x, n, ranks, bins, count, values, scratch);
}

}  // namespace

ColumnSummary summarize_column(const double* x, std::int64_t n, const std::vector<double>& percents,
                               std::vector<double>& scratch) {
  MPPMC_CHECK(n >= 1);
  // Type 7 needs the order statistics floor(h) and floor(h) + 1.
  std::vector<std::int64_t> lower(percents.size());
  std::vector<double> hs(percents.size());
  std::vector<std::int64_t> ranks;
  for (std::size_t k = 0; k < percents.size(); ++k) {
    MPPMC_CHECK(percents[k] >= 0.0 && percents[k] <= 100.0);
    hs[k] = static_cast<double>(n - 1) * percents[k] / 100.0;
    lower[k] = std::min(static_cast<std::int64_t>(std::floor(hs[k])), n - 1);
    ranks.push_back(lower[k]);
    if (lower[k] + 1 < n) ranks.push_back(lower[k] + 1);
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  std::vector<double> values;
  ColumnSummary summary;
  order_statistics(x, n, ranks, values, scratch, summary.moments);
  auto value_at = [&](std::int64_t rank) {
    return values[static_cast<std::size_t>(std::lower_bound(ranks.begin(), ranks.end(), rank) - ranks.begin())];
  };

  std::vector<double>& out = summary.percentiles;
  out.reserve(percents.size());
  for (std::size_t k = 0; k < percents.size(); ++k) {
    const double lower_value = value_at(lower[k]);
    const double fraction = hs[k] - static_cast<double>(lower[k]);
    if (lower[k] + 1 >= n || fraction == 0.0) {
      out.push_back(lower_value);
      continue;
    }
    const double upper_value = value_at(lower[k] + 1);
    out.push_back(interpolate_type7(lower_value, upper_value, fraction));
  }
  return summary;
}

std::vector<double> percentiles_type7(const double* x, std::int64_t n, const std::vector<double>& percents,
                                      std::vector<double>& scratch) {
  return summarize_column(x, n, percents, scratch).percentiles;
}

Moments moments(const double* x, std::int64_t n) {
  MPPMC_CHECK(n >= 1);
  const double mean = sum_min_max(x, n).sum / static_cast<double>(n);
  return {mean, std::sqrt(squares_about(x, n, mean) / static_cast<double>(n))};
}

}  // namespace mppmc
