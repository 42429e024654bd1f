#include "analysis/inflow_fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>

#include "core/boost_math.h"
#include "core/error.h"
#include "core/random.h"
#include "engine/statistics.h"

namespace mppmc {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMinRandomWalkYears = 4;  // 3 increments: a Student-t with 2 degrees of freedom
constexpr int kMinAr1Years = 6;         // 5 pairs, 3 residual degrees of freedom
constexpr int kMinExpertErrors = 3;
constexpr int kMinNowcastYears = 3;  // past years with the same quarters and an annual value

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double sample_sd(const std::vector<double>& v) {
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

// The log levels x_t = ln A_t of the years first_year..through: annual values, and for `through`
// itself, when it has no annual value, a nowcast from its first quarters.
struct LogLevels {
  std::vector<double> x;       // x[t] is year first_year + t; the last one may be a nowcast
  int complete = 0;            // leading entries that are annual values
  double origin_variance = 0;  // variance of the nowcast's log error (0 without a nowcast)
};

std::optional<Nowcast> nowcast_year(const InflowHistory& h, int year) {
  // The observed first quarters of `year`: consecutive from Q1.
  int quarters = 0;
  double observed = 0;
  for (int q = 0; q < 4; ++q) {
    const int at = 4 * year + q - h.first_quarter;
    if (at < 0 || at >= static_cast<int>(h.quarterly.size())) break;
    observed += h.quarterly[at];
    ++quarters;
  }
  if (quarters == 0 || observed <= 0) return std::nullopt;
  // Past years: log of (the same quarters' sum / the annual value); the definitions of the two
  // sources may differ (CBS quarters vs IND annual), which this ratio absorbs.
  std::vector<double> log_shares;
  for (int y = h.first_year; y < year; ++y) {
    const int a = y - h.first_year;
    if (a >= static_cast<int>(h.annual.size()) || h.annual[a] <= 0) continue;
    double sum = 0;
    bool all = true;
    for (int q = 0; q < quarters; ++q) {
      const int at = 4 * y + q - h.first_quarter;
      if (at < 0 || at >= static_cast<int>(h.quarterly.size())) all = false;
      if (all) sum += h.quarterly[at];
    }
    if (all && sum > 0) log_shares.push_back(std::log(sum / h.annual[a]));
  }
  if (static_cast<int>(log_shares.size()) < kMinNowcastYears) return std::nullopt;
  Nowcast n;
  n.year = year;
  n.quarters = quarters;
  n.observed = observed;
  const double median = median_of(log_shares);
  n.share = std::exp(median);
  double ss = 0;  // spread around the median used: the nowcast's own error
  for (double l : log_shares) ss += (l - median) * (l - median);
  n.log_sd = std::sqrt(ss / static_cast<double>(log_shares.size() - 1));
  n.past_years = static_cast<int>(log_shares.size());
  return n;
}

LogLevels log_levels(const InflowHistory& h, int through, std::optional<Nowcast>& nowcast) {
  if (h.annual.empty()) throw InputError("the history has no annual values");
  if (through < h.first_year)
    throw InputError("through = " + std::to_string(through) + " is before the history's first year " +
                     std::to_string(h.first_year) + ": no data to fit");
  const int last_annual = h.first_year + static_cast<int>(h.annual.size()) - 1;
  LogLevels out;
  for (int y = h.first_year; y <= std::min(through, last_annual); ++y) {
    const double a = h.annual[y - h.first_year];
    if (!(a > 0))
      throw InputError("the history's value for " + std::to_string(y) + " is " + fixed(a, 0) +
                       "; the models work on logarithms and need every year above 0");
    out.x.push_back(std::log(a));
  }
  out.complete = static_cast<int>(out.x.size());
  if (through > last_annual) {
    if (through == last_annual + 1) nowcast = nowcast_year(h, through);
    if (!nowcast)
      throw InputError("the history ends in " + std::to_string(last_annual) +
                       " but through = " + std::to_string(through) +
                       (through == last_annual + 1 ? ", and no quarters of " + std::to_string(through) +
                                                         " (with 3 or more earlier years to scale them) complete it"
                                                   : "; give through <= " + std::to_string(last_annual + 1)));
    out.x.push_back(std::log(nowcast->observed / nowcast->share));
    out.origin_variance = nowcast->log_sd * nowcast->log_sd;
  }
  return out;
}

// Ordinary least squares of x_t on (1, x_{t-1}) over the pairs of x[0..n).
struct Ar1Estimate {
  double c = 0, phi = 0, s = 0;  // intercept, slope, residual sd (RSS / (m - 2))
  double mean_lag = 0, sxx = 0;
  int pairs = 0;
};
Ar1Estimate least_squares(const double* x, int n) {
  Ar1Estimate e;
  e.pairs = n - 1;
  const double m = e.pairs;
  double mean_lag = 0, mean_now = 0;
  for (int t = 1; t < n; ++t) {
    mean_lag += x[t - 1];
    mean_now += x[t];
  }
  mean_lag /= m;
  mean_now /= m;
  double sxx = 0, sxy = 0;
  for (int t = 1; t < n; ++t) {
    sxx += (x[t - 1] - mean_lag) * (x[t - 1] - mean_lag);
    sxy += (x[t - 1] - mean_lag) * (x[t] - mean_now);
  }
  e.phi = sxx > 0 ? sxy / sxx : 0.0;
  e.c = mean_now - e.phi * mean_lag;
  double rss = 0;
  for (int t = 1; t < n; ++t) {
    const double r = x[t] - e.c - e.phi * x[t - 1];
    rss += r * r;
  }
  e.s = std::sqrt(rss / (m - 2));
  e.mean_lag = mean_lag;
  e.sxx = sxx;
  return e;
}

// Pearson correlation of the normal scores of two equally long samples (ties get their mean rank
// order by index, which cannot happen for continuous draws).
double normal_score_correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n = a.size();
  auto scores = [n](const std::vector<double>& v) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return v[i] < v[j]; });
    std::vector<double> z(n);
    for (std::size_t r = 0; r < n; ++r)
      z[order[r]] = normal_quantile((static_cast<double>(r) + 0.5) / static_cast<double>(n));
    return z;
  };
  const std::vector<double> za = scores(a), zb = scores(b);
  double saa = 0, sbb = 0, sab = 0;  // normal scores have mean 0 by symmetry
  for (std::size_t i = 0; i < n; ++i) {
    saa += za[i] * za[i];
    sbb += zb[i] * zb[i];
    sab += za[i] * zb[i];
  }
  return sab / std::sqrt(saa * sbb);
}

