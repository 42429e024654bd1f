#include "io/fitted_scenario.h"

#include "core/atomic_file.h"
#include "model/parameters.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "core/error.h"
#include "core/normal.h"
#include "io/results_writer.h"
#include "io/scenario_reader.h"
#include "io/toml_source.h"

namespace mppmc::io {

namespace {

namespace fs = std::filesystem;

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string list_text(const std::vector<double>& values, int decimals) {
  std::string text = "[";
  for (std::size_t k = 0; k < values.size(); ++k)
    text += (k ? ", " : "") + (decimals < 0 ? number_text(values[k]) : fixed(values[k], decimals));
  return text + "]";
}

std::string trim(const std::string& text) {
  const std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// The key of a `key = value` line (trimmed), or "" for other lines.
std::string key_of(const std::string& line) {
  const std::string t = trim(line);
  if (t.empty() || t[0] == '#' || t[0] == '[') return {};
  const std::size_t eq = t.find('=');
  return eq == std::string::npos ? std::string() : trim(t.substr(0, eq));
}

// The table name of a `[name]` header line (trimmed), or nullopt.
std::optional<std::string> header_of(const std::string& line) {
  const std::string t = trim(line);
  if (t.size() < 3 || t[0] != '[' || t[1] == '[')
    return t.rfind("[[", 0) == 0 ? std::optional<std::string>("") : std::nullopt;
  const std::size_t close = t.find(']');
  if (close == std::string::npos) return std::nullopt;
  return trim(t.substr(1, close - 1));
}

constexpr const char* kMark = "  # fitted by mppmc fit, see the header";

// The TOML text with inflow.first's annual, year_correlation and seasonality replaced, edited
// line by line; nullopt when the text has no [inflow.first] table to edit.
std::optional<std::string> edited(const std::string& text, const std::vector<FittedEntry>& entries,
                                  const std::string& rho, const std::optional<std::string>& seasonality) {
  std::vector<std::string> lines;
  {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
  }
  std::string inline_table = "{ ";
  for (const FittedEntry& e : entries)
    inline_table += (inline_table.size() > 2 ? ", " : "") + std::to_string(e.year) + " = " + e.text;
  inline_table += " }";

  std::vector<std::string> out;
  std::string section;
  int first_header = -1;  // index in `out` of the [inflow.first] header line
  bool has_rho = false;
  std::size_t annual_end = 0;  // the last key line of [inflow.first.annual], found below
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (const auto h = header_of(lines[i]))
      section = *h;
    else if (section == "inflow.first.annual" && !key_of(lines[i]).empty())
      annual_end = i;
  section.clear();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i];
    if (const auto h = header_of(line)) {
      section = *h;
      out.push_back(line);
      if (section == "inflow.first") first_header = static_cast<int>(out.size()) - 1;
      if (section == "inflow.first.annual")
        for (const FittedEntry& e : entries) out.push_back(std::to_string(e.year) + " = " + e.text + kMark);
      continue;
    }
    const std::string key = key_of(line);
    if (section == "inflow.first.annual" && i <= annual_end) continue;  // replaced above
    if (section == "inflow.first" && !key.empty()) {
      const std::string head = line.substr(0, line.find('=') + 1) + " ";
      if (key == "annual") line = head + inline_table + kMark;
      if (key == "year_correlation") {
        line = head + rho + kMark;
        has_rho = true;
      }
      if (key == "seasonality" && seasonality) line = head + *seasonality + kMark;
    }
    out.push_back(line);
  }
  if (first_header < 0) return std::nullopt;
  if (!has_rho) out.insert(out.begin() + first_header + 1, std::string("year_correlation = ") + rho + kMark);
  std::string result;
  for (const std::string& line : out) result += line + "\n";
  return result;
}

// The text without a leading header written by `mppmc calibrate` or `mppmc fit` (the new header
// replaces it; the numbers it describes are replaced too).
std::string without_tool_header(const std::string& text) {
  if (text.rfind("# Calibrated by `mppmc calibrate`", 0) != 0 && text.rfind("# Fitted by `mppmc fit`", 0) != 0)
    return text;
  std::istringstream in(text);
  std::string line, rest;
  bool header = true;
  while (std::getline(in, line)) {
    const bool continues = line.rfind("# Calibrated by", 0) == 0 || line.rfind("# Fitted by", 0) == 0 ||
                           line.rfind("#   ", 0) == 0 || line.rfind("# Written resolved", 0) == 0;
    if (header && continues) continue;
    if (header && trim(line).empty()) {
      header = false;
      continue;
    }
    header = false;
    rest += line + "\n";
  }
  return rest;
}

bool same_measures(const std::vector<Measure>& a, const std::vector<Measure>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k].name != b[k].name || a[k].parameter != b[k].parameter || a[k].start != b[k].start ||
        a[k].ramp_months != b[k].ramp_months || !(a[k].effect == b[k].effect))
      return false;
  return true;
}

