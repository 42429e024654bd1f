#pragma once
// Sensitivity results in HDF5 (docs/hdf5-schema.md, "Sensitivity files"): root attributes with
// schema = "mppmc-sensitivity", /sensitivity/<output>/ (Sobol indices with bootstrap intervals)
// and /tornado/<output>/ (one-at-a-time swings). Written to a temporary name and renamed.
#include <cstdint>
#include <string>

#include "analysis/study.h"
#include "io/hdf5_file.h"

namespace mppmc::io {

void write_study_results(const std::string& path, const Study& study, const StudyResult& result);

//! A benchmark's indices under /sensitivity/y/, with the analytic values beside them.
void write_benchmark_results(const std::string& path, const BenchmarkSpec& spec, const SobolIndices& indices,
                             Sampling sampling, std::int64_t samples, const SobolOptions& options);

//! Tables for people: the tornado and the Sobol indices of each output in a sensitivity file.
std::string describe_sensitivity(const std::string& path);

//! Opens a sensitivity file of schema 1 or 2 for reading; `version` receives its schema
//! version. InputError for any other file or version.
h5::Handle open_sensitivity_file(const std::string& path, std::int64_t& version);

//! True when `path` is an HDF5 file with schema = "mppmc-sensitivity".
bool is_sensitivity_file(const std::string& path);

}  // namespace mppmc::io
