#include "analysis/skill.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <tuple>

#include "core/normal.h"
#include "engine/statistics.h"

namespace mppmc {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Type 7 on sorted values (the results file's percentile definition, docs/hdf5-schema.md).
double type7(const std::vector<double>& sorted, double p) {
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return interpolate_type7(sorted[lo], sorted[lo + 1], h - static_cast<double>(lo));
}
}  // namespace

Predictive Predictive::from_sample(std::vector<double> values) {
  if (values.empty()) throw std::invalid_argument("a forecast sample needs at least one value");
  for (double v : values)
    if (!std::isfinite(v)) throw std::invalid_argument("a forecast sample holds a value that is not finite");
  Predictive f;
  f.sample_ = true;
  std::sort(values.begin(), values.end());
  const double n = static_cast<double>(values.size());
  double sum = 0;
  for (std::size_t i = 0; i < values.size(); ++i) sum += (2.0 * static_cast<double>(i + 1) - n - 1.0) * values[i];
  f.half_mean_difference_ = sum / (n * n);
  f.values_ = std::move(values);
  return f;
}

Predictive Predictive::from_quantiles(std::vector<double> levels, std::vector<double> values) {
  if (levels.size() < 2 || levels.size() != values.size())
    throw std::invalid_argument("stored quantiles need at least two levels and one value per level");
  for (std::size_t k = 0; k < levels.size(); ++k) {
    if (!(levels[k] > 0 && levels[k] < 1)) throw std::invalid_argument("quantile levels must lie in (0, 1)");
    if (!std::isfinite(values[k])) throw std::invalid_argument("a stored quantile is not finite");
    if (k > 0 && !(levels[k] > levels[k - 1])) throw std::invalid_argument("quantile levels must increase");
    if (k > 0 && values[k] < values[k - 1]) throw std::invalid_argument("stored quantiles must not decrease");
  }
  Predictive f;
  f.levels_ = std::move(levels);
  f.values_ = std::move(values);
  // Each tail: the normal through the outermost point and the nearest point with another value.
  const std::size_t last = f.values_.size() - 1;
  f.lower_mean_ = f.values_.front();
  f.upper_mean_ = f.values_.back();
  for (std::size_t j = 1; j <= last; ++j)
    if (f.values_[j] > f.values_[0]) {
      const double z0 = normal_quantile(f.levels_[0]), zj = normal_quantile(f.levels_[j]);
      f.lower_sd_ = (f.values_[j] - f.values_[0]) / (zj - z0);
      f.lower_mean_ = f.values_[0] - f.lower_sd_ * z0;
      break;
    }
  for (std::size_t j = last; j-- > 0;)
    if (f.values_[j] < f.values_[last]) {
      const double zl = normal_quantile(f.levels_[last]), zj = normal_quantile(f.levels_[j]);
      f.upper_sd_ = (f.values_[last] - f.values_[j]) / (zl - zj);
      f.upper_mean_ = f.values_[last] - f.upper_sd_ * zl;
      break;
    }
  return f;
}

double Predictive::quantile(double p) const {
  if (sample_) return type7(values_, p);
  const std::size_t last = values_.size() - 1;
  if (p < levels_.front()) return lower_mean_ + lower_sd_ * normal_quantile(p);
  if (p > levels_.back()) return upper_mean_ + upper_sd_ * normal_quantile(p);
  const std::size_t j = std::min<std::size_t>(
      static_cast<std::size_t>(std::upper_bound(levels_.begin(), levels_.end(), p) - levels_.begin()), last);
  const std::size_t i = j - 1;  // levels_[i] <= p <= levels_[j]
  const double t = (p - levels_[i]) / (levels_[j] - levels_[i]);
  return values_[i] + t * (values_[j] - values_[i]);
}

double Predictive::cdf(double y) const {
  if (sample_)
    return static_cast<double>(std::upper_bound(values_.begin(), values_.end(), y) - values_.begin()) /
           static_cast<double>(values_.size());
  if (y < values_.front()) return lower_sd_ > 0 ? normal_cdf((y - lower_mean_) / lower_sd_) : 0.0;
  if (y >= values_.back()) return upper_sd_ > 0 ? normal_cdf((y - upper_mean_) / upper_sd_) : 1.0;
  // The largest i with values_[i] <= y; then values_[i + 1] > y.
  const std::size_t i =
      static_cast<std::size_t>(std::upper_bound(values_.begin(), values_.end(), y) - values_.begin()) - 1;
  return levels_[i] + (levels_[i + 1] - levels_[i]) * (y - values_[i]) / (values_[i + 1] - values_[i]);
}

double Predictive::probability_below(double y) const {
  if (sample_)
    return static_cast<double>(std::lower_bound(values_.begin(), values_.end(), y) - values_.begin()) /
           static_cast<double>(values_.size());
  if (y <= values_.front()) return lower_sd_ > 0 ? normal_cdf((y - lower_mean_) / lower_sd_) : 0.0;
  if (y > values_.back()) return upper_sd_ > 0 ? normal_cdf((y - upper_mean_) / upper_sd_) : 1.0;
  // The smallest j with values_[j] >= y (j >= 1 here); then values_[j - 1] < y.
  const std::size_t j = static_cast<std::size_t>(std::lower_bound(values_.begin(), values_.end(), y) - values_.begin());
  return levels_[j - 1] + (levels_[j] - levels_[j - 1]) * (y - values_[j - 1]) / (values_[j] - values_[j - 1]);
}

double Predictive::pit(double y) const {
  if (sample_) {
    const auto below = std::lower_bound(values_.begin(), values_.end(), y) - values_.begin();
    const auto at_or_below = std::upper_bound(values_.begin(), values_.end(), y) - values_.begin();
    return (static_cast<double>(below) + 0.5 * static_cast<double>(at_or_below - below) + 0.5) /
           (static_cast<double>(values_.size()) + 1.0);
  }
  return 0.5 * (probability_below(y) + cdf(y));
}

double Predictive::crps(double y) const {
  if (sample_) {
    double absolute = 0;
    for (double x : values_) absolute += std::abs(x - y);
    return absolute / static_cast<double>(values_.size()) - half_mean_difference_;
  }
  double sum = 0;
  for (int k = 1; k <= kCrpsLevels; ++k) {
    const double tau = (k - 0.5) / kCrpsLevels;
    sum += pinball_loss(quantile(tau), tau, y);
  }
  return 2.0 * sum / kCrpsLevels;
}

std::optional<double> Predictive::medio() const {
  if (sample_) return type7(values_, 0.5);
  for (std::size_t k = 0; k < levels_.size(); ++k)
    if (std::abs(levels_[k] - 0.5) < 1e-12) return values_[k];
  return std::nullopt;
}

double interval_score(double lower, double upper, double alpha, double y) {
  double score = upper - lower;
  if (y < lower) score += 2.0 / alpha * (lower - y);
  if (y > upper) score += 2.0 / alpha * (y - upper);
  return score;
}

double pinball_loss(double q, double tau, double y) {
  return ((y < q ? 1.0 : 0.0) - tau) * (q - y);
}

PeriodScore score_period(const Predictive& f, const Band& band, double y) {
  PeriodScore s;
  s.pit = f.pit(y);
  auto covered = [&](double central) {
    return f.quantile(0.5 - central / 2) <= y && y <= f.quantile(0.5 + central / 2);
  };
  s.covered_50 = covered(0.5);
  s.covered_80 = covered(0.8);
  s.covered_90 = covered(0.9);
  s.covered_band = band.low <= y && y <= band.high;
  s.interval_score =
      interval_score(f.quantile(kIntervalAlpha / 2), f.quantile(1 - kIntervalAlpha / 2), kIntervalAlpha, y);
  s.crps = f.crps(y);
  const std::optional<double> medio = f.medio();
  s.log_ratio = medio && *medio > 0 && y > 0 ? std::log(y / *medio) : kNaN;
  s.band_position = band.high > band.low ? (y - band.low) / (band.high - band.low) : kNaN;
  return s;
}

std::vector<SkillSummary> summarize_skill(const std::vector<ScoredPeriod>& rows) {
  // Key (group, series, horizon) with the all-horizons row sorted after its series' horizons.
  using Key = std::tuple<std::string, std::string, int>;
  std::map<Key, std::vector<const ScoredPeriod*>> groups;
  constexpr int kAll = std::numeric_limits<int>::max();
  for (const ScoredPeriod& r : rows) {
    groups[{r.group, r.series, r.horizon}].push_back(&r);
    groups[{r.group, r.series, kAll}].push_back(&r);
  }
  std::vector<SkillSummary> out;
  for (const auto& [key, members] : groups) {
    SkillSummary s;
    s.group = std::get<0>(key);
    s.series = std::get<1>(key);
    s.horizon = std::get<2>(key) == kAll ? -1 : std::get<2>(key);
    s.count = static_cast<int>(members.size());
    double bias = 0;
    for (const ScoredPeriod* r : members) {  // in input order within the key: deterministic
      s.coverage_50 += r->score.covered_50;
      s.coverage_80 += r->score.covered_80;
      s.coverage_90 += r->score.covered_90;
      s.coverage_band += r->score.covered_band;
      s.band_nominal += r->band_nominal;
      s.mean_interval_score += r->score.interval_score;
      s.mean_crps += r->score.crps;
      s.mean_pit += r->score.pit;
      if (std::isfinite(r->score.log_ratio)) {
        bias += r->score.log_ratio;
        ++s.bias_count;
      }
    }
    const double n = s.count;
    for (double* v : {&s.coverage_50, &s.coverage_80, &s.coverage_90, &s.coverage_band, &s.band_nominal,
                      &s.mean_interval_score, &s.mean_crps, &s.mean_pit})
      *v /= n;
    s.bias = s.bias_count > 0 ? bias / s.bias_count : kNaN;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace mppmc