// The consecutive pairs of forecast years (indices); with a single year, that year and the next
// (index 1, which the callers provide as an extra horizon).
std::vector<std::pair<int, int>> consecutive_pairs(std::size_t years) {
  std::vector<std::pair<int, int>> pairs;
  for (std::size_t k = 1; k < years; ++k) pairs.push_back({static_cast<int>(k) - 1, static_cast<int>(k)});
  if (years == 1) pairs.push_back({0, 1});
  return pairs;
}

// Forecast horizons h_k = years[k] - through, plus one beyond a single year (see consecutive_pairs).
std::vector<int> horizons_of(const FitOptions& o) {
  std::vector<int> h;
  for (int y : o.years) h.push_back(y - o.through);
  if (h.size() == 1) h.push_back(h.front() + 1);
  return h;
}

void set_correlations(InflowFit& fit, const std::vector<double>& correlations) {
  fit.consecutive_correlations = correlations;
  fit.year_correlation =
      std::accumulate(correlations.begin(), correlations.end(), 0.0) / static_cast<double>(correlations.size());
}

// Predictive quantiles exp(center + scale * T_df(p)) at kFitLevels.
YearPredictive t_predictive(int year, int horizon, double center, double scale, double df) {
  YearPredictive p;
  p.year = year;
  p.horizon = horizon;
  p.levels = kFitLevels;
  for (double level : kFitLevels) p.quantiles.push_back(std::exp(center + scale * student_t_quantile(level, df)));
  return p;
}

