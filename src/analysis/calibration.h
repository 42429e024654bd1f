#pragma once
// Calibrating a scenario's first-inflow distribution to a published band (docs/cli.md,
// "mppmc calibrate"): the year-Y entry of inflow.first.annual becomes a metalog through three
// quantiles, adjusted until the simulated year-Y percentiles of a series match the band.
// Every iteration runs the same seed and paths (common random numbers), so the map from the
// metalog's quantiles to the simulated percentiles is a fixed, smooth function and the
// iteration converges instead of chasing noise.
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "engine/simulation.h"
#include "model/scenario.h"

namespace mppmc {

struct CalibrationTarget {
  SeriesId series = SeriesId::total_inflow;  //!< total_inflow or inflow_first
  int year = 0;                              //!< calendar year, within the scenario's horizon
  std::array<double, 3> band{};              //!< minimum, medio, maximum (persons/year)
  std::array<double, 3> percentiles{5, 50, 95};
  double tolerance = 0.001;  //!< relative; the issue asks for 0.5%, we aim tighter
  int max_iterations = 30;
};

struct CalibrationResult {
  std::array<double, 3> quantiles{};  //!< q of the fitted metalog (persons/year, first applications)
  std::array<double, 3> achieved{};   //!< simulated percentiles of the series in the year
  int iterations = 0;
  Distribution distribution;  //!< the new year-Y entry
};

//! One line per iteration, for progress output.
using CalibrationLog =
    std::function<void(int iteration, const std::array<double, 3>& quantiles, const std::array<double, 3>& achieved)>;

//! Checks the target against the scenario before any work; throws InputError with every problem.
void check_target(const Scenario& scenario, const CalibrationTarget& target);

//! The scenario with the year-Y entry of inflow.first.annual replaced by `entry`; the year after
//! keeps the entry it had (so other years stay as they were).
Scenario with_annual_entry(const Scenario& scenario, int year, const Distribution& entry);

//! Runs the calibration. Throws InputError when the band cannot be reached (the other parts of
//! the series already exceed it, the quantiles would stop increasing, or no convergence).
CalibrationResult calibrate(const Scenario& scenario, const CalibrationTarget& target,
                            const SimulationSettings& settings, const CalibrationLog& log = {});

}  // namespace mppmc
