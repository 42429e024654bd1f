// ExactSum: an order-independent sum. Oracles: integer arithmetic (__int128) for values that are
// multiples of a power of two, and the known results of cancelling sums.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <vector>

#include "core/exact_sum.h"

using mppmc::ExactSum;

namespace {

// Values k * 2^-40 with |k| < 2^40: exact in a double, and the sum of 10^5 of them is exact in
// an int64.
std::vector<double> scaled_integers(std::mt19937_64& rng, int n, std::vector<std::int64_t>& k_out) {
  std::uniform_int_distribution<std::int64_t> k(-(std::int64_t{1} << 40) + 1, (std::int64_t{1} << 40) - 1);
  std::vector<double> x;
  for (int i = 0; i < n; ++i) {
    const std::int64_t v = k(rng);
    k_out.push_back(v);
    x.push_back(std::ldexp(static_cast<double>(v), -40));
  }
  return x;
}

}  // namespace

TEST_CASE("exact sum: the integer oracle's sum, correctly to the last bit", "[core]") {
  std::mt19937_64 rng(7);
  std::vector<std::int64_t> k;
  const std::vector<double> x = scaled_integers(rng, 100000, k);
  ExactSum sum;
  for (double v : x) sum.add(v);
  std::int64_t exact = 0;
  for (std::int64_t v : k) exact += v;
  // |exact| < 2^57: split into two exact doubles, then one rounding.
  const double hi = static_cast<double>(exact / (std::int64_t{1} << 32));
  const double lo = static_cast<double>(exact % (std::int64_t{1} << 32));
  const double expected = std::ldexp(hi, 32 - 40) + std::ldexp(lo, -40);
  CHECK(sum.value() == Approx(expected).epsilon(1e-15));
}

TEST_CASE("exact sum: cancellation that a double sum gets wrong", "[core]") {
  ExactSum a;
  for (double v : {1e16, 1.0, -1e16}) a.add(v);
  CHECK(a.value() == 1.0);  // 1e16 + 1 rounds to 1e16 in double
  ExactSum b;
  for (double v : {1e300, 3.5, -1e300, 1e-200, -1e-200}) b.add(v);
  CHECK(b.value() == 3.5);
  ExactSum negative;
  for (double v : {-1.0, -2.0, 0.25}) negative.add(v);
  CHECK(negative.value() == -2.75);
  ExactSum tiny;
  tiny.add(1e-300);  // below 2^-256: dropped, the same way every time
  CHECK(tiny.value() == 0.0);
  ExactSum empty;
  CHECK(empty.value() == 0.0);
}

TEST_CASE("exact sum: any order and grouping gives the same state bit for bit", "[core][determinism]") {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> magnitude(10.0, 6.0);
  std::vector<double> x;
  for (int i = 0; i < 20000; ++i) x.push_back((i % 3 == 0 ? -1.0 : 1.0) * magnitude(rng));
  ExactSum reference;
  for (double v : x) reference.add(v);
  for (int trial = 0; trial < 5; ++trial) {
    std::shuffle(x.begin(), x.end(), rng);
    // Cut into uneven groups, each summed on its own, then the groups added in reverse order.
    std::vector<ExactSum> groups(7);
    for (std::size_t i = 0; i < x.size(); ++i) groups[(i * i + trial) % groups.size()].add(x[i]);
    ExactSum total;
    for (auto it = groups.rbegin(); it != groups.rend(); ++it) total.add(*it);
    CHECK(total == reference);
    CHECK(total.value() == reference.value());  // bit for bit
  }
  // A naive double sum does depend on the order (the reason for this class).
  double forward = 0, backward = 0;
  for (double v : x) forward += v;
  for (auto it = x.rbegin(); it != x.rend(); ++it) backward += *it;
  CHECK(forward != backward);
}

TEST_CASE("exact sum: written and read back, the same state", "[core]") {
  ExactSum sum;
  for (double v : {1.5, -1e12, 3e-100, 7e200}) sum.add(v);
  std::stringstream bytes;
  sum.write(bytes);
  ExactSum back;
  REQUIRE(back.read(bytes));
  CHECK(back == sum);
  CHECK(back.value() == sum.value());
  ExactSum short_read;
  std::stringstream cut(bytes.str().substr(0, 10));
  CHECK_FALSE(short_read.read(cut));
}