// Everything the model reads is the same (the seasonality to rounding of its normalisation).
bool same_scenario(const Scenario& a, const Scenario& b) {
  for (int k = 0; k < 12; ++k)
    if (std::abs(a.seasonality[k] - b.seasonality[k]) > 1e-12) return false;
  return a.name == b.name && a.start == b.start && a.horizon_months == b.horizon_months && a.initial == b.initial &&
         a.params == b.params && a.year_correlation == b.year_correlation && a.monthly_noise_sd == b.monthly_noise_sd &&
         same_measures(a.measures, b.measures) && a.correlations == b.correlations;
}

std::string rho_text(const InflowFit& fit) {
  return fixed(fit.year_correlation, 3);
}

std::optional<std::vector<double>> seasonality_values(const InflowFit& fit) {
  if (!fit.seasonality) return std::nullopt;
  std::vector<double> w;
  for (double v : *fit.seasonality) w.push_back(std::stod(fixed(v, 3)));
  return w;
}

}  // namespace

std::string estimate_text(const Estimate& e) {
  const bool count = e.value == std::round(e.value) && !std::isfinite(e.standard_error);
  const int decimals = count || std::abs(e.value) >= 100 ? 0 : 4;
  std::string text = e.name + " = " + fixed(e.value, decimals);
  if (std::isfinite(e.standard_error)) text += " (" + fixed(e.standard_error, decimals) + ")";
  return text;
}

std::vector<FittedEntry> fitted_entries(const InflowFit& fit) {
  std::vector<FittedEntry> entries;
  for (const YearPredictive& y : fit.years) {
    FittedEntry e;
    e.year = y.year;
    std::vector<double> q;
    for (double v : y.quantiles) q.push_back(std::max(1.0, std::round(v)));
    // Five points, then 5 / 50 / 95, then a lognormal: the first that is a valid distribution.
    std::vector<std::pair<std::vector<double>, std::vector<double>>> tries = {{y.levels, q}};
    if (y.levels.size() == 5) tries.push_back({{y.levels[0], y.levels[2], y.levels[4]}, {q[0], q[2], q[4]}});
    for (const auto& [p, values] : tries) {
      try {
        e.distribution = Distribution::quantiles(fit_metalog(p, values, 0, std::numeric_limits<double>::infinity()));
      } catch (const std::invalid_argument&) {
        continue;
      }
      // A metalog's far tail can grow much faster than the predictive's: one whose largest
      // draw (at u = 1 - 2^-53, core/random.h) passes what mppmc computes with is refused by the
      // scenario reader, so the next form is tried.
      if (!(e.distribution.quantile(1.0 - 0x1.0p-53) <= kLargestLevel)) continue;
      e.text = "{ dist = \"quantiles\", p = " + list_text(p, -1) + ", q = " + list_text(values, 0) + ", lower = 0 }";
      e.form = "metalog (" + std::to_string(p.size()) + " quantiles)";
      break;
    }
    if (e.text.empty()) {
      const double median = std::round(y.quantiles[y.quantiles.size() / 2]);
      const double z = normal_quantile(y.levels.back());
      const double sigma = std::stod(fixed(std::log(y.quantiles.back() / y.quantiles.front()) / (2 * z), 4));
      e.distribution = Distribution::lognormal(median, sigma);
      e.text = "{ dist = \"lognormal\", median = " + fixed(median, 0) + ", sigma = " + fixed(sigma, 4) + " }";
      e.form = "lognormal";
    }
    entries.push_back(e);
  }
  return entries;
}

Scenario fitted_scenario(const Scenario& original, const InflowFit& fit, const std::vector<FittedEntry>& entries) {
  Scenario s = original;
  YearTable table;
  for (const FittedEntry& e : entries) {
    table.years.push_back(e.year);
    table.values.push_back(e.distribution);
  }
  s.params[index(ParamId::inflow_first_annual)] = table;
  s.year_correlation = std::stod(rho_text(fit));
  if (const auto w = seasonality_values(fit)) {
    double sum = 0;
    for (double v : *w) sum += v;
    for (int k = 0; k < 12; ++k) s.seasonality[k] = (*w)[k] * (12.0 / sum);
  }
  return s;
}

