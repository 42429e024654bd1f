#pragma once
#include <tbb/parallel_for.h>

namespace mppmc {

template <typename ColumnFn>
ColumnStatistics column_statistics(int columns, std::int64_t n, const std::vector<double>& percents,
                                   const std::vector<double>& band_percents, ColumnFn column) {
  ColumnStatistics stats;
  const std::size_t c_count = static_cast<std::size_t>(columns);
  stats.quantiles.resize(percents.size() * c_count);
  stats.band.resize(band_percents.size() * c_count);
  stats.mean.resize(c_count);
  stats.std.resize(c_count);
  std::vector<double> all = percents;
  all.insert(all.end(), band_percents.begin(), band_percents.end());
  tbb::parallel_for(0, columns, [&](int c) {
    std::vector<double> scratch, buffer;
    const double* x = column(c, buffer);
    const ColumnSummary summary = summarize_column(x, n, all, scratch);
    const std::vector<double>& q = summary.percentiles;
    for (std::size_t k = 0; k < percents.size(); ++k) stats.quantiles[k * c_count + c] = q[k];
    for (std::size_t k = 0; k < band_percents.size(); ++k)
      stats.band[k * c_count + c] = q[percents.size() + k];
    stats.mean[c] = summary.moments.mean;
    stats.std[c] = summary.moments.std;
  });
  return stats;
}

}  // namespace mppmc
