#include "engine/chunked.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <functional>

#include "core/binary_io.h"
#include "core/error.h"
#include "core/exact_sum.h"
#include "engine/checkpoint.h"
#include "engine/cluster.h"
#include "engine/path_block.h"
#include "engine/sketch.h"

namespace mppmc::detail {

namespace {

constexpr CheckpointMagic kCheckpointMagic = {'M', 'P', 'P', 'M', 'C', 'C', 'K', '1'};

// The chunks of a run. In one process they run in waves in index order, so the completed ones
// are always a prefix [0, completed()): what a checkpoint records, whatever the number of
// paths. With several processes each runs the chunks with chunk % ranks == rank.
class Chunks {
 public:
  explicit Chunks(std::int64_t paths) : paths_(paths), count_((paths + kStreamChunk - 1) / kStreamChunk) {}

  std::int64_t count() const { return count_; }
  static std::int64_t first(std::int64_t chunk) { return chunk * kStreamChunk; }
  int rows(std::int64_t chunk) const { return static_cast<int>(std::min(kStreamChunk, paths_ - first(chunk))); }
  //! Chunks [0, completed()) are done (in one process).
  std::int64_t completed() const { return completed_; }
  void set_completed(std::int64_t chunks) { completed_ = chunks; }
  //! Paths of chunks [0, chunks).
  std::int64_t paths_before(std::int64_t chunks) const { return std::min(paths_, first(chunks)); }

