// The `mppmc` command: parses arguments, calls the library, maps errors to exit codes
// (0 ok, 2 bad input, 3 I/O or runtime failure). No model logic lives here.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <iostream>

#include "core/error.h"
#include "analysis/calibration.h"
#include "core/version.h"
#include "engine/designs.h"
#include "engine/simulation.h"
#include "io/calibrated_scenario.h"
#include "io/csv_export.h"
#include "io/results_info.h"
#include "io/results_writer.h"
#include "io/run_config.h"
#include "io/scenario_reader.h"
#include "io/sensitivity_file.h"
#include "io/study_reader.h"

namespace fs = std::filesystem;
using namespace mppmc;

namespace {

constexpr int kExitOk = 0, kExitInput = 2, kExitRuntime = 3;

// A shipped file (scenario, config): from the current folder if it is there, else from the
// source tree the binary was built from, so `mppmc run` works from anywhere.
std::string shipped(const std::string& relative) {
  if (fs::exists(relative)) return relative;
  const fs::path installed = fs::path(MPPMC_SOURCE_DIR) / relative;
  return fs::exists(installed) ? installed.string() : relative;
}

struct RunOptions {
  std::vector<std::string> scenarios;
  std::string config;
  std::string output;
  std::int64_t paths = 0;
  std::uint64_t seed = 0;
  int threads = -1;
  int block_size = 0;
  bool deterministic = false;
  bool save_paths = false;
  bool overwrite = false;
  bool quiet = false;
  bool seed_given = false;
  std::string sampling;
};

class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO)), start_(Clock::now()), last_(start_) {}
  void operator()(std::int64_t done, std::int64_t total) {
    if (quiet_) return;
    const auto now = Clock::now();
    const double since_last = std::chrono::duration<double>(now - last_).count();
    const bool finished = done >= total;
    if (!finished && since_last < (tty_ ? 0.25 : 5.0)) return;
    if (finished && (!shown_ || finished_)) return;  // short runs stay silent; the last line once
    finished_ = finished;
    last_ = now;
    shown_ = true;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
    std::fprintf(stderr, "%ssimulating: %lld / %lld paths (%3.0f%%), %.0f paths/s, ETA %.0f s%s", tty_ ? "\r" : "",
                 static_cast<long long>(done), static_cast<long long>(total), 100.0 * done / total, rate, eta,
                 tty_ && !finished ? "   " : "\n");
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool quiet_, tty_, shown_ = false, finished_ = false;
  Clock::time_point start_, last_;
};

void print_warnings(const std::vector<Problem>& warnings) {
  for (const Problem& w : warnings) std::cerr << w.format() << "\n";
}

