#include "io/export_tables.h"

#include <filesystem>
#include <initializer_list>
#include <optional>

#include "core/error.h"
#include "io/hdf5_file.h"
#include "io/results_info.h"
#include "io/sensitivity_file.h"
#include "io/toml_source.h"

namespace mppmc::io {

namespace {

const char* const kStatistics[] = {"min", "medio", "max"};

// A root attribute as text, whatever its type; "" when the file has none.
std::string attribute_text(hid_t object, const char* name, bool integer) {
  if (!h5::has_attribute(object, name)) return "";
  return integer ? std::to_string(h5::read_int_attribute(object, name)) : h5::read_string_attribute(object, name);
}

// Provenance rows (label, value) of the attributes {label, attribute, is_integer} of `object`.
struct AttributeRow {
  const char* label;
  const char* attribute;
  bool integer;
};
std::vector<std::pair<std::string, std::string>> attribute_rows(hid_t object,
                                                                std::initializer_list<AttributeRow> rows) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const AttributeRow& r : rows) out.emplace_back(r.label, attribute_text(object, r.attribute, r.integer));
  return out;
}

// Appends the wide rows of every series under `group` ("annual", "variants/<v>/annual", ...):
// its band is [3, years], rows min, medio, max (docs/hdf5-schema.md).
void append_band_rows(Sheet& sheet, hid_t root, const std::string& group, const std::string& scenario,
                      std::size_t years) {
  for (const std::string& name : h5::list_group(root, group)) {
    h5::Handle g = h5::open_group(root, group + "/" + name);
    if (!h5::exists(g.id(), "band")) continue;
    const std::string unit = h5::read_string_attribute(g.id(), "unit");
    const std::vector<double> band = h5::read_doubles(g.id(), "band", {3, years});
    for (std::size_t k = 0; k < 3; ++k) {
      std::vector<Cell> row = {Cell::of(scenario), Cell::of(name), Cell::of(unit), Cell::of(kStatistics[k])};
      for (std::size_t y = 0; y < years; ++y) row.push_back(Cell::of(band[k * years + y]));
      sheet.rows.push_back(std::move(row));
    }
  }
}

Sheet provenance_sheet(std::vector<std::pair<std::string, std::string>> rows) {
  Sheet sheet{"provenance", "how these numbers were made", {"item", "value"}, {}, 2};
  for (auto& [name, value] : rows)
    if (!value.empty()) sheet.rows.push_back({Cell::of(name), Cell::of(value)});
  return sheet;
}

