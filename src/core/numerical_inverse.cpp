#include "core/numerical_inverse.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace mppmc {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846;

// One interval as the walk accepts it, in the walk's coordinate z (z = x for the lower half,
// z = -x for the upper half, so that both walks run towards smaller z and smaller mass s).
struct Piece {
  double s0;                   // mass at its tail end: the interval's start in s
  std::vector<double> record;  // c0..cn, t1..t_{n-1}, lo, hi (in z)
};

// The Newton form of the record's polynomial and its derivative at t, in long double: the value
// the stored double coefficients define, almost free of the rounding of a double evaluation, so
// that set-up can tell interpolation error from the final rounding to a double.
struct NewtonValue {
  long double value, slope;  // z and dz/ds
};
NewtonValue newton_value(const std::vector<double>& c, int n, double t) {
  long double p = c[n], dp = 0.0L;
  for (int j = n - 1; j >= 1; --j) {
    const long double dt = static_cast<long double>(t) - c[n + j];
    dp = p + dt * dp;
    p = c[j] + dt * p;
  }
  return {c[0] + static_cast<long double>(t) * p, p + static_cast<long double>(t) * dp};
}

// Builds one half by walking from the median z_mid towards the tail z_tail, one interval at a
// time, each as wide as the bound allows (Derflinger et al. 2010, section 4: the step grows or
// shrinks with the observed error). phi(z) is the mass on the tail side of z (increasing in z).
class HalfBuilder {
 public:
  HalfBuilder(std::function<double(double)> phi, const InversionOptions& options, std::int64_t& calls)
      : phi_(std::move(phi)), options_(options), n_(options.order), calls_(calls) {}

  // The pieces from the tail end of the covered range up to z_mid, in ascending s; the first
  // one's s0 is the switch point (0 where they reach the support's end).
  std::vector<Piece> walk(double z_tail, double z_mid, double s_mid, double h) {
    std::vector<Piece> pieces;
    double z_end = z_mid, s_end = s_mid;
    int failures = 0;
    while (static_cast<int>(pieces.size()) < options_.max_intervals && h > 0.0 && std::isfinite(h)) {
      bool at_tail = false;
      double z_start = z_end - h;
      if (!(z_start > z_tail)) {
        z_start = z_tail;
        at_tail = true;
      }
      Piece piece;
      double ratio = kInf;
      try {
        ratio = try_interval(z_start, z_end, s_end, at_tail, piece);
      } catch (const std::exception&) {  // the CDF refused a point: leave this tail to the exact quantile
        break;
      }
      if (ratio < 0.0) break;  // nodes no longer distinct in x or in s: the double grid is the limit
      const double change = 0.9 * std::pow(std::max(ratio, 1e-30), -1.0 / (n_ + 1));
      if (ratio <= 1.0) {
        z_end = z_start;
        s_end = piece.s0;
        pieces.push_back(std::move(piece));
        failures = 0;
        if (at_tail || s_end <= options_.tail_mass) break;
        h *= std::min(change, 2.0);
      } else {
        if (++failures > 60) break;
        h *= std::clamp(change, 0.05, 0.9);
      }
    }
    std::reverse(pieces.begin(), pieces.end());
    return pieces;
  }

 private:
  double phi(double z) {
    ++calls_;
    const double s = phi_(z);
    if (!std::isfinite(s)) throw std::domain_error("cdf is not finite");
    return s;
  }

