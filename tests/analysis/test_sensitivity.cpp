#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "analysis/sensitivity.h"
#include "core/random.h"
#include "engine/simulation.h"
#include "io/scenario_reader.h"
#include "support.h"

using namespace mppmc;
using mppmc::testing::small_scenario;

namespace {
int group_named(const InputPlan& plan, const std::string& name) {
  for (std::size_t g = 0; g < plan.groups().size(); ++g)
    if (plan.groups()[g].name == name) return static_cast<int>(g);
  FAIL("no group " << name);
  return -1;
}
}  // namespace

TEST_CASE("sobol benchmarks: indices within 0.02 of the analytic values at N = 16384, intervals cover them",
          "[kat][stat][unit]") {
  for (Benchmark b : {Benchmark::ishigami, Benchmark::sobol_g}) {
    const BenchmarkSpec spec = benchmark_spec(b);
    SobolOptions options;
    options.seed = 2024;
    const SobolIndices r = run_benchmark(b, Sampling::sobol, 16384, options);
    for (std::size_t i = 0; i < spec.inputs.size(); ++i) {
      INFO(spec.name << " " << spec.inputs[i]);
      CHECK(std::abs(r.first_order[i] - spec.first_order[i]) < 0.02);
      CHECK(std::abs(r.total_order[i] - spec.total_order[i]) < 0.02);
      CHECK(r.first_low[i] <= spec.first_order[i]);
      CHECK(spec.first_order[i] <= r.first_high[i]);
      CHECK(r.total_low[i] <= spec.total_order[i]);
      CHECK(spec.total_order[i] <= r.total_high[i]);
    }
  }
}

TEST_CASE("sobol benchmarks: the analytic values are the published ones", "[kat][unit]") {
  // Ishigami a = 7, b = 0.1: S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)
  // (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, sec. 4.7).
  const BenchmarkSpec ishigami = benchmark_spec(Benchmark::ishigami);
  CHECK(ishigami.first_order[0] == Approx(0.3139).margin(1e-4));
  CHECK(ishigami.first_order[1] == Approx(0.4424).margin(1e-4));
  CHECK(ishigami.total_order[0] == Approx(0.5576).margin(1e-4));
  CHECK(ishigami.total_order[2] == Approx(0.2437).margin(1e-4));
  // Sobol' G: V_i = 1 / (3 (1 + a_i)^2) = 1/3, 1/12, 0.011019, 0.003333, 4 x 3.333e-5;
  // V = prod(1 + V_i) - 1 = 1.465425 - 1, so S_1 = (1/3) / 0.465425 = 0.71619 (by hand).
  const BenchmarkSpec g = benchmark_spec(Benchmark::sobol_g);
  double sum = 0;
  for (double s : g.first_order) sum += s;
  CHECK(sum < 1.0);  // interactions
  CHECK(g.first_order[0] == Approx(0.71619).margin(1e-5));
  CHECK(g.total_order[0] == Approx((1.0 / 3) * 1.465425 / (4.0 / 3) / 0.465425).margin(1e-5));
}

TEST_CASE("sobol estimators: a purely additive model has S = ST = its variance shares", "[stat][unit]") {
  // y = x1 + 2 x2 with x uniform: V1 : V2 = 1 : 4, no interactions. The A, B and A_B^(i)
  // outputs are built by hand from addressed uniforms, independently of SaltelliDesign.
  const std::int64_t n = 4096;
  std::vector<double> y(static_cast<std::size_t>(n) * 4);
  auto u = [](int m, std::int64_t j, int d) {
    return uniform_at({7, static_cast<std::uint32_t>(j), Stream::benchmark, static_cast<std::uint32_t>(d),
                       static_cast<std::uint32_t>(m)});
  };
  for (int matrix = 0; matrix < 4; ++matrix)
    for (std::int64_t j = 0; j < n; ++j) {
      const double x1 = u(matrix == 1 || matrix == 2 ? 1 : 0, j, 0);
      const double x2 = u(matrix == 1 || matrix == 3 ? 1 : 0, j, 1);
      y[static_cast<std::size_t>(matrix * n + j)] = x1 + 2 * x2;
    }
  const SobolIndices r = sobol_indices(y, n, {"x1", "x2"}, SobolOptions{100, 0.95, 1});
  CHECK(r.first_order[0] == Approx(0.2).margin(0.03));
  CHECK(r.first_order[1] == Approx(0.8).margin(0.03));
  CHECK(r.total_order[0] == Approx(0.2).margin(0.03));
  CHECK(r.total_order[1] == Approx(0.8).margin(0.03));
}

