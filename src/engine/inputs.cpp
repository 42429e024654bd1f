#include "engine/inputs.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/error.h"
#include "core/random.h"

namespace mppmc {

InputPlan::InputPlan(const Scenario& scenario) : scenario_(scenario), copula_slot_(kParamCount, -1) {
  for (const ParamInfo& info : parameters()) {
    if (info.id == ParamId::inflow_first_annual) continue;  // drawn per year through the AR(1)
    if (!scenario.param(info.id).is_fixed()) uncertain_.push_back(info.id);
  }
  for (const Measure& measure : scenario.measures)
    measure_items_.push_back(name_hash(measure.name.data(), measure.name.size()));
  build_copula();
  build_names();
  build_groups();
  build_inverses();
}

// Each distinct distribution's inverse is built once (a few milliseconds each); a parameter's
// years that share an entry share its inverse.
void InputPlan::build_inverses() {
  // Every distinct distribution once, in the order met; their inverses are set up in parallel
  // (a few ms each, most of a small run's start-up), each independently of the others, so the
  // thread that builds one does not matter.
  const int years = scenario_.year_count(), first_year = scenario_.first_year();
  std::vector<const Distribution*> distinct;
  auto slot_of = [&](const Distribution& d) {
    const auto it = std::find(distinct.begin(), distinct.end(), &d);
    if (it != distinct.end()) return static_cast<std::size_t>(it - distinct.begin());
    distinct.push_back(&d);
    return distinct.size() - 1;
  };
  std::vector<std::size_t> param_slot(static_cast<std::size_t>(kParamCount) * years, SIZE_MAX), level_slot, effect_slot;
  for (ParamId id : uncertain_)
    for (int y = 0; y < years; ++y)
      param_slot[static_cast<std::size_t>(index(id)) * years + y] = slot_of(scenario_.param(id).at(first_year + y));
  const YearTable& annual = scenario_.param(ParamId::inflow_first_annual);
  for (int y = 0; y < years; ++y) level_slot.push_back(slot_of(annual.at(first_year + y)));
  for (const Measure& measure : scenario_.measures) effect_slot.push_back(slot_of(measure.effect));

  inverses_.assign(distinct.size(), nullptr);
  tbb::parallel_for(std::size_t{0}, distinct.size(),
                    [&](std::size_t k) { inverses_[k] = distinct[k]->prepare_inverse(); });
  auto inverse = [&](std::size_t slot) { return slot == SIZE_MAX ? nullptr : inverses_[slot].get(); };
  param_inverse_.clear();
  for (std::size_t slot : param_slot) param_inverse_.push_back(inverse(slot));
  for (std::size_t slot : level_slot) level_inverse_.push_back(inverse(slot));
  for (std::size_t slot : effect_slot) effect_inverse_.push_back(inverse(slot));
}

void InputPlan::build_copula() {
  const Scenario& scenario = scenario_;
  // Only inputs named in a correlation pass through the copula: the others keep their
  // uniforms bit for bit, so adding a correlation changes no other draw.
  for (const Correlation& c : scenario.correlations) {
    copula_slot_[index(c.a)] = 0;
    copula_slot_[index(c.b)] = 0;
  }
  for (int p = 0; p < kParamCount; ++p)
    if (copula_slot_[p] == 0) {
      copula_slot_[p] = static_cast<int>(copula_members_.size());
      copula_members_.push_back(static_cast<ParamId>(p));
    }
  if (!copula_members_.empty()) {
    std::vector<std::pair<int, int>> pairs;
    std::vector<double> ranks;
    for (const Correlation& c : scenario.correlations) {
      pairs.emplace_back(copula_slot_[index(c.a)], copula_slot_[index(c.b)]);
      ranks.push_back(c.rank);
    }
    copula_ = GaussianCopula::build(static_cast<int>(copula_members_.size()), pairs, ranks);
    MPPMC_CHECK(copula_.has_value());  // the reader refuses matrices that are not positive definite
  }
}

void InputPlan::build_names() {
  const Scenario& scenario = scenario_;
  const int first_year = scenario.first_year();
  for (int y = 0; y < scenario.year_count(); ++y)
    names_.push_back("inflow.first.annual[" + std::to_string(first_year + y) + "]");
  for (ParamId id : uncertain_) {
    const ParamInfo& info = param_info(id);
    if (scenario.param(id).years.empty()) {
      names_.emplace_back(info.key);
    } else {
      for (int y = 0; y < scenario.year_count(); ++y)
        names_.push_back(std::string(info.key) + "[" + std::to_string(first_year + y) + "]");
    }
  }
  for (const Measure& measure : scenario.measures) names_.push_back("measure[" + measure.name + "].effect");
}

void InputPlan::build_groups() {
  const Scenario& scenario = scenario_;
  // Dimensions and groups. Correlated parameters form one group per connected component of
  // the correlations (their variance cannot be split between them).
  first_inflow_dim_ = static_cast<int>(uncertain_.size());
  first_measure_dim_ = first_inflow_dim_ + scenario.year_count();
  dimensions_ = first_measure_dim_ + static_cast<int>(scenario.measures.size());
  group_of_dim_.assign(static_cast<std::size_t>(dimensions_), -1);
  std::vector<int> component(kParamCount);
  for (int p = 0; p < kParamCount; ++p) component[p] = p;
  auto root = [&](int p) {
    while (component[p] != p) p = component[p];
    return p;
  };
  for (const Correlation& c : scenario.correlations) component[root(index(c.a))] = root(index(c.b));
  std::vector<int> group_of_root(kParamCount, -1);
  for (std::size_t d = 0; d < uncertain_.size(); ++d) {
    const int r = root(index(uncertain_[d]));
    if (group_of_root[r] < 0) {
      group_of_root[r] = static_cast<int>(groups_.size());
      groups_.push_back({"", {}, false, false});
    }
    InputGroup& g = groups_[group_of_root[r]];
    g.name += (g.name.empty() ? "" : " + ") + std::string(param_info(uncertain_[d]).key);
    g.dims.push_back(static_cast<int>(d));
    group_of_dim_[d] = group_of_root[r];
  }
  if (!scenario.param(ParamId::inflow_first_annual).is_fixed()) {
    InputGroup g{"inflow.first.annual", {}, false, true};
    for (int y = 0; y < scenario.year_count(); ++y) {
      g.dims.push_back(first_inflow_dim_ + y);
      group_of_dim_[first_inflow_dim_ + y] = static_cast<int>(groups_.size());
    }
    groups_.push_back(g);
  }
  if (scenario.monthly_noise_sd > 0.0) {
    noise_group_ = static_cast<int>(groups_.size());
    groups_.push_back({"monthly_noise", {}, true, false});
  }
  for (std::size_t k = 0; k < scenario.measures.size(); ++k) {
    if (scenario.measures[k].effect.is_fixed()) continue;
    const int d = first_measure_dim_ + static_cast<int>(k);
    group_of_dim_[d] = static_cast<int>(groups_.size());
    groups_.push_back({"measure[" + scenario.measures[k].name + "]", {d}, false, false});
  }
}

std::uint32_t InputPlan::dimension_key(int d) const {
  if (d < first_inflow_dim_) return static_cast<std::uint32_t>(uncertain_[static_cast<std::size_t>(d)]);
  if (d < first_measure_dim_)
    return 0x10000u + static_cast<std::uint32_t>(scenario_.first_year() + d - first_inflow_dim_);
  return measure_items_[static_cast<std::size_t>(d - first_measure_dim_)] | 0x80000000u;
}

void InputPlan::own_source(std::uint32_t path, RowSource& source) const {
  source.address.assign(groups_.size(), path);
  source.uniform.assign(static_cast<std::size_t>(dimensions_), RowSource::kRandom);
  source.fixed = false;
  source.level_uniform = RowSource::kRandom;
  source.noise_factor = RowSource::kRandom;
}

void InputPlan::median_source(std::uint32_t path, RowSource& source) const {
  own_source(path, source);
  source.uniform.assign(static_cast<std::size_t>(dimensions_), 0.5);
  source.fixed = true;
  source.level_uniform = 0.5;
  source.noise_factor = 1.0;
}

RowSource InputPlan::own_source(std::uint32_t path) const {
  RowSource source;
  own_source(path, source);
  return source;
}

RowSource InputPlan::median_source(std::uint32_t path) const {
  RowSource source;
  median_source(path, source);
  return source;
}

double InputPlan::dimension_uniform(std::uint64_t seed, const RowSource& source, int d, Stream stream,
                                    std::uint32_t item, std::uint32_t period) const {
  const double given = source.uniform[static_cast<std::size_t>(d)];
  if (!std::isnan(given)) return given;
  const int g = group_of_dim_[static_cast<std::size_t>(d)];
  const std::uint32_t path = g >= 0                   ? source.address[static_cast<std::size_t>(g)]
                             : source.address.empty() ? 0
                                                      : source.address[0];
  return uniform_at({seed, path, stream, item, period});
}

void InputPlan::draw(std::uint64_t seed, const RowSource& source, double* values, double* inflow_level, double* effects,
                     double* recorded) const {
  const int years = scenario_.year_count();
  const int first_year = scenario_.first_year();
  auto uniform = [&](int d, Stream stream, std::uint32_t item, std::uint32_t period) {
    return dimension_uniform(seed, source, d, stream, item, period);
  };

  // Uniforms of the path-level inputs, then the copula over the correlated ones (not over
  // uniforms fixed on purpose, such as a tornado's ends).
  std::array<double, kParamCount> u;
  u.fill(0.5);
  for (std::size_t d = 0; d < uncertain_.size(); ++d)
    u[index(uncertain_[d])] =
        uniform(static_cast<int>(d), Stream::path_input, static_cast<std::uint32_t>(uncertain_[d]), 0);
  if (copula_ && !source.fixed) {
    std::array<double, kParamCount> block;  // on the stack: no allocation per path
    for (std::size_t k = 0; k < copula_members_.size(); ++k) block[k] = u[index(copula_members_[k])];
    copula_->correlate(block.data());
    for (std::size_t k = 0; k < copula_members_.size(); ++k) u[index(copula_members_[k])] = block[k];
  }
  for (int p = 0; p < kParamCount; ++p) {
    if (p == index(ParamId::inflow_first_annual)) {  // its levels come from the AR(1) below
      std::fill_n(values + p * years, years, 0.0);
      continue;
    }
    // Evaluate each distinct entry once: quantile transforms (beta, metalog) are the costly part.
    const YearTable& table = scenario_.params[p];
    const Distribution* previous = nullptr;
    for (int y = 0; y < years; ++y) {
      const Distribution& d = table.at(first_year + y);
      const NumericalInverse* inverse = param_inverse_[static_cast<std::size_t>(p) * years + y];
      values[p * years + y] = (&d == previous) ? values[p * years + y - 1]
                              : inverse        ? inverse->quantile(u[p])
                                               : d.quantile(u[p]);
      previous = &d;
    }
  }

  // Annual inflow: latent AR(1) z_y = rho z_{y-1} + sqrt(1 - rho^2) e_y, level Q_y(Phi(z_y)).
  const double rho = scenario_.year_correlation;
  const double innovation_scale = std::sqrt(std::max(0.0, 1.0 - rho * rho));
  const YearTable& annual = scenario_.param(ParamId::inflow_first_annual);
  double z = 0.0;
  for (int y = 0; y < years; ++y) {
    const int year = first_year + y;
    double level_u = source.level_uniform;
    if (std::isnan(level_u)) {
      const double e =
          normal_quantile(uniform(first_inflow_dim_ + y, Stream::inflow_year, 0, static_cast<std::uint32_t>(year)));
      z = (y == 0) ? e : rho * z + innovation_scale * e;
      level_u = normal_cdf(z);
    }
    const NumericalInverse* inverse = level_inverse_[static_cast<std::size_t>(y)];
    inflow_level[y] = inverse ? inverse->quantile(level_u) : annual.at(year).quantile(level_u);
  }

  draw_effects(seed, source, values, inflow_level, effects, recorded);
}

bool InputPlan::same_parameter_draws(const InputPlan& other) const {
  const Scenario& a = scenario_;
  const Scenario& b = other.scenario_;
  // The uncertain inputs and the copula follow from the tables and the correlations.
  return a.params == b.params && a.correlations == b.correlations && a.year_correlation == b.year_correlation &&
         a.first_year() == b.first_year() && a.year_count() == b.year_count();
}

void InputPlan::draw_effects(std::uint64_t seed, const RowSource& source, const double* values,
                             const double* inflow_level, double* effects, double* recorded) const {
  const int years = scenario_.year_count();
  for (std::size_t k = 0; k < scenario_.measures.size(); ++k) {
    const double mu = dimension_uniform(seed, source, first_measure_dim_ + static_cast<int>(k), Stream::measure_effect,
                                        measure_items_[k], 0);
    const NumericalInverse* inverse = effect_inverse_[k];
    effects[k] = inverse ? inverse->quantile(mu) : scenario_.measures[k].effect.quantile(mu);
  }

  // Record in the order of recorded_names().
  std::size_t column = 0;
  for (int y = 0; y < years; ++y) recorded[column++] = inflow_level[y];
  for (ParamId id : uncertain_) {
    const int p = index(id);
    if (scenario_.param(id).years.empty())
      recorded[column++] = values[p * years];
    else
      for (int y = 0; y < years; ++y) recorded[column++] = values[p * years + y];
  }
  for (std::size_t k = 0; k < scenario_.measures.size(); ++k) recorded[column++] = effects[k];
}

}  // namespace mppmc
