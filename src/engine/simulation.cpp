#include "engine/simulation.h"

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <cmath>
#include <sstream>

#include "core/error.h"
#include "core/random.h"
#include "engine/inputs.h"
#include "model/chain.h"

namespace mppmc {

SimulationResult::SimulationResult(std::int64_t paths, int months, int years,
                                   std::vector<std::string> input_names)
    : paths_(paths),
      months_(months),
      years_(years),
      monthly_(allocate(static_cast<std::size_t>(kSeriesCount) * months * paths)),
      annual_(allocate(static_cast<std::size_t>(kSeriesCount) * years * paths)),
      input_names_(std::move(input_names)),
      input_samples_(input_names_.size() * static_cast<std::size_t>(paths)) {}

SimulationResult::Columns SimulationResult::allocate(std::size_t count) {
  const std::size_t bytes = std::max<std::size_t>(count, 1) * sizeof(double);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  madvise(p, bytes, MADV_HUGEPAGE);  // a hint; ignored where transparent huge pages are off
  return Columns(static_cast<double*>(p), Free{bytes});
}

void SimulationResult::Free::operator()(double* p) const { munmap(p, bytes); }

namespace {

// Runs work on `threads` threads (0: all). The global limit lets a request above the core
// count through (TBB would otherwise cap it and warn); either way the numbers do not change.
class ThreadLimit {
 public:
  explicit ThreadLimit(int threads)
      : arena_(threads > 0 ? threads : tbb::task_arena::automatic) {
    if (threads > 0) control_.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  }
  tbb::task_arena& arena() const { return arena_; }