  // Interpolates z(s) on [z_start, z_end] and returns the worst ratio of the error to its
  // allowance at the test points (<= 1: the interval passes), or -1 when the nodes collapse.
  double try_interval(double z_start, double z_end, double s_end, bool at_tail, Piece& piece) {
    const int n = n_;
    std::vector<double> z(n + 1), s(n + 1), t(n + 1);
    for (int j = 0; j <= n; ++j)  // Chebyshev-Lobatto nodes: the ends and the extrema of T_n
      z[j] = j == 0 ? z_start : (j == n ? z_end : z_start + (z_end - z_start) * 0.5 * (1.0 - std::cos(kPi * j / n)));
    s[n] = s_end;
    for (int j = 0; j < n; ++j) s[j] = phi(z[j]);
    for (int j = 0; j < n; ++j)
      if (!(z[j] < z[j + 1]) || !(s[j] < s[j + 1])) return -1.0;
    // The offsets exactly as evaluation forms them: t = s - start, rounded.
    for (int j = 0; j <= n; ++j) t[j] = s[j] - s[0];
    for (int j = 1; j <= n; ++j)
      if (!(t[j] > t[j - 1])) return -1.0;

    // Divided differences (Newton's form) of z over t, in long double, stored as doubles.
    std::vector<long double> d(z.begin(), z.end());
    for (int k = 1; k <= n; ++k)
      for (int j = n; j >= k; --j)
        d[j] = (d[j] - d[j - 1]) / (static_cast<long double>(t[j]) - static_cast<long double>(t[j - k]));
    std::vector<double>& record = piece.record;
    record.assign(2 * n + 2, 0.0);
    for (int j = 0; j <= n; ++j) record[j] = static_cast<double>(d[j]);
    record[0] = z_start;
    for (int j = 1; j < n; ++j) record[n + j] = t[j];
    record[2 * n] = z_start;
    record[2 * n + 1] = z_end;
    piece.s0 = s[0];

    // Test points: the middle of each gap between nodes in s, where the error of interpolation
    // at these nodes peaks; an interval that reaches the support's end (s0 = 0) is also tested
    // towards 0, where a relative bound is hardest.
    double worst = 0.0;
    for (int j = 0; j < n; ++j) {
      const double r = test_point(record, s[0], s[j] + 0.5 * (s[j + 1] - s[j]), z[j], z[j + 1]);
      worst = std::max(worst, r);
      if (!(worst <= 1.0)) return worst;
    }
    if (at_tail && s[0] == 0.0) {
      for (double sm = 0.5 * s[1]; sm > 0.0 && sm > s[1] * 1e-30; sm *= 0.125) {
        worst = std::max(worst, test_point(record, s[0], sm, z[0], z[1]));
        if (!(worst <= 1.0)) return worst;
      }
    }
    return worst;
  }

  // The error at mass sm of the polynomial (exact arithmetic on the stored coefficients),
  // relative to its allowance: half the bound, plus a quarter of F's change over one ulp
  // (rounding the value to a double adds up to half an ulp, Horner's rule a few ulp of the
  // correction; docs/design.md, "Draws through set-up-once numerical inverses"). The value must also stay within [z_lo,
  // z_hi]. F between doubles is linear with the interpolant's own slope ds/dz, which is as accurate as the interpolant:
  // one CDF evaluation per test point.
  double test_point(const std::vector<double>& record, double s0, double sm, double z_lo, double z_hi) {
    const NewtonValue p = newton_value(record, n_, sm - s0);
    if (!(p.value >= z_lo && p.value <= z_hi && p.slope > 0.0L)) return kInf;  // not monotone between the nodes
    const double z_round = static_cast<double>(p.value);
    const long double s_exact = phi(z_round) + (p.value - z_round) / p.slope;
    const double ulp = std::nextafter(z_round, kInf) - z_round;
    const double error = static_cast<double>(std::fabs(s_exact - static_cast<long double>(sm)));
    const double allowance = 0.5 * options_.u_resolution * sm + 0.25 * static_cast<double>(ulp / p.slope);
    return error / allowance;
  }

  std::function<double(double)> phi_;
  const InversionOptions& options_;
  const int n_;
  std::int64_t& calls_;
};

}  // namespace

