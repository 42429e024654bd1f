#include "app/calibrate.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/atomic_file.h"
#include "engine/cluster.h"
#include "io/output_lock.h"
#include "io/results_writer.h"
#include "io/scenario_reader.h"

namespace mppmc::app {

namespace fs = std::filesystem;

namespace {

// The target of the job, and its problems.
CalibrationTarget read_target(const CalibrateJob& job, std::vector<Problem>& problems) {
  CalibrationTarget target;
  if (job.series == "total_inflow")
    target.series = SeriesId::total_inflow;
  else if (job.series == "inflow_first")
    target.series = SeriesId::inflow_first;
  else
    problems.push_back(Problem::general("--series " + job.series + ": must be total_inflow or inflow_first"));
  if (job.band.size() != 3) problems.push_back(Problem::general("--band needs three numbers: MIN,MEDIO,MAX"));
  if (job.percentiles.size() != 3)
    problems.push_back(Problem::general("--percentiles needs three numbers, e.g. 5,50,95"));
  target.year = job.year;
  if (job.band.size() == 3) std::copy(job.band.begin(), job.band.end(), target.band.begin());
  if (job.percentiles.size() == 3)
    std::copy(job.percentiles.begin(), job.percentiles.end(), target.percentiles.begin());
  return target;
}

// Writes the calibrated scenario all or nothing: under a temporary name, read back and checked
// to hold the calibrated distribution, then given the output's name (core/atomic_file.h).
void write_checked(const CalibrateJob& job, const Scenario& scenario, const io::CalibrationRecord& record) {
  const std::string text = io::calibrated_scenario_text(job.scenario, scenario, record);
  write_text_atomically(job.output, text, [&](const std::string& temporary) {
    std::vector<Problem> ignored;
    const Scenario written = io::read_scenario(temporary, ignored);
    const Scenario expected = with_annual_entry(scenario, record.target.year, record.result.distribution);
    for (int y = scenario.first_year(); y <= scenario.last_year(); ++y)
      for (double u : {0.01, 0.05, 0.5, 0.95, 0.99}) {
        const double a = written.param(ParamId::inflow_first_annual).at(y).quantile(u);
        const double b = expected.param(ParamId::inflow_first_annual).at(y).quantile(u);
        MPPMC_CHECK(std::abs(a - b) <= 1e-9 * std::abs(b));
      }
  });
}

}  // namespace

io::CalibrationRecord calibrate_job(const CalibrateJob& job, std::vector<Problem>& warnings,
                                    const CalibrationStart& start, const CalibrationLog& log) {
  std::vector<Problem> problems;
  const std::string config_file = job.config.empty() ? shipped("config/default.toml") : job.config;
  const io::RunConfig config = effective_settings(read_config(config_file, problems), job.overrides);
  const Scenario scenario = collect_problems(problems, [&] { return io::read_scenario(job.scenario, warnings); });
  const CalibrationTarget target = read_target(job, problems);
  std::vector<std::string> inputs = scenario.files_read;  // with the `extends` bases
  inputs.insert(inputs.end(), {job.scenario, config_file});
  check_output(job.output, job.overwrite, inputs, "calibrated.toml", problems);
  if (cluster_size() > 1)
    problems.push_back(Problem::general("mppmc calibrate runs in one process; start it without mpirun"));
  if (!problems.empty()) throw InputError(problems);
  check_target(scenario, target);
  io::check_writable(job.output);
  const io::OutputLock lock(job.output);  // no other job writes this output meanwhile

  const SimulationSettings settings = simulation_settings(config);
  if (start) start(target, settings);
  const io::CalibrationRecord record{target, calibrate(scenario, target, settings, log), settings.seed, settings.paths};
  write_checked(job, scenario, record);
  return record;
}

}  // namespace mppmc::app
