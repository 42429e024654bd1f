#pragma once
// Fitting the annual first-application inflow to its history (docs/forecast-skill.md, "Fitted
// inflow models"): from annual counts up to a `through` year (and, where given, quarterly and
// monthly counts) a predictive distribution for each forecast year, with the parameters'
// estimation uncertainty included, and the year_correlation rho of the model's latent AR(1)
// (docs/model-spec.md, "Inputs and when they are drawn") that carries the fitted process's
// dependence between consecutive years. Pure math: no files.
//
// Models, all on the log scale x_t = ln A_t (A in persons/year):
//  * random_walk: x_t = x_{t-1} + mu + sigma e_t. Predictive h years ahead: x_n + h mu^ +
//    s sqrt(h + h^2/m) T_{m-1}, m increments, T Student-t (exact under the reference prior /
//    the classical prediction interval; the h^2/m term is the drift's estimation error).
//  * ar1: x_t = c + phi x_{t-1} + sigma e_t by conditional least squares; predictive by a
//    parametric bootstrap (re-estimated parameters per replicate, Philox stream `fit`), which
//    carries the estimation error of c, phi and sigma.
//  * expert: ln A = ln medio_y + sqrt(h) s_e T_k: the scenario's own medio per year, the spread
//    from k historical one-year-ahead log errors (published MPP medios where they exist, else
//    the random walk's own out-of-sample one-step errors), s_e their root mean square.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mppmc {

enum class InflowModel { random_walk, ar1, expert };

//! "random-walk", "ar1", "expert".
const char* inflow_model_name(InflowModel model);
//! The model named `name` (as inflow_model_name), or nullopt.
std::optional<InflowModel> parse_inflow_model(std::string_view name);

//! The data a fit may use (persons per period), consecutive periods each. Values after the fit's
//! `through` year are ignored.
struct InflowHistory {
  int first_year = 0;          //!< the year of annual[0]
  std::vector<double> annual;  //!< persons/year, > 0
  int first_quarter = 0;       //!< ordinal of quarterly[0]: 4 year + quarter - 1
  std::vector<double> quarterly;
  int first_month = 0;  //!< ordinal of monthly[0]: 12 year + month - 1
  std::vector<double> monthly;
};

//! An earlier forecast of a year and what happened (the expert model learns its errors).
struct PastForecast {
  std::string label;  //!< e.g. "MPP 2023-I"
  int target_year = 0;
  double medio = 0;
  double realised = 0;
};

struct FitOptions {
  InflowModel model = InflowModel::random_walk;
  int through = 0;                           //!< the last year whose data the fit may use
  std::vector<int> years;                    //!< forecast years, ascending, each > through
  std::vector<double> expert_medio;          //!< expert: the scenario's medio of each forecast year
  std::vector<PastForecast> past_forecasts;  //!< expert: one-year-ahead forecasts with outcomes
  std::uint64_t seed = 20241119;             //!< ar1: the bootstrap's seed
  int replicates = 2000;                     //!< ar1: bootstrap replicates (each with `futures` paths)
  int futures = 10;
};

//! A fitted parameter with its standard error (NaN when it has none).
struct Estimate {
  std::string name;
  double value = 0;
  double standard_error = 0;
};

//! The predictive distribution of one forecast year's inflow.
struct YearPredictive {
  int year = 0;
  int horizon = 0;                //!< year - through
  std::vector<double> levels;     //!< probabilities (kFitLevels)
  std::vector<double> quantiles;  //!< persons/year at those levels
};

//! Where the fit's last year came from when it was completed from its first quarters.
struct Nowcast {
  int year = 0;
  int quarters = 0;     //!< observed quarters of that year (1-3)
  double observed = 0;  //!< their sum (persons)
  double share = 0;     //!< the typical share of the year those quarters hold (median of past years)
  double log_sd = 0;    //!< sd of the log error of observed / share over past years
  int past_years = 0;
};

struct InflowFit {
  InflowModel model = InflowModel::random_walk;
  int first_year = 0, last_year = 0;  //!< the annual data used (last_year may be a nowcast)
  int through = 0;
  std::optional<Nowcast> nowcast;
  std::vector<Estimate> estimates;
  std::vector<YearPredictive> years;
  //! rho of inflow.first.year_correlation: the mean of `consecutive_correlations`.
  double year_correlation = 0;
  //! Correlation of the log levels of consecutive forecast years under the fitted predictive
  //! (one per pair; empty with a single forecast year, when rho is the process's own lag-one
  //! correlation of the first pair it would have).
  std::vector<double> consecutive_correlations;
  //! Jan..Dec weights summing to 12, from the monthly and quarterly data (nullopt without them).
  std::optional<std::array<double, 12>> seasonality;
  std::string seasonality_source;  //!< which data and years made them
  std::string method;              //!< one sentence: model, estimator, uncertainty
  std::vector<std::string> notes;  //!< things a modeller should know (bias of the medio, ...)
};

//! The levels at which each year's predictive is given (and written as a metalog).
inline const std::vector<double> kFitLevels = {0.05, 0.25, 0.5, 0.75, 0.95};

//! Fits `options.model`. Throws InputError when the data cannot support it: `through` before
//! the first year, a year in (first_year, through] without a value (and no quarters to complete
//! it), a value <= 0, too few years (random walk 4, AR(1) 6, expert 3 errors), forecast years
//! not after `through`, or an expert medio missing or <= 0.
InflowFit fit_inflow(const InflowHistory& history, const FitOptions& options);

//! Student-t quantile with `df` degrees of freedom (df > 0), via Boost.Math's ibeta_inv.
double student_t_quantile(double p, double df);

}  // namespace mppmc
