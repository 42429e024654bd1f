#pragma once
#include <tbb/parallel_for.h>

#include "core/error.h"

namespace mppmc {

template <typename ColumnFn>
ColumnStatistics column_statistics(int columns, std::int64_t n, const std::vector<double>& percents,
                                   const std::vector<double>& band_percents, ColumnFn column) {
  MPPMC_CHECK(band_percents.size() == 3);
  ColumnStatistics stats;
  stats.resize(static_cast<std::size_t>(columns), percents.size());
  std::vector<double> all = percents;
  all.insert(all.end(), band_percents.begin(), band_percents.end());
  tbb::parallel_for(0, columns, [&](int c) {
    std::vector<double> scratch, buffer;
    const ColumnSummary summary = summarize_column(column(c, buffer), n, all, scratch);
    stats.set(static_cast<std::size_t>(c), summary.percentiles, summary.moments);
  });
  return stats;
}

}  // namespace mppmc
