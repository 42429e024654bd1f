#include "engine/path_block.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <sstream>

#include "core/calendar.h"
#include "core/error.h"
#include "core/layout.h"
#include "core/random.h"
#include "core/simd.h"
#include "model/parameters.h"
#include "model/series.h"

namespace mppmc::detail {

namespace {

// A double is infinite or NaN exactly when its exponent field is all ones, i.e. when
// ~bits & kExponent == 0, and then (~bits & kExponent) - 1 has its top bit set (otherwise the
// difference is below 2^63). Integer operations only, so the loop vectorises and has no branch.
[[gnu::always_inline]] inline bool all_finite_body(const double* x, int n) {
  constexpr std::uint64_t kExponent = 0x7ff0000000000000;
  std::uint64_t flags = 0;
  for (int i = 0; i < n; ++i) flags |= (~std::bit_cast<std::uint64_t>(x[i]) & kExponent) - 1;
  return (flags >> 63) == 0;
}
[[gnu::always_inline]] inline void add_to_body(double* __restrict sum, const double* __restrict x, int n) {
  for (int i = 0; i < n; ++i) sum[i] += x[i];
}

// Portable and AVX2 builds (core/simd.h): integer operations, and one addition per element.
bool all_finite_portable(const double* x, int n) {
  return all_finite_body(x, n);
}
[[gnu::target("avx2")]] bool all_finite_avx2(const double* x, int n) {
  return all_finite_body(x, n);
}
void add_to_portable(double* sum, const double* x, int n) {
  add_to_body(sum, x, n);
}
[[gnu::target("avx2")]] void add_to_avx2(double* sum, const double* x, int n) {
  add_to_body(sum, x, n);
}

}  // namespace

bool all_finite(const double* x, int n) {
  return use_avx2() ? all_finite_avx2(x, n) : all_finite_portable(x, n);
}

void add_to(double* sum, const double* x, int n) {
  if (use_avx2())
    add_to_avx2(sum, x, n);
  else
    add_to_portable(sum, x, n);
}

RowSource row_source(const InputPlan& plan, const SimulationSettings& settings, std::int64_t row) {
  RowSource source;
  row_source(plan, settings, row, source);
  return source;
}

void row_source(const InputPlan& plan, const SimulationSettings& settings, std::int64_t row, RowSource& source) {
  if (settings.design) {
    source = settings.design->source(row);
    return;
  }
  const auto path = static_cast<std::uint32_t>(row);
  if (settings.deterministic)
    plan.median_source(path, source);
  else
    plan.own_source(path, source);
}

void annual_values(SeriesKind kind, const double* const* months, int count, int n, double* annual) {
  if (kind != SeriesKind::flow) {
    std::copy_n(months[count - 1], n, annual);
    return;
  }
  std::fill_n(annual, n, 0.0);
  for (int j = 0; j < count; ++j)
    for (int i = 0; i < n; ++i) annual[i] += months[j][i];
}

PathBlock::PathBlock(const Scenario& scenario, const InputPlan& plan, const SimulationSettings& settings,
                     std::int64_t begin, int n, double* recorded, BlockArena& arena, const PathBlock* same_draws)
    : scenario_(scenario),
      plan_(plan),
      seed_(settings.seed),
      begin_(begin),
      n_(n),
      stride_(padded_stride(static_cast<std::size_t>(n))),
      slot_(static_cast<std::size_t>(kParamCount) * scenario.year_count()),
      level_(arena.doubles(static_cast<std::size_t>(scenario.year_count()) * stride_)),
      effect_(arena.doubles(scenario.measures.size() * stride_)),
      noise_factor_(arena.doubles(static_cast<std::size_t>(n))),
      noise_drawn_(arena.uint32s(static_cast<std::size_t>(n))),
      noise_address_(arena.uint32s(static_cast<std::size_t>(n))),
      measures_on_(kParamCount) {
  const int years = scenario.year_count();
  const std::size_t measures = scenario.measures.size();
  MPPMC_CHECK(!same_draws ||
              (same_draws->begin_ == begin && same_draws->n_ == n && same_draws->scenario_.year_count() == years));
  const std::size_t width = plan.recorded_names().size();
  // Every path's draws, a row each ([param][year] values, then the year's inflow levels and the
  // measure effects), in a buffer of the thread's that is reused from block to block; then
  // transposed into the [..][path] arrays of the month loop.
  const std::size_t per_param = static_cast<std::size_t>(kParamCount) * years;
  const std::size_t row_width = per_param + years + measures;
  thread_local std::vector<double> rows;
  if (rows.size() < row_width * n) rows.resize(row_width * n);
  const int noise_group = plan.noise_group();
  thread_local RowSource source;  // its arrays reused from path to path
  for (int i = 0; i < n; ++i) {
    row_source(plan, settings, begin + i, source);
    // What the month steps need of the source: the monthly noise's factor, or its address.
    noise_factor_[static_cast<std::size_t>(i)] = noise_group >= 0 ? source.noise_factor : 1.0;
    if (std::isnan(noise_factor_[static_cast<std::size_t>(i)])) {
      noise_drawn_[noise_draws_] = static_cast<std::uint32_t>(i);
      noise_address_[noise_draws_++] = source.address[static_cast<std::size_t>(noise_group)];
    }
    double* row = &rows[row_width * i];
    double* record = recorded + static_cast<std::size_t>(i) * width;
    if (same_draws) {
      for (int p = 0; p < kParamCount; ++p)
        for (int y = 0; y < years; ++y) row[p * years + y] = same_draws->value(y, p)[i];
      for (int y = 0; y < years; ++y)
        row[per_param + y] = same_draws->level_[static_cast<std::size_t>(y) * stride_ + i];
      plan.draw_effects(settings.seed, source, row, row + per_param, row + per_param + years, record);
    } else {
      plan.draw(settings.seed, source, row, row + per_param, row + per_param + years, record);
    }
  }
  // A parameter whose value is the same in every year on every path of the block (one drawn
  // once per path, or fixed) is stored once: most of the 22 are, and the block's memory (and the
  // time to touch it first) shrinks by about two thirds for the default scenario.
  std::size_t arrays = 0;
  for (int p = 0; p < kParamCount; ++p) {
    bool constant = true;
    for (int i = 0; i < n && constant; ++i)
      for (int y = 1; y < years && constant; ++y)
        constant = rows[row_width * i + p * years + y] == rows[row_width * i + p * years];
    for (int y = 0; y < years; ++y)
      slot_[static_cast<std::size_t>(y) * kParamCount + p] =
          static_cast<std::uint32_t>(constant && y > 0 ? arrays - 1 : arrays++);
  }
  values_ = arena.doubles(arrays * stride_);
  // Column by column: contiguous writes, reads from the rows (hot in cache).
  auto transpose = [&](std::size_t column, double* to) {
    for (int i = 0; i < n; ++i) to[i] = rows[row_width * i + column];
  };
  for (int p = 0; p < kParamCount; ++p)
    for (int y = 0; y < years; ++y)
      if (y == 0 || slot_[static_cast<std::size_t>(y) * kParamCount + p] !=
                        slot_[static_cast<std::size_t>(y - 1) * kParamCount + p])
        transpose(static_cast<std::size_t>(p) * years + y,
                  &values_[slot_[static_cast<std::size_t>(y) * kParamCount + p] * stride_]);
  for (int y = 0; y < years; ++y) transpose(per_param + y, &level_[static_cast<std::size_t>(y) * stride_]);
  for (std::size_t k = 0; k < measures; ++k) transpose(per_param + years + k, &effect_[k * stride_]);
  // Which parameters have measures (their month values need a scratch array).
  for (std::size_t k = 0; k < measures; ++k) measures_on_[index(scenario.measures[k].parameter)].push_back(k);
  for (int s = 0; s < kInitialStockCount; ++s) {
    stocks_[s] = arena.doubles(stride_);
    std::fill_n(stocks_[s], n, scenario.initial[s]);
  }
}

void PathBlock::step(int m, const std::array<double*, kSeriesCount>& out) {
  const Scenario& scenario = scenario_;
  const int n = n_;
  // Working arrays of one step, per thread rather than per block (a block holds only what
  // lasts between months): the month values of parameters with measures, [param][path], and
  // the month's first inflow.
  thread_local std::vector<double> scratch, first;
  if (scratch.size() < kParamCount * stride_) scratch.resize(kParamCount * stride_);
  if (first.size() < stride_) first.resize(stride_);
  const MonthIndex month = scenario.month(m);
  const int y = scenario.year_slot(m);
  MonthInputs in;
  for (int p = 0; p < kParamCount; ++p) {
    const double* base = value(y, p);
    if (measures_on_[p].empty() || p == index(ParamId::inflow_first_annual)) {
      in.param[p] = base;
      continue;
    }
    double* v = &scratch[static_cast<std::size_t>(p) * stride_];
    for (int i = 0; i < n; ++i) {
      double factor = 1.0;
      for (std::size_t k : measures_on_[p]) factor *= scenario.measures[k].factor(month, effect_[k * stride_ + i]);
      v[i] = base[i] * factor;
    }
    if (parameters()[p].capped_at_one)
      for (int i = 0; i < n; ++i) v[i] = std::min(v[i], 1.0);
    in.param[p] = v;
  }

  // Step 1's first inflow: A_y / 12 * s_c * eps_m, times any measures on the inflow.
  const double sigma = scenario.monthly_noise_sd;
  const double season = scenario.seasonality[calendar_month_of(month) - 1];
  const double* annual_level = &level_[static_cast<std::size_t>(y) * stride_];
  const auto& inflow_measures = measures_on_[index(ParamId::inflow_first_annual)];
  // eps_m = exp(sigma u - sigma^2 / 2), u = normal_at(the path's monthly noise address), for
  // the paths that draw it (the others have a given factor), in passes over the block: the
  // uniforms four at a time (uniforms_at), then the normal quantiles, then the exponentials;
  // each value the same bits as normal_at's.
  thread_local std::vector<double> noise, u;
  noise.assign(noise_factor_, noise_factor_ + n);
  if (noise_draws_ > 0) {
    u.resize(static_cast<std::size_t>(noise_draws_));
    uniforms_at(seed_, noise_address_, noise_draws_, Stream::monthly_noise, 0, static_cast<std::uint32_t>(month),
                u.data());
    normal_quantiles(u.data(), noise_draws_);
    for (int j = 0; j < noise_draws_; ++j)
      noise[noise_drawn_[j]] = std::exp(sigma * u[static_cast<std::size_t>(j)] - 0.5 * sigma * sigma);
  }
  for (int i = 0; i < n; ++i) {
    const double eps = noise[static_cast<std::size_t>(i)];
    double factor = 1.0;
    for (std::size_t k : inflow_measures) factor *= scenario.measures[k].factor(month, effect_[k * stride_ + i]);
    first[i] = annual_level[i] / 12.0 * season * eps * factor;
  }
  in.first = first.data();

  step_month(n, in, stocks_, out);

  // A non-finite value is a bug or an input the checks let through: name its replay address.
  for (const SeriesInfo& info : series()) {
    const double* column = out[index(info.id)];
    if (all_finite(column, n)) continue;
    for (int i = 0; i < n; ++i)
      if (!std::isfinite(column[i])) {
        std::ostringstream what;
        what << "series " << info.name << " is " << column[i] << " on path " << begin_ + i << " in month "
             << format_year_month(month) << " (scenario '" << scenario.name << "', seed " << seed_
             << "); rerun with --seed " << seed_ << " --paths " << begin_ + i + 1
             << " --save-paths to inspect the path";
        throw RuntimeError(what.str());
      }
  }
}

}  // namespace mppmc::detail
