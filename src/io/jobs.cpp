#include "io/jobs.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>

#include "analysis/study.h"
#include "core/version.h"
#include "engine/cluster.h"
#include "engine/designs.h"
#include "io/results_writer.h"
#include "io/scenario_reader.h"
#include "io/sensitivity_file.h"
#include "io/study_reader.h"

namespace mppmc::io {

namespace fs = std::filesystem;

namespace {
std::uint64_t fnv1a64(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

// The problems with writing a results file at `output`: a folder (or a name ending in '/'), a
// path through an existing file, one of the job's own input files, or an existing file
// without --overwrite. Checked before any work, so that a long run cannot fail at its end.
// `example`: a file name to suggest inside a folder.
void check_output(const std::string& output, bool overwrite, const std::vector<std::string>& inputs,
                  const std::string& example, std::vector<Problem>& problems) {
  const fs::path path(output);
  std::error_code ec;
  if (fs::is_directory(path, ec) || !path.has_filename()) {
    problems.push_back(Problem::general("the output " + output + " is a folder; give a file name such as " +
                                        (path / example).lexically_normal().string()));
    return;
  }
  if (path.filename().string().size() > 255) {  // NAME_MAX of every common file system
    problems.push_back(Problem::general("the output's file name is " + std::to_string(path.filename().string().size()) +
                                        " characters long; file systems allow 255"));
    return;
  }
  for (fs::path parent = path.parent_path(); !parent.empty() && parent != parent.parent_path();
       parent = parent.parent_path())
    if (fs::exists(parent, ec) && !fs::is_directory(parent, ec)) {
      problems.push_back(Problem::general("the output " + output + " goes through " + parent.string() +
                                          ", which is a file, not a folder"));
      return;
    }
  for (const std::string& input : inputs)
    if (fs::exists(path, ec) && fs::equivalent(path, input, ec)) {
      problems.push_back(Problem::general("the output " + output + " is the input " + input +
                                          "; writing the results there would destroy it: -o another file"));
      return;
    }
  if (fs::exists(path, ec) && !overwrite)
    problems.push_back(
        Problem::general("the output " + output + " exists; pass --overwrite to replace it, or -o another file"));
}
}  // namespace

std::string shipped(const std::string& relative) {
  if (fs::exists(relative)) return relative;
  const fs::path installed = fs::path(MPPMC_SOURCE_DIR) / relative;
  return fs::exists(installed) ? installed.string() : relative;
}

RunOutcome run_job(const RunJob& o, std::vector<Problem>& warnings, const ProgressCallback& progress) {
  // Read everything first and report every problem together.
  std::vector<Problem> problems;
  RunConfig config;
  const std::string config_path = o.config.empty() ? shipped("config/default.toml") : o.config;
  try {
    config = read_run_config(config_path);
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
      scenarios[k] = read_scenario(scenario_paths[k], warnings);
    } catch (const InputError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
    names.push_back(fs::path(scenario_paths[k]).stem().string());
  }
  for (std::size_t k = 1; k < scenarios.size(); ++k) {
    if (std::count(names.begin(), names.end(), names[k]) > 1)
      problems.push_back(Problem::general(scenario_paths[k] + ": variants are named by their file name, and '" +
                                          names[k] + "' is used twice; rename one of the files"));
    const Scenario& base = scenarios.front();
    const Scenario& variant = scenarios[k];
    if (base.horizon_months > 0 && variant.horizon_months > 0 &&
        (variant.start != base.start || variant.horizon_months != base.horizon_months))
      problems.push_back(Problem::general(scenario_paths[k] + ": covers " + format_year_month(variant.start) + " + " +
                                          std::to_string(variant.horizon_months) + " months but the baseline covers " +
                                          format_year_month(base.start) + " + " + std::to_string(base.horizon_months) +
                                          " months; a variant must cover the same months"));
  }

  // Command-line options override the config file.
  if (o.paths > 0)
    config.paths = o.paths;
  else if (o.deterministic)
    config.paths = 1;  // every path would be the same
  if (o.seed_given) config.seed = o.seed;
  if (o.threads >= 0) config.threads = o.threads;
  if (o.block_size > 0) config.block_size = o.block_size;
  config.save_paths = o.save_paths || config.save_paths;
  if (!o.quantiles.empty()) {
    if (o.quantiles != "exact" && o.quantiles != "sketch" && o.quantiles != "auto")
      problems.push_back(Problem::general("--quantiles " + o.quantiles + ": must be exact, sketch or auto"));
    else
      config.quantiles = o.quantiles;
  }
  if (o.memory_limit_gb > 0) config.memory_limit_gb = o.memory_limit_gb;
  if (!o.sampling.empty() && !parse_sampling(o.sampling, config.sampling))
    problems.push_back(Problem::general("--sampling " + o.sampling + ": must be mc, lhs or sobol"));

  std::string output = o.output;
  if (output.empty()) {
    std::string stem = names.front();
    for (std::size_t k = 1; k < names.size(); ++k) stem += "+" + names[k];
    output = (fs::path(config.output_dir) / (stem + (o.deterministic ? "-deterministic" : "") + ".h5")).string();
  }
  std::vector<std::string> inputs = scenario_paths;
  inputs.push_back(config_path);
  check_output(output, o.overwrite, inputs, "run.h5", problems);
  // Exact percentiles keep every path's values (the baseline's and one variant's at a time);
  // a sketch keeps a few chunks per thread. auto takes exact while it fits the limit.
  bool sketch = config.quantiles == "sketch";
  if (problems.empty()) {
    // Exact in one process without --save-paths: year by year, each path's state and a year's
    // columns only.
    // Otherwise exact keeps every scenario's paths (the variants' differences need them).
    const bool by_year = cluster_size() == 1 && !config.save_paths;
    const std::uint64_t need = (by_year ? year_by_year_memory_bytes(scenarios.front(), config.paths)
                                        : estimated_memory_bytes(scenarios.front(), config.paths, config.save_paths)) *
                               scenarios.size();
    const std::uint64_t have =
        static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(sysconf(_SC_PAGE_SIZE));
    const double limit = config.memory_limit_gb > 0 ? config.memory_limit_gb * 1e9 : have / 2.0;
    if (config.quantiles == "auto") sketch = static_cast<double>(need) > limit && !config.save_paths;
    if ((o.resume || o.checkpoint_seconds >= 0) && cluster_size() > 1)
      problems.push_back(
          Problem::general("checkpoints are kept by runs in one process; run without mpirun to use "
                           "--checkpoint-seconds or --resume"));
    if (o.resume && !fs::exists(output + ".ckpt"))
      problems.push_back(
          Problem::general("--resume: there is no checkpoint " + output + ".ckpt; run without --resume"));
    if (sketch && config.save_paths)
      problems.push_back(
          Problem::general("--save-paths keeps every path, which a sketch does not: use --quantiles exact"));
    if (!sketch && need > have / 10 * 9) {
      // Refuse a run that cannot fit rather than let the system kill it hours later.
      char text[320];
      std::snprintf(text, sizeof text,
                    "%lld paths x %d months need about %.1f GB of memory for exact percentiles, "
                    "more than this machine's %.1f GB; use --quantiles sketch (bounded memory), fewer --paths or a "
                    "shorter horizon",
                    static_cast<long long>(config.paths), scenarios.front().horizon_months, need / 1e9, have / 1e9);
      problems.push_back(Problem::general(text));
    }
  }
  if (!problems.empty()) throw InputError(problems);
  // With several processes rank 0 writes the file; the others only simulate their share.
  const bool writer = cluster_rank() == 0;
  if (writer) check_writable(output);

  SimulationSettings settings;
  settings.seed = config.seed;
  settings.paths = config.paths;
  settings.threads = config.threads;
  settings.block_size = config.block_size;
  settings.deterministic = o.deterministic;
  settings.stop = o.stop;
  constexpr double kSketchAlpha = 0.005;  // relative accuracy; see docs/overnight.md for the bound
  char method[32];
  std::snprintf(method, sizeof method, "ddsketch:%g", kSketchAlpha);
  std::optional<ResultsFile> file;
  if (writer) file.emplace(output, scenarios.front(), config, o.deterministic, sketch ? method : "exact");
  // A sampled design per scenario, built from its own inputs (LHS columns are keyed by the
  // input, so a variant's shared inputs get the baseline's columns).
  std::vector<InputPlan> plans;
  std::vector<std::optional<SampledDesign>> designs(scenarios.size());
  std::vector<const PathDesign*> design_ptrs;
  for (const Scenario& scenario : scenarios) plans.emplace_back(scenario);
  for (std::size_t k = 0; k < scenarios.size(); ++k) {
    if (config.sampling != Sampling::mc && !o.deterministic)
      designs[k].emplace(plans[k], config.sampling, config.seed, config.paths);
    design_ptrs.push_back(designs[k] ? &*designs[k] : nullptr);
  }
  auto variant_name = [&](std::size_t k) { return k == 0 ? std::string() : names[k]; };

  std::vector<const Scenario*> pointers;
  for (const Scenario& scenario : scenarios) pointers.push_back(&scenario);
  // The fingerprint of everything that determines the numbers: a checkpoint of other inputs
  // is refused on --resume.
  const std::string quantile_method = sketch ? method : "exact";
  std::string identity = std::string(tool_version()) + "\n" + git_sha() + "\n" + quantile_method + "\n" +
                         std::to_string(config.seed) + "\n" + std::to_string(config.paths) + "\n" +
                         sampling_name(config.sampling) + (o.deterministic ? "\ndeterministic" : "") + "\n";
  for (const Scenario& scenario : scenarios) identity += scenario.resolved_toml + "\n";
  StreamControl control;
  if (cluster_size() == 1) control.checkpoint = output + ".ckpt";
  control.checkpoint_seconds = o.checkpoint_seconds < 0 ? 300 : o.checkpoint_seconds;
  control.resume = o.resume;
  control.fingerprint = fnv1a64(identity);
  control.stop = o.stop;

  // The recorded inputs' datasets come first in every kind of run, so that the file's layout
  // does not depend on how the paths were run (one process or several: the same bytes).
  if (writer)
    for (std::size_t k = 0; k < scenarios.size(); ++k)
      file->begin_inputs(variant_name(k), config.paths, plans[k].recorded_names());
  if (sketch || (cluster_size() == 1 && !config.save_paths)) {
    // Bounded memory: every scenario chunk by chunk into sketches, or (exact, one process)
    // year by year; inputs stream into the file.
    std::mutex file_lock;
    InputRowsSink sink;
    if (writer)
      sink = [&](std::size_t k, std::int64_t first, std::int64_t rows, const double* data) {
        const std::lock_guard<std::mutex> hold(file_lock);
        file->write_input_rows(variant_name(k), first, rows, plans[k].recorded_names().size(), data);
      };
    const StreamedSummaries streamed = sketch
                                           ? summarize_streaming(pointers, settings, design_ptrs, config.percentiles,
                                                                 config.band, kSketchAlpha, sink, progress, control)
                                           : summarize_year_by_year(pointers, settings, design_ptrs, config.percentiles,
                                                                    config.band, sink, progress, control);
    if (writer) {
      file->write_baseline({&scenarios.front(), nullptr, &streamed.runs.front()});
      for (std::size_t k = 1; k < scenarios.size(); ++k)
        file->write_variant(names[k], {&scenarios[k], nullptr, &streamed.runs[k]}, streamed.differences[k - 1]);
    }
  } else {
    // Every path of every scenario kept (several processes, or --save-paths); the same chunks,
    // checkpoints and processes as a sketch.
    // Every scenario runs on the same seed and paths: a draw's address does not depend on the
    // scenario, so the variants see the baseline's random numbers (common random numbers).
    std::vector<SimulationResult> results;
    for (std::size_t k = 0; k < scenarios.size(); ++k)
      results.emplace_back(config.paths, scenarios[k].horizon_months, scenarios[k].year_count(),
                           plans[k].recorded_names());
    summarize_streaming(pointers, settings, design_ptrs, config.percentiles, config.band, kSketchAlpha, {}, progress,
                        control, &results);
    if (writer) {
      for (std::size_t k = 0; k < scenarios.size(); ++k)
        file->write_input_rows(variant_name(k), 0, config.paths, plans[k].recorded_names().size(),
                               results[k].input_samples().data());
      const Summary summary = summarize(results.front(), config.percentiles, config.band, config.threads);
      file->write_baseline({&scenarios.front(), &results.front(), &summary});
      for (std::size_t k = 1; k < scenarios.size(); ++k) {
        const Summary variant = summarize(results[k], config.percentiles, config.band, config.threads);
        const Summary difference =
            summarize_difference(results.front(), results[k], config.percentiles, config.band, config.threads);
        file->write_variant(names[k], {&scenarios[k], &results[k], &variant}, difference);
      }
    }
  }
  RunOutcome outcome;
  if (!writer) return outcome;  // rank 0 reports
  file->commit();
  std::error_code ec;
  fs::remove(output + ".ckpt", ec);  // the run is complete: its checkpoint has served
  // Temporary files of earlier runs of this output that were killed (kill -9 leaves them).
  const fs::path target(output);
  const std::string stale = target.filename().string() + ".tmp-";
  for (const auto& entry : fs::directory_iterator(target.has_parent_path() ? target.parent_path() : fs::path("."), ec))
    if (entry.path().filename().string().rfind(stale, 0) == 0) fs::remove(entry.path(), ec);

  outcome.output = output;
  outcome.files = scenario_paths;
  outcome.names = names;
  for (const Scenario& s : scenarios) outcome.titles.push_back(s.name);
  outcome.config = config;
  outcome.quantile_method = quantile_method;
  outcome.start = scenarios.front().start;
  outcome.horizon_months = scenarios.front().horizon_months;
  return outcome;
}

CalibrationRecord calibrate_job(const CalibrateJob& o, std::vector<Problem>& warnings, const CalibrationStart& start,
                                const CalibrationLog& log) {
  std::vector<Problem> problems;
  RunConfig config;
  try {
    config = read_run_config(o.config.empty() ? shipped("config/default.toml") : o.config);
  } catch (const InputError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
  }
  Scenario scenario;
  try {
    scenario = read_scenario(o.scenario, warnings);
  } catch (const InputError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
  }
  CalibrationTarget target;
  if (o.series == "total_inflow")
    target.series = SeriesId::total_inflow;
  else if (o.series == "inflow_first")
    target.series = SeriesId::inflow_first;
  else
    problems.push_back(Problem::general("--series " + o.series + ": must be total_inflow or inflow_first"));
  if (o.band.size() != 3) problems.push_back(Problem::general("--band needs three numbers: MIN,MEDIO,MAX"));
  if (o.percentiles.size() != 3)
    problems.push_back(Problem::general("--percentiles needs three numbers, e.g. 5,50,95"));
  check_output(o.output, o.overwrite, {o.scenario}, "calibrated.toml", problems);
  if (cluster_size() > 1)
    problems.push_back(Problem::general("mppmc calibrate runs in one process; start it without mpirun"));
  if (!problems.empty()) throw InputError(problems);
  target.year = o.year;
  std::copy(o.band.begin(), o.band.end(), target.band.begin());
  std::copy(o.percentiles.begin(), o.percentiles.end(), target.percentiles.begin());
  check_target(scenario, target);
  check_writable(o.output);

  SimulationSettings settings;
  settings.paths = o.paths > 0 ? o.paths : config.paths;
  settings.seed = o.seed_given ? o.seed : config.seed;
  settings.threads = o.threads >= 0 ? o.threads : config.threads;
  settings.block_size = config.block_size;
  if (start) start(target, settings);
  CalibrationRecord record{target, calibrate(scenario, target, settings, log), settings.seed, settings.paths};

  // Write, read back and compare before the file takes the output's name.
  const std::string text = calibrated_scenario_text(o.scenario, scenario, record);
  const std::string temporary = o.output + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary);
    out << text;
    if (!out.flush()) throw RuntimeError("cannot write " + temporary);
  }
  try {
    std::vector<Problem> ignored;
    const Scenario written = read_scenario(temporary, ignored);
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
  return record;
}

std::string sensitivity_job(const SensitivityJob& o, std::vector<Problem>& warnings, const ProgressCallback& progress) {
  std::vector<Problem> problems;
  if (o.study.empty() == o.benchmark.empty())
    problems.push_back(Problem::general("give a STUDY file or --benchmark ishigami|sobol-g (one of the two)"));
  Sampling sampling = Sampling::sobol;
  if (!o.sampling.empty() && !parse_sampling(o.sampling, sampling))
    problems.push_back(Problem::general("--sampling " + o.sampling + ": must be mc, lhs or sobol"));
  Benchmark benchmark = Benchmark::ishigami;
  if (!o.benchmark.empty()) {
    if (o.benchmark == "sobol-g")
      benchmark = Benchmark::sobol_g;
    else if (o.benchmark != "ishigami")
      problems.push_back(Problem::general("--benchmark " + o.benchmark + ": must be ishigami or sobol-g"));
  }
  Study study;
  if (!o.study.empty()) {
    try {
      study = read_study(o.study, warnings);
    } catch (const InputError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }
  std::string output = o.output;
  if (output.empty())
    output = o.study.empty() ? "results/benchmark-" + o.benchmark + ".h5"
                             : "results/" + fs::path(o.study).stem().string() + "-sensitivity.h5";
  std::vector<std::string> inputs;
  if (!o.study.empty()) inputs.push_back(o.study);
  check_output(output, o.overwrite, inputs, "sensitivity.h5", problems);
  if (!problems.empty()) throw InputError(problems);

  if (!o.benchmark.empty()) {
    SobolOptions options;
    options.seed = o.seed_given ? o.seed : 1;
    if (o.bootstrap >= 0) options.bootstrap = o.bootstrap;
    const std::int64_t n = o.samples > 0 ? o.samples : 16384;
    if (cluster_rank() != 0) return output;  // benchmarks are cheap: rank 0 runs them alone
    check_writable(output);
    const SobolIndices indices = run_benchmark(benchmark, sampling, n, options);
    write_benchmark_results(output, benchmark_spec(benchmark), indices, sampling, n, options);
  } else {
    if (o.samples > 0) study.samples = o.samples;
    if (o.seed_given) study.seed = o.seed;
    if (!o.sampling.empty()) study.sampling = sampling;
    if (o.bootstrap >= 0) study.bootstrap = o.bootstrap;
    if (cluster_rank() == 0) check_writable(output);
    const StudyResult result = run_study(study, o.threads, progress);  // simulate() splits its paths over the processes
    if (cluster_rank() == 0) write_study_results(output, study, result);
  }
  return output;
}

}  // namespace mppmc::io
