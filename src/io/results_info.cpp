#include "io/results_info.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/money_unit.h"
#include "io/hdf5_file.h"
#include "io/results_writer.h"

namespace mppmc::io {

std::string grouped_number(double value) {
  char digits[64];
  std::snprintf(digits, sizeof digits, "%.0f", std::fabs(value));
  std::string text(digits), out;
  const int n = static_cast<int>(text.size());
  for (int i = 0; i < n; ++i) {
    out += text[i];
    if ((n - i - 1) % 3 == 0 && i + 1 < n) out += ',';
  }
  return (value < 0 && out != "0" ? "-" : "") + out;
}

namespace {

// The statistics groups under `group` ("monthly", "compare/<v>/annual", ...): every series a
// group with a unit and float64 quantiles [P, periods], mean and std [periods] and band
// [3, periods].
void check_statistics(hid_t root, const std::string& group, hsize_t percentiles, hsize_t periods) {
  for (const std::string& name : h5::list_group(root, group)) {
    h5::Handle g = h5::open_group(root, group + "/" + name);
    h5::read_string_attribute(g.id(), "unit");
    h5::check_dataset(g.id(), "quantiles", {percentiles, periods}, true);
    h5::check_dataset(g.id(), "mean", {periods}, true);
    h5::check_dataset(g.id(), "std", {periods}, true);
    if (h5::exists(g.id(), "band")) h5::check_dataset(g.id(), "band", {3, periods}, true);
  }
}

// Schema 2's dimension scales of a scenario under `prefix` ("" or "variants/<v>/"): the same
// axes as the root's.
void check_scales(hid_t root, const std::string& prefix, hsize_t months, hsize_t years, hsize_t percentiles) {
  h5::check_dataset(root, prefix + "month", {months}, false);
  h5::check_dataset(root, prefix + "year", {years}, true);
  h5::check_dataset(root, prefix + "percentile", {percentiles}, true);
  h5::check_dataset(root, prefix + "statistic", {3}, false);
}

// The layout of schema 1 or 2 (docs/hdf5-schema.md), from the shapes and types of every dataset,
// reading no data beyond the axes: a file that passes can be read without a shape surprise.
// Schema 2 keeps schema 1's datasets under their names (/time/month, /time/year, /percentiles,
// inputs/names) and adds the dimension scales, so one reader serves both.
void check_layout(hid_t root, std::int64_t version) {
  const hsize_t months = h5::read_strings(root, "time/month").size();
  if (static_cast<std::int64_t>(months) != h5::read_int_attribute(root, "horizon_months"))
    throw RuntimeError("time/month has " + std::to_string(months) + " months, but horizon_months says " +
                       std::to_string(h5::read_int_attribute(root, "horizon_months")));
  const hsize_t years = h5::read_ints(root, "time/year").size();
  h5::check_dataset(root, "time/months_in_year", {years}, true);
  const hsize_t percentiles = h5::read_doubles(root, "percentiles").size();
  h5::Handle band = h5::open_group(root, "band");
  for (const char* name : {"min_percentile", "medio_percentile", "max_percentile"})
    h5::read_double_attribute(band.id(), name);
  const std::int64_t paths = h5::read_int_attribute(root, "n_paths");
  if (paths < 0) throw RuntimeError("n_paths is " + std::to_string(paths));
  auto run = [&](const std::string& prefix) {  // a scenario's groups: the root's, or a variant's
    if (version >= 2) check_scales(root, prefix, months, years, percentiles);
    check_statistics(root, prefix + "monthly", percentiles, months);
    check_statistics(root, prefix + "annual", percentiles, years);
    const hsize_t inputs = h5::read_strings(root, prefix + "inputs/names").size();
    h5::check_dataset(root, prefix + "inputs/samples", {static_cast<hsize_t>(paths), inputs}, true);
    if (h5::exists(root, prefix + "paths"))
      for (const std::string& name : h5::list_group(root, prefix + "paths"))
        if (!h5::is_dimension_scale(root, prefix + "paths/" + name))  // schema 2's link to month
          h5::check_dataset(root, prefix + "paths/" + name, {static_cast<hsize_t>(paths), months}, true);
  };
  run("");
  if (h5::exists(root, "variants"))
    for (const std::string& variant : h5::list_group(root, "variants")) run("variants/" + variant + "/");
  if (h5::exists(root, "compare"))
    for (const std::string& variant : h5::list_group(root, "compare")) {
      if (version >= 2) check_scales(root, "compare/" + variant + "/", months, years, percentiles);
      check_statistics(root, "compare/" + variant + "/monthly", percentiles, months);
      check_statistics(root, "compare/" + variant + "/annual", percentiles, years);
    }
}

}  // namespace

h5::Handle open_results(const std::string& path) {
  if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
  return reading_results(path, [&] {
    std::optional<h5::Handle> file = h5::open_file(path);  // verifies the checksum first
    if (!file) throw InputError(path + ": not an HDF5 file (mppmc results files are HDF5)");
    const hid_t root = file->id();
    if (!h5::has_attribute(root, "schema") || h5::read_string_attribute(root, "schema") != "mppmc-results")
      throw InputError(path +
                       ": an HDF5 file, but not an mppmc results file (no schema = \"mppmc-results\" attribute)");
    const std::int64_t version =
        h5::has_attribute(root, "schema_version") ? h5::read_int_attribute(root, "schema_version") : -1;
    if (version != 1 && version != kResultsSchemaVersion)
      throw InputError(path + ": mppmc results schema version " + std::to_string(version) +
                       "; this mppmc reads schema versions 1 and 2");
    check_layout(root, version);
    return std::move(*file);
  });
}

namespace {

// The annual min / medio / max rows of `names` under `prefix` ("" or "compare/<variant>/").
std::string band_table(hid_t root, const std::string& prefix, const std::vector<std::string>& names) {
  const std::vector<std::int64_t> years = h5::read_ints(root, "time/year");
  const std::vector<std::int64_t> months = h5::read_ints(root, "time/months_in_year");
  if (months.size() != years.size())
    throw RuntimeError("time/months_in_year has " + std::to_string(months.size()) + " entries, time/year " +
                       std::to_string(years.size()));
  h5::Handle band = h5::open_group(root, "band");
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-24s %-14s %6s %14s %14s %14s\n", "series", "unit", "year",
                ("min p" + grouped_number(h5::read_double_attribute(band.id(), "min_percentile"))).c_str(),
                ("medio p" + grouped_number(h5::read_double_attribute(band.id(), "medio_percentile"))).c_str(),
                ("max p" + grouped_number(h5::read_double_attribute(band.id(), "max_percentile"))).c_str());
  out << line;
  for (const std::string& name : names) {
    const std::string group = prefix + "annual/" + name;
    if (!h5::exists(root, group)) continue;
    h5::Handle g = h5::open_group(root, group);
    const std::size_t y_count = years.size();
    const std::vector<double> b = h5::read_doubles(g.id(), "band", {3, y_count});
    // Amounts in one money unit per series (core/money_unit.h), chosen from its largest medio.
    const std::string unit_eur = h5::read_string_attribute(g.id(), "unit");
    double medio = 0;
    for (std::size_t y = 0; y < y_count; ++y) medio = std::fmax(medio, std::fabs(b[y_count + y]));
    const MoneyUnit money = is_money(unit_eur) ? money_unit(medio) : MoneyUnit{};
    const std::string unit = scaled_unit(unit_eur, money);
    auto shown = [&](double v) { return grouped(v / money.divisor_eur, money.decimals); };
    for (std::size_t y = 0; y < y_count; ++y) {
      std::string year = std::to_string(years[y]);
      if (months[y] < 12) year += "*";
      std::snprintf(line, sizeof line, "%-24s %-14s %6s %14s %14s %14s\n", name.c_str(), unit.c_str(), year.c_str(),
                    shown(b[y]).c_str(), shown(b[y_count + y]).c_str(), shown(b[2 * y_count + y]).c_str());
      out << line;
    }
  }
  bool partial = false;
  for (std::int64_t m : months) partial = partial || m < 12;
  if (partial)
    out << "* a year the horizon covers only in part (flows summed over its months, stocks at its last month)\n";
  return out.str();
}

}  // namespace

