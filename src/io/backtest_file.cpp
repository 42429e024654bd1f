#include "io/backtest_file.h"

#include "io/hdf5_file.h"
#include "io/results_writer.h"
#include "io/skill_file.h"

namespace mppmc::io {

namespace {

std::vector<std::int32_t> int32s(const std::vector<int>& values) {
  return std::vector<std::int32_t>(values.begin(), values.end());
}

void write_model(hid_t models, const BacktestModel& m, const BacktestRecord& r) {
  const auto origins = static_cast<hsize_t>(r.origins.size());
  const auto years = static_cast<hsize_t>(r.horizon_years);
  h5::Handle g = h5::create_group(models, m.name);
  h5::write_dataset(g.id(), "run", m.run);
  h5::write_dataset(g.id(), "year_correlation", {origins}, m.year_correlation.data());
  h5::write_dataset(g.id(), "fitted_inflow_first", {origins, years, r.fit_levels.size()}, m.fitted_quantiles.data());
  h5::Handle forecast = h5::create_group(g.id(), "forecast");
  for (const BacktestSeries& s : m.forecasts) {
    h5::Handle series = h5::create_group(forecast.id(), s.series);
    h5::write_dataset(series.id(), "quantiles", {origins, years, r.percentiles.size()}, s.quantiles.data());
    h5::write_dataset(series.id(), "band", {origins, years, 3}, s.band.data());
    h5::write_dataset(series.id(), "mean", {origins, years}, s.mean.data());
  }
  write_skill_group(g.id(), "skill", m.rows, m.summaries);
}

}  // namespace

void write_backtest_file(const std::string& path, const BacktestRecord& r) {
  write_hdf5_atomically(path, "mppmc-backtest", 1, [&](hid_t root) {
    for (const auto& [name, value] : r.attributes) h5::write_attribute(root, name, value);
    h5::write_attribute(root, "seed", r.seed);
    h5::write_attribute(root, "paths", r.paths);
    h5::write_attribute(root, "horizon_years", static_cast<std::int64_t>(r.horizon_years));
    h5::write_dataset(root, "origins", int32s(r.origins));
    h5::write_dataset(root, "percentiles", {r.percentiles.size()}, r.percentiles.data());
    h5::write_dataset(root, "fit_levels", {r.fit_levels.size()}, r.fit_levels.data());
    {
      h5::Handle band = h5::create_group(root, "band");
      h5::write_attribute(band.id(), "min_percentile", r.band[0]);
      h5::write_attribute(band.id(), "medio_percentile", r.band[1]);
      h5::write_attribute(band.id(), "max_percentile", r.band[2]);
    }
    h5::write_dataset(root, "series", r.series);
    {
      h5::Handle realised = h5::create_group(root, "realised");
      h5::write_dataset(realised.id(), "year", int32s(r.realised_years));
      for (std::size_t k = 0; k < r.series.size(); ++k)
        h5::write_dataset(realised.id(), r.series[k], {r.realised[k].size()}, r.realised[k].data());
    }
    h5::Handle models = h5::create_group(root, "models");
    for (const BacktestModel& m : r.models) write_model(models.id(), m, r);
    if (!r.published_rows.empty()) {
      h5::Handle published = h5::create_group(root, "published");
      write_skill_group(published.id(), "skill", r.published_rows, r.published_summaries);
    }
    h5::write_dataset(root, "skipped", r.skipped);
  });
}

}  // namespace mppmc::io
