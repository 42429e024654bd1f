#include "core/distribution.h"

#include <Eigen/Dense>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/boost_math.h"
#include "core/normal.h"

namespace mppmc {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Value of metalog basis term j (0-based) at u, and its derivative, per Keelin (2016) eq. 6.
double metalog_term(int j, double u, double logit) {
  const double c = u - 0.5;
  switch (j) {
    case 0:
      return 1.0;
    case 1:
      return logit;
    case 2:
      return c * logit;
    case 3:
      return c;
    default:
      // j = 4, 6, 8, ... (Keelin's odd k = j+1): c^((j)/2); j = 5, 7, ...: c^((j-1)/2) * L.
      return (j % 2 == 0) ? std::pow(c, j / 2) : std::pow(c, (j - 1) / 2) * logit;
  }
}

double metalog_term_derivative(int j, double u, double logit) {
  const double c = u - 0.5;
  const double dlogit = 1.0 / (u * (1.0 - u));
  switch (j) {
    case 0:
      return 0.0;
    case 1:
      return dlogit;
    case 2:
      return logit + c * dlogit;
    case 3:
      return 1.0;
    default:
      if (j % 2 == 0) {
        const int k = j / 2;
        return k * std::pow(c, k - 1);
      } else {
        const int k = (j - 1) / 2;
        return k * std::pow(c, k - 1) * logit + std::pow(c, k) * dlogit;
      }
  }
}

}  // namespace

double Metalog::m(double u) const {
  const double logit = std::log(u / (1.0 - u));
  double sum = 0.0;
  for (std::size_t j = 0; j < a.size(); ++j) sum += a[j] * metalog_term(static_cast<int>(j), u, logit);
  return sum;
}

double Metalog::dm(double u) const {
  const double logit = std::log(u / (1.0 - u));
  double sum = 0.0;
  for (std::size_t j = 0; j < a.size(); ++j) sum += a[j] * metalog_term_derivative(static_cast<int>(j), u, logit);
  return sum;
}

double Metalog::quantile(double u) const {
  const double x = m(u);
  const bool has_lower = std::isfinite(lower), has_upper = std::isfinite(upper);
  if (has_lower && has_upper) return lower + (upper - lower) / (1.0 + std::exp(-x));  // logit-metalog
  if (has_lower) return lower + std::exp(x);                                          // log-metalog
  if (has_upper) return upper - std::exp(-x);
  return x;
}

Metalog fit_metalog(const std::vector<double>& p, const std::vector<double>& q, double lower, double upper) {
  const std::size_t n = p.size();
  if (n < 3) throw std::invalid_argument("needs at least 3 points (p, q)");
  if (q.size() != n)
    throw std::invalid_argument("p has " + std::to_string(n) + " entries but q has " + std::to_string(q.size()));
  if (n > 16) throw std::invalid_argument("at most 16 points are supported");
  for (std::size_t i = 0; i < n; ++i) {
    if (!(p[i] > 0.0 && p[i] < 1.0)) throw std::invalid_argument("every p must lie strictly between 0 and 1");
    if (i > 0 && !(p[i] > p[i - 1])) throw std::invalid_argument("p must be strictly increasing");
    if (i > 0 && !(q[i] > q[i - 1])) throw std::invalid_argument("q must be strictly increasing");
    if (!(q[i] > lower && q[i] < upper))
      throw std::invalid_argument("every q must lie strictly between lower and upper");
  }
  if (!(lower < upper)) throw std::invalid_argument("lower must be less than upper");

  // Transform the q's so that the bounded variants are linear in the coefficients too.
  Eigen::MatrixXd basis(n, n);
  Eigen::VectorXd target(n);
  const bool has_lower = std::isfinite(lower), has_upper = std::isfinite(upper);
  for (std::size_t i = 0; i < n; ++i) {
    const double logit = std::log(p[i] / (1.0 - p[i]));
    for (std::size_t j = 0; j < n; ++j) basis(i, j) = metalog_term(static_cast<int>(j), p[i], logit);
    if (has_lower && has_upper)
      target(i) = std::log((q[i] - lower) / (upper - q[i]));
    else if (has_lower)
      target(i) = std::log(q[i] - lower);
    else if (has_upper)
      target(i) = -std::log(upper - q[i]);
    else
      target(i) = q[i];
  }
  Eigen::FullPivLU<Eigen::MatrixXd> lu(basis);
  if (!lu.isInvertible()) throw std::invalid_argument("the points do not determine a metalog");
  Eigen::VectorXd coefficients = lu.solve(target);

  Metalog fit;
  fit.a.assign(coefficients.data(), coefficients.data() + n);
  fit.lower = lower;
  fit.upper = upper;

  // Feasibility: M must increase on all of (0, 1). Keelin gives closed forms only for up to
  // three terms, so check the density on a grid that is uniform in log-odds (dense in both
  // tails, where higher-order terms go wrong first), out to u = 1e-15.
  constexpr int kGrid = 4000;
  for (int i = 0; i <= kGrid; ++i) {
    const double t = -34.5 + 69.0 * i / kGrid;
    const double u = 1.0 / (1.0 + std::exp(-t));
    if (!(fit.dm(u) > 0.0)) {
      std::ostringstream why;
      why << "the metalog through these points is not a valid distribution (its quantile "
             "function decreases near u = "
          << u << "); use fewer or less extreme points, or add lower/upper bounds";
      throw std::invalid_argument(why.str());
    }
  }
  return fit;
}

