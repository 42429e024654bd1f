// The paths' values are those of the chunked drivers (the same PathBlock steps, annual sums in
// the same order as annual_values) and each column's statistics see the same N values in path
// order, so the numbers are bit for bit those of a run that keeps every path.
#include "engine/month_by_month.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <optional>

#include "core/binary_io.h"
#include "core/error.h"
#include "core/layout.h"
#include "engine/checkpoint.h"
#include "engine/path_block.h"

namespace mppmc::detail {

namespace {

constexpr CheckpointMagic kMagic = {'M', 'P', 'P', 'M', 'C', 'M', 'O', '1'};

// Progress in paths: the draws count as the first 40% of the work (about their share of a run
// of the default scenario), the months as the rest; only the reporting depends on it.
constexpr double kDrawShare = 0.4;

// Per series: its slot among the flows (whose annual value is a running sum), or -1 for a
// stock (whose annual value is its last month's).
struct FlowSlots {
  std::array<int, kSeriesCount> slot{};
  int count = 0;
  FlowSlots() {
    for (const SeriesInfo& info : series()) slot[index(info.id)] = info.kind == SeriesKind::flow ? count++ : -1;
  }
};
const FlowSlots kFlows;

// One execution of the driver: its blocks, the two month buffers, the running annual sums and
// the statistics.
class MonthByMonthRun {
 public:
  explicit MonthByMonthRun(RunContext& run);
  RunOutput execute();

 private:
  void draw_blocks();
  int resume();
  void write_checkpoint(int done);
  void stage(std::optional<int> step, std::optional<int> summarize);
  void step_block(std::size_t run, PathBlock& block, int m);
  void summarize_column(std::size_t set, int series, int m, bool annual, std::vector<double>& scratch,
                        std::vector<double>& difference);
  bool starts_year(int m) const { return m == 0 || base_.year_slot(m) != base_.year_slot(m - 1); }
  bool ends_year(int m) const { return m + 1 == months_ || base_.year_slot(m + 1) != base_.year_slot(m); }
  // Series k of run r in month m's buffer (the months alternate between two).
  double* month_column(std::size_t r, int k, int m) const {
    return month_columns_.get() +
           ((static_cast<std::size_t>(m % 2) * runs_ + r) * kSeriesCount + static_cast<std::size_t>(k)) * stride_;
  }
  // The running annual sum of flow slot f of run r in the year of month m (the years alternate).
  double* annual_sum(std::size_t r, int f, int m) const {
    const auto parity = static_cast<std::size_t>(base_.year_slot(m) % 2);
    return annual_sums_.get() + ((parity * runs_ + r) * static_cast<std::size_t>(kFlows.count) + f) * stride_;
  }
  void report(double fraction) const { run_.report(static_cast<std::int64_t>(fraction * static_cast<double>(n_))); }
  double months_done(double m) const { return kDrawShare + (1.0 - kDrawShare) * m / months_; }
  // Every array a checkpoint after `done` months holds, in its order: each set's statistics so
  // far, each block's stocks, and within a year each run's running annual sums.
  template <typename Visit>
  void visit_state(int done, const Visit& visit);

