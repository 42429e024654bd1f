#include "app/score.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "app/settings.h"
#include "io/forecast_file.h"
#include "io/history_csv.h"
#include "io/output_lock.h"
#include "io/results_info.h"
#include "io/results_writer.h"
#include "io/skill_file.h"

namespace mppmc::app {

namespace {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using RealisedMap = std::map<std::pair<std::string, std::string>, double>;  // (mppmc series, period) -> value

using SeriesLines = std::map<std::string, int>;  // mppmc series -> the realised file's first line of it

RealisedMap realised_values(const std::string& path, SeriesLines& first_lines) {
  RealisedMap out;
  for (const io::TidyValue& v : io::read_tidy_csv(path)) {
    out[{io::mppmc_series_name(v.series), v.period.text()}] = v.value;
    first_lines.emplace(io::mppmc_series_name(v.series), v.line);
  }
  return out;
}

bool is_csv(const std::string& path) {
  return fs::path(path).extension() == ".csv";
}

// Whole persons with thousands separators; "-" for a value that does not exist.
std::string grouped(double value) {
  return std::isfinite(value) ? io::grouped_number(value) : std::string("-");
}

std::string decimal(double value, int decimals) {
  if (!std::isfinite(value)) return "-";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// A results file's series as forecasts, the baseline and every variant.
std::vector<ScoredPeriod> score_results(const ScoreJob& job, const RealisedMap& realised, const SeriesLines& lines,
                                        std::vector<Problem>& warnings) {
  std::set<std::pair<std::string, bool>> wanted;  // (series, annual)
  for (const auto& [key, value] : realised) {
    const std::optional<io::Period> period = io::parse_period(key.second);
    if (period->kind == io::Period::Kind::quarter) continue;  // results files have no quarters
    wanted.insert({key.first, period->kind == io::Period::Kind::year});
  }
  std::vector<std::string> variants = {""};
  for (const std::string& v : io::results_variants(job.forecast)) variants.push_back(v);
  std::vector<ScoredPeriod> rows;
  for (const std::string& variant : variants)
    for (const auto& [series, annual] : wanted) {
      io::ResultsForecast f;
      try {
        f = io::read_results_forecast(job.forecast, series, variant, annual, true);
      } catch (const InputError& e) {  // a series the forecast lacks: where the realised file asks for it
        Problem p = Problem::general(e.what());
        p.where = {job.realised, lines.at(series), 1};
        p.key_path = "series";
        p.value = series;
        throw InputError(std::vector<Problem>{p});
      }
      const std::size_t periods = f.periods.size();
      for (std::size_t t = 0; t < periods; ++t) {
        const auto it = realised.find({series, f.periods[t]});
        if (it == realised.end()) continue;
        if (f.months[t] < 12) {
          warnings.push_back(Problem::warning_at(
              {job.forecast, 0, 0}, series, f.periods[t],
              "the forecast covers " + std::to_string(f.months[t]) + " months of this year; not scored"));
          continue;
        }
        std::vector<double> column;
        for (std::size_t k = 0; k < f.levels.size(); ++k) column.push_back(f.quantiles[k * periods + t]);
        const Predictive predictive = f.paths > 0
                                          ? Predictive::from_sample(std::vector<double>(
                                                f.samples.begin() + static_cast<std::ptrdiff_t>(t * f.paths),
                                                f.samples.begin() + static_cast<std::ptrdiff_t>((t + 1) * f.paths)))
                                          : Predictive::from_quantiles(f.levels, column);
        const std::string group = variant.empty() ? "baseline" : variant;
        rows.push_back(scored_period({group, group, series, f.periods[t], f.period_years[t] - f.origin_year},
                                     predictive, {f.band[t], f.band[periods + t], f.band[2 * periods + t]},
                                     f.band_levels[2] - f.band_levels[0], it->second));
      }
    }
  return rows;
}

}  // namespace

ScoredPeriod scored_period(const ForecastLabel& label, const Predictive& predictive, const std::array<double, 3>& band,
                           double band_nominal, double realised) {
  ScoredPeriod r;
  r.group = label.group;
  r.forecast = label.forecast;
  r.series = label.series;
  r.period = label.period;
  r.horizon = label.horizon;
  r.method = predictive.is_sample() ? "paths" : "quantiles";
  r.realised = realised;
  r.band_low = band[0];
  r.medio = band[1];
  r.band_high = band[2];
  r.band_nominal = band_nominal;
  r.score = score_period(predictive, {band[0], band[2]}, realised);
  return r;
}

std::vector<ScoredPeriod> score_published_bands(const std::string& bands_file,
                                                const std::vector<io::PublishedBand>& bands,
                                                const std::vector<double>& band_percentiles,
                                                const RealisedMap* realised, const std::string& realised_file,
                                                std::vector<Problem>& warnings) {
  const std::vector<double>& p = band_percentiles;
  std::vector<ScoredPeriod> rows;
  for (const io::PublishedBand& b : bands) {
    const std::string period = std::to_string(b.target_year);
    std::optional<double> value = b.realised;
    if (realised) {
      const auto it = realised->find({b.series, period});
      if (it != realised->end()) {
        if (b.realised && *b.realised != it->second)
          warnings.push_back(
              Problem::warning_at({bands_file, b.line, 1}, "realised", grouped(*b.realised),
                                  "differs from " + realised_file + " (" + grouped(it->second) + "), which is used"));
        value = it->second;
      }
    }
    if (!value) continue;  // not yet realised
    std::vector<double> levels = {p[0] / 100}, values = {b.minimum};
    if (b.medio) {
      levels.push_back(p[1] / 100);
      values.push_back(*b.medio);
    }
    levels.push_back(p[2] / 100);
    values.push_back(b.maximum);
    rows.push_back(scored_period({"published", b.edition, b.series, period, b.target_year - year_of(b.published - 1)},
                                 Predictive::from_quantiles(levels, values),
                                 {b.minimum, b.medio ? *b.medio : kNaN, b.maximum}, (p[2] - p[0]) / 100, *value));
  }
  return rows;
}

std::string skill_tables(const std::vector<ScoredPeriod>& rows, const std::vector<SkillSummary>& summaries) {
  return skill_period_table(rows) + "\n" + skill_summary_table(summaries);
}

std::string skill_period_table(const std::vector<ScoredPeriod>& rows) {
  std::string out;
  char line[400];
  std::snprintf(line, sizeof line, "%-12s %-10s %-14s %-7s %2s %9s %9s %9s %9s %6s %-9s %9s %9s %7s\n", "group",
                "forecast", "series", "period", "h", "realised", "band low", "medio", "band high", "PIT", "covered",
                "IS(0.1)", "CRPS", "log r/m");
  out += line;
  for (const ScoredPeriod& r : rows) {
    const PeriodScore& s = r.score;
    const std::string covered = std::string(s.covered_50 ? "5" : ".") + (s.covered_80 ? "8" : ".") +
                                (s.covered_90 ? "9" : ".") + (s.covered_band ? "B" : ".");
    std::snprintf(line, sizeof line, "%-12s %-10s %-14s %-7s %2d %9s %9s %9s %9s %6s %-9s %9s %9s %7s\n",
                  r.group.c_str(), r.forecast.c_str(), r.series.c_str(), r.period.c_str(), r.horizon,
                  grouped(r.realised).c_str(), grouped(r.band_low).c_str(), grouped(r.medio).c_str(),
                  grouped(r.band_high).c_str(), decimal(s.pit, 3).c_str(), covered.c_str(),
                  grouped(s.interval_score).c_str(), grouped(s.crps).c_str(), decimal(s.log_ratio, 3).c_str());
    out += line;
  }
  out += "covered: 5 / 8 / 9 = the central 50 / 80 / 90% interval held the realised value, B = the band did\n";
  return out;
}

std::string skill_summary_table(const std::vector<SkillSummary>& summaries) {
  std::string out;
  char line[400];
  std::snprintf(line, sizeof line, "%-12s %-14s %3s %3s %9s %9s %9s %12s %10s %10s %7s %6s\n", "group", "series", "h",
                "n", "cov50", "cov80", "cov90", "band (nom.)", "mean IS", "mean CRPS", "bias", "PIT");
  out += line;
  for (const SkillSummary& s : summaries) {
    std::snprintf(line, sizeof line, "%-12s %-14s %3s %3d %9s %9s %9s %12s %10s %10s %7s %6s\n", s.group.c_str(),
                  s.series.c_str(), s.horizon < 0 ? "all" : std::to_string(s.horizon).c_str(), s.count,
                  decimal(s.coverage_50, 2).c_str(), decimal(s.coverage_80, 2).c_str(),
                  decimal(s.coverage_90, 2).c_str(),
                  (decimal(s.coverage_band, 2) + " (" + decimal(s.band_nominal, 2) + ")").c_str(),
                  grouped(s.mean_interval_score).c_str(), grouped(s.mean_crps).c_str(), decimal(s.bias, 3).c_str(),
                  decimal(s.mean_pit, 2).c_str());
    out += line;
  }
  out +=
      "nominal coverage 0.50 / 0.80 / 0.90; bias = mean ln(realised / medio) over the rows with a medio; "
      "h = years after the forecast's origin\n";
  return out;
}

ScoreOutcome score_job(const ScoreJob& job, std::vector<Problem>& warnings) {
  std::vector<Problem> problems;
  auto collect = [&](auto read) { collect_problems(problems, read); };
  const bool bands = is_csv(job.forecast);
  std::vector<io::PublishedBand> published;
  if (job.forecast.empty())
    problems.push_back(Problem::general("give a FORECAST: an mppmc results file or a CSV of published bands"));
  else if (bands)
    collect([&] { published = io::read_published_bands(job.forecast); });
  RealisedMap realised;
  SeriesLines lines;
  if (!job.realised.empty())
    collect([&] { realised = realised_values(job.realised, lines); });
  else if (!bands)
    problems.push_back(Problem::general("--realised REALISED.csv is required to score a results file"));
  const std::vector<double>& p = job.band_percentiles;
  if (p.size() != 3 || !(p[0] > 0 && p[0] < p[1] && p[1] < p[2] && p[2] < 100))
    problems.push_back(
        Problem::general("--band-percentiles needs three increasing percents in (0, 100), e.g. 5,50,95"));
  if (!job.output.empty()) check_output(job.output, job.overwrite, {job.forecast, job.realised}, "scores.h5", problems);
  if (!problems.empty()) throw InputError(problems);

  ScoreOutcome outcome;
  outcome.rows = bands ? score_published_bands(job.forecast, published, job.band_percentiles,
                                               job.realised.empty() ? nullptr : &realised, job.realised, warnings)
                       : score_results(job, realised, lines, warnings);
  if (outcome.rows.empty())
    throw InputError(job.forecast + ": no forecast period has a realised value" +
                     (job.realised.empty() ? std::string() : " in " + job.realised) + "; nothing to score");
  outcome.summaries = summarize_skill(outcome.rows);
  outcome.table = skill_tables(outcome.rows, outcome.summaries);
  if (!job.output.empty()) {
    io::check_writable(job.output);
    const io::OutputLock lock(job.output);  // no other job writes this output meanwhile
    io::write_skill_file(job.output, outcome.rows, outcome.summaries,
                         {{"forecast_file", job.forecast},
                          {"realised_file", job.realised},
                          {"forecast_kind", bands ? "published bands" : "mppmc results"}});
    outcome.output = job.output;
  }
  return outcome;
}

}  // namespace mppmc::app
