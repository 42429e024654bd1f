#include "app/backtest.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <set>

#include "app/console.h"
#include "app/fit.h"
#include "app/score.h"
#include "app/settings.h"
#include "core/version.h"
#include "engine/cluster.h"
#include "engine/run_control.h"
#include "engine/statistics.h"
#include "io/backtest_file.h"
#include "io/fitted_scenario.h"
#include "io/history_csv.h"
#include "io/output_lock.h"
#include "io/results_writer.h"
#include "io/scenario_reader.h"

namespace mppmc::app {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxHorizonYears = 10;
const std::vector<std::string> kAllModels = {"random-walk", "ar1", "expert"};
// The scored series, in the order of the tables and the file.
const std::vector<std::pair<SeriesId, std::string>> kScored = {{SeriesId::total_inflow, "total_inflow"},
                                                               {SeriesId::inflow_first, "inflow_first"}};

// Everything the backtest reads, checked.
struct Inputs {
  std::string scenario_file, history_file;
  Scenario base;
  io::RunConfig config;  // seed, paths, threads, block size, percentiles, band
  io::HistorySeries first, total;
  std::vector<io::PublishedBand> published;
  std::vector<std::string> models;
  int first_origin = 0, last_origin = 0;
  // Realised values by series index of kScored, then year.
  std::array<std::map<int, double>, 2> realised;
};

std::vector<std::string> model_names(const BacktestJob& job, std::vector<Problem>& problems) {
  const std::vector<std::string> models = job.models.empty() ? kAllModels : job.models;
  std::set<std::string> seen;
  for (const std::string& m : models) {
    if (!parse_inflow_model(m))
      problems.push_back(Problem::general("--model " + m + ": must be random-walk, ar1 or expert"));
    if (!seen.insert(m).second) problems.push_back(Problem::general("--model " + m + " is given twice"));
  }
  return models;
}

// Origins that the history cannot serve at all: no year before them, or data that end before O - 1.
void check_origins(const Inputs& in, std::vector<Problem>& problems) {
  if (in.first.periods.empty() || in.first_origin == 0) return;
  const int first = in.first.periods.front().year, last = in.first.periods.back().year;
  std::string outside;
  for (int o = in.first_origin; o <= in.last_origin; ++o)
    if (o <= first || o - 1 > last) outside += (outside.empty() ? "" : ", ") + std::to_string(o);
  if (!outside.empty())
    problems.push_back(Problem::general("--origins: " + outside + " outside the history " + in.history_file + " (" +
                                        std::to_string(first) + "-" + std::to_string(last) +
                                        "): origin O is fitted on the data through O - 1, so origins run from " +
                                        std::to_string(first + 1) + " to " + std::to_string(last + 1)));
}

Inputs read_inputs(const BacktestJob& job, std::vector<Problem>& warnings, std::vector<Problem>& problems) {
  Inputs in;
  auto collect = [&](auto read) { collect_problems(problems, read); };
  const std::string config_file = job.config.empty() ? shipped("config/default.toml") : job.config;
  RunOverrides overrides;
  overrides.paths = job.paths.value_or(kBacktestPaths);
  overrides.seed = job.seed;
  overrides.threads = job.threads;
  in.config = effective_settings(read_config(config_file, problems), overrides);
  in.scenario_file = job.scenario.empty() ? shipped("scenarios/mpp-2024-II.toml") : job.scenario;
  in.history_file = job.history.empty() ? shipped(kShippedAnnual) : job.history;
  collect([&] { in.base = io::read_scenario(in.scenario_file, warnings); });
  collect([&] { in.first = io::read_history_series(in.history_file, job.series, io::Period::Kind::year); });
  collect(
      [&] { in.total = io::read_history_series(in.history_file, job.total_series, io::Period::Kind::year, false); });
  collect([&] {
    if (!job.published.empty()) in.published = io::read_published_bands(job.published);
  });
  in.models = model_names(job, problems);
  if (const auto origins = parse_origins(job.origins)) {
    in.first_origin = origins->first;
    in.last_origin = origins->second;
  } else {
    problems.push_back(Problem::general("--origins '" + job.origins +
                                        "': give the first forecast years as FIRST-LAST (e.g. 2016-2024) or one year"));
  }
  check_origins(in, problems);
  if (cluster_size() > 1)
    problems.push_back(Problem::general("mppmc backtest runs in one process; start it without mpirun"));
  if (job.horizon_years < 1 || job.horizon_years > kMaxHorizonYears)
    problems.push_back(Problem::general("--horizon " + std::to_string(job.horizon_years) + ": must be 1 to " +
                                        std::to_string(kMaxHorizonYears) + " years"));
  if (job.output.empty())
    problems.push_back(Problem::general("-o BACKTEST.h5 is required"));
  else {
    std::vector<std::string> inputs = {in.scenario_file, in.history_file, job.published, config_file};
    inputs.insert(inputs.end(), in.base.files_read.begin(), in.base.files_read.end());  // its `extends` bases
    check_output(job.output, job.overwrite, inputs, "backtest.h5", problems);
  }
  for (std::size_t k = 0; k < in.first.periods.size(); ++k)
    in.realised[1][in.first.periods[k].year] = in.first.values[k];
  for (std::size_t k = 0; k < in.total.periods.size(); ++k)
    in.realised[0][in.total.periods[k].year] = in.total.values[k];
  if (in.total.values.empty() && problems.empty())
    warnings.push_back(Problem::warning_at({in.history_file, 1, 1}, job.total_series, "",
                                           "no such column (or no value in it): total_inflow is not scored"));
  return in;
}

// The fit of one model at one origin, from the annual data through origin - 1 only.
InflowFit fit_at(const Inputs& in, const std::string& model, int origin, int years) {
  InflowHistory history;
  history.first_year = in.first.periods.front().year;
  history.annual = in.first.values;
  FitOptions o;
  o.model = *parse_inflow_model(model);
  o.through = origin - 1;
  o.seed = in.config.seed;
  // No expert medio of the time exists for past origins (the base scenario's is a forecast made
  // later, from data the origin did not have): the expert model keeps the no-change medio, the
  // last observed year, and learns its spread from one-year-ahead errors.
  const double last = in.first.values[static_cast<std::size_t>(o.through - history.first_year)];
  for (int y = origin; y < origin + years; ++y) {
    o.years.push_back(y);
    o.expert_medio.push_back(last);
  }
  for (const io::PublishedBand& b : in.published) {
    const auto outcome = in.realised[0].find(b.target_year);
    const std::optional<double> realised =
        outcome != in.realised[0].end() ? std::optional<double>(outcome->second) : b.realised;
    if (b.medio && realised && b.published < origin * 12)
      o.past_forecasts.push_back({"MPP " + b.edition, b.target_year, *b.medio, *realised});
  }
  return fit_inflow(history, o);
}

// Every (origin, model) fit; a fit the data cannot support is a problem, or with --skip-short a
// warning and a skipped pair. fits[o][m] is empty for a skipped pair.
std::vector<std::vector<std::optional<InflowFit>>> fit_all(const BacktestJob& job, const Inputs& in,
                                                           std::vector<std::string>& skipped,
                                                           std::vector<Problem>& warnings) {
  std::vector<std::vector<std::optional<InflowFit>>> fits;
  std::vector<std::pair<std::size_t, std::string>> failed;  // (model, why)
  std::vector<int> first_run(in.models.size(), 0);          // each model's first origin with enough data
  const int first_year = in.first.periods.front().year;
  for (int o = in.first_origin; o <= in.last_origin; ++o) {
    fits.emplace_back();
    for (std::size_t m = 0; m < in.models.size(); ++m) {
      try {
        fits.back().push_back(fit_at(in, in.models[m], o, job.horizon_years));
        if (first_run[m] == 0) first_run[m] = o;
      } catch (const InputError& e) {
        fits.back().push_back(std::nullopt);
        failed.push_back({m, "origin " + std::to_string(o) + ", model " + in.models[m] + ": " + e.what() + " (data " +
                                 std::to_string(first_year) + "-" + std::to_string(o - 1) + ")"});
      }
    }
  }
  std::vector<Problem> problems;
  for (const auto& [m, why] : failed) {
    skipped.push_back(why);
    const std::string first = first_run[m] ? "its first origin with enough data is " + std::to_string(first_run[m])
                                           : "no origin in " + job.origins + " has enough data for it";
    if (job.skip_short)
      warnings.push_back(Problem::warning_at({in.history_file, 0, 0}, "", "", why + "; skipped (--skip-short)"));
    else
      problems.push_back(Problem::general("--origins: " + why + "; " + first + " (--skip-short skips such origins)"));
  }
  for (std::size_t m = 0; m < in.models.size(); ++m)
    if (first_run[m] == 0 && job.skip_short)
      problems.push_back(Problem::general("--model " + in.models[m] + ": no origin in " + job.origins +
                                          " has enough data for it; nothing to backtest"));
  if (!problems.empty()) throw InputError(problems);
  return fits;
}

// The forecasts and scores of one model, filled origin by origin.
struct ModelState {
  io::BacktestModel record;
  std::vector<int> origins_run;
};

// Fills origin slot `o` of `state` from the model's simulated paths, and scores every year with
// an outcome.
void take_forecast(const Inputs& in, const BacktestJob& job, int origin, std::size_t slot, const InflowFit& fit,
                   const SimulationResult& result, ModelState& state) {
  io::BacktestModel& r = state.record;
  const std::size_t years = static_cast<std::size_t>(job.horizon_years), p = in.config.percentiles.size();
  std::vector<double> percents = in.config.percentiles;
  percents.insert(percents.end(), in.config.band.begin(), in.config.band.end());
  const double nominal = (in.config.band[2] - in.config.band[0]) / 100;
  r.run[slot] = 1;
  r.year_correlation[slot] = fit.year_correlation;
  for (std::size_t y = 0; y < years; ++y)
    for (std::size_t l = 0; l < kFitLevels.size(); ++l)
      r.fitted_quantiles[(slot * years + y) * kFitLevels.size() + l] = fit.years[y].quantiles[l];
  std::vector<double> scratch;
  for (std::size_t s = 0; s < kScored.size(); ++s) {
    io::BacktestSeries& f = r.forecasts[s];
    for (std::size_t y = 0; y < years; ++y) {
      const double* values = result.annual(kScored[s].first, static_cast<int>(y));
      const std::vector<double> q = percentiles_type7(values, result.paths(), percents, scratch);
      const std::size_t at = slot * years + y;
      std::copy(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(p), f.quantiles.begin() + at * p);
      std::copy(q.begin() + static_cast<std::ptrdiff_t>(p), q.end(), f.band.begin() + at * 3);
      f.mean[at] = moments(values, result.paths()).mean;
      const int year = origin + static_cast<int>(y);
      const auto outcome = in.realised[s].find(year);
      if (outcome == in.realised[s].end()) continue;
      r.rows.push_back(
          scored_period({r.name, std::to_string(origin), kScored[s].second, std::to_string(year), year - (origin - 1)},
                        Predictive::from_sample(std::vector<double>(values, values + result.paths())),
                        {q[p], q[p + 1], q[p + 2]}, nominal, outcome->second));
    }
  }
  state.origins_run.push_back(origin);
}

ModelState empty_model(const std::string& name, std::size_t origins, const BacktestJob& job, const Inputs& in) {
  const std::size_t cells = origins * static_cast<std::size_t>(job.horizon_years);
  ModelState state;
  io::BacktestModel& r = state.record;
  r.name = name;
  r.run.assign(origins, 0);
  r.year_correlation.assign(origins, kNaN);
  r.fitted_quantiles.assign(cells * kFitLevels.size(), kNaN);
  for (const auto& [id, series] : kScored)
    r.forecasts.push_back({series, std::vector<double>(cells * in.config.percentiles.size(), kNaN),
                           std::vector<double>(cells * 3, kNaN), std::vector<double>(cells, kNaN)});
  return state;
}

// One origin: every model that could be fitted, simulated in one run (common random numbers).
void run_origin(const Inputs& in, const BacktestJob& job, int origin, std::size_t slot,
                const std::vector<std::optional<InflowFit>>& fits, std::vector<ModelState>& states,
                const BacktestProgress& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Scenario> scenarios;
  std::vector<std::size_t> which;
  for (std::size_t m = 0; m < fits.size(); ++m)
    if (fits[m]) {
      scenarios.push_back(backtest_scenario(in.base, origin, job.horizon_years, *fits[m]));
      which.push_back(m);
    }
  if (scenarios.empty()) return;
  RunRequest request;
  for (const Scenario& s : scenarios) request.scenarios.push_back(&s);
  request.settings = simulation_settings(in.config);
  request.quantiles = QuantileMode::exact;
  request.keep_paths = true;  // every path's annual values: the scores are exact for the sample
  request.summarize = false;  // the two scored series are summarised here
  request.percentiles = in.config.percentiles;
  request.band = in.config.band;
  RunContext run(std::move(request));
  const RunOutput output = execute(run);
  std::string names;
  for (std::size_t k = 0; k < which.size(); ++k) {
    take_forecast(in, job, origin, slot, *fits[which[k]], output.results[k], states[which[k]]);
    names += (k ? ", " : "") + in.models[which[k]];
  }
  if (progress) {
    char line[300];
    std::snprintf(line, sizeof line, "origin %d (data %d-%d): %s, %zu x %s paths, %d years, %.2f s", origin,
                  in.first.periods.front().year, origin - 1, names.c_str(), which.size(),
                  thousands(static_cast<double>(in.config.paths)).c_str(), job.horizon_years, seconds_since(t0));
    progress(line);
  }
}

// Years a forecast covers that the history has first applications for but no total: said once each.
void warn_missing_totals(const Inputs& in, const BacktestJob& job, std::vector<Problem>& warnings) {
  if (in.total.values.empty()) return;
  const int last = in.first.periods.back().year;
  for (int y = in.first_origin; y <= std::min(last, in.last_origin + job.horizon_years - 1); ++y)
    if (!in.realised[0].count(y))
      warnings.push_back(Problem::warning_at({in.history_file, 0, 0}, job.total_series, std::to_string(y),
                                             "no total for this year: its total_inflow is not scored"));
}

// The PIT values, one line per model, series and horizon, in origin order.
std::string pit_lines(const std::vector<ScoredPeriod>& rows, const std::vector<std::string>& groups) {
  std::string out =
      "PIT of the realised value per origin (uniform on (0, 1) for a calibrated forecast; "
      "near 0: the outcome fell below the paths):\n";
  char cell[64];
  for (const std::string& group : groups)
    for (const auto& [id, series] : kScored)
      for (int h = 0; h <= kMaxHorizonYears; ++h) {
        std::string line;
        for (const ScoredPeriod& r : rows)
          if (r.group == group && r.series == series && r.horizon == h) {
            std::snprintf(cell, sizeof cell, " %s:%.3f", r.period.c_str(), r.score.pit);
            line += cell;
          }
        if (line.empty()) continue;
        std::snprintf(cell, sizeof cell, "%-12s %-14s h=%d", group.c_str(), series.c_str(), h);
        out += cell + line + "\n";
      }
  return out;
}

// Rows of the origins every model ran at (and the published bands, whose years they cover).
std::vector<ScoredPeriod> on_common_origins(const std::vector<ScoredPeriod>& rows, const std::set<std::string>& common,
                                            int first_year, int last_year) {
  std::vector<ScoredPeriod> out;
  for (const ScoredPeriod& r : rows) {
    const int year = std::stoi(r.period);
    if (r.group == "published" ? year >= first_year && year <= last_year : common.count(r.forecast) > 0)
      out.push_back(r);
  }
  return out;
}

std::string backtest_table(const Inputs& in, const BacktestJob& job, const BacktestOutcome& out,
                           const std::vector<ModelState>& states) {
  std::string table = "backtest of " + in.scenario_file + " (\"" + in.base.name + "\") against " + in.history_file +
                      ": origins " + std::to_string(in.first_origin) + "-" + std::to_string(in.last_origin) +
                      " (the first forecast year; fitted on the data through the year before), " +
                      std::to_string(job.horizon_years) + " years from each, " +
                      thousands(static_cast<double>(in.config.paths)) + " paths, seed " +
                      std::to_string(in.config.seed) + ", common random numbers\n\n";
  table += skill_summary_table(out.summaries) + "\n";
  // Models that ran at different origins: the same table on the origins they all have.
  std::set<std::string> common;
  for (int o = in.first_origin; o <= in.last_origin; ++o) common.insert(std::to_string(o));
  bool differ = false;
  for (const ModelState& s : states) {
    std::set<std::string> own;
    for (int o : s.origins_run) own.insert(std::to_string(o));
    differ = differ || own != common;
    std::set<std::string> both;
    std::set_intersection(common.begin(), common.end(), own.begin(), own.end(), std::inserter(both, both.end()));
    common = both;
  }
  if (differ && !common.empty()) {
    const int first = std::stoi(*common.begin()), last = std::stoi(*common.rbegin());
    table +=
        "on the origins every model ran at (" + *common.begin() + "-" + *common.rbegin() + "):\n" +
        skill_summary_table(summarize_skill(on_common_origins(out.rows, common, first, last + job.horizon_years - 1))) +
        "\n";
  }
  std::vector<std::string> groups = out.models;
  if (!in.published.empty()) groups.push_back("published");
  table += pit_lines(out.rows, groups);
  const int last = in.first.periods.back().year;
  if (in.last_origin + job.horizon_years - 1 > last)
    table += "not scored: forecast years after " + std::to_string(last) + " (no outcome in the history yet)\n";
  return table;
}

io::BacktestRecord make_record(const Inputs& in, const BacktestJob& job, const BacktestOutcome& out,
                               std::vector<ModelState>& states) {
  io::BacktestRecord r;
  std::string models;
  for (const std::string& m : in.models) models += (models.empty() ? "" : ",") + m;
  r.attributes = {{"scenario_file", in.scenario_file},
                  {"scenario_name", in.base.name},
                  {"history_file", in.history_file},
                  {"series", job.series},
                  {"total_series", job.total_series},
                  {"published_file", job.published},
                  {"models", models},
                  {"origins", job.origins},
                  {"origin_definition",
                   "origin O: the forecast starts O-01 and is fitted on the history's annual data through O - 1; "
                   "horizon h = year - (O - 1)"},
                  {"common_random_numbers",
                   "one run per origin with one scenario per model (every draw shared); the same seed and paths "
                   "at every origin (a calendar month's draws shared across origins)"},
                  {"mppmc_version", tool_version()}};
  r.seed = in.config.seed;
  r.paths = in.config.paths;
  r.horizon_years = job.horizon_years;
  for (int o = in.first_origin; o <= in.last_origin; ++o) r.origins.push_back(o);
  r.percentiles = in.config.percentiles;
  r.band = in.config.band;
  r.fit_levels = kFitLevels;
  for (const auto& [id, series] : kScored) r.series.push_back(series);
  for (const io::Period& p : in.first.periods) r.realised_years.push_back(p.year);
  for (std::size_t s = 0; s < kScored.size(); ++s) {
    r.realised.emplace_back();
    for (int y : r.realised_years) {
      const auto it = in.realised[s].find(y);
      r.realised.back().push_back(it == in.realised[s].end() ? kNaN : it->second);
    }
  }
  for (ModelState& s : states) {
    s.record.summaries = summarize_skill(s.record.rows);
    r.models.push_back(std::move(s.record));
  }
  for (const ScoredPeriod& row : out.rows)
    if (row.group == "published") r.published_rows.push_back(row);
  if (!r.published_rows.empty()) r.published_summaries = summarize_skill(r.published_rows);
  r.skipped = out.skipped;
  return r;
}

}  // namespace

