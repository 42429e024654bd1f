#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/random.h"
#include "engine/statistics.h"

using namespace mppmc;

namespace {
// Hyndman & Fan (1996) definition 7 on a fully sorted copy: the brute-force oracle.
double type7_by_sorting(std::vector<double> x, double percent) {
  std::sort(x.begin(), x.end());
  const double h = (static_cast<double>(x.size()) - 1) * percent / 100.0;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= x.size()) return x.back();
  return x[lo] + (h - static_cast<double>(lo)) * (x[lo + 1] - x[lo]);
}
}  // namespace

TEST_CASE("percentiles: type 7 known answers (numpy.percentile's default)", "[stat][kat][unit]") {
  // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 90, 100]) = [1, 1.75, 2.5, 3.7, 4]
  const std::vector<double> x = {4, 1, 3, 2};
  std::vector<double> scratch;
  const auto q = percentiles_type7(x.data(), 4, {0, 25, 50, 90, 100}, scratch);
  CHECK(q[0] == 1.0);
  CHECK(q[1] == 1.75);
  CHECK(q[2] == 2.5);
  CHECK(q[3] == Approx(3.7).epsilon(1e-15));
  CHECK(q[4] == 4.0);
  const std::vector<double> one = {7};
  CHECK(percentiles_type7(one.data(), 1, {5, 50, 95}, scratch) == std::vector<double>{7, 7, 7});
}

TEST_CASE("percentiles: selection equals sorting on random data with ties", "[stat][unit]") {
  for (int n : {2, 3, 10, 101, 5000}) {
    std::vector<double> x(n);
    for (int i = 0; i < n; ++i)
      x[i] = std::floor(100 * uniform_at({5, static_cast<std::uint32_t>(i), Stream::path_input, static_cast<std::uint32_t>(n), 0}));
    const std::vector<double> percents = {0, 1, 5, 10, 25, 33.3, 50, 75, 90, 95, 99, 100};
    std::vector<double> scratch;
    const auto q = percentiles_type7(x.data(), n, percents, scratch);
    for (std::size_t k = 0; k < percents.size(); ++k) CHECK(q[k] == Approx(type7_by_sorting(x, percents[k])).epsilon(1e-14));
  }
}

TEST_CASE("moments: mean and population standard deviation", "[stat][unit]") {
  const std::vector<double> x = {2, 4, 4, 4, 5, 5, 7, 9};  // mean 5, population sd 2
  const Moments m = moments(x.data(), static_cast<std::int64_t>(x.size()));
  CHECK(m.mean == 5.0);
  CHECK(m.std == 2.0);
}
