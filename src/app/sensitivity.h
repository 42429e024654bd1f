#pragma once
// `mppmc sensitivity`: a study file (tornado and Sobol indices of a scenario's outputs), or an
// analytic benchmark with known indices; writes a sensitivity file.
#include <optional>
#include <string>
#include <vector>

#include "analysis/study.h"
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

//! A study run in memory: the study as run (its file's settings with the overrides over them)
//! and its indices, the numbers sensitivity_job writes.
struct StudyOutcome {
  Study study;
  StudyResult result;
};

//! Runs job.study like sensitivity_job but writes nothing (job.output, overwrite and benchmark
//! are not used). One process only. Throws InputError for bad inputs, before any work.
StudyOutcome study_in_memory(const SensitivityJob& job, std::vector<Problem>& warnings,
                             const ProgressCallback& progress);

}  // namespace mppmc::app
