#include "app/commands.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "app/console.h"
#include "engine/cluster.h"
#include "engine/run_control.h"
#include "io/csv_export.h"
#include "io/results_info.h"
#include "io/scenario_reader.h"
#include "io/sensitivity_file.h"
#include "io/xlsx_export.h"

namespace mppmc::app {

namespace {

std::atomic<bool> g_stop{false};
extern "C" void request_stop(int) {
  g_stop.store(true);
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

const char* plural(std::size_t n, const char* one, const char* many) {
  return n == 1 ? one : many;
}

}  // namespace

int guarded(const std::function<int()>& command) {
  try {
    return command();
  } catch (const InputError& e) {
    if (cluster_rank() != 0) return kExitInput;  // every process found the same problems; rank 0 lists them
    for (const Problem& p : e.problems()) std::cerr << "error: " << p.format() << "\n";
    std::cerr << "mppmc: " << e.problems().size() << plural(e.problems().size(), " problem", " problems")
              << " found; nothing was written\n";
    return kExitInput;
  } catch (const Interrupted& e) {
    std::cerr << "\nmppmc: " << e.what() << "\n";
    return kExitInterrupted;
  } catch (const std::exception& e) {  // RuntimeError and everything else
    std::cerr << "mppmc: " << e.what() << "\n";
    return kExitRuntime;
  }
}

const std::atomic<bool>* stop_on_signals() {
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  return &g_stop;
}

int run_command(const RunJob& job, bool quiet) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool root = cluster_rank() == 0;  // under mpirun, rank 0 speaks for the run
  Progress progress(quiet || !root);
  RunJob early = job;
  early.before_work = [](std::vector<Problem>& warnings) {  // before a long run, not after it
    print_warnings(warnings);
    warnings.clear();
  };
  const RunOutcome r = with_warnings([&](std::vector<Problem>& w) { return run_job(early, w, std::ref(progress)); });
  if (!root) return kExitOk;
  if (!quiet) {
    std::cout << "scenario " << r.titles.front() << " (" << r.files.front() << "): " << r.config.paths
              << " paths, seed " << r.config.seed
              << (job.overrides.deterministic ? ", deterministic (all inputs at their medians)" : "") << ", "
              << format_year_month(r.start) << " + " << r.horizon_months
              << plural(static_cast<std::size_t>(r.horizon_months), " month\n\n", " months\n\n");
    std::cout << io::band_table(r.output, io::key_series()) << "\n";
    for (std::size_t k = 1; k < r.names.size(); ++k)
      std::cout << "variant " << r.names[k] << " (" << r.titles[k] << ") minus baseline, path by path:\n"
                << io::impact_table(r.output, r.names[k]) << "\n";
  }
  std::printf("results: %s (%.2f s)\n", r.output.c_str(), seconds_since(t0));
  return kExitOk;
}

int calibrate_command(const CalibrateJob& job, bool quiet) {
  const CalibrationStart start = [&](const CalibrationTarget& t, const SimulationSettings& settings) {
    if (quiet) return;
    std::cout << "calibrating inflow.first.annual." << t.year << " of " << job.scenario << " so that " << job.series
              << " " << t.year << " has p" << t.percentiles[0] << "/p" << t.percentiles[1] << "/p" << t.percentiles[2]
              << " = " << thousands(t.band[0]) << " / " << thousands(t.band[1]) << " / " << thousands(t.band[2]) << " ("
              << settings.paths << " paths, seed " << settings.seed << ")\n";
  };
  const CalibrationLog log = [&](int iteration, const std::array<double, 3>& q, const std::array<double, 3>& a) {
    if (quiet) return;
    std::printf(
        "  iteration %2d: first applications q = %s / %s / %s -> %s = %s / %s / %s (%+.2f%% / %+.2f%% / %+.2f%%)\n",
        iteration, thousands(q[0]).c_str(), thousands(q[1]).c_str(), thousands(q[2]).c_str(), job.series.c_str(),
        thousands(a[0]).c_str(), thousands(a[1]).c_str(), thousands(a[2]).c_str(), 100 * (a[0] / job.band[0] - 1),
        100 * (a[1] / job.band[1] - 1), 100 * (a[2] / job.band[2] - 1));
    std::fflush(stdout);
  };
  const io::CalibrationRecord record =
      with_warnings([&](std::vector<Problem>& w) { return calibrate_job(job, w, start, log); });
  const auto& a = record.result.achieved;
  std::cout << "wrote " << job.output << ": inflow.first.annual." << record.target.year << " = "
            << io::calibrated_entry_text(record) << "\n"
            << "achieved " << job.series << " " << record.target.year << ": " << thousands(a[0]) << " / "
            << thousands(a[1]) << " / " << thousands(a[2]) << " after " << record.result.iterations
            << " iterations; check on a fresh seed with: mppmc run " << job.output << " --seed <another>\n";
  return kExitOk;
}

int sensitivity_command(const SensitivityJob& job, bool quiet) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool root = cluster_rank() == 0;
  Progress progress(quiet || !root);
  const std::string output =
      with_warnings([&](std::vector<Problem>& w) { return sensitivity_job(job, w, std::ref(progress)); });
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
                << s.horizon_months << plural(static_cast<std::size_t>(s.horizon_months), " month, ", " months, ")
                << s.measures.size() << plural(s.measures.size(), " measure, ", " measures, ") << s.correlations.size()
                << plural(s.correlations.size(), " correlation)\n", " correlations)\n");
    } catch (const InputError& e) {
      print_warnings(warnings);
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }
  if (!problems.empty()) throw InputError(problems);
  return kExitOk;
}

