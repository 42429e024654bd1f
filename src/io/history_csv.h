#pragma once
// Readers of the CSV files that forecast skill and fitting read (docs/forecast-skill.md, "Files";
// scenarios/data/README.md): tidy `series,period,value` files (realised values, histories),
// wide history files with one row per year, quarter or month (inflow_annual.csv,
// inflow_quarterly_cbs.csv, inflow_monthly_cbs.csv) and the published MPP bands (mpp_bands.csv).
//
// Every problem is an InputError at file:line:column naming the CSV column (the Problem's key)
// and the cell as written; all problems of a file are collected before it is refused. Numbers are
// persons (or whatever unit the file holds); nothing is converted.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/error.h"

namespace mppmc::io {

//! A period of a history: a calendar year, a quarter or a month.
struct Period {
  enum class Kind { year, quarter, month };
  Kind kind = Kind::year;
  int year = 0;
  int sub = 0;  //!< quarter 1..4 or month 1..12; 0 for a year

  //! "2024", "2024-Q3" or "2024-03".
  std::string text() const;
  //! Consecutive periods of one kind have consecutive ordinals (year, 4 year + q - 1, 12 year + m - 1).
  int ordinal() const;
  bool operator==(const Period&) const = default;
};
//! "YYYY", "YYYY-Qn" / "YYYYQn", or "YYYY-MM" (years 1000-9999); nullopt for anything else.
std::optional<Period> parse_period(std::string_view text);
//! "year", "quarter" or "month".
const char* kind_name(Period::Kind kind);

//! The mppmc series a data-file series name means: the shipped files' `total_asylum_inflow`
//! is `total_inflow`, `first_applications` is `inflow_first`; other names are returned as given.
std::string mppmc_series_name(const std::string& name);

//! One value of a tidy file.
struct TidyValue {
  std::string series;  //!< as written (see mppmc_series_name)
  Period period;
  double value = 0;
  int line = 0;
};

//! Reads a tidy CSV with (at least) the columns series, period, value, in any order. Refused:
//! an empty file, a missing column, a row with another number of fields than the header, an
//! empty series, a period that is not YYYY / YYYY-Qn / YYYY-MM, a value that is not a finite
//! number, a (series, period) listed twice, and a gap: a series whose periods of one kind are
//! not consecutive (2019, 2021 without 2020).
std::vector<TidyValue> read_tidy_csv(const std::string& path);

//! A series of consecutive periods of one kind, with the file it came from.
struct HistorySeries {
  std::string name;  //!< as asked for
  std::string file;
  Period::Kind kind = Period::Kind::year;
  std::vector<Period> periods;  //!< consecutive, ascending
  std::vector<double> values;
  std::vector<int> lines;  //!< the file line of each value
};

//! One series of a history file, which is either
//!  * tidy (columns series, period, value): the rows of `series` whose periods are of `kind`, or
//!  * wide (a first column named year, quarter or month, one row per period, ascending and
//!    without gaps or repeats; the period column's name must match `kind`): the column `series`.
//!    Leading and trailing empty cells mean the series starts later or ends earlier; an empty
//!    cell between two values is a gap. Cells of other columns are not read.
//! Refused (InputError at file:line naming the column): everything read_tidy_csv refuses, a
//! missing column, a non-numeric cell, a gap, a repeated or out-of-order period, and a series
//! with no value. `required = false` returns an empty series instead of refusing a missing
//! column or a series without values.
HistorySeries read_history_series(const std::string& path, const std::string& series, Period::Kind kind,
                                  bool required = true);

//! One published band (a row of mpp_bands.csv).
struct PublishedBand {
  std::string edition;  //!< e.g. "2023-II"
  MonthIndex published = 0;
  int target_year = 0;
  std::string series;  //!< mppmc name (total_asylum_inflow -> total_inflow)
  double minimum = 0;
  std::optional<double> medio;  //!< empty cell: the edition published none
  double maximum = 0;
  std::optional<double> realised;
  std::string notes;
  int line = 0;
};

//! Reads a published-bands CSV: columns edition, published (YYYY-MM), target_year, series,
//! minimum, medio, maximum, realised (notes optional); medio and realised may be empty.
//! Refused: a missing column, a non-numeric or non-finite number, minimum > medio > maximum out
//! of order (or minimum >= maximum), an edition, series and target year listed twice, no rows.
std::vector<PublishedBand> read_published_bands(const std::string& path);

}  // namespace mppmc::io
