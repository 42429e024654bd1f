// The `mppmc` command: parses arguments, calls the library, maps errors to exit codes
// (0 ok, 2 bad input, 3 I/O or runtime failure). No model logic lives here.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "analysis/calibration.h"
#include "core/error.h"
#include "core/version.h"
#include "engine/cluster.h"
#include "engine/designs.h"
#include "engine/simulation.h"
#include "io/calibrated_scenario.h"
#include "io/csv_export.h"
#include "io/jobs.h"
#include "io/results_info.h"
#include "io/results_writer.h"
#include "io/run_config.h"
#include "io/scenario_reader.h"
#include "io/sensitivity_file.h"
#include "io/study_reader.h"

namespace fs = std::filesystem;
using namespace mppmc;

namespace {

constexpr int kExitOk = 0, kExitInput = 2, kExitRuntime = 3, kExitInterrupted = 130;

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

// SIGINT / SIGTERM ask a run to stop: it writes its checkpoint first.
std::atomic<bool> g_stop{false};
extern "C" void request_stop(int) {
  g_stop.store(true);
}

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
    // On a terminal a bar redrawn in place; in a log a plain line.
    char bar[24] = "";
    if (tty_) {
      const int filled = static_cast<int>(20.0 * static_cast<double>(done) / static_cast<double>(total));
      bar[0] = '[';
      for (int i = 0; i < 20; ++i) bar[1 + i] = i < filled ? '#' : '.';
      bar[21] = ']';
      bar[22] = ' ';
      bar[23] = '\0';
    }
    std::fprintf(stderr, "%s%ssimulating: %lld / %lld paths (%3.0f%%), %.0f paths/s, ETA %.0f s%s", tty_ ? "\r" : "",
                 bar, static_cast<long long>(done), static_cast<long long>(total), 100.0 * done / total, rate, eta,
                 tty_ && !finished ? "   " : "\n");
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool quiet_, tty_, shown_ = false, finished_ = false;
  Clock::time_point start_, last_;
};

void print_warnings(const std::vector<Problem>& warnings) {
  if (cluster_rank() != 0) return;
  for (const Problem& w : warnings) std::cerr << w.format() << "\n";
}

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

// Runs a job, printing the warnings it collected whether it succeeds or throws.
template <typename Job>
auto with_warnings(Job job) {
  std::vector<Problem> warnings;
  try {
    auto result = job(warnings);
    print_warnings(warnings);
    return result;
  } catch (...) {
    print_warnings(warnings);
    throw;
  }
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int run_command(const io::RunJob& job, bool quiet) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool root = cluster_rank() == 0;  // under mpirun, rank 0 speaks for the run
  Progress progress(quiet || !root);
  const io::RunOutcome r =
      with_warnings([&](std::vector<Problem>& w) { return io::run_job(job, w, std::ref(progress)); });
  if (!root) return kExitOk;
  if (!quiet) {
    std::cout << "scenario " << r.titles.front() << " (" << r.files.front() << "): " << r.config.paths
              << " paths, seed " << r.config.seed
              << (job.deterministic ? ", deterministic (all inputs at their medians)" : "") << ", "
              << format_year_month(r.start) << " + " << r.horizon_months
              << (r.horizon_months == 1 ? " month\n\n" : " months\n\n");
    std::cout << io::band_table(r.output, io::key_series()) << "\n";
    for (std::size_t k = 1; k < r.names.size(); ++k)
      std::cout << "variant " << r.names[k] << " (" << r.titles[k] << ") minus baseline, path by path:\n"
                << io::impact_table(r.output, r.names[k]) << "\n";
  }
  std::printf("results: %s (%.2f s)\n", r.output.c_str(), seconds_since(t0));
  return kExitOk;
}

