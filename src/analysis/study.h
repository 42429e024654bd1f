#pragma once
// A sensitivity study (docs/sensitivity.md): a scenario, the input groups to vary, the outputs
// (a series in a year or a month, one value per path), the methods and their settings; and
// what running it gives.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "analysis/sensitivity.h"
#include "engine/simulation.h"
#include "model/scenario.h"
#include "model/series.h"

namespace mppmc {

struct StudyOutput {
  SeriesId series;
  bool annual = true;  //!< true: the series' annual value in `year`; false: its value in `month`
  int year = 0;
  MonthIndex month = 0;
  std::string name;  //!< "coa_occupancy[2026]" or "coa_occupancy[2026-06]"
};

struct Study {
  std::string file;  //!< the study file
  std::string text;  //!< its text, stored in the results
  Scenario scenario;
  bool tornado = true;
  bool sobol = true;
  std::int64_t samples = 1024;  //!< N base samples; Sobol costs N (k + 2) runs
  Sampling sampling = Sampling::sobol;
  int bootstrap = 200;
  double confidence = 0.95;
  std::uint64_t seed = 20241119;
  std::vector<std::string> inputs;  //!< group names; empty: every uncertain group
  double low = 0.05, high = 0.95;   //!< tornado quantiles
  std::vector<StudyOutput> outputs;
  //! Readable names for charts and tables ([study.labels] "code name" = "label"): an input
  //! group's name, or one parameter of a correlated group; sorted by code name.
  std::vector<std::pair<std::string, std::string>> labels;
};

//! The readable label of the input group `name`: its own label, else the labels of its
//! parameters ("a + b" -> "label of a + label of b", each falling back to its code name).
std::string input_label(const Study& study, const std::string& name);

struct TornadoResult {
  std::vector<std::string> inputs;  //!< sorted by swing, largest first
  std::vector<double> low_input, high_input, low_output, high_output, swing;
  double base_output = 0;  //!< every input at its median
};

struct StudyResult {
  std::vector<std::string> groups;     //!< the varied input groups
  std::vector<SobolIndices> sobol;     //!< per output (empty without the method)
  std::vector<TornadoResult> tornado;  //!< per output (empty without the method)
  std::int64_t sobol_runs = 0;
  std::int64_t tornado_runs = 0;
};

//! The varied groups' indices into InputPlan(study.scenario).groups(); the reader has checked
//! the names.
std::vector<int> varied_groups(const Study& study, const std::vector<InputGroup>& groups);

//! Runs the study's methods on `threads` threads (0: all); the numbers never depend on them.
StudyResult run_study(const Study& study, int threads, const ProgressCallback& progress = {});

}  // namespace mppmc
