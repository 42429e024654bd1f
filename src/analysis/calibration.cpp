#include "analysis/calibration.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.h"
#include "engine/statistics.h"

namespace mppmc {

namespace {

std::string persons(double value) {
  std::ostringstream out;
  out.precision(0);
  out << std::fixed << value;
  return out.str();
}

std::array<double, 3> probabilities(const CalibrationTarget& target) {
  return {target.percentiles[0] / 100.0, target.percentiles[1] / 100.0, target.percentiles[2] / 100.0};
}

}  // namespace

void check_target(const Scenario& scenario, const CalibrationTarget& target) {
  std::vector<Problem> problems;
  if (target.series != SeriesId::total_inflow && target.series != SeriesId::inflow_first)
    problems.push_back(Problem::general("--series must be total_inflow or inflow_first"));
  if (target.year < scenario.first_year() || target.year > scenario.last_year())
    problems.push_back(Problem::general("--year " + std::to_string(target.year) +
                                        " is outside the scenario's horizon (" + std::to_string(scenario.first_year()) +
                                        "-" + std::to_string(scenario.last_year()) + ")"));
  const auto& b = target.band;
  if (!(b[0] > 0 && b[0] < b[1] && b[1] < b[2]))
    problems.push_back(Problem::general("--band " + persons(b[0]) + "," + persons(b[1]) + "," + persons(b[2]) +
                                        ": needs 0 < minimum < medio < maximum"));
  const auto& p = target.percentiles;
  if (!(p[0] > 0 && p[0] < p[1] && p[1] < p[2] && p[2] < 100))
    problems.push_back(Problem::general("--percentiles must be three increasing numbers strictly between 0 and 100"));
  if (!problems.empty()) throw InputError(problems);
}

Scenario with_annual_entry(const Scenario& scenario, int year, const Distribution& entry) {
  Scenario s = scenario;
  YearTable& table = s.params[index(ParamId::inflow_first_annual)];
  const Distribution next = table.at(year + 1);  // what the following year had, before the change
  YearTable updated;
  auto put = [&](int y, const Distribution& d) {
    updated.years.push_back(y);
    updated.values.push_back(d);
  };
  if (table.years.empty()) {
    // A plain value held for every year: keep it before and after the calibrated year.
    if (year > s.first_year()) put(s.first_year(), table.values.front());
    put(year, entry);
    put(year + 1, next);
  } else {
    bool placed = false, has_next = false;
    for (std::size_t k = 0; k < table.years.size(); ++k) {
      const int y = table.years[k];
      if (y == year + 1) has_next = true;
      if (y > year && !placed) {
        put(year, entry);
        placed = true;
        if (y != year + 1) {
          put(year + 1, next);
          has_next = true;
        }
      }
      if (y != year) put(y, table.values[k]);
    }
    if (!placed) put(year, entry);
    if (!has_next) put(year + 1, next);
    // Years before the first entry take the first entry: if the calibrated year is now first,
    // the years before it would change; pin them to what they had.
    if (updated.years.front() == year && year > s.first_year() && !table.years.empty()) {
      updated.years.insert(updated.years.begin(), s.first_year());
      updated.values.insert(updated.values.begin(), table.at(s.first_year()));
    }
  }
  table = std::move(updated);
  return s;
}

namespace {

// The metalog through the quantiles q at the target's probabilities; an InputError saying why
// the band cannot be reached when they do not make a distribution.
Distribution band_entry(const CalibrationTarget& target, const std::array<double, 3>& q) {
  const std::array<double, 3> p = probabilities(target);
  try {
    return Distribution::quantiles(
        fit_metalog({p[0], p[1], p[2]}, {q[0], q[1], q[2]}, 0.0, std::numeric_limits<double>::infinity()));
  } catch (const std::invalid_argument& e) {
    std::ostringstream why;
    if (q == target.band)
      why << "the band " << persons(q[0]) << " / " << persons(q[1]) << " / " << persons(q[2])
          << " is too skewed for a three-point metalog to pass through (" << e.what() << ")";
    else
      why << "the band cannot be reached: the first-application quantiles it needs (" << persons(q[0]) << ", "
          << persons(q[1]) << ", " << persons(q[2]) << ") do not make a distribution (" << e.what() << ")";
    throw InputError(why.str());
  }
}

// The simulated percentiles of the target's series in its year, with `entry` for that year.
std::array<double, 3> achieved(const Scenario& base, const CalibrationTarget& target, const Distribution& entry,
                               const SimulationSettings& settings) {
  const std::vector<double> percents(target.percentiles.begin(), target.percentiles.end());
  const SimulationResult result = simulate(with_annual_entry(base, target.year, entry), settings);
  std::vector<double> scratch;
  const std::vector<double> got = percentiles_type7(result.annual(target.series, target.year - base.first_year()),
                                                    result.paths(), percents, scratch);
  return {got[0], got[1], got[2]};
}

// The quantiles of the next iteration from q (which gave a) and the iteration before: a secant
// step on each quantile once two points are known, a proportional step before (the series
// grows about in proportion to first applications); a step is limited to a factor 2 either
// way. An InputError when the band cannot be reached.
std::array<double, 3> next_quantiles(const CalibrationTarget& target, int iteration, const std::array<double, 3>& q,
                                     const std::array<double, 3>& a, const std::array<double, 3>& previous_q,
                                     const std::array<double, 3>& previous_a) {
  std::array<double, 3> next{};
  for (int k = 0; k < 3; ++k) {
    double step_to = q[k] * target.band[k] / a[k];
    if (iteration > 1 && q[k] != previous_q[k]) {
      const double slope = (a[k] - previous_a[k]) / (q[k] - previous_q[k]);
      if (slope > 0 && std::isfinite(slope)) step_to = q[k] + (target.band[k] - a[k]) / slope;
    }
    // Whole persons: the written file stays readable, and 1 person is far below the tolerance.
    next[k] = std::round(std::clamp(step_to, 0.5 * q[k], 2.0 * q[k]));
    if (!(next[k] > 0.0) || (a[k] > target.band[k] && q[k] < 0.01 * target.band[k])) {
      std::ostringstream why;
      why << "the band cannot be reached: even with almost no first applications (" << persons(q[k]) << ") at the "
          << target.percentiles[k] << "th percentile, " << series()[index(target.series)].name << " in " << target.year
          << " is " << persons(a[k]) << " there (repeat applications and nareis arrivals alone), above the target "
          << persons(target.band[k]);
      throw InputError(why.str());
    }
  }
  if (!(next[0] < next[1] && next[1] < next[2])) {
    std::ostringstream why;
    why << "the band cannot be reached: matching it would need first-application quantiles " << persons(next[0]) << ", "
        << persons(next[1]) << ", " << persons(next[2]) << ", which do not increase (the other parts of "
        << series()[index(target.series)].name << " spread more than the gaps in the band allow)";
    throw InputError(why.str());
  }
  return next;
}

}  // namespace

CalibrationResult calibrate(const Scenario& scenario, const CalibrationTarget& target,
                            const SimulationSettings& settings, const CalibrationLog& log) {
  check_target(scenario, target);
  // Only months up to the end of the target year matter for its annual value.
  Scenario base = scenario;
  base.horizon_months = std::min(scenario.horizon_months, (target.year + 1) * 12 - scenario.start);

  CalibrationResult out;
  std::array<double, 3> q = target.band, previous_q{}, previous_a{};
  for (int iteration = 1; iteration <= target.max_iterations; ++iteration) {
    out.distribution = band_entry(target, q);
    const std::array<double, 3> a = achieved(base, target, out.distribution, settings);
    if (log) log(iteration, q, a);
    out.quantiles = q;
    out.achieved = a;
    out.iterations = iteration;
    bool converged = true;
    for (int k = 0; k < 3; ++k)
      converged = converged && std::abs(a[k] - target.band[k]) <= target.tolerance * target.band[k];
    if (converged) return out;
    const std::array<double, 3> next = next_quantiles(target, iteration, q, a, previous_q, previous_a);
    previous_q = q;
    previous_a = a;
    q = next;
  }
  std::ostringstream why;
  why << "the calibration did not converge in " << target.max_iterations << " iterations; last achieved "
      << persons(out.achieved[0]) << ", " << persons(out.achieved[1]) << ", " << persons(out.achieved[2]) << " against "
      << persons(target.band[0]) << ", " << persons(target.band[1]) << ", " << persons(target.band[2]);
  throw InputError(why.str());
}

}  // namespace mppmc