 private:
  std::int64_t paths_, count_;
  std::int64_t completed_ = 0;
};

// Runs this process's chunks from chunks.completed() on in waves of max(8, 4 x threads)
// chunks. After each wave `after_wave` folds the wave's work into the run's state and the
// chunks count as done; then, when a checkpoint is due, `save` writes one; a stop ends the run
// with Interrupted.
void run_waves(RunContext& run, Chunks& chunks, const std::function<void(std::int64_t)>& simulate_chunk,
               const std::function<void()>& after_wave, const std::function<void()>& save) {
  const std::int64_t ranks = cluster_size(), rank = cluster_rank();
  const std::int64_t wave = std::max(8, 4 * run.arena().max_concurrency());
  std::int64_t next = chunks.completed() + ((rank - chunks.completed()) % ranks + ranks) % ranks;  // this rank's first
  std::int64_t done_here = 0;
  run.restart_checkpoint_clock();
  while (next < chunks.count()) {
    const std::int64_t in_wave = std::min(wave, (chunks.count() - next + ranks - 1) / ranks);
    run.arena().execute([&] {
      tbb::parallel_for(std::int64_t{0}, in_wave, [&](std::int64_t k) { simulate_chunk(next + k * ranks); });
    });
    after_wave();
    for (std::int64_t k = 0; k < in_wave; ++k) done_here += chunks.rows(next + k * ranks);
    next += in_wave * ranks;
    if (ranks == 1) chunks.set_completed(next);
    const bool more_left = next < chunks.count();
    const bool stop = run.stop_requested();
    if (run.checkpoint_due(more_left)) {
      save();
      run.restart_checkpoint_clock();
    }
    if (stop && more_left) {
      const std::string& checkpoint = run.request().checkpoint.path;
      const std::int64_t paths_done = ranks == 1 ? chunks.paths_before(chunks.completed()) : done_here;
      throw Interrupted("interrupted after " + std::to_string(paths_done) + " of " + std::to_string(run.paths()) +
                        " paths" + (checkpoint.empty() ? "" : "; checkpoint " + checkpoint));
    }
  }
  run.report_finished();
}

// Visits the slices of paths [begin, begin + n) of every column of `result` (monthly, annual,
// then the recorded inputs), in a fixed order: what a process sends or a checkpoint stores.
template <typename Result, typename Visit>
void visit_slices(Result& result, std::int64_t begin, std::size_t n, const Visit& visit) {
  for (const SeriesInfo& info : series()) {
    for (int m = 0; m < result.months(); ++m) visit(result.monthly(info.id, m) + begin, n);
    for (int y = 0; y < result.years(); ++y) visit(result.annual(info.id, y) + begin, n);
  }
  const std::size_t recorded = result.input_names().size();
  visit(result.input_samples().data() + static_cast<std::size_t>(begin) * recorded, n * recorded);
}

// Simulates paths [begin, begin + n) of `prepared` into slots [slot, slot + n) of `result`
// (slot = begin for a run's full result, 0 for a chunk's own buffer).
void simulate_block(const PreparedScenario& prepared, std::int64_t begin, int n, SimulationResult& result,
                    std::int64_t slot) {
  const Scenario& scenario = prepared.scenario();
  const std::size_t recorded = prepared.plan().recorded_names().size();
  BlockArena arena(false);  // the block lives for this call only
  PathBlock block(scenario, prepared.plan(), prepared.settings(), begin, n,
                  result.input_samples().data() + static_cast<std::size_t>(slot) * recorded, arena);
  for (int m = 0; m < scenario.horizon_months; ++m) {
    std::array<double*, kSeriesCount> out;
    for (int s = 0; s < kSeriesCount; ++s) out[s] = result.monthly(static_cast<SeriesId>(s), m) + slot;
    block.step(m, out);
  }
  // Annual values: flows summed over the year's months in month order, stocks at year end.
  std::vector<const double*> year_months;
  for (const SeriesInfo& info : series())
    for (int m = 0; m < scenario.horizon_months;) {
      const int y = scenario.year_slot(m);
      year_months.clear();
      for (; m < scenario.horizon_months && scenario.year_slot(m) == y; ++m)
        year_months.push_back(result.monthly(info.id, m) + slot);
      annual_values(info.kind, year_months.data(), static_cast<int>(year_months.size()), n,
                    result.annual(info.id, y) + slot);
    }
}

// --- The checkpoint frame of both chunked drivers ------------------------------------------

// After the header: the number of completed chunks (a prefix), then the driver's state.
void write_chunk_checkpoint(const RunContext& run, const Chunks& chunks,
                            const std::function<void(std::ostream&)>& state) {
  write_atomically(run.request().checkpoint.path, [&](std::ostream& out) {
    write_checkpoint_header(out, kCheckpointMagic, run.fingerprint(), run.paths());
    write_value(out, static_cast<std::int64_t>(chunks.completed()));
    state(out);
  });
}

// Reads the completed chunks and calls `state` to read the driver's state (false: damaged).
void read_chunk_checkpoint(const RunContext& run, Chunks& chunks, const std::function<bool(std::istream&)>& state) {
  const std::string& path = run.request().checkpoint.path;
  std::ifstream in = open_checkpoint(path, kCheckpointMagic, run.fingerprint(), run.paths());
  std::int64_t completed = 0;
  if (!read_value(in, completed)) throw damaged_checkpoint(path);
  if (completed < 0 || completed > chunks.count()) throw other_inputs(path);
  chunks.set_completed(completed);
  if (!state(in)) throw damaged_checkpoint(path);
}

// --- The sketch driver ---------------------------------------------------------------------

// The moments of one column, held so that neither memory nor the result depends on the number
// of chunks or the order they finish in. Each chunk gives its sum s_c and its squared
// deviations m2_c about its own mean (in path order, in double); `sum` adds the s_c exactly and
// `shifted` the t_c = m2_c + n_c (mean_c - K)^2 about a fixed shift K. Then, with n paths,
//   mean = S / n,   M2 = sum of squared deviations about the mean = T - n (mean - K)^2,
// an identity; K is the column's value on the median path (every input at its median), close
// to the mean, so the subtraction loses almost nothing (relative error about 1e-16 x
// ((mean - K) / std)^2 on M2).
struct ColumnMoments {
  ExactSum sum, shifted;
  void add(const ColumnMoments& other) {
    sum.add(other.sum);
    shifted.add(other.shifted);
  }
};

// What a sketch run keeps: per set (the runs, then the variants' differences) and column, a
// sketch and the moments of the completed chunks, and the shift K of each column.
struct SketchState {
  std::size_t sets = 0, columns = 0, monthly_columns = 0;
  std::vector<QuantileSketch> sketches;  // [set][column]
  std::vector<ColumnMoments> moments;    // [set][column]
  std::vector<double> shift;             // [set][column]

