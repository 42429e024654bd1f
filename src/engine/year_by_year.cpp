// Exact percentiles without every path's history: all paths of every scenario advance through
// one year (year slot) at a time, each block of paths stepping the year's months in a row while
// its state is in cache, into a buffer of the year's columns; then the year's monthly and
// annual columns (and each variant's path-wise differences) are summarised, in parallel, and
// the buffer is reused for the next year. The paths' values are those of the chunk-major
// driver (the same PathBlock steps, annual sums in the same order) and each column's
// statistics see the same N values in path order, so the numbers are bit for bit those of a
// run that keeps every path.
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>

#include "core/binary_io.h"
#include "core/error.h"
#include "core/layout.h"
#include "engine/checkpoint.h"
#include "engine/path_block.h"
#include "engine/simulation.h"

namespace mppmc {

namespace {

using detail::PathBlock;

constexpr detail::CheckpointMagic kMagic = {'M', 'P', 'P', 'M', 'C', 'Y', 'R', '1'};

// Every vector a checkpoint holds, in its order: each set's statistics so far and each
// block's stocks at the start of the next year.
template <typename Visit>
void visit_state(std::vector<Summary>& sets, std::vector<std::vector<std::unique_ptr<PathBlock>>>& blocks,
                 const Visit& visit) {
  for (Summary& summary : sets)
    for (ColumnStatistics* stats : {&summary.monthly, &summary.annual})
      for (std::vector<double>* v : {&stats->quantiles, &stats->band, &stats->mean, &stats->std}) visit(*v);
  for (auto& run_blocks : blocks)
    for (auto& block : run_blocks)
      for (std::vector<double>& stock : block->stocks()) visit(stock);
}

// The most months any year slot of `scenario` holds (12, or fewer for a short horizon).
int longest_year(const Scenario& scenario) {
  int longest = 0;
  for (int m = 0, start = 0; m < scenario.horizon_months; ++m) {
    if (m + 1 == scenario.horizon_months || scenario.year_slot(m + 1) != scenario.year_slot(m)) {
      longest = std::max(longest, m + 1 - start);
      start = m + 1;
    }
  }
  return longest;
}

}  // namespace

std::uint64_t year_by_year_memory_bytes(const Scenario& scenario, std::int64_t paths) {
  const std::uint64_t per_path =
      sizeof(double) * (static_cast<std::uint64_t>(kParamCount) * (scenario.year_count() + 1) + scenario.year_count() +
                        scenario.measures.size() + 2 * kInitialStockCount + 1) +  // a PathBlock's arrays, stock copy
      sizeof(std::uint32_t) +
      sizeof(double) +                                               // its monthly noise source
      sizeof(double) * kSeriesCount * (longest_year(scenario) + 1);  // a year's columns, its annual values
  return static_cast<std::uint64_t>(paths) * per_path;
}

StreamedSummaries summarize_year_by_year(const std::vector<const Scenario*>& scenarios,
                                         const SimulationSettings& settings,
                                         const std::vector<const PathDesign*>& designs,
                                         const std::vector<double>& percentiles,
                                         const std::array<double, 3>& band_percentiles, const InputRowsSink& sink,
                                         const ProgressCallback& progress, const StreamControl& control) {
  MPPMC_CHECK(!scenarios.empty());
  MPPMC_CHECK(settings.paths >= 1 && settings.block_size >= 1);
  const Scenario& base = *scenarios.front();
  const int months = base.horizon_months, years = base.year_count(), longest = longest_year(base);
  const std::int64_t n = settings.paths;
  const auto size = static_cast<std::size_t>(n);
  const std::size_t runs = scenarios.size(), sets = 2 * runs - 1;  // runs, then differences
  const std::size_t monthly_count = static_cast<std::size_t>(kSeriesCount) * months;
  const std::size_t annual_count = static_cast<std::size_t>(kSeriesCount) * years;

  std::vector<InputPlan> plans;
  std::vector<SimulationSettings> per_scenario(runs, settings);
  for (std::size_t s = 0; s < runs; ++s) {
    plans.emplace_back(*scenarios[s]);
    if (!designs.empty()) per_scenario[s].design = designs[s];
  }
  std::vector<double> all_percents = percentiles;
  all_percents.insert(all_percents.end(), band_percentiles.begin(), band_percentiles.end());
  std::vector<Summary> summaries(sets);
  for (Summary& summary : summaries) {
    summary.percentiles = percentiles;
    summary.band_percentiles = band_percentiles;
    summary.monthly.resize(monthly_count, percentiles.size());
    summary.annual.resize(annual_count, percentiles.size());
  }

  // The year's columns: [run][series][month of the year (longest), then the annual value][path],
  // padded_stride(size) apart (a month step writes 24 of them at once). Fresh memory with a
  // huge-page hint, not zero-filled: the blocks that write them first touch their pages, in
  // parallel.
  const std::size_t per_series = static_cast<std::size_t>(longest) + 1;
  const std::size_t stride = padded_stride(size);
  const LargeArray year_columns = allocate_large(runs * kSeriesCount * per_series * stride);
  auto column = [&](std::size_t run, int series, int k) {
    return year_columns.get() +
           ((run * kSeriesCount + static_cast<std::size_t>(series)) * per_series + static_cast<std::size_t>(k)) *
               stride;
  };

  const detail::ThreadLimit limit(settings.threads);
  const int block_size = settings.block_size;
  const auto block_count = static_cast<std::size_t>((n + block_size - 1) / block_size);
  std::vector<std::vector<std::unique_ptr<PathBlock>>> blocks(runs);
  for (auto& run_blocks : blocks) run_blocks.resize(block_count);
  tbb::enumerable_thread_specific<std::vector<double>> scratch, difference;

  // Progress in paths: the draws count as the first 40% of the work (about their share of a
  // run of the default scenario), the months as the rest; only the reporting depends on it.
  constexpr double kDrawShare = 0.4;
  const double total_blocks = static_cast<double>(runs * block_count);
  auto report = [&](double fraction) {
    if (progress && tbb::this_task_arena::current_thread_index() == 0)
      progress(std::min(n, static_cast<std::int64_t>(fraction * static_cast<double>(n))), n);
  };
  auto months_done = [&](double m) { return kDrawShare + (1.0 - kDrawShare) * m / months; };
  std::atomic<std::size_t> blocks_done{0};

  // A variant whose parameters are drawn as the baseline's (it only adds measures; plain Monte
  // Carlo or medians, where both scenarios' rows come from the same addresses) takes the
  // baseline block's draws: the beta and PERT quantiles are most of a block's draw time.
  std::vector<bool> shares_draws(runs, false);
  for (std::size_t run = 1; run < runs; ++run)
    shares_draws[run] =
        !per_scenario[0].design && !per_scenario[run].design && plans[run].same_parameter_draws(plans[0]);

  limit.arena().execute([&] {
    // The draws: every block of every scenario (the baseline's first), its recorded inputs to
    // the sink.
    tbb::parallel_for(std::size_t{0}, block_count, [&](std::size_t b) {
      const std::int64_t begin = static_cast<std::int64_t>(b) * block_size;
      const int count = static_cast<int>(std::min<std::int64_t>(block_size, n - begin));
      for (std::size_t run = 0; run < runs; ++run) {
        if (control.stop && control.stop->load()) return;  // stopped while drawing: see below
        std::vector<double> recorded(static_cast<std::size_t>(count) * plans[run].recorded_names().size());
        blocks[run][b] = std::make_unique<PathBlock>(*scenarios[run], plans[run], per_scenario[run], begin, count,
                                                     recorded.data(), shares_draws[run] ? blocks[0][b].get() : nullptr);
        if (sink) sink(run, begin, count, recorded.data());
        report(kDrawShare * static_cast<double>(++blocks_done) / total_blocks);
      }
    });
  });

  // A stop while drawing leaves nothing new to keep (an earlier checkpoint stays as it is).
  if (control.stop && control.stop->load())
    throw Interrupted("interrupted while drawing the paths' inputs" +
                      std::string(control.resume ? "; the checkpoint " + control.checkpoint + " is kept" : ""));

  int first_month = 0;  // of the first year still to run
  if (control.resume) {
    std::ifstream in = detail::open_checkpoint(control.checkpoint, kMagic, control.fingerprint, n);
    std::int32_t done = 0;
    if (!read_value(in, done)) throw detail::damaged_checkpoint(control.checkpoint);
    if (done <= 0 || done >= months || base.year_slot(done) == base.year_slot(done - 1))
      throw detail::other_inputs(control.checkpoint);  // not the start of a year of this horizon
    bool ok = true;
    visit_state(summaries, blocks, [&](std::vector<double>& v) { ok = ok && read_values(in, v); });
    if (!ok) throw detail::damaged_checkpoint(control.checkpoint);
    first_month = done;
    report(months_done(done));
  }

  // Atomically: the statistics of the years before `done` (a month that starts a year) and the
  // stocks at its start.
  auto write_checkpoint = [&](int done) {
    write_atomically(control.checkpoint, [&](std::ostream& out) {
      detail::write_checkpoint_header(out, kMagic, control.fingerprint, n);
      write_value(out, static_cast<std::int32_t>(done));
      visit_state(summaries, blocks, [&](std::vector<double>& v) { write_values(out, v); });
    });
  };

  auto last_checkpoint = std::chrono::steady_clock::now();
  std::atomic<bool> stopped{false};
  for (int start = first_month; start < months;) {
    const int year = base.year_slot(start);
    int end = start + 1;
    while (end < months && base.year_slot(end) == year) ++end;
    const int length = end - start;
    blocks_done = 0;
    limit.arena().execute([&] {
      // The year's months, block by block; the stocks at the year's start are kept, so that a
      // stop in the middle of the year can checkpoint the state before it.
      tbb::parallel_for(std::size_t{0}, runs * block_count, [&](std::size_t task) {
        const std::size_t run = task / block_count;
        PathBlock& block = *blocks[run][task % block_count];
        block.save_stocks();
        if (control.stop && control.stop->load()) {
          stopped = true;
          return;
        }
        const auto first = static_cast<std::size_t>(block.begin());
        const int count = block.size();
        for (int m = start; m < end; ++m) {
          std::array<double*, kSeriesCount> out;
          for (int k = 0; k < kSeriesCount; ++k) out[k] = column(run, k, m - start) + first;
          block.step(m, out);
        }
        // Annual values as the chunk driver forms them.
        std::array<const double*, 12> year_months{};
        for (const SeriesInfo& info : series()) {
          const int k = index(info.id);
          for (int j = 0; j < length; ++j) year_months[static_cast<std::size_t>(j)] = column(run, k, j) + first;
          detail::annual_values(info.kind, year_months.data(), length, count, column(run, k, longest) + first);
        }
        report(months_done(start + length * static_cast<double>(++blocks_done) / total_blocks));
      });
    });
    if (stopped) {
      // Back to the state at the year's start: the checkpoint holds whole years.
      for (auto& run_blocks : blocks)
        for (auto& block : run_blocks) block->restore_stocks();
      const bool keep = start > 0 && !control.checkpoint.empty();
      if (keep) write_checkpoint(start);
      throw Interrupted("interrupted during months " + std::to_string(start + 1) + "-" + std::to_string(end) + " of " +
                        std::to_string(months) +
                        (keep ? "; checkpoint " + control.checkpoint + " holds months 1-" + std::to_string(start)
                         : start == 0 ? " (the first year of the horizon: no checkpoint yet)"
                                      : ""));
    }

    // Every set's monthly columns of the year and its annual column, one task each.
    const std::size_t per_set = static_cast<std::size_t>(kSeriesCount) * (length + 1);
    limit.arena().execute([&] {
      tbb::parallel_for(std::size_t{0}, sets * per_set, [&](std::size_t task) {
        const std::size_t set = task / per_set;
        const int series = static_cast<int>(task % per_set / (length + 1));
        const int j = static_cast<int>(task % per_set % (length + 1));  // month of the year; length: the year
        const bool monthly = j < length;
        const int k = monthly ? j : longest;
        const std::size_t run = set < runs ? set : set - runs + 1;
        const double* x = column(run, series, k);
        if (set >= runs) x = path_difference(x, column(0, series, k), size, difference.local());
        const std::size_t c = monthly ? static_cast<std::size_t>(series) * months + static_cast<std::size_t>(start + j)
                                      : static_cast<std::size_t>(series) * years + static_cast<std::size_t>(year);
        const ColumnSummary summary = summarize_column(x, n, all_percents, scratch.local());
        (monthly ? summaries[set].monthly : summaries[set].annual).set(c, summary.percentiles, summary.moments);
      });
    });
    start = end;

    const bool stop = control.stop && control.stop->load();
    const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_checkpoint).count();
    if (start < months && !control.checkpoint.empty() &&
        (stop || (control.checkpoint_seconds > 0 && since >= control.checkpoint_seconds))) {
      write_checkpoint(start);
      last_checkpoint = std::chrono::steady_clock::now();
    }
    if (stop && start < months)
      throw Interrupted("interrupted after month " + std::to_string(start) + " of " + std::to_string(months) +
                        (control.checkpoint.empty() ? "" : "; checkpoint " + control.checkpoint));
  }
  if (progress) progress(n, n);

  StreamedSummaries out;
  for (std::size_t set = 0; set < sets; ++set)
    (set < runs ? out.runs : out.differences).push_back(std::move(summaries[set]));
  return out;
}

}  // namespace mppmc