std::vector<Sheet> read_results_sheets(const std::string& path, hid_t root) {
  const std::vector<std::int64_t> years = h5::read_ints(root, "time/year");
  const std::vector<std::int64_t> months = h5::read_ints(root, "time/months_in_year");
  std::vector<std::string> header = {"scenario", "series", "unit", "band"};
  bool partial = false;
  for (std::size_t y = 0; y < years.size(); ++y) {
    partial = partial || months.at(y) < 12;
    header.push_back(std::to_string(years[y]) + (months.at(y) < 12 ? "*" : ""));
  }
  h5::Handle band = h5::open_group(root, "band");
  std::string definition;
  for (const char* s : kStatistics)
    definition += (definition.empty() ? "" : ", ") + std::string(s) + " = p" +
                  number_text(h5::read_double_attribute(band.id(), std::string(s) + "_percentile"));
  definition += " of the paths";
  std::string percentiles;
  for (double p : h5::read_doubles(root, "percentiles"))
    percentiles += (percentiles.empty() ? "" : ", ") + number_text(p);

  std::vector<Sheet> sheets;
  const std::string baseline = h5::read_string_attribute(root, "scenario_name");
  sheets.push_back({"band", "Annual band of " + baseline + "; " + definition, header, {}, 4});
  append_band_rows(sheets.back(), root, "annual", baseline, years.size());
  const std::vector<std::string> variants =
      h5::exists(root, "variants") ? h5::list_group(root, "variants") : std::vector<std::string>{};
  std::vector<std::string> scenarios;
  for (const std::string& v : variants) {
    h5::Handle g = h5::open_group(root, "variants/" + v);
    scenarios.push_back(h5::read_string_attribute(g.id(), "scenario_name"));
    // A sheet name holds at most 31 characters (Excel's limit).
    sheets.push_back(
        {("band " + v).substr(0, 31), "Annual band of variant " + scenarios.back() + "; " + definition, header, {}, 4});
    append_band_rows(sheets.back(), root, "variants/" + v + "/annual", scenarios.back(), years.size());
  }
  for (std::size_t k = 0; k < variants.size(); ++k) {
    const std::string group = "compare/" + variants[k] + "/annual";
    if (!h5::exists(root, group)) continue;
    sheets.push_back({("effect " + variants[k]).substr(0, 31),
                      "Effect of variant " + scenarios[k] +
                          ": the band of the path-wise differences variant - baseline on common random numbers "
                          "(not the difference of two bands); " +
                          definition,
                      header,
                      {},
                      4});
    append_band_rows(sheets.back(), root, group, scenarios[k], years.size());
  }

  std::vector<std::pair<std::string, std::string>> p = {
      {"results file", std::filesystem::absolute(path).lexically_normal().string()},
      {"schema", "mppmc-results, version " + attribute_text(root, "schema_version", true)}};
  for (auto& row : attribute_rows(root, {{"tool version", "tool_version", false},
                                         {"git sha", "git_sha", false},
                                         {"created (UTC)", "created_utc", false},
                                         {"scenario name", "scenario_name", false},
                                         {"scenario file", "scenario_file", false}}))
    p.push_back(std::move(row));
  for (std::size_t k = 0; k < variants.size(); ++k) {
    h5::Handle g = h5::open_group(root, "variants/" + variants[k]);
    p.emplace_back("variant " + variants[k],
                   scenarios[k] + " (" + attribute_text(g.id(), "scenario_file", false) + ")");
  }
  for (auto& row : attribute_rows(root, {{"start", "start", false},
                                         {"horizon (months)", "horizon_months", true},
                                         {"paths", "n_paths", true},
                                         {"seed", "seed", true},
                                         {"sampling", "sampling", false},
                                         {"quantile method", "quantile_method", false},
                                         {"percentile definition", "percentile_definition", false}}))
    p.push_back(std::move(row));
  p.insert(p.end(), {{"percentiles", percentiles}, {"band", definition}});
  if (partial)
    p.emplace_back("year marked *",
                   "the horizon covers it in part: flows are summed over its simulated months, stocks taken at its "
                   "last simulated month");
  sheets.push_back(provenance_sheet(std::move(p)));
  return sheets;
}

// The input labels of a sensitivity group: its /labels dataset (files written before labels
// existed have none: the code names).
std::vector<std::string> labels_of(hid_t group, const std::vector<std::string>& inputs) {
  if (!h5::exists(group, "labels")) return inputs;
  std::vector<std::string> labels = h5::read_strings(group, "labels");
  if (labels.size() != inputs.size())
    throw RuntimeError("labels has " + std::to_string(labels.size()) + " entries, inputs " +
                       std::to_string(inputs.size()));
  return labels;
}

