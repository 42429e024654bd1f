// The `mppmc` command line: declares the subcommands and their options (CLI11) and calls the
// application layer (src/app/commands.h), which runs the job, prints and gives the exit code.
// A malformed command line exits 2, like any other bad input.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>

#include "app/commands.h"
#include "core/suggest.h"
#include "core/version.h"
#include "engine/cluster.h"
#include "engine/designs.h"
#include "engine/settings.h"

using namespace mppmc;

namespace {

// A finite number above (or, with `zero_ok`, at) zero. CLI11's PositiveNumber and
// NonNegativeNumber let "nan" through (every comparison with NaN is false) and "inf" too.
CLI::Validator finite_number(bool zero_ok) {
  return CLI::Validator(
      [zero_ok](std::string& text) -> std::string {
        double v = 0.0;
        if (!CLI::detail::lexical_cast(text, v) || !std::isfinite(v)) return "must be a finite number, not " + text;
        if (zero_ok ? v < 0.0 : v <= 0.0) return std::string("must be ") + (zero_ok ? ">= 0" : "> 0") + ", not " + text;
        return {};
      },
      zero_ok ? "NONNEGATIVE" : "POSITIVE");
}

// A name of an enumeration, read with the library's own parser (the one config files use) and
// handed on to CLI11 as the enumerator's number. Empty is refused like any empty value.
template <typename Parse>
CLI::Validator named_value(const std::string& names, Parse parse) {
  return CLI::Validator(
      [names, parse](std::string& text) -> std::string {
        if (text.empty()) return "must not be empty";
        const auto value = parse(text);
        if (!value) return "must be " + names + ", not '" + text + "'";
        text = std::to_string(static_cast<int>(*value));
        return {};
      },
      "");
}

CLI::Validator quantile_mode() {
  return named_value("exact, sketch or auto", [](const std::string& text) { return parse_quantile_mode(text); });
}

CLI::Validator sampling(const std::string& names) {
  return named_value(names, [](const std::string& text) { return parse_sampling(text); });
}

// An empty string ("" from an unset shell variable) is not the default: refused, not ignored.
const CLI::Validator kNonEmpty([](std::string& text) { return text.empty() ? std::string("must not be empty") : ""; },
                               "", "non-empty");

const auto kPathsRange = CLI::Range(std::int64_t{1}, app::kMaxPaths);
const auto kSeedRange = CLI::Range(std::uint64_t{0}, std::uint64_t{INT64_MAX});
const auto kThreadsRange = CLI::Range(0, app::kMaxThreads);

CLI::App* declare_run(CLI::App& app, app::RunJob& run, bool& quiet) {
  CLI::App* cmd = app.add_subcommand("run",
                                     "Simulate a scenario and write the distributions to an HDF5 file.\n"
                                     "Without a SCENARIO: scenarios/mpp-2024-II.toml with config/default.toml, "
                                     "written under results/.");
  app::RunOverrides& o = run.overrides;
  cmd->add_option("SCENARIO", run.scenarios,
                  "scenario files (TOML): the first is the baseline, the others are variants run on the same "
                  "paths with common random numbers");
  cmd->add_option("--config", run.config, "run settings (TOML); default config/default.toml")->check(kNonEmpty);
  cmd->add_option("-o,--output", run.output,
                  "results file; default <output.dir>/<scenario>.h5 (<base>+<variant>....h5 with variants)")
      ->check(kNonEmpty);
  cmd->add_option("--paths", o.paths, "number of Monte Carlo paths (default from the config: 100000)")
      ->check(kPathsRange);
  cmd->add_option("--seed", o.seed, "random seed, 0..2^63-1 (default from the config)")->check(kSeedRange);
  cmd->add_option("--threads", o.threads, "worker threads; 0 = all cores (never changes the numbers)")
      ->check(kThreadsRange);
  cmd->add_option("--block-size", o.block_size, "paths per parallel block (never changes the numbers)")
      ->check(CLI::Range(1, app::kMaxBlockSize));
  cmd->add_flag("--deterministic", o.deterministic,
                "every input at its median Q(0.5), monthly noise 1 (one path unless --paths)");
  cmd->add_flag("--save-paths", o.save_paths, "also store every path's monthly values in /paths");
  cmd->add_option("--sampling", o.sampling,
                  "design of the path-level inputs: mc (default), lhs (Latin hypercube) or sobol (shifted Sobol "
                  "points); the monthly noise stays Monte Carlo")
      ->transform(sampling("mc, lhs or sobol"))
      ->type_name("TEXT");
  cmd->add_flag("--overwrite", run.overwrite, "replace an existing results file");
  cmd->add_option("--quantiles", o.quantiles,
                  "exact (type-7 percentiles of all paths, about 1-1.6 kB per path, month by month), sketch "
                  "(DDSketch, bounded memory, <= 1% relative error) or auto (exact while it fits --memory-limit; "
                  "default)")
      ->transform(quantile_mode())
      ->type_name("TEXT");
  cmd->add_option("--memory-limit", o.memory_limit_gb,
                  "GB that auto may use for exact percentiles (default: half the RAM)")
      ->check(finite_number(false));
  cmd->add_option("--checkpoint-seconds", run.checkpoint_seconds,
                  "write <output>.ckpt at least this often (default 300; 0: only on SIGINT/SIGTERM); exact "
                  "runs in one process without --save-paths write it at the end of a year of the horizon")
      ->check(finite_number(true));
  cmd->add_flag("--resume", run.resume, "continue an interrupted run from <output>.ckpt (same command)");
  cmd->add_flag("-q,--quiet", quiet, "no progress and no band table");
  return cmd;
}

CLI::App* declare_calibrate(CLI::App& app, app::CalibrateJob& cal, bool& quiet) {
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Fit a year's first-inflow distribution so that the simulated percentiles match a published band.");
  cmd->add_option("SCENARIO", cal.scenario, "scenario file (TOML)")->required();
  cmd->add_option("--series", cal.series, "total_inflow (default) or inflow_first, persons/year")->check(kNonEmpty);
  cmd->add_option("--year", cal.year, "calendar year of the band, e.g. 2025")->required();
  cmd->add_option("--band", cal.band, "MIN,MEDIO,MAX in persons/year, e.g. 37600,57600,66700")
      ->required()
      ->delimiter(',')
      ->expected(3);
  cmd->add_option("--percentiles", cal.percentiles, "the percentiles the band stands for (default 5,50,95)")
      ->delimiter(',')
      ->expected(3);
  cmd->add_option("-o,--output", cal.output, "calibrated scenario file to write (TOML)")->required()->check(kNonEmpty);
  cmd->add_option("--config", cal.config, "run settings (paths, seed, threads); default config/default.toml")
      ->check(kNonEmpty);
  cmd->add_option("--paths", cal.overrides.paths, "paths per iteration (default from the config)")->check(kPathsRange);
  cmd->add_option("--seed", cal.overrides.seed, "seed, 0..2^63-1 (default from the config)")->check(kSeedRange);
  cmd->add_option("--threads", cal.overrides.threads, "worker threads; 0 = all cores")->check(kThreadsRange);
  cmd->add_flag("--overwrite", cal.overwrite, "replace an existing output file");
  cmd->add_flag("-q,--quiet", quiet, "no iteration log");
  return cmd;
}

CLI::App* declare_sensitivity(CLI::App& app, app::SensitivityJob& sens, bool& quiet) {
  CLI::App* cmd = app.add_subcommand(
      "sensitivity", "Which uncertain inputs drive an output: tornado (one at a time) and Sobol indices.");
  app::StudyOverrides& o = sens.overrides;
  cmd->add_option("STUDY", sens.study, "study file (TOML, docs/sensitivity.md)");
  cmd->add_option("--benchmark", sens.benchmark, "run an analytic benchmark instead: ishigami (a=7, b=0.1) or sobol-g")
      ->check(kNonEmpty);
  cmd->add_option("-o,--output", sens.output, "results file (.h5); default results/<study>-sensitivity.h5")
      ->check(kNonEmpty);
  cmd->add_option("--samples", o.samples,
                  "N base samples (Sobol: N (k + 2) runs); default from the study, 16384 for benchmarks")
      ->check(CLI::Range(std::int64_t{2}, std::int64_t{1} << 24));
  cmd->add_option("--seed", o.seed, "seed (default from the study; 1 for benchmarks)")->check(kSeedRange);
  cmd->add_option("--sampling", o.sampling,
                  "design of the A and B matrices: sobol, lhs or mc (default from the study; sobol for benchmarks)")
      ->transform(sampling("sobol, lhs or mc"))
      ->type_name("TEXT");
  cmd->add_option("--bootstrap", o.bootstrap,
                  "bootstrap resamples for the intervals (default from the study; 200 for benchmarks)")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--threads", sens.threads, "worker threads; 0 = all cores")->check(kThreadsRange);
  cmd->add_flag("--overwrite", sens.overwrite, "replace an existing results file");
  cmd->add_flag("-q,--quiet", quiet, "no progress and no tables");
  return cmd;
}

// "Did you mean" for a command line CLI11 refused: a word in the subcommand's place that is no
// subcommand, and each option the chosen subcommand does not have.
void suggest_fixes(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> commands;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    commands.push_back(sub->get_name());
  if (argc < 2) return;
  const std::string first = argv[1];
  const auto chosen = std::find(commands.begin(), commands.end(), first);
  if (chosen == commands.end()) {
    if (first.rfind("-", 0) == 0) return;
    const std::string near = suggest(first, commands);
    if (!near.empty()) std::cerr << "did you mean 'mppmc " << near << "'?\n";
    return;
  }
  const CLI::App* sub = app.get_subcommand(first);
  std::vector<std::string> options;
  for (const CLI::Option* option : sub->get_options()) {
    for (const std::string& name : option->get_lnames()) options.push_back("--" + name);
    for (const std::string& name : option->get_snames()) options.push_back("-" + name);
  }
  for (int i = 2; i < argc; ++i) {
    std::string word = argv[i];
    if (word.rfind("-", 0) != 0 || word == "-" || word == "--") continue;
    word = word.substr(0, word.find('='));
    if (std::find(options.begin(), options.end(), word) != options.end()) continue;
    const std::string near = suggest(word, options);
    if (!near.empty()) std::cerr << word << ": did you mean " << near << "?\n";
  }
}

CLI::App* declare_score(CLI::App& app, app::ScoreJob& job, bool& quiet) {
  CLI::App* cmd = app.add_subcommand(
      "score", "How did a forecast do? PIT, coverage, interval score and CRPS against what was realised.");
  cmd->add_option("FORECAST", job.forecast,
                  "an mppmc results file (.h5: every series REALISED names, baseline and variants; from saved "
                  "paths when the file has them, else its percentiles) or a CSV of published bands (the columns "
                  "of scenarios/data/mpp_bands.csv)")
      ->required()
      ->check(kNonEmpty);
  cmd->add_option("--realised", job.realised,
                  "realised values, tidy series,period,value (persons; period YYYY or YYYY-MM), e.g. "
                  "scenarios/data/realised.csv; required for a results file, default for a bands CSV: its own "
                  "realised column")
      ->check(kNonEmpty);
  cmd->add_option("-o,--output", job.output,
                  "scores file: .csv (tidy kind,group,forecast,series,period,horizon,method,statistic,value) or "
                  "HDF5 (any other name); default: print only")
      ->check(kNonEmpty);
  cmd->add_option("--band-percentiles", job.band_percentiles,
                  "the percentiles a published band's minimum, medio and maximum stand for (default 5,50,95)")
      ->delimiter(',')
      ->expected(3);
  cmd->add_flag("--overwrite", job.overwrite, "replace an existing scores file");
  cmd->add_flag("-q,--quiet", quiet, "no tables (the scores file is still named)");
  return cmd;
}

// `fit`'s shipped data are on unless switched off; these flags switch them off.
struct FitFlags {
  bool no_quarterly = false, no_monthly = false, no_published = false;
};

CLI::App* declare_fit(CLI::App& app, app::FitJob& job, FitFlags& flags, bool& quiet) {
  CLI::App* cmd =
      app.add_subcommand("fit",
                         "Estimate first asylum applications from history and write a complete scenario whose "
                         "inflow.first.annual (every year), year_correlation and seasonality come from the fit.");
  cmd->add_option("SCENARIO", job.scenario, "base scenario (TOML); every other key is kept")
      ->required()
      ->check(kNonEmpty);
  cmd->add_option("--history", job.history,
                  std::string("annual history (persons/year): wide with a `year` column, or tidy "
                              "series,period,value; default ") +
                      app::kShippedAnnual)
      ->check(kNonEmpty);
  cmd->add_option("--series", job.series,
                  "the history's column (wide) or series (tidy) of first applications; default first_applications")
      ->check(kNonEmpty);
  cmd->add_option("--through", job.through,
                  "last year of data used (default: the year before the scenario starts); one year past the annual "
                  "data is completed from its first quarters")
      ->check(CLI::Range(1000, 9999));
  cmd->add_option("--model", job.model,
                  "random-walk (log random walk with drift, default), ar1 (log AR(1) around a level, parametric "
                  "bootstrap) or expert (the scenario's medio with the spread of one-year-ahead errors)")
      ->check(kNonEmpty);
  cmd->add_option("--quarterly", job.quarterly,
                  std::string("quarterly history (seasonality; a year under way); default ") + app::kShippedQuarterly +
                      " (skipped if it lacks the series)")
      ->check(kNonEmpty);
  cmd->add_flag("--no-quarterly", flags.no_quarterly, "use no quarterly data");
  cmd->add_option("--monthly", job.monthly,
                  std::string("monthly history (the pattern within quarters); default ") + app::kShippedMonthly +
                      " (skipped if it lacks the series)")
      ->check(kNonEmpty);
  cmd->add_flag("--no-monthly", flags.no_monthly, "use no monthly data");
  cmd->add_option(
         "--published", job.published,
         std::string("published bands with outcomes (the expert model's errors); default ") + app::kShippedBands)
      ->check(kNonEmpty);
  cmd->add_flag("--no-published", flags.no_published, "the expert model uses no published forecasts");
  cmd->add_option("-o,--output", job.output, "fitted scenario file to write (TOML)")->required()->check(kNonEmpty);
  cmd->add_option("--seed", job.seed, "seed of the AR(1) bootstrap, 0..2^63-1 (default 20241119)")->check(kSeedRange);
  cmd->add_flag("--overwrite", job.overwrite, "replace an existing output file");
  cmd->add_flag("-q,--quiet", quiet, "print only the file written");
  return cmd;
}

CLI::App* declare_backtest(CLI::App& app, app::BacktestJob& job, bool& quiet) {
  CLI::App* cmd = app.add_subcommand(
      "backtest",
      "Rolling-origin evaluation: at each origin fit the inflow models on the data before it, run the chain "
      "(common random numbers) and score first applications and total inflow against what happened.");
  cmd->add_option("SCENARIO", job.scenario,
                  "base scenario (TOML), moved to start at each origin; default scenarios/mpp-2024-II.toml")
      ->check(kNonEmpty);
  cmd->add_option("--history", job.history,
                  std::string("annual history (persons/year; wide with a `year` column, or tidy); default ") +
                      app::kShippedAnnual)
      ->check(kNonEmpty);
  cmd->add_option("--series", job.series, "the history's first applications (fitted); default first_applications")
      ->check(kNonEmpty);
  cmd->add_option("--total-series", job.total_series,
                  "the history's total asylum inflow (scored as total_inflow; a year without one is not scored); "
                  "default total_asylum_inflow")
      ->check(kNonEmpty);
  cmd->add_option("--origins", job.origins,
                  "FIRST-LAST or one year: the first forecast year of each origin; origin O is fitted on the data "
                  "through O - 1, e.g. 2016-2024")
      ->required()
      ->check(kNonEmpty);
  cmd->add_option("--model", job.models,
                  "random-walk, ar1 and/or expert (default: all three); give SCENARIO before --model")
      ->expected(1, 3);
  cmd->add_option("--horizon", job.horizon_years, "years simulated from each origin, 1..10 (default 3)")
      ->check(CLI::Range(1, 10));
  cmd->add_option("--published", job.published,
                  "published bands with outcomes (e.g. scenarios/data/mpp_bands.csv): scored beside the models "
                  "(group published) and the expert model's errors")
      ->check(kNonEmpty);
  cmd->add_option("--paths", job.paths, "paths per origin and model (default 10000)")->check(kPathsRange);
  cmd->add_option("--seed", job.seed, "seed, 0..2^63-1, the same at every origin (default from the config)")
      ->check(kSeedRange);
  cmd->add_option("--threads", job.threads, "worker threads; 0 = all cores (never changes the numbers)")
      ->check(kThreadsRange);
  cmd->add_option("--config", job.config, "run settings (seed, percentiles, band); default config/default.toml")
      ->check(kNonEmpty);
  cmd->add_flag("--skip-short", job.skip_short,
                "skip an origin a model has too few years of data for (a warning) instead of refusing the run");
  cmd->add_option("-o,--output", job.output, "backtest file to write (.h5)")->required()->check(kNonEmpty);
  cmd->add_flag("--overwrite", job.overwrite, "replace an existing backtest file");
  cmd->add_flag("-q,--quiet", quiet, "no progress and no tables (the file written is still named)");
  return cmd;
}

// `mppmc export`: CSV (tidy or wide, optionally Dutch-locale) and xlsx tables of a results or
// sensitivity file. `layout` receives tidy or wide.
CLI::App* declare_export(CLI::App& app, app::ExportJob& job, std::string& layout) {
  CLI::App* cmd = app.add_subcommand(
      "export", "Write a results or sensitivity file's tables as CSV (tidy or wide) and/or an Excel workbook.");
  cmd->add_option("FILE", job.file, "results file (.h5) or sensitivity file")->required();
  CLI::Option* csv_option =
      cmd->add_option("--csv", job.csv_folder,
                      "folder for the CSV tables: tidy monthly.csv, annual.csv (and compare_*.csv with variants), "
                      "columns scenario,series,unit,period,statistic,value; wide annual_band.csv (and "
                      "compare_annual_band.csv); tornado.csv, sobol.csv for a sensitivity file")
          ->check(kNonEmpty);
  cmd->add_option("--xlsx", job.xlsx,
                  "Excel workbook (.xlsx): a sheet per band table (years as columns), per variant and per "
                  "variant's effect, and the run's provenance")
      ->check(kNonEmpty);
  cmd->add_option("--csv-layout", layout, "tidy (default): one value a row; wide: the annual band, years as columns")
      ->check(CLI::IsMember({"tidy", "wide"}))
      ->needs(csv_option);
  cmd->add_flag("--decimal-comma", job.decimal_comma,
                "CSV for Dutch-locale spreadsheets: ';' between fields, ',' before the decimals")
      ->needs(csv_option);
  cmd->add_flag("--overwrite", job.overwrite, "replace existing CSV files and workbook");
  return cmd;
}

int run_main(int argc, char** argv) {
  CLI::App app{"mppmc " + std::string(tool_version()) +
               ": Monte Carlo forecasts of the Dutch migration chain (MPP), with HDF5 results.\n"
               "Docs: README.md, docs/cli.md, docs/scenario-format.md, docs/hdf5-schema.md"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mppmc ") + tool_version() + " (git " + git_sha() + ")");

  app::RunJob run;
  app::CalibrateJob cal;
  app::SensitivityJob sens;
  bool run_quiet = false, cal_quiet = false, sens_quiet = false;
  CLI::App* run_cmd = declare_run(app, run, run_quiet);

  std::vector<std::string> validate_files;
  CLI::App* validate_cmd =
      app.add_subcommand("validate", "Check scenario files and report every problem; runs nothing.");
  validate_cmd->add_option("SCENARIO", validate_files, "scenario files")->required();

  std::string info_file;
  CLI::App* info_cmd = app.add_subcommand("info", "Describe an mppmc results file.");
  info_cmd->add_option("FILE", info_file, "results file (.h5)")->required();

  CLI::App* calibrate_cmd = declare_calibrate(app, cal, cal_quiet);
  CLI::App* sensitivity_cmd = declare_sensitivity(app, sens, sens_quiet);

  app::ExportJob export_job;
  std::string csv_layout = "tidy";
  CLI::App* export_cmd = declare_export(app, export_job, csv_layout);

  app::ScoreJob score;
  bool score_quiet = false;
  CLI::App* score_cmd = declare_score(app, score, score_quiet);
  app::FitJob fit;
  FitFlags fit_flags;
  bool fit_quiet = false;
  CLI::App* fit_cmd = declare_fit(app, fit, fit_flags, fit_quiet);
  app::BacktestJob backtest;
  bool backtest_quiet = false;
  CLI::App* backtest_cmd = declare_backtest(app, backtest, backtest_quiet);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    if (code != 0) suggest_fixes(app, argc, argv);
    return code == 0 ? app::kExitOk : app::kExitInput;
  }
  return app::guarded([&] {
    if (*run_cmd) {
      run.stop = app::stop_on_signals();
      return app::run_command(run, run_quiet);
    }
    if (*calibrate_cmd) return app::calibrate_command(cal, cal_quiet);
    if (*sensitivity_cmd) return app::sensitivity_command(sens, sens_quiet);
    if (*validate_cmd) return app::validate_command(validate_files);
    if (*info_cmd) return app::info_command(info_file);
    if (*export_cmd) {
      export_job.wide = csv_layout == "wide";
      return app::export_command(export_job);
    }
    if (*score_cmd) return app::score_command(score, score_quiet);
    if (*fit_cmd) {
      fit.shipped_quarterly = !fit_flags.no_quarterly;
      fit.shipped_monthly = !fit_flags.no_monthly;
      fit.shipped_published = !fit_flags.no_published;
      return app::fit_command(fit, fit_quiet);
    }
    if (*backtest_cmd) return app::backtest_command(backtest, backtest_quiet);
    return app::kExitOk;
  });
}

}  // namespace

int main(int argc, char** argv) {
  cluster_start(&argc, &argv);
  const int code = run_main(argc, argv);
  cluster_stop();
  return code;
}