int run_command(const RunOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  // Read everything first and report every problem together.
  std::vector<Problem> problems, warnings;
  io::RunConfig config;
  const std::string config_path = o.config.empty() ? shipped("config/default.toml") : o.config;
  try {
    config = io::read_run_config(config_path);
  } catch (const InputError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
  }
  std::vector<std::string> scenario_paths = o.scenarios;
  if (scenario_paths.empty()) scenario_paths.push_back(shipped("scenarios/mpp-2024-II.toml"));
  // The first scenario is the baseline; the others are variants, named by their file stem.
  std::vector<Scenario> scenarios(scenario_paths.size());
  std::vector<std::string> names;
  for (std::size_t k = 0; k < scenario_paths.size(); ++k) {
    try {
      scenarios[k] = io::read_scenario(scenario_paths[k], warnings);
    } catch (const InputError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
    names.push_back(fs::path(scenario_paths[k]).stem().string());
  }
  print_warnings(warnings);
  for (std::size_t k = 1; k < scenarios.size(); ++k) {
    if (std::count(names.begin(), names.end(), names[k]) > 1)
      problems.push_back(Problem::general(scenario_paths[k] + ": variants are named by their file name, and '" + names[k] +
                                          "' is used twice; rename one of the files"));
    const Scenario& base = scenarios.front();
    const Scenario& variant = scenarios[k];
    if (base.horizon_months > 0 && variant.horizon_months > 0 &&
        (variant.start != base.start || variant.horizon_months != base.horizon_months))
      problems.push_back(Problem::general(
          scenario_paths[k] + ": covers " + format_year_month(variant.start) + " + " +
          std::to_string(variant.horizon_months) + " months but the baseline covers " + format_year_month(base.start) +
          " + " + std::to_string(base.horizon_months) + " months; a variant must cover the same months"));
  }

  // Command-line options override the config file.
  if (o.paths > 0) config.paths = o.paths;
  else if (o.deterministic) config.paths = 1;  // every path would be the same
  if (o.seed_given) config.seed = o.seed;
  if (o.threads >= 0) config.threads = o.threads;
  if (o.block_size > 0) config.block_size = o.block_size;
  config.save_paths = o.save_paths || config.save_paths;
  if (!o.sampling.empty() && !parse_sampling(o.sampling, config.sampling))
    problems.push_back(Problem::general("--sampling " + o.sampling + ": must be mc, lhs or sobol"));

  std::string output = o.output;
  if (output.empty()) {
    std::string stem = names.front();
    for (std::size_t k = 1; k < names.size(); ++k) stem += "+" + names[k];
    output = (fs::path(config.output_dir) / (stem + (o.deterministic ? "-deterministic" : "") + ".h5")).string();
  }
  if (fs::is_directory(output))
    problems.push_back(Problem::general("the output " + output + " is a folder; give a file name such as " +
                                        (fs::path(output) / "run.h5").string()));
  else if (fs::exists(output) && !o.overwrite)
    problems.push_back(
        Problem::general("the output " + output + " exists; pass --overwrite to replace it, or -o another file"));
  if (problems.empty()) {
    // Exact percentiles keep every path's values (the baseline's and one variant's at a time):
    // refuse a run that cannot fit rather than let the system kill it hours later.
    std::uint64_t need = estimated_memory_bytes(scenarios.front(), config.paths, config.save_paths);
    if (scenarios.size() > 1) need *= 2;
    const std::uint64_t have = static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(sysconf(_SC_PAGE_SIZE));
    if (need > have / 10 * 9) {
      char text[256];
      std::snprintf(text, sizeof text, "%lld paths x %d months need about %.1f GB of memory for exact percentiles, "
                    "more than this machine's %.1f GB; use fewer --paths or a shorter horizon",
                    static_cast<long long>(config.paths), scenarios.front().horizon_months, need / 1e9, have / 1e9);
      problems.push_back(Problem::general(text));
    }
  }
  if (!problems.empty()) throw InputError(problems);
  io::check_writable(output);

  SimulationSettings settings;
  settings.seed = config.seed;
  settings.paths = config.paths;
  settings.threads = config.threads;
  settings.block_size = config.block_size;
  settings.deterministic = o.deterministic;
  Progress progress(o.quiet);
  io::ResultsFile file(output, scenarios.front(), config, o.deterministic);
  // Every scenario runs on the same seed and paths: a draw's address does not depend on the
  // scenario, so the variants see the baseline's random numbers (common random numbers).
  // A sampled design per scenario, built from its own inputs (LHS columns are keyed by the
  // input, so a variant's shared inputs get the baseline's columns).
  auto run = [&](const Scenario& scenario) {
    const InputPlan plan(scenario);
    std::optional<SampledDesign> design;
    SimulationSettings these = settings;
    if (config.sampling != Sampling::mc && !o.deterministic) {
      design.emplace(plan, config.sampling, config.seed, config.paths);
      these.design = &*design;
    }
    return simulate(scenario, these, std::ref(progress));
  };
  const SimulationResult baseline = run(scenarios.front());
  {
    const Summary summary = summarize(baseline, config.percentiles, config.band, config.threads);
    file.write_baseline({&scenarios.front(), &baseline, &summary});
  }
  for (std::size_t k = 1; k < scenarios.size(); ++k) {
    const SimulationResult variant = run(scenarios[k]);
    const Summary summary = summarize(variant, config.percentiles, config.band, config.threads);
    const Summary difference = summarize_difference(baseline, variant, config.percentiles, config.band, config.threads);
    file.write_variant(names[k], {&scenarios[k], &variant, &summary}, difference);
  }
  file.commit();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  if (!o.quiet) {
    const Scenario& base = scenarios.front();
    std::cout << "scenario " << base.name << " (" << scenario_paths.front() << "): " << config.paths << " paths, seed "
              << config.seed << (o.deterministic ? ", deterministic (all inputs at their medians)" : "") << ", "
              << format_year_month(base.start) << " + " << base.horizon_months << (base.horizon_months == 1 ? " month\n\n" : " months\n\n");
    std::cout << io::band_table(output, io::key_series()) << "\n";
    for (std::size_t k = 1; k < scenarios.size(); ++k)
      std::cout << "variant " << names[k] << " (" << scenarios[k].name << ") minus baseline, path by path:\n"
                << io::impact_table(output, names[k]) << "\n";
  }
  std::printf("results: %s (%.2f s)\n", output.c_str(), seconds);
  return kExitOk;
}

struct CalibrateOptions {
  std::string scenario;
  std::string series = "total_inflow";
  int year = 0;
  std::vector<double> band;
  std::vector<double> percentiles = {5, 50, 95};
  std::string output;
  std::string config;
  std::int64_t paths = 0;
  std::uint64_t seed = 0;
  bool seed_given = false;
  int threads = -1;
  bool overwrite = false;
  bool quiet = false;
};

std::string thousands(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.0f", value);
  std::string digits(text), out;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    out += digits[i];
    if ((digits.size() - i - 1) % 3 == 0 && i + 1 < digits.size()) out += ',';
  }
  return (negative ? "-" : "") + out;
}

