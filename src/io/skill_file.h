#pragma once
// Writes forecast-skill scores (docs/forecast-skill.md, "Files"): a tidy CSV
//   kind,group,forecast,series,period,horizon,method,statistic,value
// (kind "period" for one scored period, "summary" for a group, series and horizon; horizon "all"
// for all horizons together; a value that does not exist, e.g. the log ratio of a band without a
// medio, is an empty field), or an HDF5 group of columns:
//   <group>/periods/{group, forecast, series, period, method}   [R] string
//   <group>/periods/horizon, covered_50, covered_80, covered_90, covered_band   [R] int32
//   <group>/periods/{realised, band_low, medio, band_high, band_nominal, pit, interval_score,
//                    crps, log_ratio, band_position}   [R] float64 (NaN: does not exist)
//   <group>/summary/{group, series}   [S] string
//   <group>/summary/horizon (-1: all), count, bias_count   [S] int32
//   <group>/summary/{coverage_50, coverage_80, coverage_90, coverage_band, band_nominal,
//                    mean_interval_score, mean_crps, bias, mean_pit}   [S] float64
// with attributes interval_alpha, crps_levels and the definitions of PIT and CRPS.
#include <hdf5.h>

#include <string>
#include <utility>
#include <vector>

#include "analysis/skill.h"

namespace mppmc::io {

//! The tidy CSV text of the scored periods and their summaries.
std::string skill_csv_text(const std::vector<ScoredPeriod>& rows, const std::vector<SkillSummary>& summaries);

//! Writes the periods and summaries as the group `name` under `parent` (layout above).
void write_skill_group(hid_t parent, const std::string& name, const std::vector<ScoredPeriod>& rows,
                       const std::vector<SkillSummary>& summaries);

//! Writes a scores file: `.csv` gets skill_csv_text, anything else HDF5 with root attributes
//! schema = "mppmc-skill", schema_version = 1, tool_version, git_sha, created_utc and the
//! `attributes` given (e.g. forecast_file, realised_file), and the group /skill. Written under a
//! temporary name and renamed when complete.
void write_skill_file(const std::string& path, const std::vector<ScoredPeriod>& rows,
                      const std::vector<SkillSummary>& summaries,
                      const std::vector<std::pair<std::string, std::string>>& attributes);

}  // namespace mppmc::io