void fit_random_walk(const LogLevels& l, const FitOptions& o, InflowFit& fit) {
  const int n = l.complete;
  if (n < kMinRandomWalkYears)
    throw InputError("the random walk needs " + std::to_string(kMinRandomWalkYears) +
                     " or more years of annual data up to " + std::to_string(o.through) + "; the history has " +
                     std::to_string(n));
  const double m = n - 1;  // increments
  std::vector<double> d;
  for (int t = 1; t < n; ++t) d.push_back(l.x[t] - l.x[t - 1]);
  const double mu = (l.x[n - 1] - l.x[0]) / m;
  const double s = sample_sd(d);
  const double df = m - 1;
  const double origin = l.x.back();
  const double tau2 = l.origin_variance;
  fit.estimates = {{"drift (log per year)", mu, s / std::sqrt(m)},
                   {"volatility (sd of the yearly log change)", s, s / std::sqrt(2 * df)},
                   {"degrees of freedom", df, kNaN},
                   {"origin level (persons/year)", std::exp(origin), kNaN}};
  for (int y : o.years) {
    const double h = y - o.through;
    fit.years.push_back(t_predictive(y, y - o.through, origin + h * mu, std::sqrt(s * s * (h + h * h / m) + tau2), df));
  }
  // Cov(x_{n+h}, x_{n+k}) = s^2 (min(h, k) + h k / m) + tau^2: a common drift error and the shared steps.
  const std::vector<int> h = horizons_of(o);
  auto cov = [&](double a, double b) { return s * s * (std::min(a, b) + a * b / m) + tau2; };
  std::vector<double> correlations;
  for (auto [i, j] : consecutive_pairs(o.years.size()))
    correlations.push_back(cov(h[i], h[j]) / std::sqrt(cov(h[i], h[i]) * cov(h[j], h[j])));
  set_correlations(fit, correlations);
  fit.method = "log random walk with drift, " + std::to_string(n - 1) +
               " yearly log changes; predictive Student-t with " + fixed(df, 0) +
               " degrees of freedom, scale s sqrt(h + h^2/m) (the drift's estimation error included)";
}