Distribution Distribution::fixed(double value) {
  Distribution d;
  d.family_ = Family::fixed;
  d.p_[0] = value;
  return d;
}

Distribution Distribution::uniform(double low, double high) {
  Distribution d;
  d.family_ = Family::uniform;
  d.p_[0] = low;
  d.p_[1] = high;
  return d;
}

Distribution Distribution::normal(double mean, double sd, double low, double high) {
  Distribution d;
  d.family_ = Family::normal;
  d.p_[0] = mean;
  d.p_[1] = sd;
  // Store the truncation as normal CDF values: Q(u) = mean + sd * Phi^-1(Phi(a) + u (Phi(b) - Phi(a))).
  d.p_[2] = std::isfinite(low) ? normal_cdf((low - mean) / sd) : 0.0;
  d.p_[3] = std::isfinite(high) ? normal_cdf((high - mean) / sd) : 1.0;
  d.metalog_.lower = low;  // kept for support_low/high
  d.metalog_.upper = high;
  return d;
}

Distribution Distribution::lognormal(double median, double sigma) {
  Distribution d;
  d.family_ = Family::lognormal;
  d.p_[0] = median;
  d.p_[1] = sigma;
  return d;
}

Distribution Distribution::triangular(double low, double mode, double high) {
  Distribution d;
  d.family_ = Family::triangular;
  d.p_[0] = low;
  d.p_[1] = mode;
  d.p_[2] = high;
  return d;
}

Distribution Distribution::pert(double low, double mode, double high) {
  // Beta-PERT (Malcolm et al. 1959) with shape 4: alpha = 1 + 4 (mode - low) / (high - low).
  Distribution d = beta(1.0 + 4.0 * (mode - low) / (high - low), 1.0 + 4.0 * (high - mode) / (high - low), low, high);
  d.family_ = Family::pert;
  return d;
}

Distribution Distribution::beta(double a, double b, double low, double high) {
  Distribution d;
  d.family_ = Family::beta;
  d.p_[0] = a;
  d.p_[1] = b;
  d.p_[2] = low;
  d.p_[3] = high;
  return d;
}

Distribution Distribution::quantiles(Metalog metalog) {
  Distribution d;
  d.family_ = Family::quantiles;
  d.metalog_ = std::move(metalog);
  return d;
}

