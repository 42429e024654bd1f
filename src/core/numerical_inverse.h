#pragma once
// A numerical inverse CDF set up once per distribution: piecewise polynomial interpolation of
// Q = F^-1 in Newton's form, the PINV method of Hoermann & Leydold (2003, "Continuous random
// variate generation by fast numerical inversion", ACM TOMACS 13(4)) and Derflinger, Hoermann &
// Leydold (2010, "Random variate generation by numerical inversion when only the density is
// known", ACM TOMACS 20(4)), the method of UNU.RAN's PINV and SciPy's NumericalInversePolynomial.
// Where those bound the absolute u-error |F(Q~(u)) - u|, this one bounds it relative to the
// nearer tail, 1e-13 x min(u, 1 - u), and falls back to the family's exact quantile in the far
// tails. Method, bound and measured figures: docs/design.md, "Draws through set-up-once numerical inverses".
//
// Core layer: no Boost here (the family brings its CDF), no TBB, no I/O.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace mppmc {

//! What set-up needs of a continuous distribution, in its own units x (the values a draw
//! returns, e.g. a beta already scaled to [low, high]). No density is needed: the CDF
//! increments come from cdf and ccdf directly.
struct InversionTarget {
  //! F(x) = P(X <= x) for x in [low, high], with a relative error of a few ulp, small F too.
  std::function<double(double)> cdf;
  //! 1 - F(x), computed without forming 1 - F (a relative error of a few ulp where it is small).
  std::function<double(double)> ccdf;
  //! The exact quantile Q(u), u in (0, 1): the values below the lower switch point. Where it
  //! throws, the value is found by bisection on cdf over the doubles of [low, high].
  std::function<double(double)> quantile;
  //! Q(1 - v) from v in (0, 1) without forming 1 - v: the values above the upper switch point
  //! (where it throws, bisection on ccdf).
  std::function<double(double)> upper_quantile;
  double low = -std::numeric_limits<double>::infinity();  //!< support: F(low) = 0
  double high = std::numeric_limits<double>::infinity();  //!< F(high) = 1
};

struct InversionOptions {
  //! The bound: |F(x) - u| <= u_resolution x min(u, 1 - u), plus the change of F over one
  //! ulp of x where rounding x to a double limits what any x can achieve (docs/design.md, "Draws through set-up-once
  //! numerical inverses").
  double u_resolution = 1e-13;
  //! Degree of each interpolating polynomial (order + 1 Chebyshev nodes per interval), 3..12.
  int order = 9;
  //! The polynomials cover min(u, 1 - u) >= tail_mass where they can; below, the exact
  //! quantile. A draw from a uniform (u >= 2^-54, 1 - u >= 2^-53) lands there with probability
  //! at most 2 x tail_mass.
  double tail_mass = 1e-8;
  //! Most intervals per half (u < 1/2, u >= 1/2); where a half needs more, the exact quantile
  //! takes over from there to its tail.
  int max_intervals = 1000;
};

//! Q~(u), a piecewise polynomial approximation of a continuous quantile function, built once
//! (milliseconds: a few thousand CDF evaluations) and then read-only: safe to share between
//! threads. quantile(u) is a pure function of u and the set-up (the same bits on every call).
//!
//! Guarantee, checked during set-up at test points between the nodes of every interval with a
//! factor-2 margin on the interpolation error, and tested densely against Boost: for u in (0, 1)
//! and x = quantile(u),
//!   |F(x) - u| <= u_resolution * min(u, 1 - u) + D(x),
//! where D(x) = max(|F(x+) - F(x)|, |F(x) - F(x-)|) is the change of F over one ulp of x (x+, x-
//! the neighbouring doubles). D is negligible where F is smooth at the scale of an ulp; where it
//! is not (F flat in x: near low of a beta scaled to [low, high] with low != 0; F steep: very
//! concentrated shapes), perhaps no double meets the plain bound, and x may be off by one more
//! ulp's worth of F. Below the switch points (mass under tail_mass, or where the polynomials
//! stopped) x is the target's exact quantile, as accurate as that is (Boost's ibeta_inv with
//! PreciseMathPolicy met the same bound in every test of tests/core/test_numerical_inverse.cpp).
//! Q~ is non-decreasing in u and stays within [low, high].
class NumericalInverse {
 public:
  //! Sets up Q~ for target. Never throws for a target whose functions return finite values:
  //! where the polynomials cannot meet the bound within max_intervals (or the CDF cannot be
  //! evaluated), the exact quantile covers the rest of that tail.
  explicit NumericalInverse(InversionTarget target, const InversionOptions& options = {});

