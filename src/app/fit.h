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

struct FitJob {
  std::string scenario;                       //!< the base scenario
  std::string history;                        //!< annual history: wide (a `year` column) or tidy
  std::string series = "first_applications";  //!< its column (wide) or series (tidy)
  std::string quarterly;                      //!< optional: quarterly history (CBS), same series name
  std::string monthly;                        //!< optional: monthly history (CBS), same series name
  std::string published;                      //!< optional: published bands CSV (the expert model's errors)
  int through = 0;                            //!< last year of data used; 0: the year before the scenario starts
  std::string model = "random-walk";          //!< random-walk | ar1 | expert
  std::string output;                         //!< the fitted scenario (.toml)
  std::uint64_t seed = 20241119;              //!< ar1's bootstrap
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