std::vector<Sheet> read_sensitivity_sheets(const std::string& path, hid_t root) {
  std::vector<Sheet> sheets;
  if (h5::exists(root, "tornado")) {
    Sheet t{"tornado",
            "One input at a time at its low / high quantile, the others at their medians (output in its series' "
            "unit)",
            {"output", "series", "input", "label", "low quantile", "high quantile", "input at low", "input at high",
             "output at low", "output at high", "swing", "base output"},
            {},
            4,
            "#,##0.###"};
    for (const std::string& name : h5::list_group(root, "tornado")) {
      h5::Handle g = h5::open_group(root, "tornado/" + name);
      const std::vector<std::string> inputs = h5::read_strings(g.id(), "inputs");
      const std::vector<std::string> labels = labels_of(g.id(), inputs);
      const std::vector<hsize_t> k = {inputs.size()};
      const auto low_in = h5::read_doubles(g.id(), "low_input", k), high_in = h5::read_doubles(g.id(), "high_input", k),
                 low = h5::read_doubles(g.id(), "low_output", k), high = h5::read_doubles(g.id(), "high_output", k),
                 swing = h5::read_doubles(g.id(), "swing", k);
      const std::string series = attribute_text(g.id(), "series", false);
      for (std::size_t i = 0; i < inputs.size(); ++i)
        t.rows.push_back({Cell::of(name), Cell::of(series), Cell::of(inputs[i]), Cell::of(labels[i]),
                          Cell::of(h5::read_double_attribute(g.id(), "low_quantile")),
                          Cell::of(h5::read_double_attribute(g.id(), "high_quantile")), Cell::of(low_in[i]),
                          Cell::of(high_in[i]), Cell::of(low[i]), Cell::of(high[i]), Cell::of(swing[i]),
                          Cell::of(h5::read_double_attribute(g.id(), "base_output"))});
    }
    sheets.push_back(std::move(t));
  }
  if (h5::exists(root, "sensitivity")) {
    Sheet s{"sobol",
            "Sobol indices: first order S (Saltelli et al. 2010) and total order ST (Jansen 1999) with bootstrap "
            "intervals",
            {"output", "series", "input", "label", "first order", "first order low", "first order high", "total order",
             "total order low", "total order high", "confidence level"},
            {},
            4,
            "0.000"};
    for (const std::string& name : h5::list_group(root, "sensitivity")) {
      h5::Handle g = h5::open_group(root, "sensitivity/" + name);
      const std::vector<std::string> inputs = h5::read_strings(g.id(), "inputs");
      const std::vector<std::string> labels = labels_of(g.id(), inputs);
      const std::size_t k = inputs.size();
      const auto first = h5::read_doubles(g.id(), "first_order", {k}),
                 total = h5::read_doubles(g.id(), "total_order", {k}),
                 first_ci = h5::read_doubles(g.id(), "first_order_ci", {2, k}),
                 total_ci = h5::read_doubles(g.id(), "total_order_ci", {2, k});
      const std::string series = attribute_text(g.id(), "series", false);
      for (std::size_t i = 0; i < k; ++i)
        s.rows.push_back({Cell::of(name), Cell::of(series), Cell::of(inputs[i]), Cell::of(labels[i]),
                          Cell::of(first[i]), Cell::of(first_ci[i]), Cell::of(first_ci[k + i]), Cell::of(total[i]),
                          Cell::of(total_ci[i]), Cell::of(total_ci[k + i]),
                          Cell::of(h5::read_double_attribute(g.id(), "confidence_level"))});
    }
    sheets.push_back(std::move(s));
  }
  std::vector<std::pair<std::string, std::string>> p = {
      {"sensitivity file", std::filesystem::absolute(path).lexically_normal().string()},
      {"schema", "mppmc-sensitivity, version " + attribute_text(root, "schema_version", true)}};
  for (auto& row : attribute_rows(root, {{"kind", "kind", false},
                                         {"tool version", "tool_version", false},
                                         {"git sha", "git_sha", false},
                                         {"created (UTC)", "created_utc", false},
                                         {"study file", "study_file", false},
                                         {"scenario name", "scenario_name", false},
                                         {"samples (N)", "samples", true},
                                         {"sampling", "sampling", false},
                                         {"seed", "seed", true}}))
    p.push_back(std::move(row));
  sheets.push_back(provenance_sheet(std::move(p)));
  return sheets;
}

}  // namespace

std::vector<Sheet> results_sheets(const std::string& path) {
  h5::Handle file = open_results(path);
  return reading_results(path, [&] { return read_results_sheets(path, file.id()); });
}

std::vector<Sheet> sensitivity_sheets(const std::string& path) {
  if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
  return reading_file(path, "sensitivity", [&] {
    std::int64_t version = 0;
    h5::Handle file = open_sensitivity_file(path, version);
    return read_sensitivity_sheets(path, file.id());
  });
}

}  // namespace mppmc::io