  RunContext& run_;
  const Scenario& base_;
  const int months_, years_;
  const std::int64_t n_;
  const std::size_t runs_, sets_;  // sets: the runs, then the variants' differences
  const std::size_t stride_;
  const std::size_t block_count_;
  std::vector<Summary> summaries_;
  // [month parity][run][series][path] and [year parity][run][flow][path], padded_stride(n)
  // apart (a month step writes 24 columns at once). Fresh memory with a huge-page hint, not
  // zero-filled: the blocks that write them first touch their pages, in parallel.
  LargeArray month_columns_, annual_sums_;
  BlockArena arena_;                                             // the blocks' arrays
  std::vector<std::vector<std::unique_ptr<PathBlock>>> blocks_;  // [run][block]
  std::atomic<std::size_t> blocks_done_{0};
};

MonthByMonthRun::MonthByMonthRun(RunContext& run)
    : run_(run),
      base_(run.baseline()),
      months_(base_.horizon_months),
      years_(base_.year_count()),
      n_(run.paths()),
      runs_(run.runs()),
      sets_(2 * runs_ - 1),
      stride_(padded_stride(static_cast<std::size_t>(n_))),
      block_count_(
          static_cast<std::size_t>((n_ + run.request().settings.block_size - 1) / run.request().settings.block_size)),
      summaries_(sets_),
      month_columns_(allocate_large(2 * runs_ * kSeriesCount * stride_)),
      annual_sums_(allocate_large(2 * runs_ * static_cast<std::size_t>(kFlows.count) * stride_)),
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
void MonthByMonthRun::visit_state(int done, const Visit& visit) {
  for (Summary& summary : summaries_)
    for (ColumnStatistics* stats : {&summary.monthly, &summary.annual})
      for (std::vector<double>* v : {&stats->quantiles, &stats->band, &stats->mean, &stats->std})
        visit(v->data(), v->size());
  for (auto& run_blocks : blocks_)
    for (auto& block : run_blocks)
      for (double* stock : block->stocks()) visit(stock, static_cast<std::size_t>(block->size()));
  if (starts_year(done)) return;  // no year under way
  for (std::size_t r = 0; r < runs_; ++r)
    for (int f = 0; f < kFlows.count; ++f) visit(annual_sum(r, f, done - 1), static_cast<std::size_t>(n_));
}

// The draws: every block of every scenario (the baseline's first), its recorded inputs to the
// sink. A variant whose parameters are drawn as the baseline's (it only adds measures; plain
// Monte Carlo or medians, where both scenarios' rows come from the same addresses) takes the
// baseline block's draws: the beta and PERT quantiles are most of a block's draw time.
void MonthByMonthRun::draw_blocks() {
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
                                        recorded.data(), arena_, shares_draws[r] ? blocks_[0][b].get() : nullptr);
        if (run_.request().sink) run_.request().sink(r, begin, count, recorded.data());
        report(kDrawShare * static_cast<double>(++blocks_done_) / total_blocks);
      }
    });
  });
}

// The state of a checkpoint; returns the first month still to run.
int MonthByMonthRun::resume() {
  const std::string& path = run_.request().checkpoint.path;
  std::ifstream in = open_checkpoint(path, kMagic, run_.fingerprint(), n_);
  std::int32_t done = 0;
  if (!read_value(in, done)) throw damaged_checkpoint(path);
  if (done <= 0 || done >= months_) throw other_inputs(path);
  bool ok = true;
  visit_state(done, [&](double* v, std::size_t n) {
    ok = ok && in.read(reinterpret_cast<char*>(v), static_cast<std::streamsize>(n * sizeof(double)));
  });
  if (!ok) throw damaged_checkpoint(path);
  report(months_done(done));
  return done;
}

// Atomically: the state after `done` months, every one of them stepped and summarised.
void MonthByMonthRun::write_checkpoint(int done) {
  write_atomically(run_.request().checkpoint.path, [&](std::ostream& out) {
    write_checkpoint_header(out, kMagic, run_.fingerprint(), n_);
    write_value(out, static_cast<std::int32_t>(done));
    visit_state(done, [&](const double* v, std::size_t n) {
      out.write(reinterpret_cast<const char*>(v), static_cast<std::streamsize>(n * sizeof(double)));
    });
  });
}

// Month m of one block into month m's buffer, its flows added to the year's running sums as
// annual_values adds them (0 + m1 + m2 + ...).
void MonthByMonthRun::step_block(std::size_t r, PathBlock& block, int m) {
  const auto first = static_cast<std::size_t>(block.begin());
  const int n = block.size();
  std::array<double*, kSeriesCount> out;
  for (int k = 0; k < kSeriesCount; ++k) out[k] = month_column(r, k, m) + first;
  block.step(m, out);
  const bool new_year = starts_year(m);
  for (int k = 0; k < kSeriesCount; ++k) {
    const int f = kFlows.slot[k];
    if (f < 0) continue;
    double* sum = annual_sum(r, f, m) + first;
    if (new_year) std::fill_n(sum, n, 0.0);
    add_to(sum, out[k], n);
  }
}

// The statistics of set `set`'s column of series `series` in month m, or (annual) in the year
// that ends with month m.
void MonthByMonthRun::summarize_column(std::size_t set, int series, int m, bool annual, std::vector<double>& scratch,
                                       std::vector<double>& difference) {
  const std::size_t r = set < runs_ ? set : set - runs_ + 1;
  const int f = kFlows.slot[series];
  auto column = [&](std::size_t run) {
    return annual && f >= 0 ? annual_sum(run, f, m) : month_column(run, series, m);
  };
  const double* x = column(r);
  if (set >= runs_) x = path_difference(x, column(0), static_cast<std::size_t>(n_), difference);
  const std::size_t c = annual
                            ? static_cast<std::size_t>(series) * years_ + static_cast<std::size_t>(base_.year_slot(m))
                            : static_cast<std::size_t>(series) * months_ + static_cast<std::size_t>(m);
  const ColumnSummary summary = mppmc::summarize_column(x, n_, run_.all_percents(), scratch);
  (annual ? summaries_[set].annual : summaries_[set].monthly).set(c, summary.percentiles, summary.moments);
}

