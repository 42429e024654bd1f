#pragma once
// Path-level draws: which inputs are uncertain, where their uniforms come from, and the
// values they give on one path (docs/model-spec.md, "Inputs and when they are drawn").
//
// The uncertain inputs are laid out as *dimensions* (one uniform each: every uncertain
// parameter, every year's inflow innovation, every measure effect) and *groups* (what a
// sensitivity study varies together: a parameter, the correlated parameters of a copula
// component, the annual inflow levels, the monthly noise, a measure's effect). By default
// a path draws every dimension from its own addresses. A RowSource can redirect a group to
// another path's addresses (Saltelli's A_B^(i) rows take group i from the B row) or give
// uniforms outright (medians, tornado ends, Latin hypercube and Sobol points).
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/copula.h"
#include "core/numerical_inverse.h"
#include "core/random.h"
#include "model/scenario.h"

namespace mppmc {

//! One input group of a scenario.
struct InputGroup {
  std::string name;       //!< e.g. "ind.asylum.grant_rate", "inflow.first.annual", "monthly_noise", "measure[X]"
  std::vector<int> dims;  //!< the dimensions it owns (none for the monthly noise)
  bool monthly_noise = false;
  bool inflow_levels = false;
};

//! Where one row's (path's) draws come from.
struct RowSource {
  static constexpr double kRandom = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::uint32_t> address;  //!< per group: the path index in its draw addresses
  std::vector<double> uniform;         //!< per dimension: a given uniform in (0, 1), or NaN to draw it
  //! true: given uniforms are used as they are (medians, tornado ends); false: they are
  //! samples (Latin hypercube, Sobol) and correlated parameters still pass through the copula.
  bool fixed = false;
  double level_uniform = kRandom;  //!< when set: every year's inflow level at this quantile
  double noise_factor = kRandom;   //!< when set: the monthly noise factor eps_m for every month
};

//! What is drawn on every path, fixed for a scenario.
class InputPlan {
 public:
  explicit InputPlan(const Scenario& scenario);

  //! Names of the recorded path-level values, one column each in /inputs/samples:
  //! "key" for an input drawn once, "key[YYYY]" per year for a per-year input, and
  //! "measure[<name>].effect" for a measure's effect.
  const std::vector<std::string>& recorded_names() const { return names_; }
  int dimensions() const { return dimensions_; }
  const std::vector<InputGroup>& groups() const { return groups_; }
  //! The group of the monthly noise, or -1 when the scenario has none.
  int noise_group() const { return noise_group_; }
  //! A key of dimension d that does not depend on which other dimensions exist: the ParamId,
  //! 0x10000 + the calendar year of an inflow innovation, or the measure's name hash | 2^31.
  std::uint32_t dimension_key(int d) const;
  //! The group that owns dimension d (-1 for a dimension that is fixed in this scenario).
  int group_of_dimension(int d) const { return group_of_dim_[static_cast<std::size_t>(d)]; }

  //! A source that draws everything from path `path`'s own addresses (plain Monte Carlo).
  RowSource own_source(std::uint32_t path) const;
  //! Every input at its median Q(0.5), the annual inflow at each year's median, noise 1.
  RowSource median_source(std::uint32_t path) const;
  //! The same into `source`, reusing its arrays (no allocation per path in a block's loop).
  void own_source(std::uint32_t path, RowSource& source) const;
  void median_source(std::uint32_t path, RowSource& source) const;

  //! Draws one row's inputs from `source`. `values` receives [param][year slot]
  //! (kParamCount x year_count), `inflow_level` the annual first inflow per year slot
  //! (persons/year), `effects` one multiplier per measure, `recorded` the values named by
  //! recorded_names().
  void draw(std::uint64_t seed, const RowSource& source, double* values, double* inflow_level, double* effects,
            double* recorded) const;

  //! Whether `other`, the plan of another scenario of the same run, draws every parameter and
  //! annual inflow level exactly as this one does on every path (the same tables, correlations,
  //! inflow correlation and years); their measures may differ. A variant that only adds
  //! measures can then take the baseline's draws and draw only its effects (draw_effects).
  bool same_parameter_draws(const InputPlan& other) const;
  //! The part of draw() after the parameters: the measure effects from `source`, and the
  //! recorded values of the row from its parameter values and inflow levels.
  void draw_effects(std::uint64_t seed, const RowSource& source, const double* values, const double* inflow_level,
                    double* effects, double* recorded) const;

 private:
  // Parts of the constructor: the copula of the correlated inputs, the recorded names, the
  // dimensions and groups, the numerical inverses.
  void build_inverses();
  void build_copula();
  void build_names();
  void build_groups();
  // The uniform of dimension d: given by `source`, or drawn from its group's source path.
  double dimension_uniform(std::uint64_t seed, const RowSource& source, int d, Stream stream, std::uint32_t item,
                           std::uint32_t period) const;

  const Scenario& scenario_;
  std::vector<ParamId> uncertain_;       // path-level inputs that need a uniform, one dimension each
  std::vector<int> copula_slot_;         // per ParamId: index into the copula, or -1
  std::vector<ParamId> copula_members_;  // in copula order (ascending ParamId)
  std::optional<GaussianCopula> copula_;
  std::vector<std::uint32_t> measure_items_;
  std::vector<std::string> names_;
  int dimensions_ = 0;
  int first_inflow_dim_ = 0;  // dimensions: [uncertain params][inflow years][measures]
  int first_measure_dim_ = 0;
  std::vector<int> group_of_dim_;
  std::vector<InputGroup> groups_;
  int noise_group_ = -1;
  // The set-up-once numerical inverses (core/numerical_inverse.h) of the distributions whose
  // quantile is expensive (beta, PERT), shared read-only by every thread; for the others a null
  // pointer, and Distribution::quantile is used. Per parameter and year slot, per year of the
  // annual inflow, per measure effect.
  std::vector<std::shared_ptr<const NumericalInverse>> inverses_;
  std::vector<const NumericalInverse*> param_inverse_;   // [param][year slot]
  std::vector<const NumericalInverse*> level_inverse_;   // [year slot]
  std::vector<const NumericalInverse*> effect_inverse_;  // [measure]
};

//! A sampling design: the sources of each row. Designs never depend on the thread that asks.
class PathDesign {
 public:
  virtual ~PathDesign() = default;
  virtual RowSource source(std::int64_t row) const = 0;
};

}  // namespace mppmc
