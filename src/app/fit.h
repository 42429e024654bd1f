#pragma once
// `mppmc fit` as a library call (docs/forecast-skill.md): estimates the scenario's first-
// application inflow from history and writes a complete scenario whose inflow.first.annual
// (every year of the horizon), year_correlation and, with quarterly or monthly data,
// seasonality come from the fit. Reads and checks everything first: every problem is an
// InputError and nothing is written.
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/inflow_fit.h"
#include "core/error.h"

namespace mppmc::app {

//! The shipped data (scenarios/data/, see its README) that `mppmc fit` uses unless told otherwise.
inline constexpr const char* kShippedAnnual = "scenarios/data/inflow_annual.csv";
inline constexpr const char* kShippedQuarterly = "scenarios/data/inflow_quarterly_cbs.csv";
inline constexpr const char* kShippedMonthly = "scenarios/data/inflow_monthly_cbs.csv";
inline constexpr const char* kShippedBands = "scenarios/data/mpp_bands.csv";

struct FitJob {
  std::string scenario;                       //!< the base scenario
  std::string history;                        //!< annual history: wide (a `year` column) or tidy; empty: kShippedAnnual
  std::string series = "first_applications";  //!< its column (wide) or series (tidy)
  std::string quarterly;                      //!< optional: quarterly history (CBS), same series name
  std::string monthly;                        //!< optional: monthly history (CBS), same series name
  std::string published;                      //!< optional: published bands CSV (the expert model's errors)
  //! Where `quarterly`, `monthly` or `published` is empty and its flag is set, the shipped file
  //! is used (the command line's default). A shipped quarterly or monthly file without the
  //! series is skipped with a warning, not refused: it was not asked for by name.
  bool shipped_quarterly = false, shipped_monthly = false, shipped_published = false;
  int through = 0;                    //!< last year of data used; 0: the year before the scenario starts
  std::string model = "random-walk";  //!< random-walk | ar1 | expert
  std::string output;                 //!< the fitted scenario (.toml)
  std::uint64_t seed = 20241119;      //!< ar1's bootstrap
  bool overwrite = false;
};

struct FitOutcome {
  InflowFit fit;
  std::string output;
  bool comments_kept = false;  //!< false: written resolved
  std::string summary;         //!< what to print: data, estimates, the band per year, rho, output
};

FitOutcome fit_job(const FitJob& job, std::vector<Problem>& warnings);

}  // namespace mppmc::app
