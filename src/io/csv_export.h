#pragma once
// Tidy CSV export of a results file for reporting pipelines (docs/cli.md, "mppmc export"):
// one row per (scenario, series, period, statistic) with the columns
//   scenario,series,unit,period,statistic,value
// statistic: p<percent> (p5, p50, p2.5, ...), mean, std, min, medio, max; period: YYYY-MM or YYYY.
// Values are written in the shortest form that reads back to the same double. The wide layout
// and the sensitivity tables are the sheets of io/export_tables.h, one CSV file per table.
#include <string>
#include <vector>

#include "io/export_tables.h"

namespace mppmc::io {

//! A CSV field: quoted when it holds a comma, quote or newline (RFC 4180).
std::string csv_field(const std::string& text);

//! `sheet` as CSV: RFC 4180 with `,` and `.`; with `decimal_comma` as Dutch-locale Excel reads
//! it, `;` between fields and `,` before the decimals. Numbers in the shortest form that reads
//! back to the same double. `with_header` false leaves the header line out (to append sheets).
std::string csv_text(const Sheet& sheet, bool decimal_comma, bool with_header = true);

struct CsvOptions {
  bool wide = false;           //!< the wide annual band tables instead of the tidy ones
  bool decimal_comma = false;  //!< `;` between fields and `,` before decimals (Dutch-locale Excel)
  bool overwrite = false;      //!< replace existing CSV files
};

//! Writes into `folder` (created if needed), for a results file:
//!   tidy (default): monthly.csv and annual.csv (baseline and variants) and, when the file holds
//!     variants, compare_monthly.csv and compare_annual.csv (path-wise differences variant -
//!     baseline);
//!   wide: annual_band.csv (baseline and variants) and, with variants, compare_annual_band.csv:
//!     scenario,series,unit,band,<year>,... (a row per series and min / medio / max);
//! for a sensitivity file (schema mppmc-sensitivity): tornado.csv and sobol.csv (what it holds).
//! Refuses (InputError) a file it cannot read and existing CSV files unless `overwrite`; nothing
//! is written then. Returns the paths written.
std::vector<std::string> export_csv(const std::string& path, const std::string& folder, const CsvOptions& options);

}  // namespace mppmc::io