NumericalInverse::NumericalInverse(InversionTarget target, const InversionOptions& options)
    : target_(std::move(target)), order_(options.order) {
  if (options.order < 3 || options.order > 12) throw std::invalid_argument("NumericalInverse: order must be 3..12");
  if (!target_.cdf || !target_.ccdf || !target_.quantile || !target_.upper_quantile)
    throw std::invalid_argument("NumericalInverse: the target needs cdf, ccdf, quantile and upper_quantile");

  // Split at the median: the lower half is built from F, the upper half from 1 - F, each
  // walking out to its own tail.
  double x_mid = std::numeric_limits<double>::quiet_NaN();
  try {
    x_mid = exact(0.5, false);
  } catch (const std::exception&) {  // then the middle of the support (and no polynomials if that fails)
  }
  if (!(x_mid >= target_.low && x_mid <= target_.high)) x_mid = 0.5 * (target_.low + target_.high);
  // The first step of both walks: a quarter of the distance to the nearer quartile (the walk
  // adapts from there; the nearer one, so that a skewed shape does not start far too wide).
  double first_step = 0.0;
  try {
    first_step = 0.25 * std::min(x_mid - exact(0.25, false), exact(0.25, true) - x_mid);
  } catch (const std::exception&) {  // no first step: no polynomials, the exact quantile throughout
  }
  if (!std::isfinite(first_step)) first_step = 0.0;

  for (int side = 0; side < 2; ++side) {
    const bool upper = side == 1;
    // z = x (lower) or -x (upper): the mass towards the tail increases with z in both.
    std::function<double(double)> phi =
        upper ? std::function<double(double)>([this](double z) { return target_.ccdf(-z); }) : target_.cdf;
    const double z_tail = upper ? -target_.high : target_.low, z_mid = upper ? -x_mid : x_mid;
    Half& half = halves_[side];
    half.order = order_;
    half.stride = static_cast<std::size_t>(2 * order_ + 2);
    std::vector<Piece> pieces;
    double s_mid = 0.0;
    try {
      s_mid = phi(z_mid);
      ++setup_cdf_calls_;
      if (s_mid > 0.0 && s_mid <= 1.0 && z_mid > z_tail)
        pieces = HalfBuilder(phi, options, setup_cdf_calls_)
                     .walk(z_tail, z_mid, s_mid, std::min(first_step, z_mid - z_tail));
    } catch (const std::exception&) {  // no polynomial on this side: the exact quantile throughout
      pieces.clear();
    }
    if (pieces.empty()) {
      half.switch_mass = kInf;
      half.switch_value = upper ? -kInf : kInf;
      continue;
    }
    half.switch_mass = pieces.front().s0;
    half.switch_value = upper ? -pieces.front().record[0] : pieces.front().record[0];
    for (const Piece& piece : pieces) {
      half.start.push_back(piece.s0);
      std::vector<double> record = piece.record;
      if (upper) {  // back from z = -x to x: negate the polynomial, swap the clamp bounds
        for (int j = 0; j <= order_; ++j) record[j] = -record[j];
        std::swap(record[2 * order_], record[2 * order_ + 1]);
        record[2 * order_] = -record[2 * order_];
        record[2 * order_ + 1] = -record[2 * order_ + 1];
      }
      half.records.insert(half.records.end(), record.begin(), record.end());
    }
    half.start.push_back(kInf);

    // Guide table (Chen & Asau 1974, as in PINV): guide[j] is the last interval that starts in
    // a cell before j, so that the forward scan from it never overshoots (the cell of s is
    // computed by the same expression here and in evaluate, and it is monotone in s).
    const std::size_t cells = 2 * half.intervals();
    half.guide_scale = static_cast<double>(cells) / s_mid;
    half.guide.assign(cells, 0);
    std::size_t k = 0;
    for (std::size_t j = 0; j < cells; ++j) {
      while (k + 1 < half.intervals() && static_cast<std::size_t>(half.start[k + 1] * half.guide_scale) < j) ++k;
      half.guide[j] = static_cast<std::uint32_t>(k);
    }
  }
}

double NumericalInverse::exact(double s, bool upper) const {
  try {
    return upper ? target_.upper_quantile(s) : target_.quantile(s);
  } catch (const std::exception&) {  // Boost 1.74's ibeta_inv gives up on beta(0.5, 2) at 1e-16 < u < 1e-8
    return bisect(s, upper);
  }
}

double NumericalInverse::tail(double s, bool upper) const {
  const double x = exact(s, upper);
  const double bound = halves_[upper ? 1 : 0].switch_value;
  return upper ? std::max(x, bound) : std::min(x, bound);
}

namespace {
// The doubles in their order as integers (-0 and +0 alike), so that bisection on the key halves
// the count of doubles in between: at most 64 steps to two neighbours.
std::int64_t order_key(double x) {
  std::int64_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  return bits >= 0 ? bits : -(bits & std::numeric_limits<std::int64_t>::max());
}
double from_order_key(std::int64_t key) {
  const std::int64_t bits = key >= 0 ? key : (-key) | std::numeric_limits<std::int64_t>::min();
  double x = 0.0;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}
}  // namespace

double NumericalInverse::bisect(double s, bool upper) const {
  // Towards low the mass function m(x) (F lower, 1 - F upper) is on the "left" side of s.
  auto mass = [&](double x) { return upper ? target_.ccdf(x) : target_.cdf(x); };
  auto left = [&](double m) { return upper ? m > s : m < s; };
  const std::int64_t first = order_key(target_.low), last = order_key(target_.high);
  std::int64_t lo = first, hi = last;  // left(mass(lo)) and !left(mass(hi)), the ends by definition
  // hi - lo may exceed the int64 range (from -inf to +inf): it is taken as unsigned.
  auto gap = [&] { return static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo); };
  while (gap() > 1) {
    const std::int64_t mid = lo + static_cast<std::int64_t>(gap() / 2);
    (left(mass(from_order_key(mid))) ? lo : hi) = mid;
  }
  if (lo == first) return from_order_key(hi);
  if (hi == last) return from_order_key(lo);
  const double x_lo = from_order_key(lo), x_hi = from_order_key(hi);
  return std::fabs(mass(x_lo) - s) < std::fabs(mass(x_hi) - s) ? x_lo : x_hi;
}

std::size_t NumericalInverse::memory_bytes() const {
  std::size_t bytes = sizeof(*this);
  for (const Half& half : halves_)
    bytes += half.start.size() * sizeof(double) + half.records.size() * sizeof(double) +
             half.guide.size() * sizeof(std::uint32_t);
  return bytes;
}

}  // namespace mppmc
