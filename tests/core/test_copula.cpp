#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/copula.h"
#include "core/random.h"

using namespace mppmc;

namespace {
std::vector<double> ranks(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (std::size_t i = 0; i < order.size(); ++i) r[order[i]] = static_cast<double>(i);
  return r;
}
double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}
}  // namespace

TEST_CASE("copula: the sample Spearman correlation is the requested rank correlation", "[stat][unit]") {
  for (double r : {-0.7, 0.3, 0.9}) {
    const auto copula = GaussianCopula::build(2, {{0, 1}}, {r});
    REQUIRE(copula);
    const int n = 40000;
    std::vector<double> a(n), b(n);
    for (int i = 0; i < n; ++i) {
      double u[2] = {uniform_at({9, static_cast<std::uint32_t>(i), Stream::path_input, 0, 0}),
                     uniform_at({9, static_cast<std::uint32_t>(i), Stream::path_input, 1, 0})};
      copula->correlate(u);
      a[i] = u[0];
      b[i] = u[1];
    }
    // Standard error of Spearman's rho at n = 40000 is below 0.005.
    CHECK(std::abs(pearson(ranks(a), ranks(b)) - r) < 0.02);
  }
}

TEST_CASE("copula: matrices that are not positive definite are refused", "[unit]") {
  CHECK_FALSE(GaussianCopula::build(3, {{0, 1}, {1, 2}, {0, 2}}, {0.9, 0.9, -0.9}));
  CHECK_FALSE(GaussianCopula::build(2, {{0, 1}}, {1.0}));
  CHECK(GaussianCopula::build(3, {{0, 1}, {1, 2}, {0, 2}}, {0.5, 0.5, 0.5}));
  CHECK(GaussianCopula::pearson_from_spearman(1.0) == Approx(1.0));
  CHECK(GaussianCopula::pearson_from_spearman(0.5) == Approx(2 * std::sin(M_PI / 12)));
}

TEST_CASE("copula: the first member keeps its uniform (lower-triangular factor)", "[determinism][unit]") {
  const auto copula = GaussianCopula::build(2, {{0, 1}}, {0.5});
  double u[2] = {0.3, 0.8};
  copula->correlate(u);
  CHECK(u[0] == Approx(0.3).epsilon(1e-14));
}
