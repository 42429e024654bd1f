// The paths' values are those of the chunked drivers (the same PathBlock steps, annual sums in
// the same order) and each column's statistics see the same N values in path order, so the
// numbers are bit for bit those of a run that keeps every path.
#include "engine/year_by_year.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <fstream>

#include "core/binary_io.h"
#include "core/error.h"
#include "core/layout.h"
#include "engine/checkpoint.h"
#include "engine/path_block.h"

namespace mppmc::detail {

namespace {

constexpr CheckpointMagic kMagic = {'M', 'P', 'P', 'M', 'C', 'Y', 'R', '1'};

// Progress in paths: the draws count as the first 40% of the work (about their share of a run
// of the default scenario), the months as the rest; only the reporting depends on it.
constexpr double kDrawShare = 0.4;

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

// One execution of the driver: its blocks, the buffer of a year's columns and the statistics.
class YearByYearRun {
 public:
  explicit YearByYearRun(RunContext& run);
  RunOutput execute();

 private:
  void draw_blocks();
  int resume();
  void write_checkpoint(int done);
  bool step_year(int start, int end);
  void summarize_year(int start, int end);
  double* column(std::size_t run, int series, int k) const {
    return year_columns_.get() +
           ((run * kSeriesCount + static_cast<std::size_t>(series)) * per_series_ + static_cast<std::size_t>(k)) *
               stride_;
  }
  void report(double fraction) const { run_.report(static_cast<std::int64_t>(fraction * static_cast<double>(n_))); }
  double months_done(double m) const { return kDrawShare + (1.0 - kDrawShare) * m / months_; }
  // Every vector a checkpoint holds, in its order: each set's statistics so far and each
  // block's stocks at the start of the next year.
  template <typename Visit>
  void visit_state(const Visit& visit);