const std::vector<std::string>& key_series() {
  static const std::vector<std::string> names = {"total_inflow",       "inflow_first",       "nareis_arrivals",
                                                 "ind_asylum_backlog", "ind_nareis_backlog", "coa_occupancy",
                                                 "cost_total"};
  return names;
}

std::string band_table(const std::string& path, const std::vector<std::string>& series_names) {
  h5::Handle file = open_results(path);
  return reading_results(path, [&] { return band_table(file.id(), "", series_names); });
}

const std::vector<std::string>& impact_series() {
  static const std::vector<std::string> names = {"total_inflow", "ind_nareis_applications", "ind_asylum_backlog",
                                                 "coa_occupancy", "cost_total"};
  return names;
}

std::vector<std::string> variant_names(const std::string& path) {
  h5::Handle file = open_results(path);
  return reading_results(path, [&] {
    return h5::exists(file.id(), "compare") ? h5::list_group(file.id(), "compare") : std::vector<std::string>{};
  });
}

std::string impact_table(const std::string& path, const std::string& variant) {
  h5::Handle file = open_results(path);
  return reading_results(path, [&] { return band_table(file.id(), "compare/" + variant + "/", impact_series()); });
}

namespace {
std::string describe(const std::string& path) {
  h5::Handle file = open_results(path);
  const hid_t root = file.id();
  auto text = [&](const char* name) {
    return h5::has_attribute(root, name) ? h5::read_string_attribute(root, name) : std::string("?");
  };
  auto integer = [&](const char* name) {
    return h5::has_attribute(root, name) ? std::to_string(h5::read_int_attribute(root, name)) : std::string("?");
  };
  std::ostringstream out;
  out << "file:            " << path << "\n";
  out << "schema:          mppmc-results, version " << integer("schema_version") << " (written by mppmc "
      << text("tool_version") << ", git " << text("git_sha") << ", " << text("created_utc") << ")\n";
  out << "scenario:        " << text("scenario_name") << " (" << text("scenario_file") << ")\n";
  out << "time:            " << text("start") << ", " << integer("horizon_months")
      << (integer("horizon_months") == "1" ? " month\n" : " months\n");
  out << "paths:           " << integer("n_paths") << " (seed " << integer("seed") << ", sampling " << text("sampling")
      << ", quantiles " << text("quantile_method") << ")\n";
  const std::vector<double> percentiles = h5::read_doubles(root, "percentiles");
  out << "percentiles:     ";
  for (std::size_t i = 0; i < percentiles.size(); ++i) out << (i ? ", " : "") << percentiles[i];
  out << "\n";
  const std::vector<std::int64_t> years = h5::read_ints(root, "time/year");
  out << "years:           ";
  for (std::size_t i = 0; i < years.size(); ++i) out << (i ? ", " : "") << years[i];
  out << "\n";
  const std::vector<std::string> names = h5::list_group(root, "monthly");
  out << "series (" << names.size() << "):     ";
  for (std::size_t i = 0; i < names.size(); ++i) out << (i ? ", " : "") << names[i];
  out << "\n";
  const std::vector<std::string> inputs = h5::read_strings(root, "inputs/names");
  out << "inputs (" << inputs.size() << "):     path-level draws in /inputs/samples\n";
  if (h5::exists(root, "variants")) {
    const std::vector<std::string> variants = h5::list_group(root, "variants");
    out << "variants (" << variants.size() << "):   ";
    for (std::size_t i = 0; i < variants.size(); ++i) out << (i ? ", " : "") << variants[i];
    out << " (in /variants, differences in /compare)\n";
  }
  out << "paths saved:     "
      << (h5::exists(root, "paths") ? "yes, /paths/<series> [paths, months] float32" : "no (run with --save-paths)")
      << "\n\n";
  out << "annual band:\n" << band_table(root, "", key_series());
  if (h5::exists(root, "compare"))
    for (const std::string& variant : h5::list_group(root, "compare"))
      out << "\nvariant " << variant << " minus baseline (path-wise, common random numbers):\n"
          << band_table(root, "compare/" + variant + "/", impact_series());
  return out.str();
}
}  // namespace

std::string describe_results(const std::string& path) {
  return reading_results(path, [&] { return describe(path); });
}

}  // namespace mppmc::io
