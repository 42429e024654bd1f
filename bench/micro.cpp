// Google Benchmark micro-benchmarks of the hot parts (docs/performance.md): the month step,
// the path-level draws, one monthly-noise draw, the beta quantile (Boost's and the numerical
// inverse, side by side: --benchmark_filter='BetaQuantile|NumericalInverse'), the exact percentile
// selection, and the floor: the default scenario's draws and month steps on all threads, no
// result columns, no statistics, no output. Run through scripts/bench.sh or directly:
//   build/bench/mppmc_micro --benchmark_filter=Floor
#include <benchmark/benchmark.h>
#include <tbb/parallel_for.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/boost_math.h"
#include "core/calendar.h"
#include "core/distribution.h"
#include "core/layout.h"
#include "core/normal.h"
#include "core/random.h"
#include "engine/inputs.h"
#include "engine/path_block.h"
#include "engine/run_control.h"
#include "engine/simulation.h"
#include "engine/statistics.h"
#include "io/scenario_reader.h"
#include "model/chain.h"

namespace {

using namespace mppmc;

const Scenario& default_scenario() {
  static const Scenario scenario = [] {
    std::vector<Problem> warnings;
    // MPPMC_BENCH_SCENARIO: another scenario, or this one where the source tree has moved.
    const char* path = std::getenv("MPPMC_BENCH_SCENARIO");
    return io::read_scenario(path ? std::string(path) : std::string(MPPMC_SOURCE_DIR) + "/scenarios/mpp-2024-II.toml",
                             warnings);
  }();
  return scenario;
}

// One month step of n = range(0) paths, its arrays laid out as the engine lays them out
// (padded_stride; range(1) = 1) or back to back (range(1) = 0: 2 KB apart, in few cache sets).
void BM_MonthStep(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::size_t stride =
      state.range(1) != 0 ? padded_stride(static_cast<std::size_t>(n)) : static_cast<std::size_t>(n);
  std::vector<double> params(static_cast<std::size_t>(kParamCount) * stride, 0.5), first(n, 3500.0);
  std::vector<double> stocks(static_cast<std::size_t>(kInitialStockCount) * stride, 20000.0);
  std::vector<double> out(static_cast<std::size_t>(kSeriesCount) * stride);
  MonthInputs in;
  in.first = first.data();
  for (int p = 0; p < kParamCount; ++p) in.param[p] = &params[static_cast<std::size_t>(p) * stride];
  in.param[index(ParamId::nareis_apply_delay_months)] = first.data();  // >= 1
  in.param[index(ParamId::nareis_arrival_delay_months)] = first.data();
  std::array<double*, kInitialStockCount> s;
  for (int k = 0; k < kInitialStockCount; ++k) s[k] = &stocks[static_cast<std::size_t>(k) * stride];
  std::array<double*, kSeriesCount> o;
  for (int k = 0; k < kSeriesCount; ++k) o[k] = &out[static_cast<std::size_t>(k) * stride];
  for (auto _ : state) {
    step_month(n, in, s, o);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * n);  // path-months
}
BENCHMARK(BM_MonthStep)->Args({256, 1})->Args({256, 0});

void BM_PathDraws(benchmark::State& state) {
  const Scenario& scenario = default_scenario();
  const InputPlan plan(scenario);
  const int years = scenario.year_count();
  std::vector<double> values(static_cast<std::size_t>(kParamCount) * years), level(years),
      effects(scenario.measures.size()), recorded(plan.recorded_names().size());
  std::uint32_t path = 0;
  for (auto _ : state) {
    plan.draw(1, plan.own_source(path++), values.data(), level.data(), effects.data(), recorded.data());
    benchmark::DoNotOptimize(values.data());
  }
  state.SetItemsProcessed(state.iterations());  // paths
}
BENCHMARK(BM_PathDraws);

void BM_NoiseDraw(benchmark::State& state) {
  std::uint32_t path = 0;
  for (auto _ : state) benchmark::DoNotOptimize(normal_at({1, path++, Stream::monthly_noise, 0, 24300}));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NoiseDraw);

// The beta quantile behind the beta and PERT inputs (Boost's ibeta_inv, as Distribution uses
// it): shapes a = range(0) / 1000, b = range(1) / 1000 from the default scenario.
void BM_BetaQuantile(benchmark::State& state) {
  const double a = static_cast<double>(state.range(0)) / 1000, b = static_cast<double>(state.range(1)) / 1000;
  std::uint32_t path = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(
        boost::math::ibeta_inv(a, b, uniform_at({1, path++, Stream::path_input, 0, 0}), MathPolicy()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BetaQuantile)
    ->Args({3667, 2333})    // PERT(0.80, 1.0, 1.10): ind.asylum.capacity_factor
    ->Args({1923, 4077})    // PERT(0.035, 0.05, 0.10): inflow.repeat_ratio
    ->Args({30000, 20000})  // beta(30, 20): ind.asylum.grant_rate
    ->Args({38000, 2000})   // beta(38, 2): coa.uptake
    ->Args({3500, 2500})    // PERT(0.75, 1.0, 1.15), issue 15
    ->Args({28000, 22000})  // beta(28, 22), issue 15
    ->Args({2000, 200000})  // beta(2, 200)
    ->Args({500, 500});     // beta(0.5, 0.5)

// The same draws through the numerical inverse (core/numerical_inverse.h), set up once outside
// the loop, on the same uniforms as BM_BetaQuantile: the ratio of the two is the saving per draw.
void BM_NumericalInverse(benchmark::State& state) {
  const double a = static_cast<double>(state.range(0)) / 1000, b = static_cast<double>(state.range(1)) / 1000;
  const auto inverse = Distribution::beta(a, b).prepare_inverse();
  std::uint32_t path = 0;
  for (auto _ : state) benchmark::DoNotOptimize(inverse->quantile(uniform_at({1, path++, Stream::path_input, 0, 0})));
  state.SetItemsProcessed(state.iterations());
  state.counters["intervals"] = static_cast<double>(inverse->interval_count());
  state.counters["bytes"] = static_cast<double>(inverse->memory_bytes());
}
BENCHMARK(BM_NumericalInverse)
    ->Args({3667, 2333})
    ->Args({1923, 4077})
    ->Args({30000, 20000})
    ->Args({38000, 2000})
    ->Args({3500, 2500})
    ->Args({28000, 22000})
    ->Args({2000, 200000})
    ->Args({500, 500});

// The uniforms alone (Philox and the conversion): what both benchmarks above share.
void BM_PathUniform(benchmark::State& state) {
  std::uint32_t path = 0;
  for (auto _ : state) benchmark::DoNotOptimize(uniform_at({1, path++, Stream::path_input, 0, 0}));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PathUniform);

// Set-up of the numerical inverse, once per distribution and run.
void BM_NumericalInverseSetup(benchmark::State& state) {
  const double a = static_cast<double>(state.range(0)) / 1000, b = static_cast<double>(state.range(1)) / 1000;
  for (auto _ : state) benchmark::DoNotOptimize(Distribution::beta(a, b).prepare_inverse());
}
BENCHMARK(BM_NumericalInverseSetup)
    ->Args({3667, 2333})
    ->Args({3500, 2500})
    ->Args({28000, 22000})
    ->Unit(benchmark::kMillisecond);

// One column of a run: its exact percentiles (7 + the 3 band ones) and its mean and std.
void BM_Percentiles(benchmark::State& state) {
  const auto n = static_cast<std::int64_t>(state.range(0));
  std::vector<double> x(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    x[static_cast<std::size_t>(i)] = 50000 * uniform_at({3, static_cast<std::uint32_t>(i), Stream::path_input, 0, 0});
  const std::vector<double> percents = {5, 10, 25, 50, 75, 90, 95, 5, 50, 95};
  std::vector<double> scratch;
  for (auto _ : state) benchmark::DoNotOptimize(summarize_column(x.data(), n, percents, scratch));
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Percentiles)->Arg(100000);

// Runs fn(begin, n) for every block of `paths` paths (block_size each, the last shorter) in
// parallel on `threads` threads (0: all), as a run's drivers lay out their blocks.
template <typename Fn>
void for_each_block(std::int64_t paths, int block_size, const detail::ThreadLimit& limit, const Fn& fn) {
  const std::int64_t blocks = (paths + block_size - 1) / block_size;
  limit.arena().execute([&] {
    tbb::parallel_for(std::int64_t{0}, blocks, [&](std::int64_t b) {
      const std::int64_t begin = b * block_size;
      fn(begin, static_cast<int>(std::min<std::int64_t>(block_size, paths - begin)));
    });
  });
}

// The floor of a run: every path's draws and month steps, in blocks on all threads as a run
// does them, each block writing its months into a small buffer of its own that is then
// dropped: no result columns, no statistics, no file.
void BM_Floor(benchmark::State& state) {
  const Scenario& scenario = default_scenario();
  const InputPlan plan(scenario);
  SimulationSettings settings;
  settings.paths = state.range(0);
  const detail::ThreadLimit limit(static_cast<int>(state.range(1)));
  for (auto _ : state) {
    for_each_block(settings.paths, settings.block_size, limit, [&](std::int64_t begin, int n) {
      std::vector<double> recorded(static_cast<std::size_t>(n) * plan.recorded_names().size());
      const std::size_t stride = padded_stride(static_cast<std::size_t>(n));
      std::vector<double> month(static_cast<std::size_t>(kSeriesCount) * stride);
      BlockArena arena(false);
      detail::PathBlock block(scenario, plan, settings, begin, n, recorded.data(), arena);
      std::array<double*, kSeriesCount> out;
      for (int k = 0; k < kSeriesCount; ++k) out[k] = &month[static_cast<std::size_t>(k) * stride];
      for (int m = 0; m < scenario.horizon_months; ++m) block.step(m, out);
      benchmark::DoNotOptimize(month.data());
    });
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Floor)->Args({100000, 0})->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// The bare floor: what no run of the default scenario can avoid. Per path, one Philox uniform
// per input dimension (the draws, without turning them into values: no quantile inversion);
// per path and month, one Philox normal for the monthly noise and the month step, on the
// parameters' medians. Next to BM_Floor, it shows what the quantile inversions and the rest of
// a block's set-up cost; scripts/bench.sh prints full run / bare floor.
void BM_FloorBare(benchmark::State& state) {
  const Scenario& scenario = default_scenario();
  const InputPlan plan(scenario);
  SimulationSettings settings;
  settings.paths = state.range(0);
  const int block_size = settings.block_size;
  const int years = scenario.year_count();
  // Every parameter's median in every year, and the annual inflow's, from one median row.
  std::vector<double> median(static_cast<std::size_t>(kParamCount) * years), level(years),
      effects(scenario.measures.size()), recorded(plan.recorded_names().size());
  plan.draw(settings.seed, plan.median_source(0), median.data(), level.data(), effects.data(), recorded.data());
  const std::size_t stride = padded_stride(static_cast<std::size_t>(block_size));
  std::vector<double> columns(static_cast<std::size_t>(kParamCount) * years * stride);  // [year][param][path]
  for (int y = 0; y < years; ++y)
    for (int p = 0; p < kParamCount; ++p)
      std::fill_n(&columns[(static_cast<std::size_t>(y) * kParamCount + p) * stride], block_size,
                  median[static_cast<std::size_t>(p) * years + y]);
  const double sigma = scenario.monthly_noise_sd;
  const detail::ThreadLimit limit(static_cast<int>(state.range(1)));
  for (auto _ : state) {
    for_each_block(settings.paths, block_size, limit, [&](std::int64_t begin, int n) {
      double draws = 0.0;
      for (int i = 0; i < n; ++i)
        for (int d = 0; d < plan.dimensions(); ++d)
          draws += uniform_at(
              {settings.seed, static_cast<std::uint32_t>(begin + i), Stream::path_input, plan.dimension_key(d), 0});
      benchmark::DoNotOptimize(draws);
      std::vector<double> month(static_cast<std::size_t>(kSeriesCount) * stride), first(stride);
      std::array<std::vector<double>, kInitialStockCount> stocks;
      std::array<double*, kInitialStockCount> stock;
      for (int s = 0; s < kInitialStockCount; ++s) {
        stocks[s].assign(static_cast<std::size_t>(n), scenario.initial[s]);
        stock[s] = stocks[s].data();
      }
      std::array<double*, kSeriesCount> out;
      for (int k = 0; k < kSeriesCount; ++k) out[k] = &month[static_cast<std::size_t>(k) * stride];
      for (int m = 0; m < scenario.horizon_months; ++m) {
        const int y = scenario.year_slot(m);
        const MonthIndex calendar = scenario.month(m);
        const double season = scenario.seasonality[calendar_month_of(calendar) - 1];
        for (int i = 0; i < n; ++i) {
          const double u = normal_at({settings.seed, static_cast<std::uint32_t>(begin + i), Stream::monthly_noise, 0,
                                      static_cast<std::uint32_t>(calendar)});
          first[static_cast<std::size_t>(i)] = level[y] / 12.0 * season * std::exp(sigma * u - 0.5 * sigma * sigma);
        }
        MonthInputs in;
        in.first = first.data();
        for (int p = 0; p < kParamCount; ++p)
          in.param[p] = &columns[(static_cast<std::size_t>(y) * kParamCount + p) * stride];
        step_month(n, in, stock, out);
      }
      benchmark::DoNotOptimize(month.data());
    });
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_FloorBare)->Args({100000, 0})->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