  RunContext& run_;
  const Scenario& base_;
  const int months_, years_, longest_;
  const std::int64_t n_;
  const std::size_t runs_, sets_;  // sets: the runs, then the variants' differences
  const std::size_t per_series_, stride_;
  const std::size_t block_count_;
  std::vector<Summary> summaries_;
  // The year's columns: [run][series][month of the year (longest), then the annual value][path],
  // padded_stride(n) apart (a month step writes 24 of them at once). Fresh memory with a
  // huge-page hint, not zero-filled: the blocks that write them first touch their pages, in
  // parallel.
  LargeArray year_columns_;
  std::vector<std::vector<std::unique_ptr<PathBlock>>> blocks_;  // [run][block]
  std::atomic<std::size_t> blocks_done_{0};
};

YearByYearRun::YearByYearRun(RunContext& run)
    : run_(run),
      base_(run.baseline()),
      months_(base_.horizon_months),
      years_(base_.year_count()),
      longest_(longest_year(base_)),
      n_(run.paths()),
      runs_(run.runs()),
      sets_(2 * runs_ - 1),
      per_series_(static_cast<std::size_t>(longest_) + 1),
      stride_(padded_stride(static_cast<std::size_t>(n_))),
      block_count_(
          static_cast<std::size_t>((n_ + run.request().settings.block_size - 1) / run.request().settings.block_size)),
      summaries_(sets_),
      year_columns_(allocate_large(runs_ * kSeriesCount * per_series_ * stride_)),
      blocks_(runs_) {
  for (Summary& summary : summaries_) {
    summary.percentiles = run.request().percentiles;
    summary.band_percentiles = run.request().band;
    summary.monthly.resize(static_cast<std::size_t>(kSeriesCount) * months_, summary.percentiles.size());
    summary.annual.resize(static_cast<std::size_t>(kSeriesCount) * years_, summary.percentiles.size());
  }
  for (auto& run_blocks : blocks_) run_blocks.resize(block_count_);
}

template <typename Visit>
void YearByYearRun::visit_state(const Visit& visit) {
  for (Summary& summary : summaries_)
    for (ColumnStatistics* stats : {&summary.monthly, &summary.annual})
      for (std::vector<double>* v : {&stats->quantiles, &stats->band, &stats->mean, &stats->std}) visit(*v);
  for (auto& run_blocks : blocks_)
    for (auto& block : run_blocks)
      for (std::vector<double>& stock : block->stocks()) visit(stock);
}

// The draws: every block of every scenario (the baseline's first), its recorded inputs to the
// sink. A variant whose parameters are drawn as the baseline's (it only adds measures; plain
// Monte Carlo or medians, where both scenarios' rows come from the same addresses) takes the
// baseline block's draws: the beta and PERT quantiles are most of a block's draw time.
void YearByYearRun::draw_blocks() {
  std::vector<bool> shares_draws(runs_, false);
  for (std::size_t r = 1; r < runs_; ++r)
    shares_draws[r] = !run_.prepared(0).settings().design && !run_.prepared(r).settings().design &&
                      run_.prepared(r).plan().same_parameter_draws(run_.prepared(0).plan());
  const int block_size = run_.request().settings.block_size;
  const double total_blocks = static_cast<double>(runs_ * block_count_);
  run_.arena().execute([&] {
    tbb::parallel_for(std::size_t{0}, block_count_, [&](std::size_t b) {
      const std::int64_t begin = static_cast<std::int64_t>(b) * block_size;
      const int count = static_cast<int>(std::min<std::int64_t>(block_size, n_ - begin));
      for (std::size_t r = 0; r < runs_; ++r) {
        if (run_.stop_requested()) return;  // stopped while drawing: see execute()
        const PreparedScenario& prepared = run_.prepared(r);
        std::vector<double> recorded(static_cast<std::size_t>(count) * prepared.plan().recorded_names().size());
        blocks_[r][b] =
            std::make_unique<PathBlock>(prepared.scenario(), prepared.plan(), prepared.settings(), begin, count,
                                        recorded.data(), shares_draws[r] ? blocks_[0][b].get() : nullptr);
        if (run_.request().sink) run_.request().sink(r, begin, count, recorded.data());
        report(kDrawShare * static_cast<double>(++blocks_done_) / total_blocks);
      }
    });
  });
}

// The statistics and stocks of a checkpoint; returns the first month still to run.
int YearByYearRun::resume() {
  const std::string& path = run_.request().checkpoint.path;
  std::ifstream in = open_checkpoint(path, kMagic, run_.fingerprint(), n_);
  std::int32_t done = 0;
  if (!read_value(in, done)) throw damaged_checkpoint(path);
  if (done <= 0 || done >= months_ || base_.year_slot(done) == base_.year_slot(done - 1))
    throw other_inputs(path);  // not the start of a year of this horizon
  bool ok = true;
  visit_state([&](std::vector<double>& v) { ok = ok && read_values(in, v); });
  if (!ok) throw damaged_checkpoint(path);
  report(months_done(done));
  return done;
}

// Atomically: the statistics of the years before `done` (a month that starts a year) and the
// stocks at its start.
void YearByYearRun::write_checkpoint(int done) {
  write_atomically(run_.request().checkpoint.path, [&](std::ostream& out) {
    write_checkpoint_header(out, kMagic, run_.fingerprint(), n_);
    write_value(out, static_cast<std::int32_t>(done));
    visit_state([&](std::vector<double>& v) { write_values(out, v); });
  });
}

// Months [start, end) of every block, block by block, into the year's columns, and each
// block's annual values as the chunked drivers form them. The stocks at the year's start are
// kept, so that a stop in the middle of the year can checkpoint the state before it; false
// when a stop came.
bool YearByYearRun::step_year(int start, int end) {
  const int length = end - start;
  const double total_blocks = static_cast<double>(runs_ * block_count_);
  std::atomic<bool> stopped{false};
  blocks_done_ = 0;
  run_.arena().execute([&] {
    tbb::parallel_for(std::size_t{0}, runs_ * block_count_, [&](std::size_t task) {
      const std::size_t r = task / block_count_;
      PathBlock& block = *blocks_[r][task % block_count_];
      block.save_stocks();
      if (run_.stop_requested()) {
        stopped = true;
        return;
      }
      const auto first = static_cast<std::size_t>(block.begin());
      for (int m = start; m < end; ++m) {
        std::array<double*, kSeriesCount> out;
        for (int k = 0; k < kSeriesCount; ++k) out[k] = column(r, k, m - start) + first;
        block.step(m, out);
      }
      std::array<const double*, 12> year_months{};
      for (const SeriesInfo& info : series()) {
        const int k = index(info.id);
        for (int j = 0; j < length; ++j) year_months[static_cast<std::size_t>(j)] = column(r, k, j) + first;
        annual_values(info.kind, year_months.data(), length, block.size(), column(r, k, longest_) + first);
      }
      report(months_done(start + length * static_cast<double>(++blocks_done_) / total_blocks));
    });
  });
  return !stopped;
}

// Every set's monthly columns of the year [start, end) and its annual column, one task each.
void YearByYearRun::summarize_year(int start, int end) {
  const int length = end - start;
  const int year = base_.year_slot(start);
  const auto size = static_cast<std::size_t>(n_);
  const std::size_t per_set = static_cast<std::size_t>(kSeriesCount) * (length + 1);
  tbb::enumerable_thread_specific<std::vector<double>> scratch, difference;
  run_.arena().execute([&] {
    tbb::parallel_for(std::size_t{0}, sets_ * per_set, [&](std::size_t task) {
      const std::size_t set = task / per_set;
      const int series = static_cast<int>(task % per_set / (length + 1));
      const int j = static_cast<int>(task % per_set % (length + 1));  // month of the year; length: the year
      const bool monthly = j < length;
      const int k = monthly ? j : longest_;
      const std::size_t r = set < runs_ ? set : set - runs_ + 1;
      const double* x = column(r, series, k);
      if (set >= runs_) x = path_difference(x, column(0, series, k), size, difference.local());
      const std::size_t c = monthly ? static_cast<std::size_t>(series) * months_ + static_cast<std::size_t>(start + j)
                                    : static_cast<std::size_t>(series) * years_ + static_cast<std::size_t>(year);
      const ColumnSummary summary = summarize_column(x, n_, run_.all_percents(), scratch.local());
      (monthly ? summaries_[set].monthly : summaries_[set].annual).set(c, summary.percentiles, summary.moments);
    });
  });
}

RunOutput YearByYearRun::execute() {
  const CheckpointSettings& checkpoint = run_.request().checkpoint;
  draw_blocks();
  // A stop while drawing leaves nothing new to keep (an earlier checkpoint stays as it is).
  if (run_.stop_requested())
    throw Interrupted("interrupted while drawing the paths' inputs" +
                      std::string(checkpoint.resume ? "; the checkpoint " + checkpoint.path + " is kept" : ""));
  int start = checkpoint.resume ? resume() : 0;
  run_.restart_checkpoint_clock();
  while (start < months_) {
    int end = start + 1;
    while (end < months_ && base_.year_slot(end) == base_.year_slot(start)) ++end;
    if (!step_year(start, end)) {
      // Back to the state at the year's start: the checkpoint holds whole years.
      for (auto& run_blocks : blocks_)
        for (auto& block : run_blocks) block->restore_stocks();
      const bool keep = start > 0 && !checkpoint.path.empty();
      if (keep) write_checkpoint(start);
      throw Interrupted("interrupted during months " + std::to_string(start + 1) + "-" + std::to_string(end) + " of " +
                        std::to_string(months_) +
                        (keep         ? "; checkpoint " + checkpoint.path + " holds months 1-" + std::to_string(start)
                         : start == 0 ? " (the first year of the horizon: no checkpoint yet)"
                                      : ""));
    }
    summarize_year(start, end);
    start = end;
    const bool stop = run_.stop_requested();
    if (run_.checkpoint_due(start < months_)) {
      write_checkpoint(start);
      run_.restart_checkpoint_clock();
    }
    if (stop && start < months_)
      throw Interrupted("interrupted after month " + std::to_string(start) + " of " + std::to_string(months_) +
                        (checkpoint.path.empty() ? "" : "; checkpoint " + checkpoint.path));
  }
  run_.report_finished();
  RunOutput out;
  for (std::size_t set = 0; set < sets_; ++set)
    (set < runs_ ? out.runs : out.differences).push_back(std::move(summaries_[set]));
  return out;
}

class YearByYearDriver : public Driver {
 public:
  RunOutput run(RunContext& run) const override { return YearByYearRun(run).execute(); }
};

}  // namespace

std::unique_ptr<Driver> make_year_by_year_driver() {
  return std::make_unique<YearByYearDriver>();
}

std::uint64_t year_by_year_memory_bytes(const Scenario& scenario, std::int64_t paths) {
  const std::uint64_t per_path =
      sizeof(double) * (static_cast<std::uint64_t>(kParamCount) * (scenario.year_count() + 1) + scenario.year_count() +
                        scenario.measures.size() + 2 * kInitialStockCount + 1) +  // a PathBlock's arrays, stock copy
      sizeof(std::uint32_t) +
      sizeof(double) +                                               // its monthly noise source
      sizeof(double) * kSeriesCount * (longest_year(scenario) + 1);  // a year's columns, its annual values
  return static_cast<std::uint64_t>(paths) * per_path;
}

}  // namespace mppmc::detail
