#pragma once
// Reads a forecast out of an mppmc results file for scoring (docs/forecast-skill.md): the
// stored percentiles and band of one series, annual or monthly, of the baseline or a variant
// (docs/hdf5-schema.md), and, when the run saved them (/paths), every path's values.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/calendar.h"

namespace mppmc::io {

//! One series of a results file as a forecast, period by period.
struct ResultsForecast {
  std::string file;
  std::string series;
  std::string variant;  //!< "" for the baseline
  bool annual = true;
  MonthIndex start = 0;                 //!< the first simulated month
  int origin_year = 0;                  //!< the year of the month before `start` (horizon 0)
  std::vector<std::string> periods;     //!< "YYYY" or "YYYY-MM"
  std::vector<int> period_years;        //!< the calendar year of each period
  std::vector<int> months;              //!< simulated months in each period (< 12: a partial year)
  std::vector<double> levels;           //!< the stored percentiles as probabilities, ascending
  std::vector<double> quantiles;        //!< [level][period], in the series' unit
  std::vector<double> band;             //!< [3][period]: min, medio, max
  std::array<double, 3> band_levels{};  //!< the band's percentiles as probabilities
  std::string unit;
  std::int64_t paths = 0;       //!< values per period in `samples`; 0 without /paths
  std::vector<double> samples;  //!< [period][path]: the saved paths (annual: summed
                                //!< over the year's months for flows, its last month
                                //!< for stocks), from their float32 monthly values
};

//! The variants a results file holds (names of /variants groups), in name order.
std::vector<std::string> results_variants(const std::string& path);

//! The series `series` of the baseline (`variant` "") or of /variants/<variant>. With
//! `with_paths` and a file that has /paths, the saved paths too. Throws InputError naming the
//! file when it is not a readable results file, has no such variant or no such series (with the
//! ones it has).
ResultsForecast read_results_forecast(const std::string& path, const std::string& series, const std::string& variant,
                                      bool annual, bool with_paths);

}  // namespace mppmc::io
