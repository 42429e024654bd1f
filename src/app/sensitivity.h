#pragma once
// `mppmc sensitivity`: a study file (tornado and Sobol indices of a scenario's outputs), or an
// analytic benchmark with known indices; writes a sensitivity file.
#include <optional>
#include <string>
#include <vector>

#include "app/settings.h"
#include "core/error.h"
#include "engine/settings.h"

namespace mppmc::app {

struct SensitivityJob {
  std::string study;
  std::string benchmark;  //!< "ishigami" or "sobol-g" instead of a study
  std::string output;     //!< empty: results/<study>-sensitivity.h5 or results/benchmark-<name>.h5
  StudyOverrides overrides;
  int threads = 0;  //!< 0: all cores
  bool overwrite = false;
};

//! Runs the study or benchmark and writes the sensitivity file; returns its path. Throws
//! InputError for bad inputs, before any work.
std::string sensitivity_job(const SensitivityJob& job, std::vector<Problem>& warnings,
                            const ProgressCallback& progress);

}  // namespace mppmc::app
