#pragma once
// Tidy CSV export of a results file for reporting pipelines (docs/cli.md, "mppmc export"):
// one row per (scenario, series, period, statistic) with the columns
//   scenario,series,unit,period,statistic,value
// statistic: p<percent> (p5, p50, p2.5, ...), mean, std, min, medio, max; period: YYYY-MM or YYYY.
// Values are written in the shortest form that reads back to the same double.
#include <string>
#include <vector>

namespace mppmc::io {

//! A CSV field: quoted when it holds a comma, quote or newline (RFC 4180).
std::string csv_field(const std::string& text);

//! Writes monthly.csv and annual.csv (baseline and variants) and, when the file holds variants,
//! compare_monthly.csv and compare_annual.csv (path-wise differences variant - baseline) into
//! `folder` (created if needed). Refuses (InputError) a results file it cannot read and
//! existing CSV files unless `overwrite`. Returns the paths written.
std::vector<std::string> export_csv(const std::string& results_path, const std::string& folder, bool overwrite);

}  // namespace mppmc::io