 private:
  std::optional<tbb::global_control> control_;
  mutable tbb::task_arena arena_;
};

// Simulates paths [begin, begin + n) into their slots of `result`.
void simulate_block(const Scenario& scenario, const InputPlan& plan, const SimulationSettings& settings,
                    std::int64_t begin, int n, SimulationResult& result) {
  const int months = scenario.horizon_months;
  const int years = scenario.year_count();
  const std::size_t measures = scenario.measures.size();
  const std::size_t recorded = plan.recorded_names().size();

  // Per-path draws, transposed into [..][path] arrays for the month loop.
  std::vector<double> values(static_cast<std::size_t>(kParamCount) * years * n);  // [param][year][path]
  std::vector<double> level(static_cast<std::size_t>(years) * n);                 // [year][path]
  std::vector<double> effect(measures * n);                                       // [measure][path]
  std::vector<RowSource> sources(static_cast<std::size_t>(n));
  {
    std::vector<double> path_values(static_cast<std::size_t>(kParamCount) * years), path_level(years),
        path_effect(measures), path_recorded(recorded);
    for (int i = 0; i < n; ++i) {
      const auto path = static_cast<std::uint32_t>(begin + i);
      RowSource& source = sources[static_cast<std::size_t>(i)];
      source = settings.design ? settings.design->source(begin + i)
               : settings.deterministic ? plan.median_source(path)
                                        : plan.own_source(path);
      plan.draw(settings.seed, source, path_values.data(), path_level.data(), path_effect.data(),
                path_recorded.data());
      for (std::size_t k = 0; k < path_values.size(); ++k) values[k * n + i] = path_values[k];
      for (int y = 0; y < years; ++y) level[static_cast<std::size_t>(y) * n + i] = path_level[y];
      for (std::size_t k = 0; k < measures; ++k) effect[k * n + i] = path_effect[k];
      std::copy(path_recorded.begin(), path_recorded.end(),
                result.input_samples().begin() + static_cast<std::ptrdiff_t>((begin + i) * recorded));
    }
  }

  // Which parameters have measures (their month values need a scratch array).
  std::vector<std::vector<std::size_t>> measures_on(kParamCount);
  for (std::size_t k = 0; k < measures; ++k) measures_on[index(scenario.measures[k].parameter)].push_back(k);

  std::array<std::vector<double>, kInitialStockCount> stocks;
  std::array<double*, kInitialStockCount> stock_ptr;
  for (int s = 0; s < kInitialStockCount; ++s) {
    stocks[s].assign(n, scenario.initial[s]);
    stock_ptr[s] = stocks[s].data();
  }
  std::vector<double> scratch(static_cast<std::size_t>(kParamCount) * n);
  std::vector<double> first(n);
  const double sigma = scenario.monthly_noise_sd;
  const int noise_group = plan.noise_group();

  for (int m = 0; m < months; ++m) {
    const MonthIndex month = scenario.month(m);
    const int y = scenario.year_slot(m);
    MonthInputs in;
    for (int p = 0; p < kParamCount; ++p) {
      const double* base = &values[(static_cast<std::size_t>(p) * years + y) * n];
      if (measures_on[p].empty() || p == index(ParamId::inflow_first_annual)) {
        in.param[p] = base;
        continue;
      }
      double* v = &scratch[static_cast<std::size_t>(p) * n];
      for (int i = 0; i < n; ++i) {
        double factor = 1.0;
        for (std::size_t k : measures_on[p]) factor *= scenario.measures[k].factor(month, effect[k * n + i]);
        v[i] = base[i] * factor;
      }
      if (parameters()[p].capped_at_one)
        for (int i = 0; i < n; ++i) v[i] = std::min(v[i], 1.0);
      in.param[p] = v;
    }

    // Step 1's first inflow: A_y / 12 * s_c * eps_m, times any measures on the inflow.
    const double season = scenario.seasonality[calendar_month_of(month) - 1];
    const double* annual_level = &level[static_cast<std::size_t>(y) * n];
    const auto& inflow_measures = measures_on[index(ParamId::inflow_first_annual)];
    for (int i = 0; i < n; ++i) {
      double eps = 1.0;
      if (noise_group >= 0) {
        const RowSource& source = sources[static_cast<std::size_t>(i)];
        eps = source.noise_factor;
        if (std::isnan(eps)) {
          const double u = normal_at({settings.seed, source.address[static_cast<std::size_t>(noise_group)],
                                      Stream::monthly_noise, 0, static_cast<std::uint32_t>(month)});
          eps = std::exp(sigma * u - 0.5 * sigma * sigma);
        }
      }
      double factor = 1.0;
      for (std::size_t k : inflow_measures) factor *= scenario.measures[k].factor(month, effect[k * n + i]);
      first[i] = annual_level[i] / 12.0 * season * eps * factor;
    }
    in.first = first.data();

    std::array<double*, kSeriesCount> out;
    for (int s = 0; s < kSeriesCount; ++s) out[s] = result.monthly(static_cast<SeriesId>(s), m) + begin;
    step_month(n, in, stock_ptr, out);
  }

  // Annual values: flows summed over the year's months in month order, stocks at year end.
  for (const SeriesInfo& info : series()) {
    for (int y = 0; y < years; ++y) std::fill_n(result.annual(info.id, y) + begin, n, 0.0);
    for (int m = 0; m < months; ++m) {
      const double* column = result.monthly(info.id, m) + begin;
      double* target = result.annual(info.id, scenario.year_slot(m)) + begin;
      if (info.kind == SeriesKind::flow)
        for (int i = 0; i < n; ++i) target[i] += column[i];
      else
        std::copy_n(column, n, target);
    }
  }

  // A non-finite value is a bug or an input the checks let through: name its replay address.
  for (const SeriesInfo& info : series())
    for (int m = 0; m < months; ++m) {
      const double* column = result.monthly(info.id, m) + begin;
      for (int i = 0; i < n; ++i)
        if (!std::isfinite(column[i])) {
          std::ostringstream what;
          what << "series " << info.name << " is " << column[i] << " on path " << begin + i << " in month "
               << format_year_month(scenario.month(m)) << " (scenario '" << scenario.name << "', seed "
               << settings.seed << "); rerun with --seed " << settings.seed << " --paths " << begin + i + 1
               << " --save-paths to inspect the path";
          throw RuntimeError(what.str());
        }
    }
}

}  // namespace

std::uint64_t estimated_memory_bytes(const Scenario& scenario, std::int64_t paths, bool save_paths) {
  const auto n = static_cast<std::uint64_t>(paths);
  const std::uint64_t periods = static_cast<std::uint64_t>(scenario.horizon_months + scenario.year_count());
  const std::uint64_t inputs = InputPlan(scenario).recorded_names().size();
  std::uint64_t bytes = n * (kSeriesCount * periods + inputs) * sizeof(double);
  bytes += 2 * n * sizeof(double) * static_cast<std::uint64_t>(std::max(1, tbb::this_task_arena::max_concurrency()));
  if (save_paths) bytes += n * static_cast<std::uint64_t>(scenario.horizon_months) * sizeof(float);
  return bytes;
}

SimulationResult simulate(const Scenario& scenario, const SimulationSettings& settings,
                          const ProgressCallback& progress) {
  MPPMC_CHECK(settings.paths >= 1);
  MPPMC_CHECK(settings.block_size >= 1);
  const InputPlan plan(scenario);
  SimulationResult result(settings.paths, scenario.horizon_months, scenario.year_count(), plan.recorded_names());

  const std::int64_t block = settings.block_size;
  const std::int64_t blocks = (settings.paths + block - 1) / block;
  std::atomic<std::int64_t> done{0};
  const ThreadLimit limit(settings.threads);
  limit.arena().execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, blocks, 1), [&](const tbb::blocked_range<std::int64_t>& r) {
      for (std::int64_t b = r.begin(); b != r.end(); ++b) {
        const std::int64_t begin = b * block;
        const int n = static_cast<int>(std::min(block, settings.paths - begin));
        simulate_block(scenario, plan, settings, begin, n, result);
        const std::int64_t now = done.fetch_add(n) + n;
        // Progress only reports; it never feeds back into the numbers.
        if (progress && tbb::this_task_arena::current_thread_index() == 0) progress(now, settings.paths);
      }
    });
  });
  if (progress) progress(settings.paths, settings.paths);
  return result;
}