int info_command(const std::string& file) {
  std::cout << (io::is_sensitivity_file(file) ? io::describe_sensitivity(file) : io::describe_results(file));
  return kExitOk;
}

int export_command(const ExportJob& job) {
  if (job.csv_folder.empty() && job.xlsx.empty())
    throw InputError("mppmc export " + job.file + ": nothing to write; give --csv DIR and/or --xlsx OUT.xlsx");
  // The workbook's refusals come before the CSV tables are written, so that a refused export
  // writes nothing.
  if (!job.xlsx.empty()) io::check_xlsx_target(job.xlsx, job.overwrite);
  if (!job.csv_folder.empty())
    for (const std::string& path :
         io::export_csv(job.file, job.csv_folder, {job.wide, job.decimal_comma, job.overwrite}))
      std::cout << "wrote " << path << "\n";
  if (!job.xlsx.empty()) {
    io::export_xlsx(job.file, job.xlsx, job.overwrite);
    std::cout << "wrote " << job.xlsx << "\n";
  }
  return kExitOk;
}

int score_command(const ScoreJob& job, bool quiet) {
  const ScoreOutcome out = with_warnings([&](std::vector<Problem>& w) { return score_job(job, w); });
  if (!quiet) std::cout << out.table;
  if (!out.output.empty()) std::cout << "scores: " << out.output << "\n";
  return kExitOk;
}

int fit_command(const FitJob& job, bool quiet) {
  const FitOutcome out = with_warnings([&](std::vector<Problem>& w) { return fit_job(job, w); });
  if (quiet)
    std::cout << "fitted scenario: " << out.output << "\n";
  else
    std::cout << out.summary;
  return kExitOk;
}

int backtest_command(const BacktestJob& job, bool quiet) {
  const auto t0 = std::chrono::steady_clock::now();
  const BacktestProgress progress = [&](const std::string& line) {
    if (quiet) return;
    std::cerr << line << "\n";
  };
  const BacktestOutcome out = with_warnings([&](std::vector<Problem>& w) { return backtest_job(job, w, progress); });
  if (!quiet) std::cout << out.table;
  std::printf("backtest: %s (%.2f s)\n", out.output.c_str(), seconds_since(t0));
  return kExitOk;
}

}  // namespace mppmc::app