  //! Q~(u) for u in (0, 1), in the target's units.
  double quantile(double u) const {
    // Which half without a branch (it would be mispredicted on every other draw): s = u below
    // 1/2, else 1 - u, which is exact there.
    const bool upper = u >= 0.5;
    const double s = std::min(u, 1.0 - u);
    const Half& half = halves_[static_cast<int>(upper)];
    if (s < half.switch_mass) [[unlikely]]
      return tail(s, upper);
    return half.evaluate(s);
  }
  //! Q~(1 - v) for v in (0, 1/2], without forming 1 - v: the upper tail beyond 1 - 2^-53.
  double upper_quantile(double v) const {
    if (v < halves_[1].switch_mass) [[unlikely]]
      return tail(v, true);
    return halves_[1].evaluate(v);
  }

  //! Below this u, quantile(u) is the exact quantile (0 when the polynomials reach the support's end).
  double lower_switch() const { return halves_[0].switch_mass; }
  //! Below this 1 - u, quantile(u) is the exact upper quantile.
  double upper_switch() const { return halves_[1].switch_mass; }
  //! Intervals in both halves together.
  std::size_t interval_count() const { return halves_[0].intervals() + halves_[1].intervals(); }
  //! Bytes of the tables (coefficients, interval starts, guide tables), not counting the target.
  std::size_t memory_bytes() const;
  //! Evaluations of the target's cdf/ccdf during set-up.
  std::int64_t setup_cdf_calls() const { return setup_cdf_calls_; }
  int order() const { return order_; }

 private:
  // One half of the range: the lower half is indexed by s = u (u < 1/2), the upper half by
  // s = 1 - u, so that both are accurate relative to their own tail. Interval k covers
  // s in [start[k], start[k + 1]) with the Newton form in t = s - start[k]:
  //   x = c0 + t (c1 + (t - t1) (c2 + ... + (t - t_{n-1}) cn)),
  // clamped to the interval's own range [lo, hi] so that Q~ stays monotone across intervals.
  struct Half {
    int order = 0;
    std::size_t stride = 0;     // doubles per interval record: c0..cn, t1..t_{n-1}, lo, hi
    std::vector<double> start;  // size intervals + 1, start[intervals] = +inf
    std::vector<double> records;
    std::vector<std::uint32_t> guide;  // guide[j]: the interval holding s = j / guide_scale
    double guide_scale = 0.0;
    double switch_mass = 0.5;   // s below this: exact quantile
    double switch_value = 0.0;  // x at switch_mass, which the exact quantile must not cross

    std::size_t intervals() const { return start.empty() ? 0 : start.size() - 1; }

    double evaluate(double s) const {
      const std::size_t cell = static_cast<std::size_t>(s * guide_scale);
      std::size_t k = guide[cell < guide.size() ? cell : guide.size() - 1];
      k += static_cast<std::size_t>(start[k + 1] <= s);  // the usual step, without a branch
      while (start[k + 1] <= s) ++k;                     // several intervals in one cell (far tails)
      const double t = s - start[k];
      const double* c = &records[k * stride];
      switch (order) {  // the usual orders unrolled by the compiler
        case 5:
          return newton<5>(c, t);
        case 7:
          return newton<7>(c, t);
        case 9:
          return newton<9>(c, t);
        default:
          return newton_any(c, t, order);
      }
    }

    template <int n>
    static double newton(const double* c, double t) {
      double p = c[n];
      for (int j = n - 1; j >= 1; --j) p = c[j] + (t - c[n + j]) * p;
      return clamp(c[0] + t * p, c[2 * n], c[2 * n + 1]);
    }
    static double newton_any(const double* c, double t, int n) {
      double p = c[n];
      for (int j = n - 1; j >= 1; --j) p = c[j] + (t - c[n + j]) * p;
      return clamp(c[0] + t * p, c[2 * n], c[2 * n + 1]);
    }
    static double clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }
  };

  // The target's exact quantile at u = s (lower) or 1 - u = s (upper); where it throws, the
  // double nearest to it by bisection on cdf / ccdf.
  double exact(double s, bool upper) const;
  // exact() below a switch point, kept on its side of the polynomials' first value (the two
  // may disagree by an ulp there, and Q~ must not decrease).
  double tail(double s, bool upper) const;
  double bisect(double s, bool upper) const;

  InversionTarget target_;
  Half halves_[2];
  int order_ = 0;
  std::int64_t setup_cdf_calls_ = 0;
};

}  // namespace mppmc