void fit_ar1(const LogLevels& l, const FitOptions& o, InflowFit& fit) {
  const int n = l.complete;
  if (n < kMinAr1Years)
    throw InputError("the AR(1) model needs " + std::to_string(kMinAr1Years) + " or more years of annual data up to " +
                     std::to_string(o.through) + "; the history has " + std::to_string(n));
  const Ar1Estimate e = least_squares(l.x.data(), n);
  const double m = e.pairs;
  const double var_phi = e.s * e.s / e.sxx;
  const double var_c = e.s * e.s * (1 / m + e.mean_lag * e.mean_lag / e.sxx);
  const double cov_c_phi = -e.mean_lag * e.s * e.s / e.sxx;
  double level = kNaN, level_se = kNaN;
  if (e.phi < 1) {  // the level c / (1 - phi), its standard error by the delta method
    level = e.c / (1 - e.phi);
    const double gc = 1 / (1 - e.phi), gphi = e.c / ((1 - e.phi) * (1 - e.phi));
    level_se = std::sqrt(gc * gc * var_c + 2 * gc * gphi * cov_c_phi + gphi * gphi * var_phi);
  }
  fit.estimates = {{"phi (lag-one coefficient)", e.phi, std::sqrt(var_phi)},
                   {"c (intercept, log)", e.c, std::sqrt(var_c)},
                   {"level (log, c / (1 - phi))", level, level_se},
                   {"level (persons/year)", std::exp(level), std::exp(level) * level_se},
                   {"sigma (residual sd, log)", e.s, e.s / std::sqrt(2 * (m - 2))}};

  // Parametric bootstrap: replicate b simulates a history from (c, phi, s) starting at the
  // first observed year, re-estimates, then simulates `futures` paths from the observed origin.
  const std::vector<int> h = horizons_of(o);
  const int max_h = *std::max_element(h.begin(), h.end());
  const std::size_t draws = static_cast<std::size_t>(o.replicates) * static_cast<std::size_t>(o.futures);
  std::vector<std::vector<double>> samples(h.size(), std::vector<double>(draws));
  std::vector<double> series(static_cast<std::size_t>(n));
  int explosive = 0;
  for (int b = 0; b < o.replicates; ++b) {
    const auto path = static_cast<std::uint32_t>(b);
    series[0] = l.x[0];
    for (int t = 1; t < n; ++t)
      series[t] =
          e.c + e.phi * series[t - 1] + e.s * normal_at({o.seed, path, Stream::fit, 0, static_cast<std::uint32_t>(t)});
    const Ar1Estimate r = least_squares(series.data(), n);
    explosive += r.phi >= 1;
    for (int j = 0; j < o.futures; ++j) {
      const auto item = static_cast<std::uint32_t>(1 + j);
      double x = l.x.back();
      if (l.origin_variance > 0) x += std::sqrt(l.origin_variance) * normal_at({o.seed, path, Stream::fit, item, 0});
      for (int step = 1; step <= max_h; ++step) {
        x = r.c + r.phi * x + r.s * normal_at({o.seed, path, Stream::fit, item, static_cast<std::uint32_t>(step)});
        for (std::size_t i = 0; i < h.size(); ++i)
          if (h[i] == step) samples[i][static_cast<std::size_t>(b) * o.futures + j] = x;
      }
    }
  }
  std::vector<double> scratch, percents;
  for (double level_p : kFitLevels) percents.push_back(100 * level_p);
  for (std::size_t i = 0; i < o.years.size(); ++i) {
    YearPredictive p;
    p.year = o.years[i];
    p.horizon = h[i];
    p.levels = kFitLevels;
    for (double q : percentiles_type7(samples[i].data(), static_cast<std::int64_t>(draws), percents, scratch))
      p.quantiles.push_back(std::exp(q));
    fit.years.push_back(p);
  }
  std::vector<double> correlations;
  for (auto [i, j] : consecutive_pairs(o.years.size()))
    correlations.push_back(normal_score_correlation(samples[i], samples[j]));
  set_correlations(fit, correlations);
  fit.method = "log AR(1) around a level, conditional least squares on " + std::to_string(n - 1) +
               " pairs; predictive by a parametric bootstrap (" + std::to_string(o.replicates) +
               " re-estimated replicates x " + std::to_string(o.futures) + " paths, seed " + std::to_string(o.seed) +
               ")";
  if (explosive > 0)
    fit.notes.push_back(std::to_string(explosive) + " of " + std::to_string(o.replicates) +
                        " bootstrap replicates estimated phi >= 1 (a short series cannot rule out a random walk)");
}

