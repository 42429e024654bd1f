#include "io/forecast_file.h"

#include "core/error.h"
#include "io/hdf5_file.h"
#include "io/results_info.h"

namespace mppmc::io {

std::vector<std::string> results_variants(const std::string& path) {
  return reading_results(path, [&] {
    h5::Handle file = open_results(path);
    if (!h5::exists(file.id(), "variants")) return std::vector<std::string>{};
    return h5::list_group(file.id(), "variants");
  });
}

namespace {

ResultsForecast read(const std::string& path, const std::string& series, const std::string& variant, bool annual,
                     bool with_paths) {
  h5::Handle file = open_results(path);
  const hid_t root = file.id();
  const std::string prefix = variant.empty() ? std::string() : "variants/" + variant + "/";
  if (!variant.empty() && !h5::exists(root, "variants/" + variant)) {
    std::string list;
    for (const std::string& v : results_variants(path)) list += (list.empty() ? "" : ", ") + v;
    throw InputError(path + ": no variant '" + variant + "' (the file holds " +
                     (list.empty() ? std::string("none") : list) + ")");
  }
  const std::string frequency = annual ? "annual" : "monthly";
  const std::string group = prefix + frequency + "/" + series;
  if (!h5::exists(root, group)) {
    std::string list;
    for (const std::string& s : h5::list_group(root, prefix + frequency)) list += (list.empty() ? "" : ", ") + s;
    throw InputError(path + ": no " + frequency + " series '" + series + "'" +
                     (variant.empty() ? "" : " in variant " + variant) + "; the file has " + list);
  }
  ResultsForecast f;
  f.file = path;
  f.series = series;
  f.variant = variant;
  f.annual = annual;
  const std::optional<MonthIndex> start = parse_year_month(h5::read_string_attribute(root, "start"));
  if (!start) throw InputError(path + ": the start attribute is not a month (YYYY-MM)");
  f.start = *start;
  f.origin_year = year_of(f.start - 1);
  const std::vector<std::string> months = h5::read_strings(root, "time/month");
  const std::vector<std::int64_t> years = h5::read_ints(root, "time/year");
  const std::vector<std::int64_t> in_year = h5::read_ints(root, "time/months_in_year");
  if (annual) {
    for (std::size_t y = 0; y < years.size(); ++y) {
      f.periods.push_back(std::to_string(years[y]));
      f.period_years.push_back(static_cast<int>(years[y]));
      f.months.push_back(static_cast<int>(in_year.at(y)));
    }
  } else {
    for (const std::string& m : months) {
      f.periods.push_back(m);
      f.period_years.push_back(year_of(*parse_year_month(m)));
      f.months.push_back(1);
    }
  }
  for (double p : h5::read_doubles(root, "percentiles")) f.levels.push_back(p / 100);
  h5::Handle band = h5::open_group(root, "band");
  f.band_levels = {h5::read_double_attribute(band.id(), "min_percentile") / 100,
                   h5::read_double_attribute(band.id(), "medio_percentile") / 100,
                   h5::read_double_attribute(band.id(), "max_percentile") / 100};
  h5::Handle g = h5::open_group(root, group);
  f.unit = h5::read_string_attribute(g.id(), "unit");
  // Shapes checked by the reader: one row per percentile (or band statistic), one column per period.
  f.quantiles = h5::read_doubles(g.id(), "quantiles", {f.levels.size(), f.periods.size()});
  f.band = h5::read_doubles(g.id(), "band", {3, f.periods.size()});

  const std::string paths_set = prefix + "paths/" + series;
  if (!with_paths || !h5::exists(root, paths_set)) return f;
  const std::size_t month_count = months.size();
  const auto n = static_cast<std::size_t>(h5::read_int_attribute(root, "n_paths"));
  const std::vector<double> monthly = h5::read_doubles(root, paths_set, {n, month_count});  // [path][month]
  f.paths = static_cast<std::int64_t>(n);
  const bool stock = h5::read_string_attribute(g.id(), "kind") == "stock";
  f.samples.assign(f.periods.size() * n, 0.0);
  if (!annual) {
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t m = 0; m < month_count; ++m) f.samples[m * n + i] = monthly[i * month_count + m];
    return f;
  }
  // Months in order: the year slot of month m is its year minus the first year.
  const int first_year = year_of(f.start);
  for (std::size_t m = 0; m < month_count; ++m) {
    const std::size_t slot = static_cast<std::size_t>(year_of(f.start + static_cast<int>(m)) - first_year);
    for (std::size_t i = 0; i < n; ++i) {
      double& value = f.samples[slot * n + i];
      value = stock ? monthly[i * month_count + m] : value + monthly[i * month_count + m];
    }
  }
  return f;
}

}  // namespace

ResultsForecast read_results_forecast(const std::string& path, const std::string& series, const std::string& variant,
                                      bool annual, bool with_paths) {
  return reading_results(path, [&] { return read(path, series, variant, annual, with_paths); });
}

}  // namespace mppmc::io
