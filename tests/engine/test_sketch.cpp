#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "core/random.h"
#include "engine/sketch.h"
#include "engine/statistics.h"

using namespace mppmc;

namespace {
std::vector<double> sample(int n, std::uint64_t seed) {
  // Lognormal-ish, with zeros and negatives: what differences and stocks look like.
  std::vector<double> x(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const double u = uniform_at({seed, static_cast<std::uint32_t>(i), Stream::benchmark, 0, 0});
    x[static_cast<std::size_t>(i)] =
        u < 0.1 ? 0.0
                : (u < 0.3 ? -1.0 : 1.0) * 5e4 *
                      std::exp(2 * normal_at({seed, static_cast<std::uint32_t>(i), Stream::benchmark, 1, 0}));
  }
  return x;
}
}  // namespace

TEST_CASE("sketch: every order statistic within relative alpha of the exact one", "[stat][unit]") {
  const std::vector<double> x = sample(20000, 4);
  QuantileSketch sketch(0.005);
  for (double v : x) sketch.add(v);
  std::vector<double> sorted = x;
  std::sort(sorted.begin(), sorted.end());
  for (std::int64_t r = 0; r < static_cast<std::int64_t>(sorted.size()); r += 37) {
    const double exact = sorted[static_cast<std::size_t>(r)];
    CHECK(std::abs(sketch.value_at_rank(r) - exact) <= 0.005 * std::abs(exact) * (1 + 1e-12));
  }
}

TEST_CASE("sketch: type-7 percentiles within 1% of the exact ones", "[stat][unit]") {
  const std::vector<double> x = sample(50000, 5);
  QuantileSketch sketch(0.005);
  for (double v : x) sketch.add(v);
  const std::vector<double> percents = {1, 5, 10, 25, 50, 75, 90, 95, 99};
  std::vector<double> scratch;
  const std::vector<double> exact = percentiles_type7(x.data(), static_cast<std::int64_t>(x.size()), percents, scratch);
  const std::vector<double> approx = sketch.percentiles(percents);
  for (std::size_t k = 0; k < percents.size(); ++k) {
    INFO("p" << percents[k]);
    CHECK(std::abs(approx[k] - exact[k]) <= 0.01 * std::abs(exact[k]));
  }
}

TEST_CASE("sketch: merging is adding counts, in any order", "[determinism][unit]") {
  const std::vector<double> x = sample(9000, 6);
  QuantileSketch whole(0.005), a(0.005), b(0.005), c(0.005);
  for (double v : x) whole.add(v);
  for (std::size_t i = 0; i < x.size(); ++i) (i % 3 == 0 ? a : i % 3 == 1 ? b : c).add(x[i]);
  QuantileSketch abc = a, cba = c;
  abc.merge(b);
  abc.merge(c);
  cba.merge(b);
  cba.merge(a);
  REQUIRE(abc.count() == whole.count());
  for (std::int64_t r = 0; r < whole.count(); r += 11) {
    CHECK(abc.value_at_rank(r) == whole.value_at_rank(r));
    CHECK(cba.value_at_rank(r) == whole.value_at_rank(r));
  }
}
