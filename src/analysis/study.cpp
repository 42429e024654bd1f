#include "analysis/study.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"

namespace mppmc {

std::vector<int> varied_groups(const Study& study, const std::vector<InputGroup>& groups) {
  std::vector<int> varied;
  for (std::size_t g = 0; g < groups.size(); ++g)
    if (study.inputs.empty() || std::count(study.inputs.begin(), study.inputs.end(), groups[g].name))
      varied.push_back(static_cast<int>(g));
  return varied;
}

std::string input_label(const Study& study, const std::string& name) {
  auto find = [&](const std::string& key) -> const std::string* {
    for (const auto& [code, label] : study.labels)
      if (code == key) return &label;
    return nullptr;
  };
  if (const std::string* label = find(name)) return *label;
  // A correlated group is named by its parameters joined with " + " (engine/inputs.cpp).
  std::string out;
  for (std::size_t start = 0;;) {
    const std::size_t end = name.find(" + ", start);
    const std::string part = name.substr(start, end == std::string::npos ? std::string::npos : end - start);
    const std::string* label = find(part);
    out += (out.empty() ? "" : " + ") + (label ? *label : part);
    if (end == std::string::npos) return out;
    start = end + 3;
  }
}

namespace {

// The outputs' values on every row of a run.
std::vector<std::vector<double>> output_values(const Study& study, const Scenario& scenario,
                                               const SimulationResult& r) {
  std::vector<std::vector<double>> values;
  for (const StudyOutput& out : study.outputs) {
    const double* column = out.annual ? r.annual(out.series, out.year - scenario.first_year())
                                      : r.monthly(out.series, out.month - scenario.start);
    values.emplace_back(column, column + r.paths());
  }
  return values;
}

}  // namespace

StudyResult run_study(const Study& study, int threads, const ProgressCallback& progress) {
  // Only the months up to the last output matter.
  Scenario scenario = study.scenario;
  MonthIndex last = scenario.start;
  for (const StudyOutput& out : study.outputs) last = std::max(last, out.annual ? out.year * 12 + 11 : out.month);
  scenario.horizon_months = std::min(scenario.horizon_months, last - scenario.start + 1);

  const InputPlan plan(scenario);
  const std::vector<int> varied = varied_groups(study, plan.groups());
  StudyResult result;
  for (int g : varied) result.groups.push_back(plan.groups()[static_cast<std::size_t>(g)].name);

  SimulationSettings settings;
  settings.seed = study.seed;
  settings.threads = threads;

  if (study.tornado) {
    const TornadoDesign design(plan, scenario, varied, study.low, study.high);
    settings.design = &design;
    settings.paths = design.rows();
    result.tornado_runs = design.rows();
    const SimulationResult run = simulate(scenario, settings, progress);
    for (const std::vector<double>& y : output_values(study, scenario, run)) {
      TornadoResult t;
      t.base_output = y[0];
      std::vector<std::size_t> order(varied.size());
      std::iota(order.begin(), order.end(), 0);
      auto swing = [&](std::size_t i) { return std::abs(y[2 + 2 * i] - y[1 + 2 * i]); };
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return swing(a) > swing(b); });
      for (std::size_t i : order) {
        t.inputs.push_back(result.groups[i]);
        t.low_input.push_back(design.input_value(static_cast<int>(i), study.low));
        t.high_input.push_back(design.input_value(static_cast<int>(i), study.high));
        t.low_output.push_back(y[1 + 2 * i]);
        t.high_output.push_back(y[2 + 2 * i]);
        t.swing.push_back(swing(i));
      }
      result.tornado.push_back(std::move(t));
    }
  }
  if (study.sobol) {
    const SaltelliDesign design(plan, varied, study.sampling, study.seed, study.samples);
    settings.design = &design;
    settings.paths = design.rows();
    result.sobol_runs = design.rows();
    const SimulationResult run = simulate(scenario, settings, progress);
    SobolOptions options;
    options.bootstrap = study.bootstrap;
    options.confidence = study.confidence;
    options.seed = study.seed;
    for (const std::vector<double>& y : output_values(study, scenario, run))
      result.sobol.push_back(sobol_indices(y, study.samples, result.groups, options));
  }
  return result;
}

}  // namespace mppmc