BacktestOutcome backtest_job(const BacktestJob& job, std::vector<Problem>& warnings, const BacktestProgress& progress) {
  std::vector<Problem> problems;
  const Inputs in = read_inputs(job, warnings, problems);
  if (!problems.empty()) throw InputError(problems);
  BacktestOutcome out;
  const auto fits = fit_all(job, in, out.skipped, warnings);
  warn_missing_totals(in, job, warnings);
  io::check_writable(job.output);
  const io::OutputLock lock(job.output);  // no other job writes this output meanwhile

  std::vector<ModelState> states;
  const std::size_t origins = fits.size();
  for (const std::string& m : in.models) states.push_back(empty_model(m, origins, job, in));
  for (std::size_t o = 0; o < origins; ++o)
    run_origin(in, job, in.first_origin + static_cast<int>(o), o, fits[o], states, progress);

  for (int o = in.first_origin; o <= in.last_origin; ++o) out.origins.push_back(o);
  out.models = in.models;
  for (const ModelState& s : states) out.rows.insert(out.rows.end(), s.record.rows.begin(), s.record.rows.end());
  if (!in.published.empty()) {
    std::map<std::pair<std::string, std::string>, double> totals;
    for (const auto& [year, value] : in.realised[0]) totals[{"total_inflow", std::to_string(year)}] = value;
    const int first = in.first_origin, last = in.last_origin + job.horizon_years - 1;
    for (ScoredPeriod& r :
         score_published_bands(job.published, in.published, {in.config.band.begin(), in.config.band.end()}, &totals,
                               in.history_file, warnings))
      if (std::stoi(r.period) >= first && std::stoi(r.period) <= last) out.rows.push_back(std::move(r));
  }
  out.summaries = summarize_skill(out.rows);
  out.table = backtest_table(in, job, out, states);
  io::write_backtest_file(job.output, make_record(in, job, out, states));
  out.output = job.output;
  return out;
}

std::optional<std::pair<int, int>> parse_origins(const std::string& text) {
  int first = 0, last = 0, used = 0;
  if (std::sscanf(text.c_str(), "%4d-%4d%n", &first, &last, &used) == 2 && used == static_cast<int>(text.size()) &&
      text.size() == 9) {
    if (first >= 1000 && first <= last) return std::make_pair(first, last);
    return std::nullopt;
  }
  if (std::sscanf(text.c_str(), "%4d%n", &first, &used) == 1 && used == 4 && text.size() == 4 && first >= 1000)
    return std::make_pair(first, first);
  return std::nullopt;
}

Scenario backtest_scenario(const Scenario& base, int origin, int years, const InflowFit& fit) {
  Scenario moved = base;
  moved.start = origin * 12;  // January of the origin year
  moved.horizon_months = 12 * years;
  return io::fitted_scenario(moved, fit, io::fitted_entries(fit));
}

}  // namespace mppmc::app
