#include "engine/simulation.h"

#include <tbb/task_arena.h>

#include "core/error.h"
#include "core/layout.h"
#include "engine/run_control.h"

namespace mppmc {

using detail::ThreadLimit;

SimulationResult::SimulationResult(std::int64_t paths, int months, int years, std::vector<std::string> input_names)
    : paths_(paths),
      stride_(padded_stride(static_cast<std::size_t>(paths))),
      months_(months),
      years_(years),
      monthly_(allocate_large(static_cast<std::size_t>(kSeriesCount) * months * stride_)),
      annual_(allocate_large(static_cast<std::size_t>(kSeriesCount) * years * stride_)),
      input_names_(std::move(input_names)),
      input_samples_(input_names_.size() * static_cast<std::size_t>(paths)) {}

SimulationResult simulate(const Scenario& scenario, const SimulationSettings& settings,
                          const ProgressCallback& progress) {
  MPPMC_CHECK(settings.paths >= 1);
  MPPMC_CHECK(settings.block_size >= 1);
  // The all-paths driver: the same scheduling, processes and stop handling as `mppmc run`,
  // without a checkpoint or statistics.
  RunRequest request;
  request.scenarios = {&scenario};
  request.settings = settings;
  request.keep_paths = true;
  request.summarize = false;
  request.progress = progress;
  RunContext run(std::move(request));
  return std::move(execute(run).results.front());
}

namespace {
// Statistics of all monthly and annual columns; `column(c, monthly, buffer)` gives the values.
template <typename ColumnFn>
Summary summarize_columns(int months, int years, std::int64_t paths, const std::vector<double>& percentiles,
                          const std::array<double, 3>& band_percentiles, int threads, ColumnFn column) {
  const ThreadLimit limit(threads);
  Summary summary;
  summary.percentiles = percentiles;
  summary.band_percentiles = band_percentiles;
  const std::vector<double> band(band_percentiles.begin(), band_percentiles.end());
  limit.arena().execute([&] {
    summary.monthly = column_statistics(kSeriesCount * months, paths, percentiles, band,
                                        [&](int c, std::vector<double>& buffer) { return column(c, true, buffer); });
    summary.annual = column_statistics(kSeriesCount * years, paths, percentiles, band,
                                       [&](int c, std::vector<double>& buffer) { return column(c, false, buffer); });
  });
  return summary;
}

const double* column_of(const SimulationResult& r, int c, bool monthly) {
  if (monthly) return r.monthly(static_cast<SeriesId>(c / r.months()), c % r.months());
  return r.annual(static_cast<SeriesId>(c / r.years()), c % r.years());
}
}  // namespace

Summary summarize(const SimulationResult& result, const std::vector<double>& percentiles,
                  const std::array<double, 3>& band_percentiles, int threads) {
  return summarize_columns(result.months(), result.years(), result.paths(), percentiles, band_percentiles, threads,
                           [&](int c, bool monthly, std::vector<double>&) { return column_of(result, c, monthly); });
}

Summary summarize_difference(const SimulationResult& baseline, const SimulationResult& variant,
                             const std::vector<double>& percentiles, const std::array<double, 3>& band_percentiles,
                             int threads) {
  MPPMC_CHECK_OP(baseline.paths(), ==, variant.paths());
  MPPMC_CHECK_OP(baseline.months(), ==, variant.months());
  MPPMC_CHECK_OP(baseline.years(), ==, variant.years());
  return summarize_columns(baseline.months(), baseline.years(), baseline.paths(), percentiles, band_percentiles,
                           threads, [&](int c, bool monthly, std::vector<double>& buffer) {
                             return path_difference(column_of(variant, c, monthly), column_of(baseline, c, monthly),
                                                    static_cast<std::size_t>(baseline.paths()), buffer);
                           });
}

}  // namespace mppmc
