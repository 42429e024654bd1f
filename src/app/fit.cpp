#include "app/fit.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "app/settings.h"
#include "io/fitted_scenario.h"
#include "io/history_csv.h"
#include "io/output_lock.h"
#include "io/results_writer.h"
#include "io/scenario_reader.h"

namespace mppmc::app {

namespace {

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string summary_text(const FitJob& job, const InflowFit& fit, const std::vector<io::FittedEntry>& entries,
                         const std::string& output, bool kept) {
  std::ostringstream out;
  out << "model:       " << inflow_model_name(fit.model) << ": " << fit.method << "\n"
      << "data:        " << job.history << " (" << job.series << "), " << fit.first_year << "-" << fit.last_year
      << ", through " << fit.through << "\n";
  out << "estimates (standard error):\n";
  for (const Estimate& e : fit.estimates) out << "  " << io::estimate_text(e) << "\n";
  char line[200];
  std::snprintf(line, sizeof line, "%6s %3s %9s %9s %9s %9s %9s  %s\n", "year", "h", "p5", "p25", "p50", "p75", "p95",
                "written as");
  out << "predictive first applications (persons/year):\n" << line;
  for (std::size_t k = 0; k < fit.years.size(); ++k) {
    const YearPredictive& y = fit.years[k];
    std::snprintf(line, sizeof line, "%6d %3d %9.0f %9.0f %9.0f %9.0f %9.0f  %s\n", y.year, y.horizon, y.quantiles[0],
                  y.quantiles[1], y.quantiles[2], y.quantiles[3], y.quantiles[4], entries[k].form.c_str());
    out << line;
  }
  out << "year_correlation = " << fixed(fit.year_correlation, 3) << " (consecutive forecast years:";
  for (double c : fit.consecutive_correlations) out << " " << fixed(c, 3);
  out << ")\n";
  if (fit.seasonality) {
    out << "seasonality = [";
    for (int k = 0; k < 12; ++k) out << (k ? ", " : "") << fixed((*fit.seasonality)[k], 3);
    out << "] (" << fit.seasonality_source << ")\n";
  }
  for (const std::string& note : fit.notes) out << "note: " << note << "\n";
  out << "fitted scenario: " << output << (kept ? "" : " (written resolved)") << "\n";
  return out.str();
}

// The job with the shipped files filled in where it asks for them.
FitJob with_shipped_files(FitJob job) {
  if (job.history.empty()) job.history = shipped(kShippedAnnual);
  if (job.quarterly.empty() && job.shipped_quarterly) job.quarterly = shipped(kShippedQuarterly);
  if (job.monthly.empty() && job.shipped_monthly) job.monthly = shipped(kShippedMonthly);
  if (job.published.empty() && job.shipped_published) job.published = shipped(kShippedBands);
  return job;
}

// A quarterly or monthly series: required when named on the command line, skipped with a
// warning when it is the shipped default and lacks the series.
io::HistorySeries optional_series(const std::string& file, bool shipped_default, const std::string& series,
                                  io::Period::Kind kind, std::vector<Problem>& warnings) {
  if (file.empty()) return {};
  io::HistorySeries s = io::read_history_series(file, series, kind, !shipped_default);
  if (s.values.empty())
    warnings.push_back(Problem::warning_at({file, 1, 1}, series, "",
                                           std::string("the shipped ") + io::kind_name(kind) +
                                               " file has no such series; fitted without " + io::kind_name(kind) +
                                               " data"));
  return s;
}

// An InputError of the fit itself (too few years, `through` outside the data) at the history
// line it concerns: the first value, or the last when `through` lies beyond the data.
InputError located(const InputError& e, const FitJob& job, const io::HistorySeries& annual, int through) {
  const bool after = !annual.periods.empty() && through > annual.periods.back().year;
  const int line = annual.lines.empty() ? 0 : (after ? annual.lines.back() : annual.lines.front());
  Problem p = Problem::general(e.what());
  p.where = {job.history, line, 1};
  p.key_path = job.series;
  return InputError(std::vector<Problem>{p});
}

// What the fit reads of the three series (quarterly and monthly may be empty).
InflowHistory inflow_history(const io::HistorySeries& annual, const io::HistorySeries& quarterly,
                             const io::HistorySeries& monthly) {
  InflowHistory history;
  history.first_year = annual.periods.front().year;
  history.annual = annual.values;
  if (!quarterly.values.empty()) {
    history.first_quarter = quarterly.periods.front().ordinal();
    history.quarterly = quarterly.values;
  }
  if (!monthly.values.empty()) {
    history.first_month = monthly.periods.front().ordinal();
    history.monthly = monthly.values;
  }
  return history;
}

}  // namespace

FitOutcome fit_job(const FitJob& given, std::vector<Problem>& warnings) {
  const FitJob job = with_shipped_files(given);
  std::vector<Problem> problems;
  auto collect = [&](auto read) { collect_problems(problems, read); };
  Scenario scenario;
  collect([&] { scenario = io::read_scenario(job.scenario, warnings); });
  const std::optional<InflowModel> model = parse_inflow_model(job.model);
  if (!model) problems.push_back(Problem::general("--model " + job.model + ": must be random-walk, ar1 or expert"));
  io::HistorySeries annual, quarterly, monthly;
  collect([&] { annual = io::read_history_series(job.history, job.series, io::Period::Kind::year); });
  const bool default_quarterly = given.quarterly.empty(), default_monthly = given.monthly.empty();
  collect([&] {
    quarterly = optional_series(job.quarterly, default_quarterly, job.series, io::Period::Kind::quarter, warnings);
  });
  collect(
      [&] { monthly = optional_series(job.monthly, default_monthly, job.series, io::Period::Kind::month, warnings); });
  std::vector<io::PublishedBand> published;
  collect([&] {
    if (!job.published.empty()) published = io::read_published_bands(job.published);
  });
  if (job.output.empty())
    problems.push_back(Problem::general("-o FITTED.toml is required"));
  else {
    std::vector<std::string> inputs = {job.scenario, job.history, job.quarterly, job.monthly, job.published};
    inputs.insert(inputs.end(), scenario.files_read.begin(), scenario.files_read.end());  // its `extends` bases
    check_output(job.output, job.overwrite, inputs, "fitted.toml", problems);
  }
  if (!problems.empty()) throw InputError(problems);

  const int through = job.through != 0 ? job.through : scenario.first_year() - 1;
  if (through >= scenario.first_year())
    throw InputError("--through " + std::to_string(through) + ": must be before the scenario's first year " +
                     std::to_string(scenario.first_year()) +
                     " (the fit forecasts the scenario's years from the data "
                     "before them)");
  if (io::mppmc_series_name(job.series) != "inflow_first")
    warnings.push_back(
        Problem::warning_at({job.history, 0, 0}, "series", job.series,
                            "the fit replaces inflow.first.annual (first asylum applications); this series is fitted "
                            "as if it were first applications"));

  const InflowHistory history = inflow_history(annual, quarterly, monthly);
  FitOptions options;
  options.model = *model;
  options.through = through;
  options.seed = job.seed;
  for (int y = scenario.first_year(); y <= scenario.last_year(); ++y) {
    options.years.push_back(y);
    options.expert_medio.push_back(scenario.param(ParamId::inflow_first_annual).at(y).median());
  }
  for (const io::PublishedBand& b : published)
    if (b.medio && b.realised)
      options.past_forecasts.push_back({"MPP " + b.edition, b.target_year, *b.medio, *b.realised});

  FitOutcome outcome;
  try {
    outcome.fit = fit_inflow(history, options);
  } catch (const InputError& e) {
    throw located(e, job, annual, through);
  }
  io::FitProvenance provenance;
  provenance.history_file = job.history;
  provenance.series = job.series;
  provenance.quarterly_file = job.quarterly;
  provenance.monthly_file = job.monthly;
  provenance.published_file = job.published;
  provenance.scenario_file = job.scenario;
  io::check_writable(job.output);
  const io::OutputLock lock(job.output);  // no other job writes this output meanwhile
  outcome.comments_kept = io::write_fitted_scenario(job.output, scenario, outcome.fit, provenance);
  outcome.output = job.output;
  outcome.summary = summary_text(job, outcome.fit, io::fitted_entries(outcome.fit), job.output, outcome.comments_kept);
  return outcome;
}

}  // namespace mppmc::app
