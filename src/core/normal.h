#pragma once
// The standard normal CDF and its inverse, from Boost.Math's erfc and erfc_inv.
#include <cmath>

#include "core/boost_math.h"

namespace mppmc {

//! Phi(z) = P(Z <= z) for Z ~ N(0, 1).
inline double normal_cdf(double z) {
  return 0.5 * boost::math::erfc(-z / std::sqrt(2.0), MathPolicy());
}
//! Phi^-1(u) for u in (0, 1).
inline double normal_quantile(double u) {
  return -std::sqrt(2.0) * boost::math::erfc_inv(2.0 * u, MathPolicy());
}

}  // namespace mppmc