int calibrate_command(const CalibrateOptions& o) {
  std::vector<Problem> problems, warnings;
  io::RunConfig config;
  try {
    config = io::read_run_config(o.config.empty() ? shipped("config/default.toml") : o.config);
  } catch (const InputError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
  }
  Scenario scenario;
  try {
    scenario = io::read_scenario(o.scenario, warnings);
  } catch (const InputError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
  }
  print_warnings(warnings);
  CalibrationTarget target;
  if (o.series == "total_inflow") target.series = SeriesId::total_inflow;
  else if (o.series == "inflow_first") target.series = SeriesId::inflow_first;
  else problems.push_back(Problem::general("--series " + o.series + ": must be total_inflow or inflow_first"));
  if (o.band.size() != 3) problems.push_back(Problem::general("--band needs three numbers: MIN,MEDIO,MAX"));
  if (o.percentiles.size() != 3) problems.push_back(Problem::general("--percentiles needs three numbers, e.g. 5,50,95"));
  if (fs::exists(o.output) && !o.overwrite)
    problems.push_back(Problem::general("the output " + o.output + " exists; pass --overwrite to replace it"));
  if (!problems.empty()) throw InputError(problems);
  target.year = o.year;
  std::copy(o.band.begin(), o.band.end(), target.band.begin());
  std::copy(o.percentiles.begin(), o.percentiles.end(), target.percentiles.begin());
  check_target(scenario, target);
  io::check_writable(o.output);

  SimulationSettings settings;
  settings.paths = o.paths > 0 ? o.paths : config.paths;
  settings.seed = o.seed_given ? o.seed : config.seed;
  settings.threads = o.threads >= 0 ? o.threads : config.threads;
  settings.block_size = config.block_size;
  if (!o.quiet)
    std::cout << "calibrating inflow.first.annual." << target.year << " of " << o.scenario << " so that " << o.series
              << " " << target.year << " has p" << target.percentiles[0] << "/p" << target.percentiles[1] << "/p"
              << target.percentiles[2] << " = " << thousands(target.band[0]) << " / " << thousands(target.band[1]) << " / "
              << thousands(target.band[2]) << " (" << settings.paths << " paths, seed " << settings.seed << ")\n";
  const CalibrationLog log = [&](int iteration, const std::array<double, 3>& q, const std::array<double, 3>& a) {
    if (o.quiet) return;
    std::printf("  iteration %2d: first applications q = %s / %s / %s -> %s = %s / %s / %s (%+.2f%% / %+.2f%% / %+.2f%%)\n",
                iteration, thousands(q[0]).c_str(), thousands(q[1]).c_str(), thousands(q[2]).c_str(), o.series.c_str(),
                thousands(a[0]).c_str(), thousands(a[1]).c_str(), thousands(a[2]).c_str(),
                100 * (a[0] / target.band[0] - 1), 100 * (a[1] / target.band[1] - 1), 100 * (a[2] / target.band[2] - 1));
    std::fflush(stdout);
  };
  io::CalibrationRecord record{target, calibrate(scenario, target, settings, log), settings.seed, settings.paths};

  // Write, read back and compare before the file takes the output's name.
  const std::string text = io::calibrated_scenario_text(o.scenario, scenario, record);
  const std::string temporary = o.output + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary);
    out << text;
    if (!out.flush()) throw RuntimeError("cannot write " + temporary);
  }
  try {
    std::vector<Problem> ignored;
    const Scenario written = io::read_scenario(temporary, ignored);
    const Scenario expected = with_annual_entry(scenario, target.year, record.result.distribution);
    for (int y = scenario.first_year(); y <= scenario.last_year(); ++y)
      for (double u : {0.01, 0.05, 0.5, 0.95, 0.99}) {
        const double a = written.param(ParamId::inflow_first_annual).at(y).quantile(u);
        const double b = expected.param(ParamId::inflow_first_annual).at(y).quantile(u);
        MPPMC_CHECK(std::abs(a - b) <= 1e-9 * std::abs(b));
      }
  } catch (...) {
    fs::remove(temporary);
    throw;
  }
  fs::rename(temporary, o.output);
  std::cout << "wrote " << o.output << ": inflow.first.annual." << target.year << " = "
            << io::calibrated_entry_text(record) << "\n"
            << "achieved " << o.series << " " << target.year << ": " << thousands(record.result.achieved[0]) << " / "
            << thousands(record.result.achieved[1]) << " / " << thousands(record.result.achieved[2]) << " after "
            << record.result.iterations << " iterations; check on a fresh seed with: mppmc run " << o.output
            << " --seed <another>\n";
  return kExitOk;
}

