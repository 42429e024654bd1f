#include "app/sensitivity.h"

#include <filesystem>
#include <optional>

#include "analysis/sensitivity.h"
#include "analysis/study.h"
#include "engine/cluster.h"
#include "io/output_lock.h"
#include "io/results_writer.h"
#include "io/sensitivity_file.h"
#include "io/study_reader.h"

namespace mppmc::app {

namespace fs = std::filesystem;

namespace {

// Benchmarks are cheap: rank 0 runs them alone.
void run_benchmark_job(const SensitivityJob& job, Benchmark benchmark, const std::string& output) {
  SobolOptions options;
  options.seed = job.overrides.seed.value_or(1);
  if (job.overrides.bootstrap) options.bootstrap = *job.overrides.bootstrap;
  const std::int64_t n = job.overrides.samples.value_or(16384);
  const Sampling sampling = job.overrides.sampling.value_or(Sampling::sobol);
  if (cluster_rank() != 0) return;
  io::check_writable(output);
  const io::OutputLock lock(output);  // no other job writes this output meanwhile
  const SobolIndices indices = run_benchmark(benchmark, sampling, n, options);
  io::write_benchmark_results(output, benchmark_spec(benchmark), indices, sampling, n, options);
}

}  // namespace

std::string sensitivity_job(const SensitivityJob& job, std::vector<Problem>& warnings,
                            const ProgressCallback& progress) {
  std::vector<Problem> problems;
  if (job.study.empty() == job.benchmark.empty())
    problems.push_back(Problem::general("give a STUDY file or --benchmark ishigami|sobol-g (one of the two)"));
  Benchmark benchmark = Benchmark::ishigami;
  if (job.benchmark == "sobol-g")
    benchmark = Benchmark::sobol_g;
  else if (!job.benchmark.empty() && job.benchmark != "ishigami")
    problems.push_back(Problem::general("--benchmark " + job.benchmark + ": must be ishigami or sobol-g"));
  Study study;
  if (!job.study.empty()) study = collect_problems(problems, [&] { return io::read_study(job.study, warnings); });
  std::string output = job.output;
  if (output.empty())
    output = job.study.empty() ? "results/benchmark-" + job.benchmark + ".h5"
                               : "results/" + fs::path(job.study).stem().string() + "-sensitivity.h5";
  std::vector<std::string> inputs;
  if (!job.study.empty()) inputs.push_back(job.study);
  inputs.insert(inputs.end(), study.scenario.files_read.begin(), study.scenario.files_read.end());  // and its bases
  check_output(output, job.overwrite, inputs, "sensitivity.h5", problems);
  if (!problems.empty()) throw InputError(problems);

  if (!job.benchmark.empty()) {
    run_benchmark_job(job, benchmark, output);
    return output;
  }
  study = effective_study(std::move(study), job.overrides);
  std::optional<io::OutputLock> lock;  // no other job writes this output meanwhile
  if (cluster_rank() == 0) {
    io::check_writable(output);
    lock.emplace(output);
  }
  const StudyResult result = run_study(study, job.threads, progress);  // simulate() splits its paths over the processes
  if (cluster_rank() == 0) io::write_study_results(output, study, result);
  return output;
}

StudyOutcome study_in_memory(const SensitivityJob& job, std::vector<Problem>& warnings,
                             const ProgressCallback& progress) {
  std::vector<Problem> problems;
  if (job.study.empty()) problems.push_back(Problem::general("give a study file"));
  if (cluster_size() > 1)
    problems.push_back(Problem::general("a study in memory runs in one process, not under mpirun"));
  StudyOutcome outcome;
  if (!job.study.empty())
    outcome.study = collect_problems(problems, [&] { return io::read_study(job.study, warnings); });
  if (!problems.empty()) throw InputError(problems);
  outcome.study = effective_study(std::move(outcome.study), job.overrides);
  outcome.result = run_study(outcome.study, job.threads, progress);
  return outcome;
}

}  // namespace mppmc::app