double Distribution::quantile(double u) const {
  switch (family_) {
    case Family::fixed:
      return p_[0];
    case Family::uniform:
      return p_[0] + (p_[1] - p_[0]) * u;
    case Family::normal:
      if (p_[2] == 0.0 && p_[3] == 1.0) return p_[0] + p_[1] * normal_quantile(u);
      return p_[0] + p_[1] * normal_quantile(p_[2] + u * (p_[3] - p_[2]));
    case Family::lognormal:
      return p_[0] * std::exp(p_[1] * normal_quantile(u));
    case Family::triangular: {
      const double low = p_[0], mode = p_[1], high = p_[2];
      const double split = (mode - low) / (high - low);
      if (u < split) return low + std::sqrt(u * (high - low) * (mode - low));
      return high - std::sqrt((1.0 - u) * (high - low) * (high - mode));
    }
    case Family::pert:
    case Family::beta:
      return p_[2] + (p_[3] - p_[2]) * boost::math::ibeta_inv(p_[0], p_[1], u, MathPolicy());
    case Family::quantiles:
      return metalog_.quantile(u);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::shared_ptr<const NumericalInverse> Distribution::prepare_inverse(const InversionOptions& options) const {
  if (family_ != Family::beta && family_ != Family::pert) return nullptr;
  // Beta(a, b) scaled to [low, high], through Boost with PreciseMathPolicy: with MathPolicy,
  // ibeta's own relative error reaches the 1e-13 bound for large shapes. F and 1 - F each come
  // from the end of [low, high] that x is nearer: y = (x - low) / width near low, 1 - y =
  // (high - x) / width near high (differences exact there, Sterbenz), so that small masses keep
  // their relative accuracy at either end.
  const double a = p_[0], b = p_[1], low = p_[2], high = p_[3], width = high - low;
  InversionTarget target;
  target.low = low;
  target.high = high;
  target.cdf = [=](double x) {
    const double y = (x - low) / width;
    return y <= 0.5 ? boost::math::ibeta(a, b, y, PreciseMathPolicy())
                    : boost::math::ibetac(b, a, (high - x) / width, PreciseMathPolicy());
  };
  target.ccdf = [=](double x) {
    const double y = (x - low) / width;
    return y <= 0.5 ? boost::math::ibetac(a, b, y, PreciseMathPolicy())
                    : boost::math::ibeta(b, a, (high - x) / width, PreciseMathPolicy());
  };
  // The exact quantiles of the tails: y and 1 - y from one inversion (Boost returns both), the
  // value from whichever is smaller, so that neither end of [low, high] loses its precision.
  // (Where Boost's root finder gives up, NumericalInverse bisects on cdf / ccdf instead.)
  auto scaled = [=](double y, double y_complement) { return y <= 0.5 ? low + width * y : high - width * y_complement; };
  target.quantile = [=](double u) {
    double y_complement = 0.0;
    const double y = boost::math::ibeta_inv(a, b, u, &y_complement, PreciseMathPolicy());
    return scaled(y, y_complement);
  };
  target.upper_quantile = [=](double v) {
    double y = 0.0;
    const double y_complement = boost::math::ibeta_inv(b, a, v, &y, PreciseMathPolicy());
    return scaled(y, y_complement);
  };
  return std::make_shared<const NumericalInverse>(std::move(target), options);
}

double Distribution::support_low() const {
  switch (family_) {
    case Family::fixed:
    case Family::uniform:
    case Family::triangular:
      return p_[0];
    case Family::normal:
      return metalog_.lower;
    case Family::lognormal:
      return p_[0] > 0 ? 0.0 : -kInf;
    case Family::pert:
    case Family::beta:
      return p_[2];
    case Family::quantiles:
      return metalog_.lower;
  }
  return -kInf;
}

double Distribution::support_high() const {
  switch (family_) {
    case Family::fixed:
      return p_[0];
    case Family::uniform:
      return p_[1];
    case Family::triangular:
      return p_[2];
    case Family::normal:
      return metalog_.upper;
    case Family::lognormal:
      return p_[0] > 0 ? kInf : 0.0;
    case Family::pert:
    case Family::beta:
      return p_[3];
    case Family::quantiles:
      return metalog_.upper;
  }
  return kInf;
}

namespace {
// The mass of a tail {v : in_tail(v)} = (0, v*) of a monotone quantile function, by bisection
// on v; the first steps shrink geometrically so that tails down to 1e-300 resolve.
template <typename InTail>
double tail_mass(InTail in_tail) {
  double lo = 0.0, hi = 1.0;
  for (int i = 0; i < 200 && hi - lo > 1e-300; ++i) {
    const double mid = (lo == 0.0 && hi < 1e-3) ? hi * 1e-3 : 0.5 * (lo + hi);
    if (mid <= 0.0) break;
    if (in_tail(mid))
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}
}  // namespace

double Distribution::probability_below(double x) const {
  if (support_low() >= x) return 0.0;
  if (support_high() < x) return 1.0;
  return tail_mass([&](double u) { return quantile(u) < x; });
}

double Distribution::probability_above(double x) const {
  if (support_high() <= x) return 0.0;
  if (support_low() > x) return 1.0;
  return tail_mass([&](double v) { return quantile(1.0 - v) > x; });
}

}  // namespace mppmc