  void write(std::ostream& out) const {
    for (const QuantileSketch& s : sketches) s.write(out);
    for (const ColumnMoments& m : moments) {
      m.sum.write(out);
      m.shifted.write(out);
    }
  }
  bool read(std::istream& in) {
    bool ok = true;
    for (QuantileSketch& s : sketches) ok = ok && s.read(in);
    for (ColumnMoments& m : moments) ok = ok && m.sum.read(in) && m.shifted.read(in);
    return ok;
  }
  // Another process's or thread's sketches and moments added (integer counts, exact sums: the
  // order does not matter).
  void add(const std::vector<QuantileSketch>& other_sketches, const std::vector<ColumnMoments>& other_moments) {
    for (std::size_t k = 0; k < sketches.size(); ++k) sketches[k].merge(other_sketches[k]);
    for (std::size_t k = 0; k < moments.size(); ++k) moments[k].add(other_moments[k]);
  }
};

// Recorded inputs are a pure function of their addresses: chunks whose values came from a
// checkpoint or another process get their inputs drawn again, for the sink.
void redraw_inputs(const RunContext& run, const Chunks& chunks, const std::function<bool(std::int64_t)>& which) {
  const InputRowsSink& sink = run.request().sink;
  if (!sink) return;
  run.arena().execute([&] {
    tbb::parallel_for(std::int64_t{0}, chunks.count(), [&](std::int64_t chunk) {
      if (!which(chunk)) return;
      const int n = chunks.rows(chunk);
      for (std::size_t s = 0; s < run.runs(); ++s) {
        const PreparedScenario& prepared = run.prepared(s);
        const int years = prepared.scenario().year_count();
        std::vector<double> values(static_cast<std::size_t>(kParamCount) * years), level(years),
            effects(prepared.scenario().measures.size());
        const std::size_t k = prepared.plan().recorded_names().size();
        std::vector<double> rows(static_cast<std::size_t>(n) * k);
        for (int i = 0; i < n; ++i)
          prepared.plan().draw(prepared.settings().seed,
                               row_source(prepared.plan(), prepared.settings(), Chunks::first(chunk) + i),
                               values.data(), level.data(), effects.data(), &rows[static_cast<std::size_t>(i) * k]);
        sink(s, Chunks::first(chunk), n, rows.data());
      }
    });
  });
}

// The column c of a run's result: monthly columns first ([series][month]), then annual.
const double* column_of(const SimulationResult& result, const SketchState& state, std::size_t c) {
  const bool is_monthly = c < state.monthly_columns;
  const int local = static_cast<int>(is_monthly ? c : c - state.monthly_columns);
  const int periods = is_monthly ? result.months() : result.years();
  const auto series = static_cast<SeriesId>(local / periods);
  return is_monthly ? result.monthly(series, local % periods) : result.annual(series, local % periods);
}

// The shift K of every set and column: its value on the median path of each scenario (the
// difference of two median paths for a variant's differences). Every process computes it
// itself (one path, no exchange), so all of them shift by the same K.
std::vector<double> median_shifts(const RunContext& run, const SketchState& state) {
  std::vector<SimulationResult> medians;
  for (std::size_t s = 0; s < run.runs(); ++s) {
    SimulationSettings settings;
    settings.paths = 1;
    settings.deterministic = true;
    settings.seed = run.request().settings.seed;
    const PreparedScenario median(run.prepared(s).scenario(), settings, Sampling::mc);
    const Scenario& scenario = median.scenario();
    medians.emplace_back(1, scenario.horizon_months, scenario.year_count(), median.plan().recorded_names());
    simulate_block(median, 0, 1, medians.back(), 0);
  }
  std::vector<double> shift(state.sets * state.columns);
  for (std::size_t set = 0; set < state.sets; ++set) {
    const std::size_t r = set < run.runs() ? set : set - run.runs() + 1;
    for (std::size_t c = 0; c < state.columns; ++c)
      shift[set * state.columns + c] =
          *column_of(medians[r], state, c) - (set < run.runs() ? 0.0 : *column_of(medians[0], state, c));
  }
  return shift;
}

// One chunk's values of every set and column into this thread's sketches and moments.
void add_chunk(const std::vector<SimulationResult>& results, const SketchState& state,
               std::vector<QuantileSketch>& sketches, std::vector<ColumnMoments>& moments) {
  const std::size_t runs = results.size();
  const auto n = static_cast<std::size_t>(results.front().paths());
  std::vector<double> difference(n);
  for (std::size_t set = 0; set < state.sets; ++set) {
    const bool is_difference = set >= runs;
    const std::size_t run = is_difference ? set - runs + 1 : set;
    for (std::size_t c = 0; c < state.columns; ++c) {
      const double* x = column_of(results[run], state, c);
      if (is_difference) x = path_difference(x, column_of(results[0], state, c), n, difference);
      const std::size_t k = set * state.columns + c;
      QuantileSketch& sketch = sketches[k];
      for (std::size_t i = 0; i < n; ++i) sketch.add(x[i]);
      double sum = 0;
      for (std::size_t i = 0; i < n; ++i) sum += x[i];
      const double mean = sum / static_cast<double>(n);
      double m2 = 0;
      for (std::size_t i = 0; i < n; ++i) m2 += (x[i] - mean) * (x[i] - mean);
      const double offset = mean - state.shift[k];
      moments[k].sum.add(sum);
      moments[k].shifted.add(m2 + static_cast<double>(n) * offset * offset);
    }
  }
}

// The statistics of one set: percentiles from its sketches, mean and std from its moments.
Summary finish(const RunContext& run, const SketchState& state, std::size_t set) {
  const Scenario& base = run.baseline();
  const std::size_t columns = state.columns, monthly = state.monthly_columns;
  const auto n = static_cast<double>(run.paths());
  Summary summary;
  summary.percentiles = run.request().percentiles;
  summary.band_percentiles = run.request().band;
  summary.monthly.resize(monthly, summary.percentiles.size());
  summary.annual.resize(static_cast<std::size_t>(kSeriesCount) * base.year_count(), summary.percentiles.size());
  run.arena().execute([&] {
    tbb::parallel_for(std::size_t{0}, columns, [&](std::size_t c) {
      const std::size_t k = set * columns + c;
      const double mean = state.moments[k].sum.value() / n;
      const double offset = mean - state.shift[k];
      const double m2 = std::max(0.0, state.moments[k].shifted.value() - n * offset * offset);
      const bool is_monthly = c < monthly;
      (is_monthly ? summary.monthly : summary.annual)
          .set(is_monthly ? c : c - monthly, state.sketches[k].percentiles(run.all_percents()),
               {mean, std::sqrt(m2 / n)});
    });
  });
  return summary;
}

// Rank 0 adds the other processes' sketch counts and moments; the inputs of their chunks are
// drawn again there (they never travel).
void gather_sketches(const RunContext& run, const Chunks& chunks, SketchState& state) {
  gather_chunks_at_root(
      chunks.count(), [&](std::ostream& out) { state.write(out); }, [](std::int64_t, std::ostream&) {},
      [&](std::istream& in) {
        SketchState part = state;
        MPPMC_CHECK(part.read(in));
        state.add(part.sketches, part.moments);
      },
      [](std::int64_t, std::istream&) {});
  const std::int64_t ranks = cluster_size();
  if (ranks > 1 && cluster_rank() == 0)
    redraw_inputs(run, chunks, [&](std::int64_t chunk) { return chunk % ranks != 0; });
}

class SketchDriver : public Driver {
 public:
  RunOutput run(RunContext& run) const override {
    const Scenario& base = run.baseline();
    Chunks chunks(run.paths());
    SketchState state;
    state.sets = 2 * run.runs() - 1;
    state.monthly_columns = static_cast<std::size_t>(kSeriesCount) * base.horizon_months;
    state.columns = state.monthly_columns + static_cast<std::size_t>(kSeriesCount) * base.year_count();
    state.sketches.assign(state.sets * state.columns, QuantileSketch(kSketchAlpha));
    state.moments.assign(state.sets * state.columns, ColumnMoments{});
    state.shift = median_shifts(run, state);
    if (run.request().checkpoint.resume) {
      read_chunk_checkpoint(run, chunks, [&](std::istream& in) { return state.read(in); });
      redraw_inputs(run, chunks, [&](std::int64_t chunk) { return chunk < chunks.completed(); });
    }
    std::atomic<std::int64_t> done{chunks.paths_before(chunks.completed())};
    // Each thread keeps its own sketches and moments, added to the state after each wave.
    struct Local {
      std::vector<QuantileSketch> sketches;
      std::vector<ColumnMoments> moments;
    };
    tbb::enumerable_thread_specific<Local> local([&] {
      return Local{std::vector<QuantileSketch>(state.sets * state.columns, QuantileSketch(kSketchAlpha)),
                   std::vector<ColumnMoments>(state.sets * state.columns)};
    });
    auto simulate_chunk = [&](std::int64_t chunk) {
      const int n = chunks.rows(chunk);
      std::vector<SimulationResult> results;
      for (std::size_t s = 0; s < run.runs(); ++s) {
        const PreparedScenario& prepared = run.prepared(s);
        results.emplace_back(n, base.horizon_months, base.year_count(), prepared.plan().recorded_names());
        for (int b = 0; b < n; b += run.request().settings.block_size) {
          const int size = std::min(run.request().settings.block_size, n - b);
          simulate_block(prepared, Chunks::first(chunk) + b, size, results.back(), b);
        }
        if (run.request().sink) run.request().sink(s, Chunks::first(chunk), n, results.back().input_samples().data());
      }
      Local& mine = local.local();
      add_chunk(results, state, mine.sketches, mine.moments);
      run.report(done.fetch_add(n) + n);
    };
    auto merge_wave = [&] {
      for (const Local& part : local) state.add(part.sketches, part.moments);
      local.clear();
    };
    run_waves(run, chunks, simulate_chunk, merge_wave,
              [&] { write_chunk_checkpoint(run, chunks, [&](std::ostream& out) { state.write(out); }); });
    gather_sketches(run, chunks, state);

    RunOutput out;
    for (std::size_t set = 0; set < state.sets; ++set)
      (set < run.runs() ? out.runs : out.differences).push_back(finish(run, state, set));
    return out;
  }
};

// --- The all-paths driver ------------------------------------------------------------------

// The values of chunks [0, completed) of every result, in a fixed order.
template <typename Results, typename Visit>
void visit_completed(const Chunks& chunks, Results& results, const Visit& visit) {
  for (std::int64_t chunk = 0; chunk < chunks.completed(); ++chunk)
    for (auto& result : results)
      visit_slices(result, Chunks::first(chunk), static_cast<std::size_t>(chunks.rows(chunk)), visit);
}

// Every process sends its chunks' values to rank 0, which puts them in their slots.
void gather_paths(const Chunks& chunks, std::vector<SimulationResult>& results) {
  auto slices = [&](std::int64_t chunk, const auto& visit) {
    for (SimulationResult& result : results)
      visit_slices(result, Chunks::first(chunk), static_cast<std::size_t>(chunks.rows(chunk)), visit);
  };
  gather_chunks_at_root(
      chunks.count(), [](std::ostream&) {},
      [&](std::int64_t chunk, std::ostream& out) {
        slices(chunk, [&](const double* p, std::size_t n) {
          out.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n * sizeof(double)));
        });
      },
      [](std::istream&) {},
      [&](std::int64_t chunk, std::istream& in) {
        slices(chunk, [&](double* p, std::size_t n) {
          in.read(reinterpret_cast<char*>(p), static_cast<std::streamsize>(n * sizeof(double)));
        });
      });
}

