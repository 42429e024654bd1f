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

namespace {

// Everything a calibration reads, checked.
struct CalibrationInputs {
  std::string config_file;
  io::RunConfig config;  // the effective settings
  Scenario scenario;
  CalibrationTarget target;
};

CalibrationInputs read_inputs(const CalibrateJob& job, std::vector<Problem>& warnings, std::vector<Problem>& problems) {
  CalibrationInputs in;
  in.config_file = job.config.empty() ? shipped("config/default.toml") : job.config;
  check_overrides(job.overrides, problems);
  in.config = effective_settings(read_config(in.config_file, problems), job.overrides);
  in.scenario = collect_problems(problems, [&] { return io::read_scenario(job.scenario, warnings); });
  in.target = read_target(job, problems);
  if (cluster_size() > 1)
    problems.push_back(Problem::general("mppmc calibrate runs in one process; start it without mpirun"));
  return in;
}

io::CalibrationRecord run_calibration(const CalibrationInputs& in, const CalibrationStart& start,
                                      const CalibrationLog& log) {
  const SimulationSettings settings = simulation_settings(in.config);
  if (start) start(in.target, settings);
  return {in.target, calibrate(in.scenario, in.target, settings, log), settings.seed, settings.paths};
}

}  // namespace

io::CalibrationRecord calibrate_job(const CalibrateJob& job, std::vector<Problem>& warnings,
                                    const CalibrationStart& start, const CalibrationLog& log) {
  std::vector<Problem> problems;
  const CalibrationInputs in = read_inputs(job, warnings, problems);
  std::vector<std::string> inputs = in.scenario.files_read;  // with the `extends` bases
  inputs.insert(inputs.end(), {job.scenario, in.config_file});
  check_output(job.output, job.overwrite, inputs, "calibrated.toml", problems);
  if (!problems.empty()) throw InputError(problems);
  check_target(in.scenario, in.target);
  io::check_writable(job.output);
  const io::OutputLock lock(job.output);  // no other job writes this output meanwhile

  const io::CalibrationRecord record = run_calibration(in, start, log);
  write_checked(job, in.scenario, record);
  return record;
}

CalibrationOutcome calibrate_in_memory(const CalibrateJob& job, std::vector<Problem>& warnings,
                                       const CalibrationStart& start, const CalibrationLog& log) {
  std::vector<Problem> problems;
  const CalibrationInputs in = read_inputs(job, warnings, problems);
  if (!problems.empty()) throw InputError(problems);
  check_target(in.scenario, in.target);
  CalibrationOutcome outcome{run_calibration(in, start, log), {}};
  outcome.scenario_toml = io::calibrated_scenario_text(job.scenario, in.scenario, outcome.record);
  return outcome;
}

}  // namespace mppmc::app