// One parallel loop: every block of every run steps month `step` (into its buffer) while every
// set's columns of month `summarize` (from the other buffer), and of its year when it ends
// one, are summarised. Either may be absent.
void MonthByMonthRun::stage(std::optional<int> step, std::optional<int> summarize) {
  const std::size_t step_tasks = step ? runs_ * block_count_ : 0;
  const std::size_t per_set = summarize ? static_cast<std::size_t>(kSeriesCount) * (ends_year(*summarize) ? 2 : 1) : 0;
  const double total_blocks = static_cast<double>(runs_ * block_count_);
  blocks_done_ = 0;
  tbb::enumerable_thread_specific<std::vector<double>> scratch, difference;
  run_.arena().execute([&] {
    // The columns first: each is a long task, and the blocks fill in around them.
    tbb::parallel_for(std::size_t{0}, sets_ * per_set + step_tasks, [&](std::size_t task) {
      if (task < sets_ * per_set) {
        const std::size_t set = task / per_set, k = task % per_set;
        summarize_column(set, static_cast<int>(k % kSeriesCount), *summarize, k >= kSeriesCount, scratch.local(),
                         difference.local());
        return;
      }
      task -= sets_ * per_set;
      step_block(task / block_count_, *blocks_[task / block_count_][task % block_count_], *step);
      report(months_done(*step + static_cast<double>(++blocks_done_) / total_blocks));
    });
  });
}

RunOutput MonthByMonthRun::execute() {
  const CheckpointSettings& checkpoint = run_.request().checkpoint;
  draw_blocks();
  // A stop while drawing leaves nothing new to keep (an earlier checkpoint stays as it is).
  if (run_.stop_requested())
    throw Interrupted("interrupted while drawing the paths' inputs" +
                      std::string(checkpoint.resume ? "; the checkpoint " + checkpoint.path + " is kept" : ""));
  int next = checkpoint.resume ? resume() : 0;  // the first month not yet stepped
  run_.restart_checkpoint_clock();
  std::optional<int> pending;  // a month stepped, not yet summarised
  while (next < months_) {
    stage(next, pending);
    pending = next++;
    const bool stop = run_.stop_requested();
    if (run_.checkpoint_due(next < months_)) {
      stage(std::nullopt, pending);  // every month before `next` summarised
      pending.reset();
      write_checkpoint(next);
      run_.restart_checkpoint_clock();
    }
    if (stop && next < months_)
      throw Interrupted("interrupted after month " + std::to_string(next) + " of " + std::to_string(months_) +
                        (checkpoint.path.empty()
                             ? ""
                             : "; checkpoint " + checkpoint.path + " holds months 1-" + std::to_string(next)));
  }
  if (pending) stage(std::nullopt, pending);
  run_.report_finished();
  RunOutput out;
  for (std::size_t set = 0; set < sets_; ++set)
    (set < runs_ ? out.runs : out.differences).push_back(std::move(summaries_[set]));
  return out;
}

class MonthByMonthDriver : public Driver {
 public:
  RunOutput run(RunContext& run) const override { return MonthByMonthRun(run).execute(); }
};

}  // namespace

std::unique_ptr<Driver> make_month_by_month_driver() {
  return std::make_unique<MonthByMonthDriver>();
}

std::uint64_t month_by_month_memory_bytes(const Scenario& scenario, std::int64_t paths) {
  const std::uint64_t per_path =
      sizeof(double) * (static_cast<std::uint64_t>(kParamCount) * scenario.year_count() + scenario.year_count() +
                        scenario.measures.size() + kInitialStockCount + 1) +  // a PathBlock's arrays
      sizeof(std::uint32_t) +                                                 // its monthly noise source
      sizeof(double) * 2 * (kSeriesCount + kFlows.count);  // two months' columns, two years' running sums
  return static_cast<std::uint64_t>(paths) * per_path;
}

}  // namespace mppmc::detail
