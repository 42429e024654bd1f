#pragma once
// Writes the scenario that `mppmc fit` produces (docs/forecast-skill.md, "The fitted scenario"):
// the base scenario with inflow.first.annual replaced for every year of its horizon by the
// fitted predictive distributions, inflow.first.year_correlation by the fitted rho and (when
// quarterly or monthly data were given) inflow.first.seasonality by the fitted weights, under a
// provenance header (data, years used, model, estimates with standard errors). The original
// text and its comments are kept where the keys can be edited line by line; otherwise (a file
// that extends another, keys written across lines) the scenario is written resolved. The file is
// read back and compared with what was meant before it takes the output's name.
#include <string>
#include <vector>

#include "analysis/inflow_fit.h"
#include "core/distribution.h"
#include "model/scenario.h"

namespace mppmc::io {

//! What the fit was made from, for the provenance header.
struct FitProvenance {
  std::string history_file;
  std::string series;
  std::string quarterly_file;  //!< "" when none
  std::string monthly_file;
  std::string published_file;
  std::string scenario_file;
};

//! One forecast year's entry: its distribution and its inline TOML text. A metalog through the
//! predictive's five quantiles (whole persons, bounded below at 0); three (5 / 50 / 95) where five
//! give no valid metalog; a lognormal through the median and the 5-95 width where neither does.
struct FittedEntry {
  int year = 0;
  Distribution distribution;
  std::string text;
  std::string form;  //!< "metalog (5 quantiles)", "metalog (3 quantiles)" or "lognormal"
};

std::vector<FittedEntry> fitted_entries(const InflowFit& fit);

//! "name = value (standard error)", counts without decimals, persons in whole persons.
std::string estimate_text(const Estimate& estimate);

//! `original` with the fitted annual table, year_correlation and seasonality: what the written
//! file must read back as.
Scenario fitted_scenario(const Scenario& original, const InflowFit& fit, const std::vector<FittedEntry>& entries);

//! The provenance header (TOML comments).
std::string fit_header(const InflowFit& fit, const FitProvenance& provenance, const std::vector<FittedEntry>& entries);

//! Writes the fitted scenario to `output`: under a temporary name, read back and compared with
//! fitted_scenario(), renamed into place when it matches. Returns true when the original's text
//! was kept (false: written resolved). Throws RuntimeError when it cannot be written.
bool write_fitted_scenario(const std::string& output, const Scenario& original, const InflowFit& fit,
                           const FitProvenance& provenance);

}  // namespace mppmc::io
