#pragma once
// Every uncertain input is a quantile function Q(u), u in (0, 1): samplers only make uniforms
// and a distribution turns a uniform into a value (docs/design.md, principle 1). The median
// used by a deterministic run is Q(0.5).
//
// The families and their fields are those of docs/model-spec.md, "Distributions". The
// quantile transforms are our own code on top of Boost.Math special functions, never
// std::*_distribution (whose algorithms differ between standard libraries).
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/numerical_inverse.h"

namespace mppmc {

//! A fitted metalog (Keelin 2016, "The Metalog Distributions", Decision Analysis 13(4)),
//! unbounded, semi-bounded or bounded. Terms follow Keelin's ordering:
//! 1, L, (u-½)L, (u-½), (u-½)², (u-½)²L, (u-½)³, ... with L = ln(u / (1 - u)).
struct Metalog {
  std::vector<double> a;  //!< coefficients, one per fitted point
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();

  bool operator==(const Metalog&) const = default;

  //! The metalog function M(u) before the bounds transform.
  double m(double u) const;
  //! dM/du; the fit is a valid distribution iff this is positive on (0, 1).
  double dm(double u) const;
  double quantile(double u) const;
};

//! Fits a metalog exactly through the points (p_i, q_i). Throws std::invalid_argument with
//! a sentence a modeller can act on when the points are unusable or the fit is not monotone.
Metalog fit_metalog(const std::vector<double>& p, const std::vector<double>& q, double lower, double upper);

class Distribution {
 public:
  enum class Family { fixed, uniform, normal, lognormal, triangular, pert, beta, quantiles };

  static Distribution fixed(double value);
  static Distribution uniform(double low, double high);
  //! Normal, truncated to [low, high] (either may be infinite).
  static Distribution normal(double mean, double sd, double low = -std::numeric_limits<double>::infinity(),
                             double high = std::numeric_limits<double>::infinity());
  //! Lognormal with the given median and sigma of the log.
  static Distribution lognormal(double median, double sigma);
  static Distribution triangular(double low, double mode, double high);
  //! Beta-PERT with shape 4 on [low, high].
  static Distribution pert(double low, double mode, double high);
  //! Beta(a, b) scaled to [low, high].
  static Distribution beta(double a, double b, double low = 0.0, double high = 1.0);
  static Distribution quantiles(Metalog metalog);

  //! Q(u) for u in (0, 1).
  double quantile(double u) const;
  //! Sets up a numerical inverse Q~ of quantile() (docs/design.md, "Draws through set-up-once numerical inverses") for
  //! the families whose quantile is iterative: beta and PERT (Boost's ibeta_inv, 0.4-2.2 us a draw; Q~ 15-25 ns). Null
  //! for the families whose quantile is already closed-form or fast (fixed, uniform, normal, lognormal, triangular,
  //! quantiles). Set-up takes milliseconds: call it once per distribution and share the result (read-only,
  //! thread-safe). quantile() is unchanged.
  std::shared_ptr<const NumericalInverse> prepare_inverse(const InversionOptions& options = {}) const;
  double median() const { return quantile(0.5); }
  bool is_fixed() const { return family_ == Family::fixed; }
  Family family() const { return family_; }
  //! The same family and parameters: the same quantile function.
  bool operator==(const Distribution&) const = default;
  //! The smallest and largest values Q can produce (may be infinite).
  double support_low() const;
  double support_high() const;
  //! P(X < x) and P(X > x), found by bisection on Q (accurate to about 1e-12).
  double probability_below(double x) const;
  double probability_above(double x) const;

 private:
  Family family_ = Family::fixed;
  double p_[4] = {0, 0, 0, 0};  // family parameters, see the factories
  Metalog metalog_;
};

}  // namespace mppmc