struct SensitivityOptions {
  std::string study;
  std::string benchmark;
  std::string output;
  std::int64_t samples = 0;
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::string sampling;
  int bootstrap = -1;
  int threads = 0;
  bool overwrite = false;
  bool quiet = false;
};

int sensitivity_command(const SensitivityOptions& o) {
  std::vector<Problem> problems, warnings;
  if (o.study.empty() == o.benchmark.empty())
    problems.push_back(Problem::general("give a STUDY file or --benchmark ishigami|sobol-g (one of the two)"));
  Sampling sampling = Sampling::sobol;
  if (!o.sampling.empty() && !parse_sampling(o.sampling, sampling))
    problems.push_back(Problem::general("--sampling " + o.sampling + ": must be mc, lhs or sobol"));
  Benchmark benchmark = Benchmark::ishigami;
  if (!o.benchmark.empty()) {
    if (o.benchmark == "sobol-g") benchmark = Benchmark::sobol_g;
    else if (o.benchmark != "ishigami") problems.push_back(Problem::general("--benchmark " + o.benchmark + ": must be ishigami or sobol-g"));
  }
  Study study;
  if (!o.study.empty()) {
    try {
      study = io::read_study(o.study, warnings);
    } catch (const InputError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }
  print_warnings(warnings);
  std::string output = o.output;
  if (output.empty())
    output = o.study.empty() ? "results/benchmark-" + o.benchmark + ".h5"
                             : "results/" + fs::path(o.study).stem().string() + "-sensitivity.h5";
  if (fs::exists(output) && !o.overwrite)
    problems.push_back(Problem::general("the output " + output + " exists; pass --overwrite to replace it, or -o another file"));
  if (!problems.empty()) throw InputError(problems);

  const auto t0 = std::chrono::steady_clock::now();
  if (!o.benchmark.empty()) {
    SobolOptions options;
    options.seed = o.seed_given ? o.seed : 1;
    if (o.bootstrap >= 0) options.bootstrap = o.bootstrap;
    const std::int64_t n = o.samples > 0 ? o.samples : 16384;
    io::check_writable(output);
    const SobolIndices indices = run_benchmark(benchmark, sampling, n, options);
    io::write_benchmark_results(output, benchmark_spec(benchmark), indices, sampling, n, options);
  } else {
    if (o.samples > 0) study.samples = o.samples;
    if (o.seed_given) study.seed = o.seed;
    if (!o.sampling.empty()) study.sampling = sampling;
    if (o.bootstrap >= 0) study.bootstrap = o.bootstrap;
    io::check_writable(output);
    Progress progress(o.quiet);
    const StudyResult result = run_study(study, o.threads, std::ref(progress));
    io::write_study_results(output, study, result);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!o.quiet) std::cout << io::describe_sensitivity(output) << "\n";
  std::printf("results: %s (%.2f s)\n", output.c_str(), seconds);
  return kExitOk;
}

int validate_command(const std::vector<std::string>& files) {
  std::vector<Problem> problems;
  for (const std::string& file : files) {
    std::vector<Problem> warnings;
    try {
      const Scenario s = io::read_scenario(file, warnings);
      print_warnings(warnings);
      std::cout << file << ": ok (scenario \"" << s.name << "\", " << format_year_month(s.start) << " + "
                << s.horizon_months << (s.horizon_months == 1 ? " month, " : " months, ") << s.measures.size() << (s.measures.size() == 1 ? " measure, " : " measures, ")
                << s.correlations.size() << (s.correlations.size() == 1 ? " correlation)\n" : " correlations)\n");
    } catch (const InputError& e) {
      print_warnings(warnings);
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }
  if (!problems.empty()) throw InputError(problems);
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mppmc " + std::string(tool_version()) +
               ": Monte Carlo forecasts of the Dutch migration chain (MPP), with HDF5 results.\n"
               "Docs: README.md, docs/cli.md, docs/scenario-format.md, docs/hdf5-schema.md"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mppmc ") + tool_version() + " (git " + git_sha() + ")");

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "Simulate a scenario and write the distributions to an HDF5 file.\n"
                                                "Without a SCENARIO: scenarios/mpp-2024-II.toml with config/default.toml, "
                                                "written under results/.");
  run_cmd->add_option("SCENARIO", run.scenarios,
                      "scenario files (TOML): the first is the baseline, the others are variants run on the same "
                      "paths with common random numbers");
  run_cmd->add_option("--config", run.config, "run settings (TOML); default config/default.toml");
  run_cmd->add_option("-o,--output", run.output,
                      "results file; default <output.dir>/<scenario>.h5 (<base>+<variant>....h5 with variants)");
  run_cmd->add_option("--paths", run.paths, "number of Monte Carlo paths (default from the config: 100000)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{4294967295}));
  auto* seed_option = run_cmd->add_option("--seed", run.seed, "random seed, 0..2^63-1 (default from the config)")
                          ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{INT64_MAX}));
  run_cmd->add_option("--threads", run.threads, "worker threads; 0 = all cores (never changes the numbers)")
      ->check(CLI::Range(0, 4096));
  run_cmd->add_option("--block-size", run.block_size, "paths per parallel block (never changes the numbers)")
      ->check(CLI::Range(1, 1 << 20));
  run_cmd->add_flag("--deterministic", run.deterministic,
                    "every input at its median Q(0.5), monthly noise 1 (one path unless --paths)");
  run_cmd->add_flag("--save-paths", run.save_paths, "also store every path's monthly values in /paths");
  run_cmd->add_option("--sampling", run.sampling,
                      "design of the path-level inputs: mc (default), lhs (Latin hypercube) or sobol (shifted Sobol "
                      "points); the monthly noise stays Monte Carlo");
  run_cmd->add_flag("--overwrite", run.overwrite, "replace an existing results file");
  run_cmd->add_flag("-q,--quiet", run.quiet, "no progress and no band table");

  std::vector<std::string> validate_files;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check scenario files and report every problem; runs nothing.");
  validate_cmd->add_option("SCENARIO", validate_files, "scenario files")->required();

  std::string info_file;
  CLI::App* info_cmd = app.add_subcommand("info", "Describe an mppmc results file.");
  info_cmd->add_option("FILE", info_file, "results file (.h5)")->required();

  CalibrateOptions cal;
  CLI::App* calibrate_cmd = app.add_subcommand(
      "calibrate", "Fit a year's first-inflow distribution so that the simulated percentiles match a published band.");
  calibrate_cmd->add_option("SCENARIO", cal.scenario, "scenario file (TOML)")->required();
  calibrate_cmd->add_option("--series", cal.series, "total_inflow (default) or inflow_first, persons/year");
  calibrate_cmd->add_option("--year", cal.year, "calendar year of the band, e.g. 2025")->required();
  calibrate_cmd->add_option("--band", cal.band, "MIN,MEDIO,MAX in persons/year, e.g. 37600,57600,66700")
      ->required()->delimiter(',')->expected(3);
  calibrate_cmd->add_option("--percentiles", cal.percentiles, "the percentiles the band stands for (default 5,50,95)")
      ->delimiter(',')->expected(3);
  calibrate_cmd->add_option("-o,--output", cal.output, "calibrated scenario file to write (TOML)")->required();
  calibrate_cmd->add_option("--config", cal.config, "run settings (paths, seed, threads); default config/default.toml");
  calibrate_cmd->add_option("--paths", cal.paths, "paths per iteration (default from the config)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{4294967295}));
  auto* cal_seed = calibrate_cmd->add_option("--seed", cal.seed, "seed, 0..2^63-1 (default from the config)")
                       ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{INT64_MAX}));
  calibrate_cmd->add_option("--threads", cal.threads, "worker threads; 0 = all cores")->check(CLI::Range(0, 4096));
  calibrate_cmd->add_flag("--overwrite", cal.overwrite, "replace an existing output file");
  calibrate_cmd->add_flag("-q,--quiet", cal.quiet, "no iteration log");

  SensitivityOptions sens;
  CLI::App* sensitivity_cmd = app.add_subcommand(
      "sensitivity", "Which uncertain inputs drive an output: tornado (one at a time) and Sobol indices.");
  sensitivity_cmd->add_option("STUDY", sens.study, "study file (TOML, docs/sensitivity.md)");
  sensitivity_cmd->add_option("--benchmark", sens.benchmark,
                              "run an analytic benchmark instead: ishigami (a=7, b=0.1) or sobol-g");
  sensitivity_cmd->add_option("-o,--output", sens.output, "results file (.h5); default results/<study>-sensitivity.h5");
  sensitivity_cmd->add_option("--samples", sens.samples, "N base samples (Sobol: N (k + 2) runs); default from the study, 16384 for benchmarks")
      ->check(CLI::Range(std::int64_t{2}, std::int64_t{1} << 24));
  auto* sens_seed = sensitivity_cmd->add_option("--seed", sens.seed, "seed (default from the study; 1 for benchmarks)")
                        ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{INT64_MAX}));
  sensitivity_cmd->add_option("--sampling", sens.sampling, "design of the A and B matrices: sobol (default), lhs or mc");
  sensitivity_cmd->add_option("--bootstrap", sens.bootstrap, "bootstrap resamples for the intervals (default 200)")
      ->check(CLI::Range(0, 100000));
  sensitivity_cmd->add_option("--threads", sens.threads, "worker threads; 0 = all cores")->check(CLI::Range(0, 4096));
  sensitivity_cmd->add_flag("--overwrite", sens.overwrite, "replace an existing results file");
  sensitivity_cmd->add_flag("-q,--quiet", sens.quiet, "no progress and no tables");

  std::string export_file, export_folder;
  bool export_overwrite = false;
  CLI::App* export_cmd = app.add_subcommand("export", "Write a results file's statistics as tidy CSV tables.");
  export_cmd->add_option("FILE", export_file, "results file (.h5)")->required();
  export_cmd->add_option("--csv", export_folder,
                         "folder for monthly.csv, annual.csv (and compare_*.csv with variants); "
                         "columns scenario,series,unit,period,statistic,value")
      ->required();
  export_cmd->add_flag("--overwrite", export_overwrite, "replace existing CSV files");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitInput;
  }

  try {
    if (*run_cmd) {
      run.seed_given = seed_option->count() > 0;
      return run_command(run);
    }
    if (*validate_cmd) return validate_command(validate_files);
    if (*calibrate_cmd) {
      cal.seed_given = cal_seed->count() > 0;
      return calibrate_command(cal);
    }
    if (*sensitivity_cmd) {
      sens.seed_given = sens_seed->count() > 0;
      return sensitivity_command(sens);
    }
    if (*export_cmd) {
      for (const std::string& path : io::export_csv(export_file, export_folder, export_overwrite))
        std::cout << "wrote " << path << "\n";
      return kExitOk;
    }
    if (*info_cmd) {
      std::cout << (io::is_sensitivity_file(info_file) ? io::describe_sensitivity(info_file) : io::describe_results(info_file));
      return kExitOk;
    }
  } catch (const InputError& e) {
    for (const Problem& p : e.problems()) std::cerr << "error: " << p.format() << "\n";
    std::cerr << "mppmc: " << e.problems().size() << " problem" << (e.problems().size() == 1 ? "" : "s")
              << " found; nothing was written\n";
    return kExitInput;
  } catch (const RuntimeError& e) {
    std::cerr << "mppmc: " << e.what() << "\n";
    return kExitRuntime;
  } catch (const std::exception& e) {
    std::cerr << "mppmc: " << e.what() << "\n";
    return kExitRuntime;
  }
  return kExitOk;
}
