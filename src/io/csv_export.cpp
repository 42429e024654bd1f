#include "io/csv_export.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "io/results_info.h"
#include "io/toml_source.h"

namespace mppmc::io {

namespace {

namespace fs = std::filesystem;

// A CSV field: quoted when it holds a comma, quote or newline (RFC 4180).
std::string field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string percentile_label(double p) {
  std::string label = number_text(p);
  label.insert(label.begin(), 'p');
  return label;
}

// Appends the rows of one statistics group (".../monthly" or ".../annual").
void append_rows(std::ofstream& out, hid_t root, const std::string& group, const std::string& scenario,
                 const std::vector<std::string>& periods, const std::vector<std::string>& labels,
                 const std::vector<std::string>& band_labels) {
  for (const std::string& name : h5::list_group(root, group)) {
    h5::Handle g = h5::open_group(root, group + "/" + name);
    const std::string prefix = field(scenario) + "," + field(name) + "," + field(h5::read_string_attribute(g.id(), "unit")) + ",";
    const std::size_t n = periods.size();
    auto rows = [&](const std::vector<double>& values, const std::vector<std::string>& stat_labels) {
      for (std::size_t k = 0; k < stat_labels.size(); ++k)
        for (std::size_t t = 0; t < n; ++t)
          out << prefix << periods[t] << ',' << stat_labels[k] << ',' << number_text(values[k * n + t]) << '\n';
    };
    rows(h5::read_doubles(g.id(), "quantiles"), labels);
    rows(h5::read_doubles(g.id(), "mean"), {"mean"});
    rows(h5::read_doubles(g.id(), "std"), {"std"});
    if (h5::exists(g.id(), "band")) rows(h5::read_doubles(g.id(), "band"), band_labels);
  }
}

}  // namespace

std::vector<std::string> export_csv(const std::string& results_path, const std::string& folder, bool overwrite) {
  h5::Handle file = open_results(results_path);
  const hid_t root = file.id();
  std::vector<std::string> labels;
  for (double p : h5::read_doubles(root, "percentiles")) labels.push_back(percentile_label(p));
  const std::vector<std::string> band_labels = {"min", "medio", "max"};
  std::vector<std::string> months = h5::read_strings(root, "time/month");
  std::vector<std::string> years;
  for (std::int64_t y : h5::read_ints(root, "time/year")) years.push_back(std::to_string(y));

  const bool has_variants = h5::exists(root, "variants");
  const std::vector<std::string> variants = has_variants ? h5::list_group(root, "variants") : std::vector<std::string>{};
  std::vector<std::string> names = {"monthly.csv", "annual.csv"};
  if (has_variants) {
    names.emplace_back("compare_monthly.csv");
    names.emplace_back("compare_annual.csv");
  }
  std::vector<Problem> problems;
  for (const std::string& name : names)
    if (fs::exists(fs::path(folder) / name) && !overwrite)
      problems.push_back(Problem::general((fs::path(folder) / name).string() + " exists; pass --overwrite to replace it"));
  if (!problems.empty()) throw InputError(problems);
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw RuntimeError("cannot create the folder " + folder + ": " + ec.message());

  const std::string baseline = h5::read_string_attribute(root, "scenario_name");
  auto scenario_of = [&](const std::string& variant) {
    h5::Handle g = h5::open_group(root, "variants/" + variant);
    return h5::read_string_attribute(g.id(), "scenario_name");
  };
  std::vector<std::string> written;
  // Each file is written under a temporary name and renamed, so a reader never sees half a table.
  auto write = [&](const std::string& name, bool monthly, bool compare) {
    const fs::path target = fs::path(folder) / name;
    const std::string temporary = target.string() + ".tmp-" + std::to_string(::getpid());
    {
      std::ofstream out(temporary);
      if (!out) throw RuntimeError("cannot write " + temporary);
      out << "scenario,series,unit,period,statistic,value\n";
      const std::vector<std::string>& periods = monthly ? months : years;
      const std::string kind = monthly ? "monthly" : "annual";
      if (!compare) append_rows(out, root, kind, baseline, periods, labels, band_labels);
      for (const std::string& v : variants)
        append_rows(out, root, (compare ? "compare/" : "variants/") + v + "/" + kind, scenario_of(v), periods, labels,
                    band_labels);
      if (!out.flush()) throw RuntimeError("cannot write " + temporary);
    }
    fs::rename(temporary, target, ec);
    if (ec) throw RuntimeError("cannot move " + temporary + " into place: " + ec.message());
    written.push_back(target.string());
  };
  write("monthly.csv", true, false);
  write("annual.csv", false, false);
  if (has_variants) {
    write("compare_monthly.csv", true, true);
    write("compare_annual.csv", false, true);
  }
  return written;
}

}  // namespace mppmc::io