void fit_expert(const LogLevels& l, const FitOptions& o, InflowFit& fit) {
  if (o.expert_medio.size() != o.years.size())
    throw InputError("the expert model needs the scenario's medio for every forecast year");
  for (std::size_t k = 0; k < o.years.size(); ++k)
    if (!(o.expert_medio[k] > 0))
      throw InputError("the scenario's medio for " + std::to_string(o.years[k]) + " is not above 0");
  // One-year-ahead log errors: the published forecasts made by `through`, then the random walk's
  // out-of-sample one-step errors (drift from the years before) for the years none covers.
  std::vector<double> errors;
  std::map<int, bool> published_year;
  int published = 0;
  for (const PastForecast& f : o.past_forecasts)
    if (f.target_year <= o.through && f.medio > 0 && f.realised > 0) {
      errors.push_back(std::log(f.realised / f.medio));
      published_year[f.target_year] = true;
      ++published;
    }
  int random_walk = 0;
  for (int t = 3; t < l.complete; ++t) {
    if (published_year.count(fit.first_year + t)) continue;
    const double drift = (l.x[t - 1] - l.x[0]) / (t - 1);
    errors.push_back(l.x[t] - l.x[t - 1] - drift);
    ++random_walk;
  }
  const int k = static_cast<int>(errors.size());
  if (k < kMinExpertErrors)
    throw InputError("the expert model needs " + std::to_string(kMinExpertErrors) +
                     " or more one-year-ahead errors up to " + std::to_string(o.through) + "; there are " +
                     std::to_string(k) + " (give more history or published forecasts)");
  double sum = 0, sum2 = 0;
  for (double e : errors) {
    sum += e;
    sum2 += e * e;
  }
  const double rms = std::sqrt(sum2 / k), mean = sum / k;
  fit.estimates = {{"one-year-ahead log error, root mean square", rms, rms / std::sqrt(2.0 * k)},
                   {"one-year-ahead log error, mean (bias of the forecasts)", mean, sample_sd(errors) / std::sqrt(k)},
                   {"errors from published MPP medios", static_cast<double>(published), kNaN},
                   {"errors from the random walk's one-step forecasts", static_cast<double>(random_walk), kNaN}};
  for (std::size_t i = 0; i < o.years.size(); ++i) {
    const double h = o.years[i] - o.through;
    fit.years.push_back(
        t_predictive(o.years[i], o.years[i] - o.through, std::log(o.expert_medio[i]), std::sqrt(h) * rms, k));
  }
  // The error accumulates like a random walk over the horizon: Cov(h, k) = min(h, k) s_e^2.
  const std::vector<int> h = horizons_of(o);
  std::vector<double> correlations;
  for (auto [i, j] : consecutive_pairs(o.years.size()))
    correlations.push_back(std::sqrt(static_cast<double>(std::min(h[i], h[j])) / std::max(h[i], h[j])));
  set_correlations(fit, correlations);
  fit.method = "expert medio (the scenario's own) with the spread of " + std::to_string(k) +
               " one-year-ahead log errors (" + std::to_string(published) + " published MPP, " +
               std::to_string(random_walk) + " random-walk one-step); predictive ln medio + sqrt(h) s_e T_" +
               std::to_string(k);
  if (std::abs(mean) > 2 * sample_sd(errors) / std::sqrt(k))
    fit.notes.push_back("the past forecasts were biased: realised / forecast = " + fixed(std::exp(mean), 2) +
                        " on average over " + std::to_string(k) +
                        " errors; the expert medio is kept as given, so its bias stays in the band");
}

// Jan..Dec weights: the quarters' shares (median over full years up to `through`) split over
// their months by the monthly data's full years (mean within-quarter shares). Weights sum to 12.
void fit_seasonality(const InflowHistory& h, int through, InflowFit& fit) {
  std::array<std::vector<double>, 4> quarter_ratios;
  int first_q = 0, last_q = 0, quarter_years = 0;
  for (int y = h.first_quarter / 4; y <= through; ++y) {
    const int at = 4 * y - h.first_quarter;
    if (at < 0 || at + 3 >= static_cast<int>(h.quarterly.size())) continue;
    const double mean = (h.quarterly[at] + h.quarterly[at + 1] + h.quarterly[at + 2] + h.quarterly[at + 3]) / 4;
    if (!(mean > 0)) continue;
    for (int q = 0; q < 4; ++q) quarter_ratios[q].push_back(h.quarterly[at + q] / mean);
    if (quarter_years++ == 0) first_q = y;
    last_q = y;
  }
  std::array<double, 12> within{};
  int month_years = 0, first_m = 0, last_m = 0;
  for (int y = h.first_month / 12; y <= through; ++y) {
    const int at = 12 * y - h.first_month;
    if (at < 0 || at + 11 >= static_cast<int>(h.monthly.size())) continue;
    std::array<double, 12> ratio{};
    bool positive = true;
    for (int q = 0; q < 4; ++q) {
      const double mean = (h.monthly[at + 3 * q] + h.monthly[at + 3 * q + 1] + h.monthly[at + 3 * q + 2]) / 3;
      positive = positive && mean > 0;
      for (int k = 0; k < 3; ++k) ratio[3 * q + k] = mean > 0 ? h.monthly[at + 3 * q + k] / mean : 0;
    }
    if (!positive) continue;
    if (quarter_years < kMinNowcastYears) {  // monthly only: each month against the year's mean month
      double year_mean = 0;
      for (int k = 0; k < 12; ++k) year_mean += h.monthly[at + k] / 12;
      for (int k = 0; k < 12; ++k) ratio[k] = h.monthly[at + k] / year_mean;
    }
    for (int k = 0; k < 12; ++k) within[k] += ratio[k];
    if (month_years++ == 0) first_m = y;
    last_m = y;
  }
  const bool use_quarters = quarter_years >= kMinNowcastYears;
  if (!use_quarters && month_years == 0) return;
  std::array<double, 12> w{};
  for (int k = 0; k < 12; ++k) {
    const double quarter = use_quarters ? median_of(quarter_ratios[k / 3]) : 1.0;
    w[k] = quarter * (month_years > 0 ? within[k] / month_years : 1.0);
  }
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  for (double& v : w) v *= 12 / total;
  fit.seasonality = w;
  std::string source;
  if (use_quarters)
    source = "quarters: median share of " + std::to_string(first_q) + "-" + std::to_string(last_q) + " (" +
             std::to_string(quarter_years) + " years)";
  if (month_years > 0)
    source += std::string(use_quarters ? "; within quarters: " : "months: ") + "mean of " + std::to_string(first_m) +
              "-" + std::to_string(last_m) + " (" + std::to_string(month_years) + " full years)";
  fit.seasonality_source = source;
}

}  // namespace