int calibrate_command(const io::CalibrateJob& job, bool quiet) {
  const io::CalibrationStart start = [&](const CalibrationTarget& t, const SimulationSettings& settings) {
    if (quiet) return;
    std::cout << "calibrating inflow.first.annual." << t.year << " of " << job.scenario << " so that " << job.series
              << " " << t.year << " has p" << t.percentiles[0] << "/p" << t.percentiles[1] << "/p" << t.percentiles[2]
              << " = " << thousands(t.band[0]) << " / " << thousands(t.band[1]) << " / " << thousands(t.band[2]) << " ("
              << settings.paths << " paths, seed " << settings.seed << ")\n";
  };
  std::array<double, 3> band{};
  const CalibrationLog log = [&](int iteration, const std::array<double, 3>& q, const std::array<double, 3>& a) {
    if (quiet) return;
    std::copy(job.band.begin(), job.band.end(), band.begin());
    std::printf(
        "  iteration %2d: first applications q = %s / %s / %s -> %s = %s / %s / %s (%+.2f%% / %+.2f%% / %+.2f%%)\n",
        iteration, thousands(q[0]).c_str(), thousands(q[1]).c_str(), thousands(q[2]).c_str(), job.series.c_str(),
        thousands(a[0]).c_str(), thousands(a[1]).c_str(), thousands(a[2]).c_str(), 100 * (a[0] / band[0] - 1),
        100 * (a[1] / band[1] - 1), 100 * (a[2] / band[2] - 1));
    std::fflush(stdout);
  };
  const io::CalibrationRecord record =
      with_warnings([&](std::vector<Problem>& w) { return io::calibrate_job(job, w, start, log); });
  const auto& a = record.result.achieved;
  std::cout << "wrote " << job.output << ": inflow.first.annual." << record.target.year << " = "
            << io::calibrated_entry_text(record) << "\n"
            << "achieved " << job.series << " " << record.target.year << ": " << thousands(a[0]) << " / "
            << thousands(a[1]) << " / " << thousands(a[2]) << " after " << record.result.iterations
            << " iterations; check on a fresh seed with: mppmc run " << job.output << " --seed <another>\n";
  return kExitOk;
}

int sensitivity_command(const io::SensitivityJob& job, bool quiet) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool root = cluster_rank() == 0;
  Progress progress(quiet || !root);
  const std::string output =
      with_warnings([&](std::vector<Problem>& w) { return io::sensitivity_job(job, w, std::ref(progress)); });
  if (!root) return kExitOk;
  if (!quiet) std::cout << io::describe_sensitivity(output) << "\n";
  std::printf("results: %s (%.2f s)\n", output.c_str(), seconds_since(t0));
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
                << s.horizon_months << (s.horizon_months == 1 ? " month, " : " months, ") << s.measures.size()
                << (s.measures.size() == 1 ? " measure, " : " measures, ") << s.correlations.size()
                << (s.correlations.size() == 1 ? " correlation)\n" : " correlations)\n");
    } catch (const InputError& e) {
      print_warnings(warnings);
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }
  if (!problems.empty()) throw InputError(problems);
  return kExitOk;
}

}  // namespace

int run_main(int argc, char** argv);

int main(int argc, char** argv) {
  cluster_start(&argc, &argv);
  const int code = run_main(argc, argv);
  cluster_stop();
  return code;
}

