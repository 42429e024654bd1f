#pragma once
// The Boost.Math special functions mppmc uses (erfc, erfc_inv, ibeta_inv) and the policy they
// are called with. Include Boost.Math through this header only, so that every translation unit
// sees the same definitions.
//
// Boost 1.74 (Debian 12) keeps the factorial table of unchecked_factorial<long double> in a
// `constexpr std::array` local to the function; called at run time, GCC copies the whole table
// (171 long doubles, 2.7 kB) onto the stack on every call. ibeta's small-b series
// (beta_small_b_large_a_series, reached by ibeta_inv for PERT and beta draws) calls it in its
// inner loop: 9% of a default run went to that copy. Without constexpr tables the same literals
// sit in a `static const` array, initialised once, so every value is the same bit for bit.
// Newer Boost releases make the table static themselves.
#include <boost/math/tools/config.hpp>
#undef BOOST_MATH_HAVE_CONSTEXPR_TABLES
#undef BOOST_MATH_CONSTEXPR_TABLE_FUNCTION
#define BOOST_MATH_CONSTEXPR_TABLE_FUNCTION

#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/erf.hpp>

namespace mppmc {

//! Boost.Math policy for every special function in mppmc: compute in double (no internal
//! promotion to long double, which is several times slower and not needed at 1e-15 accuracy).
using MathPolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

//! Boost.Math's default policy, which computes double functions in long double internally.
//! For references, not for draws: ibeta's relative error with MathPolicy reaches 1.3e-13 for
//! a = b = 1000 and 1.2e-13 for a = b = 1e5, with this policy 2e-16 (both against mpmath at
//! 60 digits), so set-up and tests of the numerical inverse (core/numerical_inverse.h) use this.
using PreciseMathPolicy = boost::math::policies::policy<>;

}  // namespace mppmc