const char* inflow_model_name(InflowModel model) {
  switch (model) {
    case InflowModel::random_walk:
      return "random-walk";
    case InflowModel::ar1:
      return "ar1";
    case InflowModel::expert:
      return "expert";
  }
  return "?";
}

std::optional<InflowModel> parse_inflow_model(std::string_view name) {
  for (InflowModel m : {InflowModel::random_walk, InflowModel::ar1, InflowModel::expert})
    if (name == inflow_model_name(m)) return m;
  return std::nullopt;
}

double student_t_quantile(double p, double df) {
  MPPMC_CHECK(p > 0 && p < 1 && df > 0);
  if (p == 0.5) return 0.0;
  // P(|T| > t) = I_{df / (df + t^2)}(df / 2, 1 / 2) (Abramowitz & Stegun 26.7.1).
  const double tail = 2 * std::min(p, 1 - p);
  const double x = boost::math::ibeta_inv(df / 2, 0.5, tail, MathPolicy());
  const double t = std::sqrt(df * (1 - x) / x);
  return p > 0.5 ? t : -t;
}

InflowFit fit_inflow(const InflowHistory& history, const FitOptions& o) {
  if (o.years.empty()) throw InputError("no forecast years to fit");
  for (std::size_t k = 0; k < o.years.size(); ++k)
    if (o.years[k] <= o.through || (k > 0 && o.years[k] <= o.years[k - 1]))
      throw InputError("forecast year " + std::to_string(o.years[k]) +
                       " is not after through = " + std::to_string(o.through) + " (or the years do not ascend)");
  InflowFit fit;
  fit.model = o.model;
  fit.through = o.through;
  fit.first_year = history.first_year;
  const LogLevels levels = log_levels(history, o.through, fit.nowcast);
  fit.last_year = history.first_year + static_cast<int>(levels.x.size()) - 1;
  switch (o.model) {
    case InflowModel::random_walk:
      fit_random_walk(levels, o, fit);
      break;
    case InflowModel::ar1:
      fit_ar1(levels, o, fit);
      break;
    case InflowModel::expert:
      fit_expert(levels, o, fit);
      break;
  }
  fit_seasonality(history, o.through, fit);
  if (fit.nowcast)
    fit.notes.push_back(std::to_string(fit.nowcast->year) + " completed from its first " +
                        std::to_string(fit.nowcast->quarters) + " quarter(s): " + fixed(fit.nowcast->observed, 0) +
                        " / share " + fixed(fit.nowcast->share, 3) + " (log sd " + fixed(fit.nowcast->log_sd, 3) +
                        " over " + std::to_string(fit.nowcast->past_years) + " earlier years)");
  return fit;
}

}  // namespace mppmc
