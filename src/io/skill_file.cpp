#include "io/skill_file.h"
#include "core/atomic_file.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "io/csv_export.h"
#include "io/hdf5_file.h"
#include "io/results_writer.h"
#include "io/toml_source.h"

namespace mppmc::io {

namespace {

std::string value_field(double value) {
  return std::isfinite(value) ? number_text(value) : std::string();
}

std::string horizon_text(int horizon) {
  return horizon < 0 ? std::string("all") : std::to_string(horizon);
}

// The per-period statistics in the order they are written.
std::vector<std::pair<const char*, double>> period_statistics(const ScoredPeriod& r) {
  const PeriodScore& s = r.score;
  return {{"realised", r.realised},
          {"band_low", r.band_low},
          {"medio", r.medio},
          {"band_high", r.band_high},
          {"band_nominal", r.band_nominal},
          {"pit", s.pit},
          {"covered_50", s.covered_50},
          {"covered_80", s.covered_80},
          {"covered_90", s.covered_90},
          {"covered_band", s.covered_band},
          {"interval_score", s.interval_score},
          {"crps", s.crps},
          {"log_ratio", s.log_ratio},
          {"band_position", s.band_position}};
}

std::vector<std::pair<const char*, double>> summary_statistics(const SkillSummary& s) {
  return {{"count", s.count},
          {"coverage_50", s.coverage_50},
          {"coverage_80", s.coverage_80},
          {"coverage_90", s.coverage_90},
          {"coverage_band", s.coverage_band},
          {"band_nominal", s.band_nominal},
          {"mean_interval_score", s.mean_interval_score},
          {"mean_crps", s.mean_crps},
          {"bias", s.bias},
          {"bias_count", s.bias_count},
          {"mean_pit", s.mean_pit}};
}

// Columns of `rows`: one vector per statistic, in the order of `statistics`.
template <typename T, typename Statistics>
void write_columns(hid_t group, const std::vector<T>& rows, Statistics statistics,
                   const std::vector<std::string>& integer_names) {
  if (rows.empty()) return;
  const auto names = statistics(rows.front());
  for (std::size_t k = 0; k < names.size(); ++k) {
    const std::string name = names[k].first;
    std::vector<double> column;
    for (const T& r : rows) column.push_back(statistics(r)[k].second);
    if (std::find(integer_names.begin(), integer_names.end(), name) != integer_names.end()) {
      std::vector<std::int32_t> ints(column.begin(), column.end());
      h5::write_dataset(group, name, ints);
    } else {
      h5::write_dataset(group, name, {column.size()}, column.data());
    }
  }
}

}  // namespace

std::string skill_csv_text(const std::vector<ScoredPeriod>& rows, const std::vector<SkillSummary>& summaries) {
  std::ostringstream out;
  out << "kind,group,forecast,series,period,horizon,method,statistic,value\n";
  for (const ScoredPeriod& r : rows) {
    const std::string prefix = "period," + csv_field(r.group) + "," + csv_field(r.forecast) + "," +
                               csv_field(r.series) + "," + csv_field(r.period) + "," + horizon_text(r.horizon) + "," +
                               csv_field(r.method) + ",";
    for (const auto& [name, value] : period_statistics(r)) out << prefix << name << ',' << value_field(value) << '\n';
  }
  for (const SkillSummary& s : summaries) {
    const std::string prefix =
        "summary," + csv_field(s.group) + ",," + csv_field(s.series) + ",," + horizon_text(s.horizon) + ",,";
    for (const auto& [name, value] : summary_statistics(s)) out << prefix << name << ',' << value_field(value) << '\n';
  }
  return out.str();
}

void write_skill_group(hid_t parent, const std::string& name, const std::vector<ScoredPeriod>& rows,
                       const std::vector<SkillSummary>& summaries) {
  h5::Handle group = h5::open_or_create_group(parent, name);
  h5::write_attribute(group.id(), "interval_alpha", kIntervalAlpha);
  h5::write_attribute(group.id(), "crps_levels", static_cast<std::int64_t>(kCrpsLevels));
  h5::write_attribute(group.id(), "pit_definition",
                      std::string("paths: mid-rank (#below + #equal/2 + 1/2)/(N + 1); quantiles: linear CDF "
                                  "between stored levels, normal tails through the two outermost points"));
  h5::write_attribute(group.id(), "crps_definition",
                      std::string("paths: exact for the empirical distribution; quantiles: 2 x mean pinball loss "
                                  "over 1000 midpoint levels of the interpolated distribution"));
  h5::write_attribute(group.id(), "horizon_definition",
                      std::string("years from the forecast's origin (the year of the month before its first "
                                  "forecast month, or before its publication) to the scored period's year"));
  h5::Handle periods = h5::create_group(group.id(), "periods");
  auto strings = [&](hid_t g, const char* set, auto get, const auto& items) {
    std::vector<std::string> column;
    for (const auto& item : items) column.push_back(get(item));
    h5::write_dataset(g, set, column);
  };
  strings(
      periods.id(), "group", [](const ScoredPeriod& r) { return r.group; }, rows);
  strings(
      periods.id(), "forecast", [](const ScoredPeriod& r) { return r.forecast; }, rows);
  strings(
      periods.id(), "series", [](const ScoredPeriod& r) { return r.series; }, rows);
  strings(
      periods.id(), "period", [](const ScoredPeriod& r) { return r.period; }, rows);
  strings(
      periods.id(), "method", [](const ScoredPeriod& r) { return r.method; }, rows);
  std::vector<std::int32_t> horizons;
  for (const ScoredPeriod& r : rows) horizons.push_back(r.horizon);
  h5::write_dataset(periods.id(), "horizon", horizons);
  write_columns(periods.id(), rows, period_statistics, {"covered_50", "covered_80", "covered_90", "covered_band"});

  h5::Handle summary = h5::create_group(group.id(), "summary");
  strings(
      summary.id(), "group", [](const SkillSummary& s) { return s.group; }, summaries);
  strings(
      summary.id(), "series", [](const SkillSummary& s) { return s.series; }, summaries);
  horizons.clear();
  for (const SkillSummary& s : summaries) horizons.push_back(s.horizon);
  h5::write_dataset(summary.id(), "horizon", horizons);
  write_columns(summary.id(), summaries, summary_statistics, {"count", "bias_count"});
}

void write_skill_file(const std::string& path, const std::vector<ScoredPeriod>& rows,
                      const std::vector<SkillSummary>& summaries,
                      const std::vector<std::pair<std::string, std::string>>& attributes) {
  if (std::filesystem::path(path).extension() == ".csv") {
    write_text_atomically(path, skill_csv_text(rows, summaries));
    return;
  }
  write_hdf5_atomically(path, "mppmc-skill", 1, [&](hid_t root) {
    for (const auto& [name, value] : attributes) h5::write_attribute(root, name, value);
    write_skill_group(root, "skill", rows, summaries);
  });
}

}  // namespace mppmc::io
