#include "core/exact_sum.h"

#include <cmath>
#include <istream>
#include <ostream>

namespace mppmc {

void ExactSum::carry() {
  for (std::size_t k = 0; k + 1 < kDigits; ++k) {
    const std::int64_t over = digits_[k] >> 32;  // floor(digit / 2^32), also for negative digits
    digits_[k] -= over * (std::int64_t{1} << 32);
    digits_[k + 1] += over;
  }
  adds_ = 0;
}

double ExactSum::value() const {
  ExactSum canonical = *this;
  canonical.carry();
  // A negative sum has a negative top digit above positive ones: its magnitude is summed
  // instead, so that no two digits cancel in floating point.
  const bool negative = canonical.digits_[kDigits - 1] < 0;
  if (negative) {
    for (std::int64_t& d : canonical.digits_) d = -d;
    canonical.carry();
  }
  // Lowest digit first: each digit is exact in a double (below 2^32) and the partial sums
  // grow, so the rounding error stays within a few units in the last place.
  double sum = 0.0;
  for (std::size_t k = 0; k < kDigits; ++k)
    if (canonical.digits_[k] != 0)
      sum += std::ldexp(static_cast<double>(canonical.digits_[k]), 32 * static_cast<int>(k) - kLowBits);
  return negative ? -sum : sum;
}

void ExactSum::write(std::ostream& out) const {
  ExactSum canonical = *this;
  canonical.carry();
  out.write(reinterpret_cast<const char*>(canonical.digits_.data()),
            static_cast<std::streamsize>(sizeof(std::int64_t) * kDigits));
}

bool ExactSum::read(std::istream& in) {
  adds_ = 0;
  return static_cast<bool>(
      in.read(reinterpret_cast<char*>(digits_.data()), static_cast<std::streamsize>(sizeof(std::int64_t) * kDigits)));
}

bool ExactSum::operator==(const ExactSum& other) const {
  ExactSum a = *this, b = other;
  a.carry();
  b.carry();
  return a.digits_ == b.digits_;
}

}  // namespace mppmc
