#pragma once
// Forecast skill: how a probabilistic forecast of one period did against the value that was
// realised, and summaries of many such scores (docs/forecast-skill.md). Pure math, no I/O.
//
// A forecast of one period is a Predictive: either a sample (every Monte Carlo path's value)
// or stored quantiles (a results file's percentiles, a published minimum / medio / maximum).
// Both give a CDF (the PIT), a quantile function (coverage, interval score) and the CRPS:
//  * sample: PIT by mid-rank, quantiles by Hyndman & Fan type 7 (as the results file's
//    percentiles), CRPS exact for the sample's empirical distribution;
//  * quantiles: linear interpolation of the CDF between stored levels (monotone), beyond the
//    outermost levels a normal tail through the two outermost distinct points on that side;
//    CRPS of that distribution by the quantile (pinball) decomposition on 1,000 levels.
// Scores are in the unit of the series (persons/year for annual inflow) except PIT, coverage
// and the log ratio, which are dimensionless.
#include <optional>
#include <string>
#include <vector>

namespace mppmc {

//! The predictive distribution of one period's value.
class Predictive {
 public:
  //! From a sample of finite values (any order; at least one). Throws std::invalid_argument.
  static Predictive from_sample(std::vector<double> values);
  //! From stored quantiles: `levels` (probabilities) strictly increasing in (0, 1), at least
  //! two, and `values` finite and non-decreasing, one per level. Throws std::invalid_argument.
  static Predictive from_quantiles(std::vector<double> levels, std::vector<double> values);

  //! True for a sample, false for stored quantiles.
  bool is_sample() const { return sample_; }
  //! Sample size, or the number of stored levels.
  std::size_t size() const { return values_.size(); }

  //! The probability integral transform of y, in (0, 1) for a sample:
  //!  * sample of N: mid-rank, (#{x < y} + #{x = y} / 2 + 1/2) / (N + 1): the mid-rank of y
  //!    among the N + 1 values, over N + 1 (uniform on the N + 1 bin midpoints when y is
  //!    exchangeable with the sample);
  //!  * quantiles: (P(X < y) + P(X <= y)) / 2 of the interpolated distribution (the midpoint of
  //!    a jump where two stored values coincide).
  double pit(double y) const;
  //! P(X <= y).
  double cdf(double y) const;
  //! Q(p), p in (0, 1): type 7 of the sample, or the interpolated quantile function.
  double quantile(double p) const;
  //! Continuous ranked probability score, in the unit of the values.
  //!  * sample: exact for the empirical distribution, mean|x - y| - (1/N^2) sum_i (2i - N - 1) x_(i)
  //!    (Gneiting & Raftery 2007, eq. 21, with E|X - X'| by the sorted-sample identity);
  //!  * quantiles: 2 * (1/K) sum_k QS_{tau_k}(Q(tau_k), y) on the K = 1,000 midpoint levels
  //!    tau_k = (k - 1/2) / K, QS_tau(q, y) = (1{y < q} - tau)(q - y) the pinball loss
  //!    (CRPS = 2 * integral_0^1 QS_tau d tau; Laio & Tamea 2007; Gneiting & Ranjan 2011).
  double crps(double y) const;
  //! The medio: the sample's median (type 7), or the stored value at level 0.5; nullopt when
  //! the forecast stores no 0.5 level (it is not invented from the other levels).
  std::optional<double> medio() const;

 private:
  bool sample_ = false;
  std::vector<double> levels_;       // quantiles only
  std::vector<double> values_;       // sorted sample, or the stored values
  double half_mean_difference_ = 0;  // sample: (1/N^2) sum (2i - N - 1) x_(i) = E|X - X'| / 2
  // Normal tails of the quantile form: mean and sd below the first and above the last level
  // (sd 0: no spread on that side, the distribution stops at the outermost value).
  double lower_mean_ = 0, lower_sd_ = 0, upper_mean_ = 0, upper_sd_ = 0;

  double probability_below(double y) const;  // P(X < y)
};

//! The number of levels of the quantile-decomposition CRPS (Predictive::crps).
inline constexpr int kCrpsLevels = 1000;

//! alpha of the scored interval score: the central 90% interval.
inline constexpr double kIntervalAlpha = 0.1;

//! Interval score of the central (1 - alpha) interval [lower, upper] (Gneiting & Raftery 2007,
//! eq. 43): (upper - lower) + (2/alpha)(lower - y) 1{y < lower} + (2/alpha)(y - upper) 1{y > upper}.
double interval_score(double lower, double upper, double alpha, double y);

//! Pinball (quantile) loss of the tau-quantile q for the outcome y: (1{y < q} - tau)(q - y).
double pinball_loss(double q, double tau, double y);

//! A forecast's min / max band (a published minimum and maximum, or a results file's band
//! percentiles), in the unit of the series.
struct Band {
  double low = 0;
  double high = 0;
};

//! The scores of one forecast period against its realised value.
struct PeriodScore {
  double pit = 0;
  bool covered_50 = false;    //!< Q(0.25) <= y <= Q(0.75)
  bool covered_80 = false;    //!< Q(0.10) <= y <= Q(0.90)
  bool covered_90 = false;    //!< Q(0.05) <= y <= Q(0.95)
  bool covered_band = false;  //!< band.low <= y <= band.high
  double interval_score = 0;  //!< of the central 90% interval (alpha = kIntervalAlpha)
  double crps = 0;
  double log_ratio = 0;      //!< ln(y / medio); NaN without a medio (or a non-positive one)
  double band_position = 0;  //!< (y - band.low) / (band.high - band.low): 0 at the minimum, 1 at the maximum
};

//! Scores a forecast of one period against the realised value y.
PeriodScore score_period(const Predictive& forecast, const Band& band, double y);

//! One scored forecast period, with what a table or chart needs beside the scores.
struct ScoredPeriod {
  std::string group;     //!< what the summaries pool: "published", "baseline", a variant or model name
  std::string forecast;  //!< the forecast within the group: an edition ("2023-I"), or the group again
  std::string series;    //!< mppmc series name, e.g. "total_inflow"
  std::string period;    //!< "YYYY" or "YYYY-MM"
  int horizon = 0;       //!< years ahead: the period's year minus the year of the forecast's origin
  std::string method;    //!< "paths" (from a sample) or "quantiles" (from stored levels)
  double realised = 0;
  double band_low = 0, medio = 0, band_high = 0;  //!< medio NaN when the forecast has none
  double band_nominal = 0.9;                      //!< the probability the band claims (0.9 for 5 / 95)
  PeriodScore score;
};

//! Averages over the scored periods of one group, series and horizon.
struct SkillSummary {
  std::string group;
  std::string series;
  int horizon = -1;  //!< -1: all horizons together
  int count = 0;
  double coverage_50 = 0, coverage_80 = 0, coverage_90 = 0;  //!< shares covered; nominal 0.5, 0.8, 0.9
  double coverage_band = 0;
  double band_nominal = 0;  //!< mean of the rows' band_nominal
  double mean_interval_score = 0;
  double mean_crps = 0;
  double bias = 0;  //!< mean log ratio realised / medio over the rows with a medio; NaN when none
  int bias_count = 0;
  double mean_pit = 0;
};

//! Summaries per (group, series, horizon), each series followed by its all-horizons row,
//! ordered by group, series and horizon (never by input order).
std::vector<SkillSummary> summarize_skill(const std::vector<ScoredPeriod>& rows);

}  // namespace mppmc
