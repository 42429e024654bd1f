#pragma once
// Path-level draws: which inputs are uncertain, where their uniforms come from, and the
// values they give on one path (docs/model-spec.md, "Inputs and when they are drawn").
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/copula.h"
#include "model/scenario.h"

namespace mppmc {

//! What is drawn on every path, fixed for a scenario.
class InputPlan {
 public:
  explicit InputPlan(const Scenario& scenario);

  //! Names of the recorded path-level values, one column each in /inputs/samples:
  //! "key" for an input drawn once, "key[YYYY]" per year for a per-year input, and
  //! "measure[<name>].effect" for a measure's effect.
  const std::vector<std::string>& recorded_names() const { return names_; }

  //! Draws one path's inputs. With `deterministic` every input is at its median Q(0.5),
  //! the annual inflow level at the median of its year and the monthly noise at 1.
  //! `values` receives [param][year slot] (kParamCount x year_count), `inflow_level` the
  //! annual first inflow per year slot (persons/year), `effects` one multiplier per measure,
  //! `recorded` the values named by recorded_names().
  void draw(std::uint64_t seed, std::uint32_t path, bool deterministic, double* values,
            double* inflow_level, double* effects, double* recorded) const;

 private:
  const Scenario& scenario_;
  std::vector<ParamId> uncertain_;          // path-level inputs that need a uniform
  std::vector<int> copula_slot_;            // per ParamId: index into the copula, or -1
  std::vector<ParamId> copula_members_;     // in copula order (ascending ParamId)
  std::optional<GaussianCopula> copula_;
  std::vector<std::uint32_t> measure_items_;
  std::vector<std::string> names_;
};

}  // namespace mppmc
