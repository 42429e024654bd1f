#include "io/calibrated_scenario.h"

#include <fstream>
#include <map>
#include <sstream>

#include "core/error.h"
#include "io/results_writer.h"
#include "io/toml_source.h"

namespace mppmc::io {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string grouped(double value) {
  std::ostringstream out;
  out.precision(0);
  out << std::fixed << value;
  return out.str();
}

std::string header(const CalibrationRecord& r) {
  const auto& t = r.target;
  std::ostringstream out;
  out << "# Calibrated by `mppmc calibrate` (" << created_utc() << "): inflow.first.annual." << t.year
      << " was fitted so that the simulated " << t.year << " " << series()[index(t.series)].name << " has\n"
      << "#   percentiles " << number_text(t.percentiles[0]) << " / " << number_text(t.percentiles[1]) << " / "
      << number_text(t.percentiles[2]) << " = target " << grouped(t.band[0]) << " / " << grouped(t.band[1]) << " / "
      << grouped(t.band[2]) << ", achieved " << grouped(r.result.achieved[0]) << " / " << grouped(r.result.achieved[1])
      << " / " << grouped(r.result.achieved[2]) << "\n"
      << "#   (" << r.paths << " paths, seed " << r.seed << ", " << r.result.iterations
      << " iterations with common random numbers). Other years are as they were.\n";
  return out.str();
}

// How many lines at the top of `lines` are the header of an earlier calibration (and the blank
// line after it): calibrating a calibrated file replaces that header rather than stacking a
// second one above it.
std::size_t earlier_header_lines(const std::vector<std::string>& lines) {
  if (lines.empty() || lines[0].rfind("# Calibrated by `mppmc calibrate`", 0) != 0) return 0;
  std::size_t end = 1;
  while (end < lines.size() && (lines[end].rfind("#   ", 0) == 0 || lines[end].rfind("# Written resolved", 0) == 0))
    ++end;
  if (end < lines.size() && lines[end].empty()) ++end;
  return end;
}

// The text after "key =" on a line is replaced by `value`, keeping the key as written.
bool replace_value(std::string& line, const std::string& value, const std::string& comment) {
  const std::size_t eq = line.find('=');
  if (eq == std::string::npos) return false;
  line = line.substr(0, eq + 1) + " " + value + "  # " + comment;
  return true;
}

// The resolved scenario (no extends) with the `annual = ...` line of [inflow.first] replaced.
std::string resolved_with(const Scenario& original, const std::string& annual_text) {
  std::vector<std::string> lines = split_lines(original.resolved_toml);
  std::string section, out;
  for (std::string& line : lines) {
    if (!line.empty() && line[0] == '[') section = line;
    if (section == "[inflow.first]" && line.rfind("annual = ", 0) == 0) line = "annual = " + annual_text;
    out += line + "\n";
  }
  return out;
}

// A year table as one inline TOML table: { 2025 = ..., 2026 = ... }.
std::string inline_table(const std::map<int, std::string>& entries) {
  std::string text = "{ ";
  for (const auto& [y, t] : entries) text += (text.size() > 2 ? ", " : "") + std::to_string(y) + " = " + t;
  return text + " }";
}

}  // namespace

std::string calibrated_entry_text(const CalibrationRecord& r) {
  const auto& p = r.target.percentiles;
  const auto& q = r.result.quantiles;
  return "{ dist = \"quantiles\", p = [" + number_text(p[0] / 100) + ", " + number_text(p[1] / 100) + ", " +
         number_text(p[2] / 100) + "], q = [" + number_text(q[0]) + ", " + number_text(q[1]) + ", " +
         number_text(q[2]) + "], lower = 0 }";
}

std::string calibrated_scenario_text(const std::string& scenario_path, const Scenario& original,
                                     const CalibrationRecord& r) {
  const int year = r.target.year;
  const std::string entry = calibrated_entry_text(r);
  Diagnostics d;
  std::optional<toml::table> doc = parse_toml_file(scenario_path, d);
  d.throw_if_errors();
  std::ifstream in(scenario_path);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  std::vector<std::string> lines = split_lines(text);

  // The entries of the table as written, by year: the text that gives each year its value.
  // A file that extends another is rewritten resolved, so its entries come from the merge.
  const bool extends = doc->at_path("scenario.extends").node() != nullptr;
  const toml::table resolved = toml::parse(original.resolved_toml);
  const toml::node* annual = (extends ? resolved : *doc).at_path("inflow.first.annual").node();
  MPPMC_CHECK(annual != nullptr);      // a required key: the reader has checked it
  std::map<int, std::string> entries;  // year -> TOML text
  const toml::table* table = annual ? annual->as_table() : nullptr;
  const bool year_table = table && !table->contains("dist");
  if (annual && year_table)
    for (auto&& [key, value] : *table) entries[std::stoi(std::string(key.str()))] = value_text(value);
  auto old_text_for = [&](int y) -> std::string {  // what year y had before (latest listed <= y)
    if (!year_table) return value_text(*annual);
    auto it = entries.upper_bound(y);
    return it == entries.begin() ? it->second : std::prev(it)->second;
  };

  // The new table: the calibrated year, the next year pinned, the years before the first entry pinned.
  std::map<int, std::string> updated = entries;
  const std::string reason_next = "the entry " + std::to_string(year + 1) + " had before the calibration";
  if (!year_table && year > original.first_year()) updated[original.first_year()] = old_text_for(year);
  if (!updated.empty() && year < updated.begin()->first && year > original.first_year())
    updated[original.first_year()] = old_text_for(original.first_year());
  if (!updated.count(year + 1)) updated[year + 1] = old_text_for(year + 1);
  updated[year] = entry;

  const bool one_line = annual->source().begin.line == annual->source().end.line;
  if (extends || (!year_table && !one_line) || (year_table && table->is_inline() && !one_line)) {
    // Written resolved: self-contained, comments of the original are lost (said in the header).
    return header(r) + "# Written resolved (all `extends` merged) from " + scenario_path +
           ", so it runs on its own.\n\n" + resolved_with(original, inline_table(updated));
  }

  const std::string comment = "calibrated by mppmc calibrate, see the header";
  if (!year_table || table->is_inline()) {
    // `annual = ...` on one line: rewrite its value as an inline table, keeping the key as written.
    std::string& line = lines[annual->source().begin.line - 1];
    if (!replace_value(line, inline_table(updated), comment)) throw RuntimeError("cannot edit " + scenario_path);
  } else {
    // A sub-table, one year a line: replace the calibrated year's line, add lines for new years.
    std::size_t last_line = 0;
    for (auto&& [key, value] : *table) last_line = std::max<std::size_t>(last_line, value.source().end.line);
    std::vector<std::string> added;
    for (const auto& [y, t] : updated) {
      if (entries.count(y) && y != year) continue;
      if (entries.count(y)) {
        const toml::node* node = table->get(std::to_string(y));
        if (node->source().begin.line != node->source().end.line) throw RuntimeError("cannot edit " + scenario_path);
        if (!replace_value(lines[node->source().begin.line - 1], t, comment))
          throw RuntimeError("cannot edit " + scenario_path);
      } else {
        added.push_back(std::to_string(y) + " = " + t + "  # " + (y == year ? comment : reason_next));
      }
    }
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(last_line), added.begin(), added.end());
  }
  std::string out = header(r) + "\n";
  for (std::size_t k = earlier_header_lines(lines); k < lines.size(); ++k) out += lines[k] + "\n";
  return out;
}

}  // namespace mppmc::io