namespace {
// Statistics of all monthly and annual columns; `column(c, monthly, buffer)` gives the values.
template <typename ColumnFn>
Summary summarize_columns(int months, int years, std::int64_t paths, const std::vector<double>& percentiles,
                          const std::array<double, 3>& band_percentiles, int threads, ColumnFn column) {
  const ThreadLimit limit(threads);
  Summary summary;
  summary.percentiles = percentiles;
  summary.band_percentiles = band_percentiles;
  const std::vector<double> band(band_percentiles.begin(), band_percentiles.end());
  limit.arena().execute([&] {
    summary.monthly = column_statistics(kSeriesCount * months, paths, percentiles, band,
                                        [&](int c, std::vector<double>& buffer) { return column(c, true, buffer); });
    summary.annual = column_statistics(kSeriesCount * years, paths, percentiles, band,
                                       [&](int c, std::vector<double>& buffer) { return column(c, false, buffer); });
  });
  return summary;
}

const double* column_of(const SimulationResult& r, int c, bool monthly) {
  if (monthly) return r.monthly(static_cast<SeriesId>(c / r.months()), c % r.months());
  return r.annual(static_cast<SeriesId>(c / r.years()), c % r.years());
}
}  // namespace

Summary summarize(const SimulationResult& result, const std::vector<double>& percentiles,
                  const std::array<double, 3>& band_percentiles, int threads) {
  return summarize_columns(result.months(), result.years(), result.paths(), percentiles, band_percentiles, threads,
                           [&](int c, bool monthly, std::vector<double>&) { return column_of(result, c, monthly); });
}

Summary summarize_difference(const SimulationResult& baseline, const SimulationResult& variant,
                             const std::vector<double>& percentiles, const std::array<double, 3>& band_percentiles,
                             int threads) {
  MPPMC_CHECK_OP(baseline.paths(), ==, variant.paths());
  MPPMC_CHECK_OP(baseline.months(), ==, variant.months());
  MPPMC_CHECK_OP(baseline.years(), ==, variant.years());
  return summarize_columns(baseline.months(), baseline.years(), baseline.paths(), percentiles, band_percentiles,
                           threads, [&](int c, bool monthly, std::vector<double>& buffer) {
                             const double* b = column_of(baseline, c, monthly);
                             const double* v = column_of(variant, c, monthly);
                             buffer.resize(static_cast<std::size_t>(baseline.paths()));
                             for (std::size_t i = 0; i < buffer.size(); ++i) buffer[i] = v[i] - b[i];
                             return static_cast<const double*>(buffer.data());
                           });
}

}  // namespace mppmc