class AllPathsDriver : public Driver {
 public:
  RunOutput run(RunContext& run) const override {
    const Scenario& base = run.baseline();
    const RunRequest& request = run.request();
    RunOutput out;
    for (std::size_t s = 0; s < run.runs(); ++s)
      out.results.emplace_back(run.paths(), base.horizon_months, base.year_count(),
                               run.prepared(s).plan().recorded_names());
    Chunks chunks(run.paths());
    if (request.checkpoint.resume)
      read_chunk_checkpoint(run, chunks, [&](std::istream& in) {
        bool ok = true;
        visit_completed(chunks, out.results, [&](double* p, std::size_t n) {
          ok = ok &&
               static_cast<bool>(in.read(reinterpret_cast<char*>(p), static_cast<std::streamsize>(n * sizeof(double))));
        });
        return ok;
      });
    std::atomic<std::int64_t> done{chunks.paths_before(chunks.completed())};
    const int block_size = request.settings.block_size;
    auto simulate_chunk = [&](std::int64_t chunk) {
      // The blocks write disjoint slots of the full results, so they run in parallel too: a
      // chunk is 8 blocks of the default size, and 100,000 paths are only 49 chunks, too few
      // to keep 16 threads evenly busy.
      const int n = chunks.rows(chunk);
      const int blocks = (n + block_size - 1) / block_size;
      tbb::parallel_for(0, blocks * static_cast<int>(run.runs()), [&](int task) {
        const auto s = static_cast<std::size_t>(task / blocks);
        const std::int64_t first = Chunks::first(chunk) + task % blocks * block_size;
        simulate_block(run.prepared(s), first, std::min<int>(block_size, n - task % blocks * block_size),
                       out.results[s], first);
      });
      run.report(done.fetch_add(n) + n);
    };
    auto save = [&] {
      write_chunk_checkpoint(run, chunks, [&](std::ostream& out_file) {
        visit_completed(chunks, out.results, [&](const double* p, std::size_t n) {
          out_file.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n * sizeof(double)));
        });
      });
    };
    run_waves(
        run, chunks, simulate_chunk, [] {}, save);
    if (cluster_size() > 1) gather_paths(chunks, out.results);
    if (cluster_rank() != 0) return out;  // only rank 0's results are whole

    for (std::size_t s = 0; s < run.runs(); ++s)
      if (request.sink) request.sink(s, 0, run.paths(), out.results[s].input_samples().data());
    if (request.summarize) summarize_all(run, out);
    return out;
  }

 private:
  // The statistics of every run and every variant's differences, stopping between them when
  // asked to (they take a while for many paths).
  static void summarize_all(const RunContext& run, RunOutput& out) {
    const RunRequest& request = run.request();
    const int threads = request.settings.threads;
    auto check_stop = [&] {
      if (run.stop_requested()) throw Interrupted("interrupted while computing the statistics");
    };
    for (std::size_t s = 0; s < run.runs(); ++s) {
      check_stop();
      out.runs.push_back(summarize(out.results[s], request.percentiles, request.band, threads));
    }
    for (std::size_t s = 1; s < run.runs(); ++s) {
      check_stop();
      out.differences.push_back(
          summarize_difference(out.results[0], out.results[s], request.percentiles, request.band, threads));
    }
  }
};

}  // namespace

std::unique_ptr<Driver> make_sketch_driver() {
  return std::make_unique<SketchDriver>();
}

std::unique_ptr<Driver> make_all_paths_driver() {
  return std::make_unique<AllPathsDriver>();
}

std::uint64_t all_paths_memory_bytes(const Scenario& scenario, std::int64_t paths, std::size_t inputs,
                                     bool save_paths) {
  const auto n = static_cast<std::uint64_t>(paths);
  const std::uint64_t periods = static_cast<std::uint64_t>(scenario.horizon_months + scenario.year_count());
  std::uint64_t bytes = n * (kSeriesCount * periods + inputs) * sizeof(double);
  bytes += 2 * n * sizeof(double) * static_cast<std::uint64_t>(std::max(1, tbb::this_task_arena::max_concurrency()));
  if (save_paths) bytes += n * static_cast<std::uint64_t>(scenario.horizon_months) * sizeof(float);
  return bytes;
}

}  // namespace mppmc::detail