std::string fit_header(const InflowFit& fit, const FitProvenance& p, const std::vector<FittedEntry>& entries) {
  std::ostringstream out;
  out << "# Fitted by `mppmc fit` (" << created_utc() << ") from " << p.scenario_file << ":\n"
      << "#   inflow.first.annual for " << entries.front().year << "-" << entries.back().year
      << ", inflow.first.year_correlation" << (fit.seasonality ? " and inflow.first.seasonality" : "")
      << " were estimated from history; every other key is as in the base scenario.\n"
      << "#   data: " << p.history_file << ", series " << p.series << ", years " << fit.first_year << "-"
      << fit.last_year << " (through " << fit.through << ")\n";
  if (!p.quarterly_file.empty()) out << "#         quarterly: " << p.quarterly_file << "\n";
  if (!p.monthly_file.empty()) out << "#         monthly: " << p.monthly_file << "\n";
  if (!p.published_file.empty()) out << "#         published forecasts: " << p.published_file << "\n";
  out << "#   model: " << inflow_model_name(fit.model) << ": " << fit.method << "\n"
      << "#   estimates (standard error):\n";
  for (const Estimate& e : fit.estimates) out << "#     " << estimate_text(e) << "\n";
  out << "#   predictive per year (persons/year, p5 / p25 / p50 / p75 / p95), written as:\n";
  for (std::size_t k = 0; k < fit.years.size(); ++k) {
    out << "#     " << fit.years[k].year << " (h = " << fit.years[k].horizon << "):";
    for (double q : fit.years[k].quantiles) out << " " << fixed(q, 0);
    out << "  " << entries[k].form << "\n";
  }
  out << "#   year_correlation = " << rho_text(fit)
      << ": the mean over consecutive forecast years of the correlation of their log levels under the fitted\n"
      << "#     predictive (";
  for (std::size_t k = 0; k < fit.consecutive_correlations.size(); ++k)
    out << (k ? ", " : "") << fixed(fit.consecutive_correlations[k], 3);
  out << "); docs/forecast-skill.md, \"year_correlation\".\n";
  if (fit.seasonality) out << "#   seasonality: " << fit.seasonality_source << "\n";
  for (const std::string& note : fit.notes) out << "#   note: " << note << "\n";
  return out.str();
}

bool write_fitted_scenario(const std::string& output, const Scenario& original, const InflowFit& fit,
                           const FitProvenance& provenance) {
  const std::vector<FittedEntry> entries = fitted_entries(fit);
  const Scenario expected = fitted_scenario(original, fit, entries);
  const std::string header = fit_header(fit, provenance, entries);
  std::optional<std::string> seasonality;
  if (const auto w = seasonality_values(fit)) seasonality = list_text(*w, 3);

  std::string original_text;
  {
    std::ifstream in(original.source_file);
    original_text.assign(std::istreambuf_iterator<char>(in), {});
  }
  original_text = without_tool_header(original_text);
  Diagnostics ignored_syntax;
  const std::optional<toml::table> doc = parse_toml_file(original.source_file, ignored_syntax);
  const bool extends = !doc || doc->at_path("scenario.extends").node() != nullptr;
  // Candidates: the original text edited (comments kept), then the resolved scenario edited.
  std::vector<std::pair<bool, std::string>> candidates;
  if (!extends)
    if (auto text = edited(original_text, entries, rho_text(fit), seasonality))
      candidates.push_back({true, header + "\n" + *text});
  if (auto text = edited(original.resolved_toml, entries, rho_text(fit), seasonality))
    candidates.push_back({false, header + "# Written resolved (all `extends` merged) from " + provenance.scenario_file +
                                     ", so it runs on its own.\n\n" + *text});
  // Each candidate is written under a temporary name, read back and compared with the fitted
  // scenario (core/atomic_file.h: the verify step); the first that matches takes the output's
  // name, one that does not is removed.
  struct Mismatch {};
  std::string why;  // of the last candidate refused
  for (const auto& [kept, text] : candidates) {
    try {
      write_text_atomically(output, text, [&](const std::string& temporary) {
        bool matches = false;
        try {
          std::vector<Problem> ignored;
          matches = same_scenario(read_scenario(temporary, ignored), expected);
          if (!matches) why = "it reads back as another scenario";
        } catch (const InputError& e) {
          why = e.what();
        }
        if (!matches) throw Mismatch{};
      });
      return kept;
    } catch (const Mismatch&) {
      continue;
    }
  }
  throw RuntimeError("internal error (a bug in mppmc): the fitted scenario for " + output +
                     " did not read back as fitted (" + why + "); nothing was written");
}

}  // namespace mppmc::io
