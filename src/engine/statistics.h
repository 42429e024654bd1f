#pragma once
// Statistics of one column of N path values: exact percentiles (Hyndman & Fan 1996, type 7,
// numpy.percentile's default "linear"), mean and standard deviation. Each column is computed
// by one task, its sums in 8 lanes keyed by path index combined in a fixed order, so the
// numbers do not depend on threads or scheduling.
#include <cstdint>
#include <vector>

namespace mppmc {

//! Percentiles (in percent, 0..100) of x[0..n), type 7: with h = (n - 1) p / 100,
//! Q = x_(floor h) + (h - floor h) (x_(floor h + 1) - x_(floor h)) on the sorted values.
//! `scratch` is reused between calls to avoid allocations.
std::vector<double> percentiles_type7(const double* x, std::int64_t n, const std::vector<double>& percents,
                                      std::vector<double>& scratch);

//! Type 7's interpolation between the order statistics `lower` and `upper` at `fraction` of the
//! way, in numpy's _lerp form: exact at both ends and monotone in the fraction.
inline double interpolate_type7(double lower, double upper, double fraction) {
  return fraction >= 0.5 ? upper - (upper - lower) * (1.0 - fraction) : lower + (upper - lower) * fraction;
}

struct Moments {
  double mean;
  double std;  //!< population standard deviation (ddof = 0, numpy.std's default)
};
//! The mean and standard deviation of x[0..n): sums in 8 lanes keyed by the index (lane i mod
//! 8), combined as ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)); the squared deviations
//! about that mean likewise.
Moments moments(const double* x, std::int64_t n);

//! The percentiles (as percentiles_type7) and the moments (bit for bit as `moments`) of
//! x[0..n) in one go: three passes over the column instead of five.
struct ColumnSummary {
  std::vector<double> percentiles;
  Moments moments;
};
ColumnSummary summarize_column(const double* x, std::int64_t n, const std::vector<double>& percents,
                               std::vector<double>& scratch);

//! Statistics of many columns, computed in parallel, one owner per column.
struct ColumnStatistics {
  std::vector<double> quantiles;  //!< [percentile][column]
  std::vector<double> band;       //!< [3][column]: min, medio, max
  std::vector<double> mean;       //!< [column]
  std::vector<double> std;        //!< [column]

  //! Zeros for `columns` columns of `percentiles` percentiles each.
  void resize(std::size_t columns, std::size_t percentiles) {
    quantiles.assign(percentiles * columns, 0.0);
    band.assign(3 * columns, 0.0);
    mean.assign(columns, 0.0);
    std.assign(columns, 0.0);
  }
  //! Column c: `values` holds its percentiles, then the band's three.
  void set(std::size_t c, const std::vector<double>& values, const Moments& moments) {
    const std::size_t columns = mean.size(), percentiles = quantiles.size() / columns;
    for (std::size_t k = 0; k < percentiles; ++k) quantiles[k * columns + c] = values[k];
    for (std::size_t k = 0; k < 3; ++k) band[k * columns + c] = values[percentiles + k];
    mean[c] = moments.mean;
    std[c] = moments.std;
  }
};

//! The path-wise difference variant - baseline of n values, into `buffer`; returns its data.
inline const double* path_difference(const double* variant, const double* baseline, std::size_t n,
                                     std::vector<double>& buffer) {
  buffer.resize(n);
  for (std::size_t i = 0; i < n; ++i) buffer[i] = variant[i] - baseline[i];
  return buffer.data();
}

//! `column(c, buffer)` returns the N values of column c: a pointer into existing data, or into
//! `buffer` (a per-task vector it may fill, e.g. with path-wise differences).
template <typename ColumnFn>
ColumnStatistics column_statistics(int columns, std::int64_t n, const std::vector<double>& percents,
                                   const std::vector<double>& band_percents, ColumnFn column);

}  // namespace mppmc

#include "engine/statistics_impl.h"