int run_main(int argc, char** argv) {
  CLI::App app{"mppmc " + std::string(tool_version()) +
               ": Monte Carlo forecasts of the Dutch migration chain (MPP), with HDF5 results.\n"
               "Docs: README.md, docs/cli.md, docs/scenario-format.md, docs/hdf5-schema.md"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mppmc ") + tool_version() + " (git " + git_sha() + ")");

  io::RunJob run;
  bool run_quiet = false;
  CLI::App* run_cmd = app.add_subcommand("run",
                                         "Simulate a scenario and write the distributions to an HDF5 file.\n"
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
  run_cmd->add_option("--quantiles", run.quantiles,
                      "exact (type-7 percentiles of all paths, about 4 kB per path, year by year), sketch "
                      "(DDSketch, bounded memory, <= 1% relative error) or auto (exact while it fits --memory-limit; "
                      "default)");
  run_cmd
      ->add_option("--memory-limit", run.memory_limit_gb,
                   "GB that auto may use for exact percentiles (default: half the RAM)")
      ->check(finite_number(false));
  run_cmd
      ->add_option("--checkpoint-seconds", run.checkpoint_seconds,
                   "write <output>.ckpt at least this often (default 300; 0: only on SIGINT/SIGTERM); exact "
                   "runs in one process without --save-paths write it at the end of a year of the horizon")
      ->check(finite_number(true));
  run_cmd->add_flag("--resume", run.resume, "continue an interrupted run from <output>.ckpt (same command)");
  run_cmd->add_flag("-q,--quiet", run_quiet, "no progress and no band table");

  std::vector<std::string> validate_files;
  CLI::App* validate_cmd =
      app.add_subcommand("validate", "Check scenario files and report every problem; runs nothing.");
  validate_cmd->add_option("SCENARIO", validate_files, "scenario files")->required();

  std::string info_file;
  CLI::App* info_cmd = app.add_subcommand("info", "Describe an mppmc results file.");
  info_cmd->add_option("FILE", info_file, "results file (.h5)")->required();

  io::CalibrateJob cal;
  bool cal_quiet = false;
  CLI::App* calibrate_cmd = app.add_subcommand(
      "calibrate", "Fit a year's first-inflow distribution so that the simulated percentiles match a published band.");
  calibrate_cmd->add_option("SCENARIO", cal.scenario, "scenario file (TOML)")->required();
  calibrate_cmd->add_option("--series", cal.series, "total_inflow (default) or inflow_first, persons/year");
  calibrate_cmd->add_option("--year", cal.year, "calendar year of the band, e.g. 2025")->required();
  calibrate_cmd->add_option("--band", cal.band, "MIN,MEDIO,MAX in persons/year, e.g. 37600,57600,66700")
      ->required()
      ->delimiter(',')
      ->expected(3);
  calibrate_cmd->add_option("--percentiles", cal.percentiles, "the percentiles the band stands for (default 5,50,95)")
      ->delimiter(',')
      ->expected(3);
  calibrate_cmd->add_option("-o,--output", cal.output, "calibrated scenario file to write (TOML)")->required();
  calibrate_cmd->add_option("--config", cal.config, "run settings (paths, seed, threads); default config/default.toml");
  calibrate_cmd->add_option("--paths", cal.paths, "paths per iteration (default from the config)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{4294967295}));
  auto* cal_seed = calibrate_cmd->add_option("--seed", cal.seed, "seed, 0..2^63-1 (default from the config)")
                       ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{INT64_MAX}));
  calibrate_cmd->add_option("--threads", cal.threads, "worker threads; 0 = all cores")->check(CLI::Range(0, 4096));
  calibrate_cmd->add_flag("--overwrite", cal.overwrite, "replace an existing output file");
  calibrate_cmd->add_flag("-q,--quiet", cal_quiet, "no iteration log");

  io::SensitivityJob sens;
  bool sens_quiet = false;
  CLI::App* sensitivity_cmd = app.add_subcommand(
      "sensitivity", "Which uncertain inputs drive an output: tornado (one at a time) and Sobol indices.");
  sensitivity_cmd->add_option("STUDY", sens.study, "study file (TOML, docs/sensitivity.md)");
  sensitivity_cmd->add_option("--benchmark", sens.benchmark,
                              "run an analytic benchmark instead: ishigami (a=7, b=0.1) or sobol-g");
  sensitivity_cmd->add_option("-o,--output", sens.output, "results file (.h5); default results/<study>-sensitivity.h5");
  sensitivity_cmd
      ->add_option("--samples", sens.samples,
                   "N base samples (Sobol: N (k + 2) runs); default from the study, 16384 for benchmarks")
      ->check(CLI::Range(std::int64_t{2}, std::int64_t{1} << 24));
  auto* sens_seed = sensitivity_cmd->add_option("--seed", sens.seed, "seed (default from the study; 1 for benchmarks)")
                        ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{INT64_MAX}));
  sensitivity_cmd->add_option(
      "--sampling", sens.sampling,
      "design of the A and B matrices: sobol, lhs or mc (default from the study; sobol for benchmarks)");
  sensitivity_cmd
      ->add_option("--bootstrap", sens.bootstrap,
                   "bootstrap resamples for the intervals (default from the study; 200 for benchmarks)")
      ->check(CLI::Range(0, 100000));
  sensitivity_cmd->add_option("--threads", sens.threads, "worker threads; 0 = all cores")->check(CLI::Range(0, 4096));
  sensitivity_cmd->add_flag("--overwrite", sens.overwrite, "replace an existing results file");
  sensitivity_cmd->add_flag("-q,--quiet", sens_quiet, "no progress and no tables");

  std::string export_file, export_folder;
  bool export_overwrite = false;
  CLI::App* export_cmd = app.add_subcommand("export", "Write a results file's statistics as tidy CSV tables.");
  export_cmd->add_option("FILE", export_file, "results file (.h5)")->required();
  export_cmd
      ->add_option("--csv", export_folder,
                   "folder for monthly.csv, annual.csv (and compare_*.csv with variants); "
                   "columns scenario,series,unit,period,statistic,value")
      ->required();
  export_cmd->add_flag("--overwrite", export_overwrite, "replace existing CSV files");

  // An empty string ("" from an unset shell variable) is not the default: refused, not ignored.
  const CLI::Validator non_empty(
      [](std::string& text) { return text.empty() ? std::string("must not be empty") : std::string(); }, "",
      "non-empty");
  for (CLI::Option* option :
       {run_cmd->get_option("--config"), run_cmd->get_option("--output"), run_cmd->get_option("--sampling"),
        run_cmd->get_option("--quantiles"), calibrate_cmd->get_option("--series"),
        calibrate_cmd->get_option("--output"), calibrate_cmd->get_option("--config"),
        sensitivity_cmd->get_option("--benchmark"), sensitivity_cmd->get_option("--output"),
        sensitivity_cmd->get_option("--sampling"), export_cmd->get_option("--csv")})
    option->check(non_empty);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitInput;
  }

  try {
    if (*run_cmd) {
      std::signal(SIGINT, request_stop);
      std::signal(SIGTERM, request_stop);
      run.stop = &g_stop;
      run.seed_given = seed_option->count() > 0;
      return run_command(run, run_quiet);
    }
    if (*validate_cmd) return validate_command(validate_files);
    if (*calibrate_cmd) {
      cal.seed_given = cal_seed->count() > 0;
      return calibrate_command(cal, cal_quiet);
    }
    if (*sensitivity_cmd) {
      sens.seed_given = sens_seed->count() > 0;
      return sensitivity_command(sens, sens_quiet);
    }
    if (*export_cmd) {
      for (const std::string& path : io::export_csv(export_file, export_folder, export_overwrite))
        std::cout << "wrote " << path << "\n";
      return kExitOk;
    }
    if (*info_cmd) {
      std::cout << (io::is_sensitivity_file(info_file) ? io::describe_sensitivity(info_file)
                                                       : io::describe_results(info_file));
      return kExitOk;
    }
  } catch (const InputError& e) {
    if (cluster_rank() != 0) return kExitInput;  // every process found the same problems; rank 0 lists them
    for (const Problem& p : e.problems()) std::cerr << "error: " << p.format() << "\n";
    std::cerr << "mppmc: " << e.problems().size() << " problem" << (e.problems().size() == 1 ? "" : "s")
              << " found; nothing was written\n";
    return kExitInput;
  } catch (const Interrupted& e) {
    std::cerr << "\nmppmc: " << e.what() << "\n";
    return kExitInterrupted;
  } catch (const RuntimeError& e) {
    std::cerr << "mppmc: " << e.what() << "\n";
    return kExitRuntime;
  } catch (const std::exception& e) {
    std::cerr << "mppmc: " << e.what() << "\n";
    return kExitRuntime;
  }
  return kExitOk;
}
