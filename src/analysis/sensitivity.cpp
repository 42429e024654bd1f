#include "analysis/sensitivity.h"

#include <cmath>

#include "core/error.h"
#include "core/normal.h"
#include "core/random.h"
#include "engine/statistics.h"

namespace mppmc {

namespace {

struct Estimates {
  std::vector<double> first, total;
  double mean, variance;
};

// The estimators on base samples idx (identity or a bootstrap resample).
Estimates estimate(const std::vector<double>& y, std::int64_t n, int k, const std::vector<std::int64_t>* idx) {
  auto at = [&](int matrix, std::int64_t j) { return y[static_cast<std::size_t>(matrix * n + (idx ? (*idx)[j] : j))]; };
  double sum = 0;
  for (std::int64_t j = 0; j < n; ++j) sum += at(0, j) + at(1, j);
  const double mean = sum / static_cast<double>(2 * n);
  double squares = 0;
  for (std::int64_t j = 0; j < n; ++j) {
    squares += (at(0, j) - mean) * (at(0, j) - mean);
    squares += (at(1, j) - mean) * (at(1, j) - mean);
  }
  const double variance = squares / static_cast<double>(2 * n);
  Estimates e{std::vector<double>(k), std::vector<double>(k), mean, variance};
  for (int i = 0; i < k; ++i) {
    double first = 0, total = 0;
    for (std::int64_t j = 0; j < n; ++j) {
      const double a = at(0, j), b = at(1, j), ab = at(2 + i, j);
      first += b * (ab - a);         // Saltelli et al. (2010): V_i = E[f(B) (f(A_B^i) - f(A))]
      total += (a - ab) * (a - ab);  // Jansen (1999): V_Ti = E[(f(A) - f(A_B^i))^2] / 2
    }
    e.first[i] = first / static_cast<double>(n) / variance;
    e.total[i] = total / static_cast<double>(2 * n) / variance;
  }
  return e;
}

}  // namespace

SobolIndices sobol_indices(const std::vector<double>& y, std::int64_t n, const std::vector<std::string>& inputs,
                           const SobolOptions& options) {
  const int k = static_cast<int>(inputs.size());
  MPPMC_CHECK_OP(y.size(), ==, static_cast<std::size_t>(n) * static_cast<std::size_t>(k + 2));
  const Estimates point = estimate(y, n, k, nullptr);
  SobolIndices out;
  out.inputs = inputs;
  out.first_order = point.first;
  out.total_order = point.total;
  out.mean = point.mean;
  out.variance = point.variance;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.first_low.assign(k, nan);
  out.first_high.assign(k, nan);
  out.total_low.assign(k, nan);
  out.total_high.assign(k, nan);
  if (options.bootstrap <= 0 || !(point.variance > 0)) return out;

  // Percentile bootstrap over the base samples: resample j with replacement (addressed draws,
  // so the intervals are reproducible), recompute everything, take the percentiles.
  std::vector<std::vector<double>> first(k), total(k);
  std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
  for (int b = 0; b < options.bootstrap; ++b) {
    for (std::int64_t j = 0; j < n; ++j)
      idx[static_cast<std::size_t>(j)] = std::min<std::int64_t>(
          n - 1, static_cast<std::int64_t>(uniform_at({options.seed, static_cast<std::uint32_t>(b), Stream::bootstrap,
                                                       static_cast<std::uint32_t>(j), 0}) *
                                           static_cast<double>(n)));
    const Estimates e = estimate(y, n, k, &idx);
    for (int i = 0; i < k; ++i) {
      first[i].push_back(e.first[i]);
      total[i].push_back(e.total[i]);
    }
  }
  const double tail = 50.0 * (1.0 - options.confidence);
  std::vector<double> scratch;
  for (int i = 0; i < k; ++i) {
    const auto f = percentiles_type7(first[i].data(), options.bootstrap, {tail, 100.0 - tail}, scratch);
    const auto t = percentiles_type7(total[i].data(), options.bootstrap, {tail, 100.0 - tail}, scratch);
    out.first_low[i] = f[0];
    out.first_high[i] = f[1];
    out.total_low[i] = t[0];
    out.total_high[i] = t[1];
  }
  return out;
}

SaltelliDesign::SaltelliDesign(const InputPlan& plan, std::vector<int> varied, Sampling sampling, std::uint64_t seed,
                               std::int64_t n)
    : plan_(plan), varied_(std::move(varied)), sampling_(sampling), n_(n) {
  const int dims = plan.dimensions();
  if (sampling == Sampling::lhs) {
    std::vector<std::uint32_t> keys;
    for (int d = 0; d < dims; ++d) keys.push_back(plan.dimension_key(d));
    uniforms_.emplace_back(Sampling::lhs, seed, n, keys, 0);
    uniforms_.emplace_back(Sampling::lhs, seed, n, keys, 1);
  } else if (sampling == Sampling::sobol) {
    std::vector<std::uint32_t> keys;
    for (int d = 0; d < 2 * dims; ++d) keys.push_back(static_cast<std::uint32_t>(d));
    uniforms_.emplace_back(Sampling::sobol, seed, n, keys, 0);
  }
}

RowSource SaltelliDesign::base(int matrix, std::int64_t j) const {
  RowSource source = plan_.own_source(static_cast<std::uint32_t>(matrix * n_ + j));
  const int dims = plan_.dimensions();
  if (sampling_ == Sampling::lhs)
    for (int d = 0; d < dims; ++d) source.uniform[static_cast<std::size_t>(d)] = uniforms_[matrix].at(j, d);
  else if (sampling_ == Sampling::sobol)
    for (int d = 0; d < dims; ++d) source.uniform[static_cast<std::size_t>(d)] = uniforms_[0].at(j, matrix * dims + d);
  // Groups that are not studied stay at their medians.
  std::vector<bool> studied(plan_.groups().size(), false);
  for (int g : varied_) studied[static_cast<std::size_t>(g)] = true;
  for (std::size_t g = 0; g < plan_.groups().size(); ++g) {
    if (studied[g]) continue;
    for (int d : plan_.groups()[g].dims) source.uniform[static_cast<std::size_t>(d)] = 0.5;
    if (plan_.groups()[g].monthly_noise) source.noise_factor = 1.0;
  }
  return source;
}

RowSource SaltelliDesign::source(std::int64_t row) const {
  const auto matrix = static_cast<int>(row / n_);
  const std::int64_t j = row % n_;
  if (matrix < 2) return base(matrix, j);
  // A_B^(i): A's sample with group i's draws from B's (its addresses and its uniforms).
  RowSource source = base(0, j);
  const RowSource b = base(1, j);
  const int g = varied_[static_cast<std::size_t>(matrix - 2)];
  source.address[static_cast<std::size_t>(g)] = b.address[static_cast<std::size_t>(g)];
  for (int d : plan_.groups()[static_cast<std::size_t>(g)].dims)
    source.uniform[static_cast<std::size_t>(d)] = b.uniform[static_cast<std::size_t>(d)];
  return source;
}

TornadoDesign::TornadoDesign(const InputPlan& plan, const Scenario& scenario, std::vector<int> varied, double low,
                             double high)
    : plan_(plan), scenario_(scenario), varied_(std::move(varied)), low_(low), high_(high) {}

RowSource TornadoDesign::source(std::int64_t row) const {
  RowSource source = plan_.median_source(static_cast<std::uint32_t>(row));
  if (row == 0) return source;
  const InputGroup& g = plan_.groups()[static_cast<std::size_t>(varied_[static_cast<std::size_t>((row - 1) / 2)])];
  const double u = (row % 2 == 1) ? low_ : high_;
  for (int d : g.dims) source.uniform[static_cast<std::size_t>(d)] = u;
  if (g.inflow_levels) source.level_uniform = u;
  if (g.monthly_noise) {
    const double sigma = scenario_.monthly_noise_sd;
    source.noise_factor = std::exp(sigma * normal_quantile(u) - 0.5 * sigma * sigma);
  }
  return source;
}

double TornadoDesign::input_value(int varied_index, double u) const {
  const InputGroup& g = plan_.groups()[static_cast<std::size_t>(varied_[static_cast<std::size_t>(varied_index)])];
  if (g.monthly_noise) {
    const double sigma = scenario_.monthly_noise_sd;
    return std::exp(sigma * normal_quantile(u) - 0.5 * sigma * sigma);
  }
  // Draw a row with the group at u and report its first recorded value for that group.
  RowSource source = plan_.median_source(0);
  for (int d : g.dims) source.uniform[static_cast<std::size_t>(d)] = u;
  if (g.inflow_levels) source.level_uniform = u;
  const int years = scenario_.year_count();
  std::vector<double> values(static_cast<std::size_t>(kParamCount) * years), level(years),
      effects(scenario_.measures.size()), recorded(plan_.recorded_names().size());
  plan_.draw(0, source, values.data(), level.data(), effects.data(), recorded.data());
  if (g.inflow_levels) return level[0];
  // A measure's group owns its effect's dimension; the plan lays measures out last, in order.
  const int d = g.dims.front();
  const int first_measure_dim = plan_.dimensions() - static_cast<int>(scenario_.measures.size());
  if (d >= first_measure_dim) return effects[static_cast<std::size_t>(d - first_measure_dim)];
  const std::string first_member = g.name.substr(0, g.name.find(" + "));
  const auto id = find_param(first_member);
  MPPMC_CHECK(id.has_value());
  return values[static_cast<std::size_t>(index(*id)) * years];
}

BenchmarkSpec benchmark_spec(Benchmark benchmark) {
  BenchmarkSpec spec;
  if (benchmark == Benchmark::ishigami) {
    // Ishigami & Homma (1990); variances from Sobol' & Levitan (1999) / Saltelli et al. (2008).
    const double a = 7, b = 0.1, pi4 = std::pow(M_PI, 4), pi8 = std::pow(M_PI, 8);
    const double v1 = 0.5 * std::pow(1 + b * pi4 / 5, 2), v2 = a * a / 8, v13 = 8 * b * b * pi8 / 225;
    const double v = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5;
    spec = {"ishigami", {"x1", "x2", "x3"}, {v1 / v, v2 / v, 0.0}, {(v1 + v13) / v, v2 / v, v13 / v}};
  } else {
    const double a[8] = {0, 1, 4.5, 9, 99, 99, 99, 99};
    spec.name = "sobol-g";
    double product = 1;
    std::vector<double> vi(8);
    for (int i = 0; i < 8; ++i) {
      vi[i] = 1.0 / (3.0 * (1 + a[i]) * (1 + a[i]));
      product *= 1 + vi[i];
    }
    const double v = product - 1;
    for (int i = 0; i < 8; ++i) {
      spec.inputs.push_back(std::string(1, 'x').append(std::to_string(i + 1)));
      spec.first_order.push_back(vi[i] / v);
      spec.total_order.push_back(vi[i] * product / (1 + vi[i]) / v);
    }
  }
  return spec;
}

SobolIndices run_benchmark(Benchmark benchmark, Sampling sampling, std::int64_t n, const SobolOptions& options) {
  const BenchmarkSpec spec = benchmark_spec(benchmark);
  const int k = static_cast<int>(spec.inputs.size());
  // The same A / B construction as SaltelliDesign: mc from addresses (B offset by n), lhs as two
  // designs, sobol as the halves of one 2k-dimensional sequence.
  std::vector<std::uint32_t> keys;
  for (int d = 0; d < (sampling == Sampling::sobol ? 2 * k : k); ++d) keys.push_back(static_cast<std::uint32_t>(d));
  std::vector<UniformDesign> designs;
  if (sampling == Sampling::sobol)
    designs.emplace_back(sampling, options.seed, n, keys, 0);
  else {
    designs.emplace_back(sampling, options.seed, n, keys, 0);
    designs.emplace_back(sampling, options.seed, n, keys, 1);
  }
  auto u = [&](int matrix, std::int64_t j, int d) {
    return sampling == Sampling::sobol ? designs[0].at(j, matrix * k + d) : designs[matrix].at(j, d);
  };
  auto f = [&](const std::vector<double>& x) {
    if (benchmark == Benchmark::ishigami) {
      const double x1 = -M_PI + 2 * M_PI * x[0], x2 = -M_PI + 2 * M_PI * x[1], x3 = -M_PI + 2 * M_PI * x[2];
      return std::sin(x1) + 7 * std::sin(x2) * std::sin(x2) + 0.1 * std::pow(x3, 4) * std::sin(x1);
    }
    const double a[8] = {0, 1, 4.5, 9, 99, 99, 99, 99};
    double y = 1;
    for (int i = 0; i < 8; ++i) y *= (std::abs(4 * x[i] - 2) + a[i]) / (1 + a[i]);
    return y;
  };
  std::vector<double> y(static_cast<std::size_t>(n) * (k + 2));
  std::vector<double> x(k);
  for (int matrix = 0; matrix < k + 2; ++matrix)
    for (std::int64_t j = 0; j < n; ++j) {
      for (int d = 0; d < k; ++d) x[d] = u(matrix < 2 ? matrix : (d == matrix - 2 ? 1 : 0), j, d);
      y[static_cast<std::size_t>(matrix * n + j)] = f(x);
    }
  return sobol_indices(y, n, spec.inputs, options);
}

}  // namespace mppmc
