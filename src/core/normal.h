#pragma once
// The standard normal CDF and its inverse, from Boost.Math's erfc and erfc_inv.
#include <boost/math/special_functions/erf.hpp>
#include <cmath>

namespace mppmc {

//! Boost.Math policy for every special function in mppmc: compute in double (no internal
//! promotion to long double, which is several times slower and not needed at 1e-15 accuracy).
using MathPolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

//! Phi(z) = P(Z <= z) for Z ~ N(0, 1).
inline double normal_cdf(double z) { return 0.5 * boost::math::erfc(-z / std::sqrt(2.0), MathPolicy()); }
//! Phi^-1(u) for u in (0, 1).
inline double normal_quantile(double u) { return -std::sqrt(2.0) * boost::math::erfc_inv(2.0 * u, MathPolicy()); }

}  // namespace mppmc
