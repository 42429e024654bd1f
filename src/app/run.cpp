#include "app/run.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "engine/cluster.h"
#include "engine/run_control.h"
#include "io/output_lock.h"
#include "io/results_writer.h"
#include "io/scenario_reader.h"

namespace mppmc::app {

namespace fs = std::filesystem;

namespace {

// Everything a run reads, checked.
struct RunInputs {
  io::RunConfig config;                 // the effective settings
  std::vector<std::string> files;       // the scenario files, baseline first
  std::vector<Scenario> scenarios;      // as read
  std::vector<std::string> names;       // the file stems: the variants' names
  std::string output;                   // the results file
  std::vector<std::string> files_read;  // every file the run reads (the output must be none)
  std::vector<const Scenario*> pointers() const {
    std::vector<const Scenario*> out;
    for (const Scenario& s : scenarios) out.push_back(&s);
    return out;
  }
};

// A variant is named by its file stem and must cover the baseline's months.
void check_variants(const RunInputs& in, std::vector<Problem>& problems) {
  const Scenario& base = in.scenarios.front();
  for (std::size_t k = 1; k < in.scenarios.size(); ++k) {
    const std::string& file = in.files[k];
    if (std::count(in.names.begin(), in.names.end(), in.names[k]) > 1)
      problems.push_back(Problem::general(file + ": variants are named by their file name, and '" + in.names[k] +
                                          "' is used twice; rename one of the files"));
    const Scenario& variant = in.scenarios[k];
    if (base.horizon_months > 0 && variant.horizon_months > 0 &&
        (variant.start != base.start || variant.horizon_months != base.horizon_months))
      problems.push_back(Problem::general(file + ": covers " + format_year_month(variant.start) + " + " +
                                          std::to_string(variant.horizon_months) + " months but the baseline covers " +
                                          format_year_month(base.start) + " + " + std::to_string(base.horizon_months) +
                                          " months; a variant must cover the same months"));
  }
}

// Reads the config and every scenario, collecting every problem.
RunInputs read_inputs(const RunJob& job, std::vector<Problem>& warnings, std::vector<Problem>& problems) {
  RunInputs in;
  const std::string config_file = job.config.empty() ? shipped("config/default.toml") : job.config;
  check_overrides(job.overrides, problems);
  in.config = effective_settings(read_config(config_file, problems), job.overrides);
  in.files = job.scenarios;
  if (in.files.empty()) in.files.push_back(shipped("scenarios/mpp-2024-II.toml"));
  for (const std::string& file : in.files) {
    in.scenarios.push_back(collect_problems(problems, [&] { return io::read_scenario(file, warnings); }));
    in.names.push_back(fs::path(file).stem().string());
  }
  check_variants(in, problems);
  // Every file the run reads, the scenarios' `extends` bases too: --overwrite never replaces an input.
  for (const Scenario& s : in.scenarios)
    in.files_read.insert(in.files_read.end(), s.files_read.begin(), s.files_read.end());
  in.files_read.insert(in.files_read.end(), in.files.begin(), in.files.end());
  in.files_read.push_back(config_file);
  return in;
}

// Settles the results file: the job's, or <output.dir>/<stems joined by +>.h5.
void settle_output(const RunJob& job, RunInputs& in, std::vector<Problem>& problems) {
  in.output = job.output;
  if (in.output.empty()) {
    std::string stem = in.names.front();
    for (std::size_t k = 1; k < in.names.size(); ++k) stem += "+" + in.names[k];
    in.output =
        (fs::path(in.config.output_dir) / (stem + (job.overrides.deterministic ? "-deterministic" : "") + ".h5"))
            .string();
  }
  check_output(in.output, job.overwrite, in.files_read, "run.h5", problems);
}

RunRequest make_request(const RunJob& job, const RunInputs& in, const ProgressCallback& progress) {
  RunRequest request;
  request.scenarios = in.pointers();
  request.settings = simulation_settings(in.config);
  request.settings.deterministic = job.overrides.deterministic;
  request.settings.stop = job.stop;
  request.sampling = in.config.sampling;
  request.quantiles = in.config.quantiles;
  request.memory_limit_bytes = in.config.memory_limit_gb * 1e9;
  request.keep_paths = in.config.save_paths;
  request.percentiles = in.config.percentiles;
  request.band = in.config.band;
  if (cluster_size() == 1 && !in.output.empty()) request.checkpoint.path = in.output + ".ckpt";  // none in memory
  request.checkpoint.interval_seconds = job.checkpoint_seconds.value_or(300);
  request.checkpoint.resume = job.resume && fs::exists(in.output + ".ckpt");
  request.progress = progress;
  return request;
}

// What can only be checked once a run to a file is prepared: its checkpoints.
void check_checkpoints(const RunJob& job, const RunContext& run, const std::string& output,
                       std::vector<Problem>& problems, std::vector<Problem>& warnings) {
  if (job.resume && !run.request().checkpoint.resume && cluster_size() == 1)
    warnings.push_back(Problem::warning_at({}, "", "",
                                           "--resume: there is no checkpoint " + output +
                                               ".ckpt yet (the run stopped before its first one): starting from the "
                                               "beginning"));
  if ((job.resume || job.checkpoint_seconds) && cluster_size() > 1)
    problems.push_back(Problem::general(
        "checkpoints are kept by runs in one process; run without mpirun to use --checkpoint-seconds or --resume"));
  if (!job.resume && fs::exists(output + ".ckpt") && !job.overwrite)
    problems.push_back(Problem::general(output + ".ckpt holds an interrupted run of this output: continue it with "
                                                 "--resume, or pass --overwrite to start afresh"));
}

// What can only be checked once the run is prepared: the percentile method and the memory it
// needs.
void check_run(const RunContext& run, std::vector<Problem>& problems, std::vector<Problem>& warnings) {
  if (run.quantiles() == QuantileMode::sketch && run.request().keep_paths)
    problems.push_back(
        Problem::general("--save-paths keeps every path, which a sketch does not: use --quantiles exact"));
  const std::uint64_t need = run.exact_memory_bytes(), have = physical_memory_bytes();
  if (run.request().quantiles == QuantileMode::automatic && run.quantiles() == QuantileMode::exact && need > have / 2 &&
      need <= have / 10 * 9) {
    char text[240];
    std::snprintf(text, sizeof text,
                  "--quantiles auto: exact percentiles will hold about %.1f GB, more than half of this machine's "
                  "%.1f GB (--memory-limit allows it); --quantiles sketch keeps memory bounded",
                  need / 1e9, have / 1e9);
    warnings.push_back(Problem::warning_at({}, "", "", text));
  }
  if (run.quantiles() == QuantileMode::exact && need > have / 10 * 9) {
    // Refuse a run that cannot fit rather than let the system kill it hours later.
    char text[320];
    std::snprintf(text, sizeof text,
                  "%lld paths x %d months need about %.1f GB of memory for exact percentiles, more than this "
                  "machine's %.1f GB; use --quantiles sketch (bounded memory), fewer --paths or a shorter horizon",
                  static_cast<long long>(run.paths()), run.baseline().horizon_months, need / 1e9, have / 1e9);
    problems.push_back(Problem::general(text));
  }
}

// Simulates every scenario into the results file (rank 0; the other processes only simulate
// their share). The recorded inputs' datasets come first in every kind of run, so that the
// file's layout does not depend on how the paths were run (one process or several: the same
// bytes).
void simulate_into(RunContext& run, const RunInputs& in, io::ResultsFile* file) {
  auto variant_name = [&](std::size_t k) { return k == 0 ? std::string() : in.names[k]; };
  if (file) {
    for (std::size_t k = 0; k < run.runs(); ++k)
      file->begin_inputs(variant_name(k), run.paths(), run.prepared(k).plan().recorded_names());
    run.set_sink([&](std::size_t k, std::int64_t first, std::int64_t rows, const double* data) {
      file->write_input_rows(variant_name(k), first, rows, run.prepared(k).plan().recorded_names().size(), data);
    });
  }
  const RunOutput output = execute(run);
  if (!file) return;
  // Writing a large file takes a while: a stop is honoured between its parts (the temporary
  // file is removed, an earlier results file and checkpoint stay as they were).
  auto check_stop = [&] {
    if (run.stop_requested()) throw Interrupted("interrupted while writing the results; nothing was written");
  };
  auto paths_of = [&](std::size_t k) { return output.results.empty() ? nullptr : &output.results[k]; };
  check_stop();
  file->write_baseline({&in.scenarios.front(), paths_of(0), &output.runs.front()});
  for (std::size_t k = 1; k < run.runs(); ++k) {
    check_stop();
    file->write_variant(in.names[k], {&in.scenarios[k], paths_of(k), &output.runs[k]}, output.differences[k - 1]);
  }
  check_stop();
}

// The run's checkpoint, which has served, and temporary files of earlier runs of this output
// that were killed (kill -9 leaves them; a live process's are never touched).
void remove_leftovers(const std::string& output) {
  std::error_code ec;
  fs::remove(output + ".ckpt", ec);
  io::remove_stale_temporaries(output);
  io::remove_stale_temporaries(output + ".ckpt");
}

// What a run was, for the caller.
RunOutcome outcome_of(const RunInputs& in, const std::string& method) {
  RunOutcome outcome;
  outcome.output = in.output;
  outcome.files = in.files;
  outcome.names = in.names;
  for (const Scenario& s : in.scenarios) outcome.titles.push_back(s.name);
  outcome.config = in.config;
  outcome.quantile_method = method;
  outcome.start = in.scenarios.front().start;
  outcome.horizon_months = in.scenarios.front().horizon_months;
  return outcome;
}

}  // namespace

RunOutcome run_job(const RunJob& job, std::vector<Problem>& warnings, const ProgressCallback& progress) {
  std::vector<Problem> problems;
  RunInputs in = read_inputs(job, warnings, problems);
  settle_output(job, in, problems);
  if (!problems.empty()) throw InputError(problems);
  RunContext run(make_request(job, in, progress));
  check_checkpoints(job, run, in.output, problems, warnings);
  check_run(run, problems, warnings);
  if (!problems.empty()) throw InputError(problems);

  // With several processes rank 0 writes the file; the others only simulate their share.
  const bool writer = cluster_rank() == 0;
  if (writer) io::check_writable(in.output);
  std::optional<io::OutputLock> lock;  // no other job writes this output (or its checkpoint) meanwhile
  if (writer) lock.emplace(in.output);
  if (job.before_work) job.before_work(warnings);
  const std::string method = quantile_method_name(run.quantiles());
  std::optional<io::ResultsFile> file;
  if (writer) file.emplace(in.output, in.scenarios.front(), in.config, job.overrides.deterministic, method);
  simulate_into(run, in, file ? &*file : nullptr);
  if (!writer) return {};
  file->commit();
  remove_leftovers(in.output);
  return outcome_of(in, method);
}

RunResults run_in_memory(const RunJob& job, std::vector<Problem>& warnings, const ProgressCallback& progress) {
  std::vector<Problem> problems;
  RunInputs in = read_inputs(job, warnings, problems);
  if (cluster_size() > 1) problems.push_back(Problem::general("a run in memory runs in one process, not under mpirun"));
  if (!problems.empty()) throw InputError(problems);
  RunContext run(make_request(job, in, progress));  // no output: no checkpoint
  check_run(run, problems, warnings);
  if (!problems.empty()) throw InputError(problems);
  if (job.before_work) job.before_work(warnings);

  // The recorded inputs, as ResultsFile::write_input_rows would write them: the blocks fill
  // disjoint rows, so they need no lock.
  RunResults results;
  for (std::size_t k = 0; k < run.runs(); ++k) {
    const std::vector<std::string>& names = run.prepared(k).plan().recorded_names();
    results.inputs.push_back({names, std::vector<double>(static_cast<std::size_t>(run.paths()) * names.size())});
  }
  run.set_sink([&](std::size_t k, std::int64_t first, std::int64_t rows, const double* data) {
    std::vector<double>& samples = results.inputs[k].samples;
    const std::size_t columns = results.inputs[k].names.size();
    std::copy(data, data + rows * columns, samples.begin() + first * static_cast<std::int64_t>(columns));
  });
  RunOutput output = execute(run);
  results.outcome = outcome_of(in, quantile_method_name(run.quantiles()));
  results.runs = std::move(output.runs);
  results.differences = std::move(output.differences);
  results.paths = std::move(output.results);
  results.scenarios = in.scenarios;
  return results;
}

}  // namespace mppmc::app