TEST_CASE("saltelli design: A_B^(i) rows are A rows with group i taken from B", "[determinism][unit]") {
  const Scenario scenario = small_scenario();
  const InputPlan plan(scenario);
  std::vector<int> varied(plan.groups().size());
  for (std::size_t g = 0; g < varied.size(); ++g) varied[g] = static_cast<int>(g);
  const std::int64_t n = 16;
  for (Sampling sampling : {Sampling::mc, Sampling::lhs, Sampling::sobol}) {
    INFO(sampling_name(sampling));
    const SaltelliDesign design(plan, varied, sampling, 9, n);
    SimulationSettings settings;
    settings.seed = 9;
    settings.paths = design.rows();
    settings.design = &design;
    const SimulationResult r = simulate(scenario, settings);
    const std::size_t k = r.input_names().size();
    auto row = [&](int matrix, std::int64_t j) {
      return &r.input_samples()[static_cast<std::size_t>(matrix * n + j) * k];
    };
    const std::size_t repeat = testing::input_column(r, "inflow.repeat_ratio");
    const std::size_t level = testing::input_column(r, "inflow.first.annual[2026]");
    const int repeat_group = group_named(plan, "inflow.repeat_ratio");
    const int level_group = group_named(plan, "inflow.first.annual");
    const int noise_group = group_named(plan, "monthly_noise");
    for (std::int64_t j = 0; j < n; ++j) {
      const double* a = row(0, j);
      const double* b = row(1, j);
      CHECK(a[repeat] != b[repeat]);
      const double* ab_repeat = row(2 + repeat_group, j);
      CHECK(ab_repeat[repeat] == b[repeat]);
      CHECK(ab_repeat[level] == a[level]);
      const double* ab_level = row(2 + level_group, j);
      CHECK(ab_level[level] == b[level]);
      CHECK(ab_level[repeat] == a[repeat]);
      // The noise group changes no recorded input, only the monthly inflow (its draws come
      // from B's row address).
      const double* ab_noise = row(2 + noise_group, j);
      CHECK(std::memcmp(ab_noise, a, k * sizeof(double)) == 0);
      CHECK(r.monthly(SeriesId::inflow_first, 0)[(2 + noise_group) * n + j] != r.monthly(SeriesId::inflow_first, 0)[j]);
    }
  }
}

TEST_CASE("tornado design: row 0 is the deterministic run; other rows move one group", "[unit]") {
  const Scenario scenario = small_scenario();
  const InputPlan plan(scenario);
  const int repeat_group = group_named(plan, "inflow.repeat_ratio");
  const TornadoDesign design(plan, scenario, {repeat_group}, 0.05, 0.95);
  SimulationSettings settings;
  settings.paths = design.rows();
  settings.design = &design;
  const SimulationResult r = simulate(scenario, settings);
  SimulationSettings deterministic;
  deterministic.paths = 1;
  deterministic.deterministic = true;
  const SimulationResult d = simulate(scenario, deterministic);
  for (int m = 0; m < r.months(); ++m)
    CHECK(r.monthly(SeriesId::cost_total, m)[0] == d.monthly(SeriesId::cost_total, m)[0]);
  const std::size_t repeat = testing::input_column(r, "inflow.repeat_ratio");
  const std::size_t k = r.input_names().size();
  CHECK(r.input_samples()[1 * k + repeat] == Approx(0.04 + 0.04 * 0.05));  // uniform(0.04, 0.08) at p5
  CHECK(r.input_samples()[2 * k + repeat] == Approx(0.04 + 0.04 * 0.95));
  CHECK(design.input_value(0, 0.05) == Approx(0.042));
}

TEST_CASE("sampling designs: each Latin hypercube stratum is used exactly once per dimension", "[stat][unit]") {
  const std::int64_t n = 257;
  const UniformDesign lhs(Sampling::lhs, 3, n, {1, 2, 70000});
  for (int d = 0; d < 3; ++d) {
    std::vector<int> hits(static_cast<std::size_t>(n), 0);
    for (std::int64_t j = 0; j < n; ++j) {
      const double u = lhs.at(j, d);
      REQUIRE(u > 0.0);
      REQUIRE(u < 1.0);
      ++hits[static_cast<std::size_t>(u * static_cast<double>(n))];
    }
    CHECK(std::count(hits.begin(), hits.end(), 1) == n);
  }
  // A column depends on its key, not on its position among the dimensions.
  const UniformDesign other(Sampling::lhs, 3, n, {70000, 5});
  for (std::int64_t j = 0; j < n; ++j) CHECK(other.at(j, 0) == lhs.at(j, 2));
  // Sobol points: the first 2^m values of a coordinate are the 2^m points k / 2^m, shifted
  // (mod 1) by one random amount, so sorted they are exactly 1 / 2^m apart.
  const UniformDesign sobol(Sampling::sobol, 3, 256, {0, 1});
  for (int d = 0; d < 2; ++d) {
    std::vector<double> values;
    for (std::int64_t j = 0; j < 256; ++j) values.push_back(sobol.at(j, d));
    std::sort(values.begin(), values.end());
    for (std::size_t j = 1; j < values.size(); ++j) CHECK(values[j] - values[j - 1] == Approx(1.0 / 256).margin(1e-12));
  }
}
