#include "io/sensitivity_file.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/hdf5_file.h"
#include "io/results_info.h"
#include "io/results_writer.h"

namespace mppmc::io {

namespace {

namespace fs = std::filesystem;

// The sensitivity file's schema_version: 2 since every dataset names its dimensions.
constexpr std::int64_t kSensitivitySchemaVersion = 2;

// The dimension input of an output's group: the scale `input` (the inputs in the group's
// order) and, under schema 1's name, `inputs` labelled with it.
void write_input_scale(hid_t group, const std::vector<std::string>& inputs) {
  h5::write_dataset(group, "input", inputs);
  h5::make_scale(group, "input");
  h5::label_dataset(group, "input", {"1", "input", {}});
  h5::write_dataset(group, "inputs", inputs);
  h5::label_dataset(group, "inputs", {"1", "input (schema 1 name of input)", {"input"}});
}

// The inputs' readable names (a study's `labels`, else the code name), along the dimension input.
void write_labels(hid_t group, const std::vector<std::string>& labels) {
  h5::write_dataset(group, "labels", labels);
  h5::label_dataset(group, "labels", {"1", "input, readable label", {"input"}});
}

// A [k] dataset along the dimension input.
void write_per_input(hid_t group, const std::string& name, const std::vector<double>& values, const std::string& units,
                     const std::string& long_name) {
  h5::write_dataset(group, name, {values.size()}, values.data());
  h5::label_dataset(group, name, {units, long_name, {"input"}});
}

void write_indices(hid_t parent, const std::string& name, const SobolIndices& s, Sampling sampling,
                   std::int64_t samples, const SobolOptions& options) {
  h5::Handle g = h5::create_group(parent, name);
  const hsize_t k = s.inputs.size();
  write_input_scale(g.id(), s.inputs);
  // Every output group its own scale bound: a scale shared by all would be attached to more
  // datasets than HDF5's default file format lets it list (about 4,000) in a large study.
  h5::write_dataset(g.id(), "bound", std::vector<std::string>{"lower", "upper"});
  h5::make_scale(g.id(), "bound");
  h5::label_dataset(g.id(), "bound", {"1", "bound of the bootstrap interval", {}});
  write_per_input(g.id(), "first_order", s.first_order, "1", "first-order Sobol index S");
  write_per_input(g.id(), "total_order", s.total_order, "1", "total-order Sobol index ST");
  std::vector<double> first_ci = s.first_low, total_ci = s.total_low;
  first_ci.insert(first_ci.end(), s.first_high.begin(), s.first_high.end());
  total_ci.insert(total_ci.end(), s.total_high.begin(), s.total_high.end());
  h5::write_dataset(g.id(), "first_order_ci", {2, k}, first_ci.data());
  h5::label_dataset(g.id(), "first_order_ci",
                    {"1", "first-order Sobol index S, bootstrap interval", {"bound", "input"}});
  h5::write_dataset(g.id(), "total_order_ci", {2, k}, total_ci.data());
  h5::label_dataset(g.id(), "total_order_ci",
                    {"1", "total-order Sobol index ST, bootstrap interval", {"bound", "input"}});
  h5::write_attribute(g.id(), "method",
                      std::string("Saltelli scheme: first order Saltelli et al. (2010), total order Jansen (1999)"));
  h5::write_attribute(g.id(), "N", static_cast<std::int64_t>(samples));
  h5::write_attribute(g.id(), "runs", static_cast<std::int64_t>(samples) * static_cast<std::int64_t>(k + 2));
  h5::write_attribute(g.id(), "bootstrap", static_cast<std::int64_t>(options.bootstrap));
  h5::write_attribute(g.id(), "confidence_level", options.confidence);
  h5::write_attribute(g.id(), "sampling", std::string(sampling_name(sampling)));
  h5::write_attribute(g.id(), "output_mean", s.mean);
  h5::write_attribute(g.id(), "output_variance", s.variance);
  g.close();
}

// The readable label of each input ([study.labels], the code name where none is given).
std::vector<std::string> labels_of(const Study& study, const std::vector<std::string>& inputs) {
  std::vector<std::string> labels;
  for (const std::string& name : inputs) labels.push_back(input_label(study, name));
  return labels;
}

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace

void write_study_results(const std::string& path, const Study& study, const StudyResult& result) {
  write_hdf5_atomically(path, "mppmc-sensitivity", kSensitivitySchemaVersion, [&](hid_t root) {
    h5::write_attribute(root, "kind", std::string("study"));
    h5::write_attribute(root, "study_file", fs::path(study.file).filename().string());
    h5::write_attribute(root, "study_toml", study.text);
    h5::write_attribute(root, "scenario_name", study.scenario.name);
    h5::write_attribute(root, "scenario_toml", study.scenario.resolved_toml);
    h5::write_attribute(root, "seed", study.seed);
    h5::write_attribute(root, "samples", static_cast<std::int64_t>(study.samples));
    h5::write_attribute(root, "sampling", std::string(sampling_name(study.sampling)));
    SobolOptions options{study.bootstrap, study.confidence, study.seed};
    if (!result.sobol.empty()) {
      h5::Handle group = h5::create_group(root, "sensitivity");
      for (std::size_t o = 0; o < study.outputs.size(); ++o) {
        write_indices(group.id(), study.outputs[o].name, result.sobol[o], study.sampling, study.samples, options);
        h5::Handle g = h5::open_group(group.id(), study.outputs[o].name);
        write_labels(g.id(), labels_of(study, result.sobol[o].inputs));
        h5::write_attribute(g.id(), "series", std::string(series()[index(study.outputs[o].series)].name));
        h5::write_attribute(g.id(), "period",
                            study.outputs[o].annual ? std::to_string(study.outputs[o].year)
                                                    : format_year_month(study.outputs[o].month));
        g.close();
      }
      group.close();
    }
    if (!result.tornado.empty()) {
      h5::Handle group = h5::create_group(root, "tornado");
      for (std::size_t o = 0; o < study.outputs.size(); ++o) {
        const TornadoResult& t = result.tornado[o];
        const StudyOutput& output = study.outputs[o];
        h5::Handle g = h5::create_group(group.id(), output.name);
        const std::string unit = series_unit(series()[index(output.series)], output.annual);
        write_input_scale(g.id(), t.inputs);
        write_labels(g.id(), labels_of(study, t.inputs));
        write_per_input(g.id(), "low_input", t.low_input, "mixed", "input at the low quantile, in its own unit");
        write_per_input(g.id(), "high_input", t.high_input, "mixed", "input at the high quantile, in its own unit");
        write_per_input(g.id(), "low_output", t.low_output, unit, output.name + " with the input at the low quantile");
        write_per_input(g.id(), "high_output", t.high_output, unit,
                        output.name + " with the input at the high quantile");
        write_per_input(g.id(), "swing", t.swing, unit, output.name + ", swing (high - low output)");
        h5::write_attribute(g.id(), "base_output", t.base_output);
        h5::write_attribute(g.id(), "low_quantile", study.low);
        h5::write_attribute(g.id(), "high_quantile", study.high);
        h5::write_attribute(g.id(), "series", std::string(series()[index(study.outputs[o].series)].name));
        g.close();
      }
      group.close();
    }
  });
}

void write_benchmark_results(const std::string& path, const BenchmarkSpec& spec, const SobolIndices& indices,
                             Sampling sampling, std::int64_t samples, const SobolOptions& options) {
  write_hdf5_atomically(path, "mppmc-sensitivity", kSensitivitySchemaVersion, [&](hid_t root) {
    h5::write_attribute(root, "kind", "benchmark:" + spec.name);
    h5::write_attribute(root, "seed", options.seed);
    h5::write_attribute(root, "samples", static_cast<std::int64_t>(samples));
    h5::write_attribute(root, "sampling", std::string(sampling_name(sampling)));
    h5::Handle group = h5::create_group(root, "sensitivity");
    write_indices(group.id(), "y", indices, sampling, samples, options);
    h5::Handle g = h5::open_group(group.id(), "y");
    write_per_input(g.id(), "analytic_first_order", spec.first_order, "1", "first-order Sobol index S, analytic");
    write_per_input(g.id(), "analytic_total_order", spec.total_order, "1", "total-order Sobol index ST, analytic");
    g.close();
    group.close();
  });
}

bool is_sensitivity_file(const std::string& path) {
  if (!fs::is_regular_file(path)) return false;
  try {
    std::optional<h5::Handle> file = h5::open_file(path);
    return file && h5::has_attribute(file->id(), "schema") &&
           h5::read_string_attribute(file->id(), "schema") == "mppmc-sensitivity";
  } catch (const std::exception&) {
    return false;  // damaged: the results reader that `info` tries next says how
  }
}

h5::Handle open_sensitivity_file(const std::string& path, std::int64_t& version) {
  std::optional<h5::Handle> file = h5::open_file(path);
  if (!file || !h5::has_attribute(file->id(), "schema") ||
      h5::read_string_attribute(file->id(), "schema") != "mppmc-sensitivity")
    throw InputError(path + ": not an mppmc sensitivity file");
  // Schema 2 adds dimension scales and units to schema 1's datasets, which keep their names.
  version = h5::read_int_attribute(file->id(), "schema_version");
  if (version != 1 && version != kSensitivitySchemaVersion)
    throw InputError(path + ": mppmc sensitivity schema version " + std::to_string(version) +
                     "; this mppmc reads versions 1 and 2");
  return std::move(*file);
}

namespace {
std::string describe(const std::string& path) {
  std::int64_t version = 0;
  h5::Handle file = open_sensitivity_file(path, version);
  const hid_t root = file.id();
  std::ostringstream out;
  out << "file:            " << path << " (mppmc-sensitivity, version " << version << ", "
      << h5::read_string_attribute(root, "kind") << ")\n";
  if (h5::has_attribute(root, "scenario_name"))
    out << "scenario:        " << h5::read_string_attribute(root, "scenario_name") << "\n";
  out << "samples:         N = " << h5::read_int_attribute(root, "samples") << ", sampling "
      << h5::read_string_attribute(root, "sampling") << ", seed " << h5::read_int_attribute(root, "seed") << "\n";
  if (h5::exists(root, "tornado"))
    for (const std::string& name : h5::list_group(root, "tornado")) {
      h5::Handle g = h5::open_group(root, "tornado/" + name);
      const auto inputs = h5::read_strings(g.id(), "inputs");
      const std::vector<hsize_t> k = {inputs.size()};
      const auto low = h5::read_doubles(g.id(), "low_output", k), high = h5::read_doubles(g.id(), "high_output", k),
                 swing = h5::read_doubles(g.id(), "swing", k);
      out << "\ntornado of " << name << " (inputs at p" << 100 * h5::read_double_attribute(g.id(), "low_quantile")
          << " / p" << 100 * h5::read_double_attribute(g.id(), "high_quantile") << ", others at their medians; base "
          << fixed(h5::read_double_attribute(g.id(), "base_output"), 0) << "):\n";
      char line[256];
      std::snprintf(line, sizeof line, "  %-48s %16s %16s %16s\n", "input", "output at low", "output at high", "swing");
      out << line;
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        std::snprintf(line, sizeof line, "  %-48s %16s %16s %16s\n", inputs[i].c_str(), fixed(low[i], 0).c_str(),
                      fixed(high[i], 0).c_str(), fixed(swing[i], 0).c_str());
        out << line;
      }
    }
  if (h5::exists(root, "sensitivity"))
    for (const std::string& name : h5::list_group(root, "sensitivity")) {
      h5::Handle g = h5::open_group(root, "sensitivity/" + name);
      const auto inputs = h5::read_strings(g.id(), "inputs");
      const std::size_t k = inputs.size();
      const std::vector<hsize_t> one = {k}, two = {2, k};
      const auto s = h5::read_doubles(g.id(), "first_order", one), st = h5::read_doubles(g.id(), "total_order", one),
                 s_ci = h5::read_doubles(g.id(), "first_order_ci", two),
                 st_ci = h5::read_doubles(g.id(), "total_order_ci", two);
      const bool analytic = h5::exists(g.id(), "analytic_first_order");
      const auto s_true = analytic ? h5::read_doubles(g.id(), "analytic_first_order", one) : std::vector<double>{};
      const auto st_true = analytic ? h5::read_doubles(g.id(), "analytic_total_order", one) : std::vector<double>{};
      std::vector<std::size_t> order(k);
      for (std::size_t i = 0; i < k; ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return st[a] > st[b]; });
      out << "\nSobol indices of " << name << " (N = " << h5::read_int_attribute(g.id(), "N") << ", "
          << h5::read_int_attribute(g.id(), "runs") << " runs, "
          << 100 * h5::read_double_attribute(g.id(), "confidence_level") << "% bootstrap intervals):\n";
      char line[256];
      std::snprintf(line, sizeof line, "  %-48s %24s %24s%s\n", "input", "first order S", "total order ST",
                    analytic ? "   analytic S / ST" : "");
      out << line;
      for (std::size_t i : order) {
        const std::string first = fixed(s[i], 3) + " [" + fixed(s_ci[i], 3) + ", " + fixed(s_ci[k + i], 3) + "]";
        const std::string total = fixed(st[i], 3) + " [" + fixed(st_ci[i], 3) + ", " + fixed(st_ci[k + i], 3) + "]";
        const std::string truth = analytic ? "   " + fixed(s_true[i], 3) + " / " + fixed(st_true[i], 3) : "";
        std::snprintf(line, sizeof line, "  %-48s %24s %24s%s\n", inputs[i].c_str(), first.c_str(), total.c_str(),
                      truth.c_str());
        out << line;
      }
    }
  return out.str();
}
}  // namespace

std::string describe_sensitivity(const std::string& path) {
  return reading_file(path, "sensitivity", [&] { return describe(path); });
}

}  // namespace mppmc::io
