#pragma once
// Helpers shared by the Catch2 tests.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/simulation.h"
#include "io/scenario_reader.h"

namespace mppmc::testing {

//! tests/data/small.toml: every distribution family, measures, correlations, partial years.
inline Scenario small_scenario() {
  std::vector<Problem> warnings;
  return io::read_scenario(std::string(MPPMC_SOURCE_DIR) + "/tests/data/small.toml", warnings);
}

//! The column of a recorded input (e.g. "coa.uptake", "inflow.first.annual[2026]").
inline std::size_t input_column(const SimulationResult& r, const std::string& name) {
  const auto& names = r.input_names();
  const auto it = std::find(names.begin(), names.end(), name);
  REQUIRE(it != names.end());
  return static_cast<std::size_t>(it - names.begin());
}

}  // namespace mppmc::testing
