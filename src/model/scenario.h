#pragma once
// A validated scenario: typed values only (no TOML). Produced by io/scenario_reader from a
// file (and the files it extends); everything here has passed the checks of
// docs/model-spec.md, so the engine does not re-check.
#include <array>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/distribution.h"
#include "model/parameters.h"

namespace mppmc {

//! A parameter's value by calendar year. A plain value has one entry that holds for every
//! year; a per-year table { 2025 = a, 2027 = b } gives year y the entry of the latest
//! listed year <= y, and years before the first entry the first entry.
struct YearTable {
  std::vector<int> years;            //!< ascending; empty for a value that holds for every year
  std::vector<Distribution> values;  //!< values.size() == max(1, years.size())

  const Distribution& at(int year) const;
  //! True when no entry is uncertain (the parameter needs no draw).
  bool is_fixed() const;
  bool operator==(const YearTable&) const = default;
};

//! A policy measure: multiplies `parameter` from `start` on, ramping in over `ramp_months`.
struct Measure {
  std::string name;
  ParamId parameter;
  MonthIndex start;
  int ramp_months = 0;
  Distribution effect;  //!< the multiplier e, drawn once per path
  //! Factor in month `month` for a drawn effect e (docs/model-spec.md, "Policy measures").
  double factor(MonthIndex month, double effect_value) const;
};

//! A rank correlation between two path-level inputs.
struct Correlation {
  ParamId a;
  ParamId b;
  double rank;

  bool operator==(const Correlation&) const = default;
};

struct Scenario {
  std::string name;
  MonthIndex start = 0;
  int horizon_months = 0;
  std::array<double, kInitialStockCount> initial{};  //!< persons, at the start of month 0
  std::array<YearTable, kParamCount> params;         //!< indexed by ParamId
  double year_correlation = 1.0;                     //!< rho of the annual inflow AR(1)
  std::array<double, 12> seasonality{};              //!< Jan..Dec, normalised to sum 12
  double monthly_noise_sd = 0.0;                     //!< sigma of the monthly log-noise
  std::vector<Measure> measures;
  std::vector<Correlation> correlations;

  std::string source_file;              //!< the file the scenario was read from
  std::vector<std::string> files_read;  //!< source_file and every file it extends, as named
  std::string resolved_toml;            //!< the merged scenario (after `extends`) as TOML text

  const YearTable& param(ParamId id) const { return params[index(id)]; }
  MonthIndex month(int m) const { return start + m; }
  int first_year() const { return year_of(start); }
  int last_year() const { return year_of(start + horizon_months - 1); }
  int year_count() const { return last_year() - first_year() + 1; }
  //! Index of month m's year in 0..year_count()-1.
  int year_slot(int m) const { return year_of(start + m) - first_year(); }
  //! How many of the horizon's months fall in each year (a partial first or last year has fewer than 12).
  std::vector<int> months_in_year() const;
};

}  // namespace mppmc
