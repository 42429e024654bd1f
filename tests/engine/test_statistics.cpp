#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/random.h"
#include "core/simd.h"
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
      x[i] = std::floor(
          100 * uniform_at({5, static_cast<std::uint32_t>(i), Stream::path_input, static_cast<std::uint32_t>(n), 0}));
    const std::vector<double> percents = {0, 1, 5, 10, 25, 33.3, 50, 75, 90, 95, 99, 100};
    std::vector<double> scratch;
    const auto q = percentiles_type7(x.data(), n, percents, scratch);
    for (std::size_t k = 0; k < percents.size(); ++k)
      CHECK(q[k] == Approx(type7_by_sorting(x, percents[k])).epsilon(1e-14));
  }
}

TEST_CASE("moments: mean and population standard deviation", "[stat][unit]") {
  const std::vector<double> x = {2, 4, 4, 4, 5, 5, 7, 9};  // mean 5, population sd 2
  const Moments m = moments(x.data(), static_cast<std::int64_t>(x.size()));
  CHECK(m.mean == 5.0);
  CHECK(m.std == 2.0);
}

TEST_CASE("summarize_column: percentiles as sorting, moments bit for bit as moments()", "[stat][unit]") {
  // Columns the chain produces: continuous, heavy-tailed (a few huge values squeeze the other
  // values into one histogram bin), constant (a stock that stays 0), and mostly zero.
  std::vector<std::vector<double>> columns;
  const int n = 20001;
  std::vector<double> smooth(n), tail(n), constant(n, 1234.5), zeros(n, 0.0);
  for (int i = 0; i < n; ++i) {
    const double u = uniform_at({9, static_cast<std::uint32_t>(i), Stream::path_input, 0, 0});
    smooth[i] = 50000 * u;
    tail[i] = 1.0 / (1e-9 + u * u * u);
    if (i % 97 == 0) zeros[i] = 3 * u;
  }
  columns = {smooth, tail, constant, zeros};
  const std::vector<double> percents = {0, 5, 10, 25, 50, 75, 90, 95, 100, 5, 50, 95};
  std::vector<double> scratch;
  for (const std::vector<double>& x : columns) {
    const ColumnSummary s = summarize_column(x.data(), n, percents, scratch);
    const Moments m = moments(x.data(), n);
    CHECK(s.moments.mean == m.mean);
    CHECK(s.moments.std == m.std);
    for (std::size_t k = 0; k < percents.size(); ++k)
      CHECK(s.percentiles[k] == Approx(type7_by_sorting(x, percents[k])).epsilon(1e-14));
  }
}

TEST_CASE("summarize_column: AVX2 and portable paths agree bit for bit, and with sorting", "[stat][unit]") {
  // Every length from 1 to 70 (each tail of the 8 lanes and of a vector of bins), then longer
  // columns; few percentiles (wanted bins found a vector at a time) and many (bin by bin).
  if (!use_avx2()) WARN("this CPU has no AVX2 (or MPPMC_PORTABLE is set): only the portable paths run");
  std::vector<std::int64_t> lengths;
  for (std::int64_t n = 1; n <= 70; ++n) lengths.push_back(n);
  for (std::int64_t n : {1000, 4099, 65537}) lengths.push_back(n);
  const std::vector<std::vector<double>> percent_sets = {
      {5, 10, 25, 50, 75, 90, 95, 5, 50, 95},
      {0, 1, 2, 5, 10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 95, 98, 99, 100}};
  std::vector<double> scratch;
  for (const std::int64_t n : lengths) {
    std::vector<double> x(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      const double u =
          uniform_at({11, static_cast<std::uint32_t>(i), Stream::path_input, static_cast<std::uint32_t>(n), 0});
      x[static_cast<std::size_t>(i)] = i % 5 == 0 ? std::floor(10 * u) : 4e4 * std::exp(u);  // ties and spread
    }
    for (const std::vector<double>& percents : percent_sets) {
      allow_avx2(false);
      const ColumnSummary portable = summarize_column(x.data(), n, percents, scratch);
      allow_avx2(true);
      const ColumnSummary chosen = summarize_column(x.data(), n, percents, scratch);
      CAPTURE(n, percents.size());
      CHECK(std::memcmp(&portable.moments, &chosen.moments, sizeof(Moments)) == 0);
      REQUIRE(portable.percentiles.size() == chosen.percentiles.size());
      for (std::size_t k = 0; k < percents.size(); ++k) {
        CHECK(std::memcmp(&portable.percentiles[k], &chosen.percentiles[k], sizeof(double)) == 0);
        CHECK(chosen.percentiles[k] == Approx(type7_by_sorting(x, percents[k])).epsilon(1e-14));
      }
    }
  }
}
