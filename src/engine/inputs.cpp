#include "engine/inputs.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/random.h"

namespace mppmc {

InputPlan::InputPlan(const Scenario& scenario) : scenario_(scenario), copula_slot_(kParamCount, -1) {
  for (const ParamInfo& info : parameters()) {
    if (info.id == ParamId::inflow_first_annual) continue;  // drawn per year through the AR(1)
    if (!scenario.param(info.id).is_fixed()) uncertain_.push_back(info.id);
  }
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
  for (const Measure& measure : scenario.measures)
    measure_items_.push_back(name_hash(measure.name.data(), measure.name.size()));

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

void InputPlan::draw(std::uint64_t seed, std::uint32_t path, bool deterministic, double* values,
                     double* inflow_level, double* effects, double* recorded) const {
  const int years = scenario_.year_count();
  const int first_year = scenario_.first_year();

  // Uniforms of the path-level inputs, then the copula over the correlated ones.
  std::array<double, kParamCount> u;
  u.fill(0.5);
  if (!deterministic) {
    for (ParamId id : uncertain_)
      u[index(id)] = uniform_at({seed, path, Stream::path_input, static_cast<std::uint32_t>(id), 0});
    if (copula_) {
      std::vector<double> block(copula_members_.size());
      for (std::size_t k = 0; k < block.size(); ++k) block[k] = u[index(copula_members_[k])];
      copula_->correlate(block.data());
      for (std::size_t k = 0; k < block.size(); ++k) u[index(copula_members_[k])] = block[k];
    }
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
      values[p * years + y] = (&d == previous) ? values[p * years + y - 1] : d.quantile(u[p]);
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
    double level_u = 0.5;
    if (!deterministic) {
      const double e = normal_at({seed, path, Stream::inflow_year, 0, static_cast<std::uint32_t>(year)});
      z = (y == 0) ? e : rho * z + innovation_scale * e;
      level_u = normal_cdf(z);
    }
    inflow_level[y] = annual.at(year).quantile(level_u);
  }

  for (std::size_t k = 0; k < scenario_.measures.size(); ++k) {
    const double mu = deterministic ? 0.5 : uniform_at({seed, path, Stream::measure_effect, measure_items_[k], 0});
    effects[k] = scenario_.measures[k].effect.quantile(mu);
  }

  // Record in the order of recorded_names().
  std::size_t column = 0;
  for (int y = 0; y < years; ++y) recorded[column++] = inflow_level[y];
  for (ParamId id : uncertain_) {
    const int p = index(id);
    if (scenario_.param(id).years.empty()) recorded[column++] = values[p * years];
    else
      for (int y = 0; y < years; ++y) recorded[column++] = values[p * years + y];
  }
  for (std::size_t k = 0; k < scenario_.measures.size(); ++k) recorded[column++] = effects[k];
}

}  // namespace mppmc
