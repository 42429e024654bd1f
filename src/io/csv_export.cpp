#include "io/csv_export.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/results_info.h"
#include "io/sensitivity_file.h"
#include "io/toml_source.h"

namespace mppmc::io {

namespace {

// `text` as a field between `separator`s: quoted when it holds the separator, a quote or a
// line break (RFC 4180).
std::string quoted_field(const std::string& text, char separator) {
  if (text.find_first_of(std::string("\"\n") + separator) == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

std::string csv_field(const std::string& text) {
  return quoted_field(text, ',');
}

namespace {

namespace fs = std::filesystem;

std::string percentile_label(double p) {
  std::string label = number_text(p);
  label.insert(label.begin(), 'p');
  return label;
}

// How a CSV separates fields and writes decimals: RFC 4180 (`,` and `.`) or Dutch-locale Excel
// (`;` and `,`).
struct CsvStyle {
  bool decimal_comma = false;
  char separator() const { return decimal_comma ? ';' : ','; }
  std::string field(const std::string& text) const { return quoted_field(text, separator()); }
  std::string number(double value) const {
    std::string text = number_text(value);
    if (decimal_comma)
      for (char& c : text)
        if (c == '.') c = ',';
    return text;
  }
};

// Appends the rows of one statistics group (".../monthly" or ".../annual").
void append_rows(std::ostream& out, const CsvStyle& style, hid_t root, const std::string& group,
                 const std::string& scenario, const std::vector<std::string>& periods,
                 const std::vector<std::string>& labels, const std::vector<std::string>& band_labels) {
  const char sep = style.separator();
  for (const std::string& name : h5::list_group(root, group)) {
    h5::Handle g = h5::open_group(root, group + "/" + name);
    const std::string prefix = style.field(scenario) + sep + style.field(name) + sep +
                               style.field(h5::read_string_attribute(g.id(), "unit")) + sep;
    const std::size_t n = periods.size();
    // Each statistic is [its labels, periods]: a dataset of another shape is refused.
    auto rows = [&](const char* dataset, const std::vector<std::string>& stat_labels, bool vector) {
      const std::vector<hsize_t> shape = vector ? std::vector<hsize_t>{n} : std::vector<hsize_t>{stat_labels.size(), n};
      const std::vector<double> values = h5::read_doubles(g.id(), dataset, shape);
      for (std::size_t k = 0; k < stat_labels.size(); ++k)
        for (std::size_t t = 0; t < n; ++t)
          out << prefix << periods[t] << sep << stat_labels[k] << sep << style.number(values[k * n + t]) << '\n';
    };
    rows("quantiles", labels, false);
    rows("mean", {"mean"}, true);
    rows("std", {"std"}, true);
    if (h5::exists(g.id(), "band")) rows("band", band_labels, false);
  }
}

// The tidy tables of a results file: (file name, contents).
std::vector<std::pair<std::string, std::string>> tidy_tables(const std::string& results_path, bool decimal_comma) {
  h5::Handle file = open_results(results_path);
  const hid_t root = file.id();
  const std::vector<std::string> band_labels = {"min", "medio", "max"};
  const CsvStyle style{decimal_comma};
  std::vector<std::pair<std::string, std::string>> tables;  // file name, contents
  reading_results(results_path, [&] {
    std::vector<std::string> labels, years;
    for (double p : h5::read_doubles(root, "percentiles")) labels.push_back(percentile_label(p));
    const std::vector<std::string> months = h5::read_strings(root, "time/month");
    for (std::int64_t y : h5::read_ints(root, "time/year")) years.push_back(std::to_string(y));
    const bool has_variants = h5::exists(root, "variants");
    const std::vector<std::string> variants =
        has_variants ? h5::list_group(root, "variants") : std::vector<std::string>{};
    struct Table {
      const char* name;
      bool monthly, compare;
    };
    std::vector<Table> wanted = {{"monthly.csv", true, false}, {"annual.csv", false, false}};
    if (has_variants)
      wanted.insert(wanted.end(), {{"compare_monthly.csv", true, true}, {"compare_annual.csv", false, true}});
    const std::string baseline = h5::read_string_attribute(root, "scenario_name");
    auto scenario_of = [&](const std::string& variant) {
      h5::Handle g = h5::open_group(root, "variants/" + variant);
      return h5::read_string_attribute(g.id(), "scenario_name");
    };
    for (const Table& t : wanted) {
      std::ostringstream out;
      for (const char* column : {"scenario", "series", "unit", "period", "statistic"})
        out << column << style.separator();
      out << "value\n";
      const std::vector<std::string>& periods = t.monthly ? months : years;
      const std::string kind = t.monthly ? "monthly" : "annual";
      if (!t.compare) append_rows(out, style, root, kind, baseline, periods, labels, band_labels);
      for (const std::string& v : variants)
        append_rows(out, style, root, (t.compare ? "compare/" : "variants/") + v + "/" + kind, scenario_of(v), periods,
                    labels, band_labels);
      tables.emplace_back(t.name, out.str());
    }
  });
  return tables;
}

}  // namespace

std::string csv_text(const Sheet& sheet, bool decimal_comma, bool with_header) {
  const CsvStyle style{decimal_comma};
  std::string out;
  auto line = [&](std::size_t n, auto cell) {
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) out += style.separator();
      out += cell(i);
    }
    out += '\n';
  };
  if (with_header) line(sheet.header.size(), [&](std::size_t i) { return style.field(sheet.header[i]); });
  for (const std::vector<Cell>& row : sheet.rows)
    line(row.size(),
         [&](std::size_t i) { return row[i].is_number ? style.number(row[i].number) : style.field(row[i].text); });
  return out;
}

std::vector<std::string> export_csv(const std::string& path, const std::string& folder, const CsvOptions& options) {
  std::error_code status;
  if (fs::exists(folder, status) && !fs::is_directory(folder, status))
    throw InputError("--csv " + folder + ": is a file; give a folder for the CSV tables");
  // Read every table first (a damaged file fails here, before anything is written), then
  // write each under a temporary name and rename them all, so that a reader never sees half a
  // table and a failure leaves no new file behind.
  std::vector<std::pair<std::string, std::string>> tables;  // file name, contents
  if (is_sensitivity_file(path)) {
    for (const Sheet& sheet : sensitivity_sheets(path))
      if (sheet.name != "provenance") tables.emplace_back(sheet.name + ".csv", csv_text(sheet, options.decimal_comma));
  } else if (options.wide) {
    std::string bands, effects;
    for (const Sheet& sheet : results_sheets(path)) {
      if (sheet.name.rfind("band", 0) == 0) bands += csv_text(sheet, options.decimal_comma, bands.empty());
      if (sheet.name.rfind("effect ", 0) == 0) effects += csv_text(sheet, options.decimal_comma, effects.empty());
    }
    tables.emplace_back("annual_band.csv", bands);
    if (!effects.empty()) tables.emplace_back("compare_annual_band.csv", effects);
  } else {
    tables = tidy_tables(path, options.decimal_comma);
  }
  std::vector<Problem> problems;
  for (const auto& table : tables)
    if (fs::exists(fs::path(folder) / table.first) && !options.overwrite)
      problems.push_back(
          Problem::general((fs::path(folder) / table.first).string() + " exists; pass --overwrite to replace it"));
  if (!problems.empty()) throw InputError(problems);
  // The folder (and its missing parents) is made only now that there is something to write,
  // and a failure removes what this export made: the temporaries and the folders it created.
  std::vector<fs::path> created;  // innermost first
  fs::path innermost = fs::path(folder).lexically_normal();
  if (!innermost.has_filename()) innermost = innermost.parent_path();  // "out/"
  for (fs::path p = innermost; !p.empty() && !fs::exists(p, status); p = p.parent_path()) created.push_back(p);
  std::vector<std::string> temporaries, written, fresh;  // fresh: tables that did not exist before
  auto undo = [&] {
    for (const std::string& t : fresh) discard(t);
    for (const std::string& t : temporaries) discard(t);
    for (const fs::path& p : created) fs::remove(p, status);  // only removes an empty folder
  };
  try {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw RuntimeError("cannot create the folder " + folder + ": " + ec.message());
    for (const auto& [name, contents] : tables)
      temporaries.push_back(write_temporary((fs::path(folder) / name).string(), contents));
    for (std::size_t k = 0; k < tables.size(); ++k) {
      const fs::path target = fs::path(folder) / tables[k].first;
      if (!fs::exists(target, status)) fresh.push_back(target.string());
      publish(temporaries[k], target.string());
      written.push_back(target.string());
    }
  } catch (...) {
    undo();
    throw;
  }
  return written;
}

}  // namespace mppmc::io
