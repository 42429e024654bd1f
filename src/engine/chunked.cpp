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
#include "engine/checkpoint.h"
#include "engine/cluster.h"
#include "engine/path_block.h"
#include "engine/sketch.h"

namespace mppmc::detail {

namespace {

constexpr CheckpointMagic kCheckpointMagic = {'M', 'P', 'P', 'M', 'C', 'C', 'K', '1'};

// The chunks of a run: which are done (completed here, read from a checkpoint or, at rank 0,
// received from another process) and which this process still runs.
class Chunks {
 public:
  explicit Chunks(std::int64_t paths)
      : paths_(paths), done_(static_cast<std::size_t>((paths + kStreamChunk - 1) / kStreamChunk), 0) {}

  std::int64_t count() const { return static_cast<std::int64_t>(done_.size()); }
  static std::int64_t first(std::int64_t chunk) { return chunk * kStreamChunk; }
  int rows(std::int64_t chunk) const { return static_cast<int>(std::min(kStreamChunk, paths_ - first(chunk))); }
  std::vector<std::uint8_t>& done() { return done_; }
  bool is_done(std::int64_t chunk) const { return done_[static_cast<std::size_t>(chunk)] != 0; }
  //! Paths of the done chunks.
  std::int64_t paths_done() const {
    std::int64_t n = 0;
    for (std::int64_t chunk = 0; chunk < count(); ++chunk)
      if (is_done(chunk)) n += rows(chunk);
    return n;
  }
  //! The chunks this process runs: not done, chunk % ranks == rank.
  std::vector<std::int64_t> pending() const {
    std::vector<std::int64_t> out;
    for (std::int64_t chunk = 0; chunk < count(); ++chunk)
      if (!is_done(chunk) && chunk % cluster_size() == cluster_rank()) out.push_back(chunk);
    return out;
  }

 private:
  std::int64_t paths_;
  std::vector<std::uint8_t> done_;
};

// Runs this process's pending chunks in waves of max(8, 4 x threads) chunks. After each wave
// `after_wave` folds the wave's work into the run's state and the chunks count as done; then,
// when a checkpoint is due, `save` writes one; a stop ends the run with Interrupted.
void run_waves(RunContext& run, Chunks& chunks, const std::function<void(std::int64_t)>& simulate_chunk,
               const std::function<void()>& after_wave, const std::function<void()>& save) {
  const std::vector<std::int64_t> pending = chunks.pending();
  const std::size_t wave = static_cast<std::size_t>(std::max(8, 4 * run.arena().max_concurrency()));
  run.restart_checkpoint_clock();
  for (std::size_t start = 0; start < pending.size(); start += wave) {
    const std::size_t end = std::min(pending.size(), start + wave);
    run.arena().execute([&] { tbb::parallel_for(start, end, [&](std::size_t k) { simulate_chunk(pending[k]); }); });
    after_wave();
    for (std::size_t k = start; k < end; ++k) chunks.done()[static_cast<std::size_t>(pending[k])] = 1;
    const bool more_left = end < pending.size();
    const bool stop = run.stop_requested();
    if (run.checkpoint_due(more_left)) {
      save();
      run.restart_checkpoint_clock();
    }
    if (stop && more_left) {
      const std::string& checkpoint = run.request().checkpoint.path;
      throw Interrupted("interrupted after " + std::to_string(chunks.paths_done()) + " of " +
                        std::to_string(run.paths()) + " paths" +
                        (checkpoint.empty() ? "" : "; checkpoint " + checkpoint));
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
  PathBlock block(scenario, prepared.plan(), prepared.settings(), begin, n,
                  result.input_samples().data() + static_cast<std::size_t>(slot) * recorded);
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

// --- The sketch driver ---------------------------------------------------------------------

// Running moments of one column over one chunk; merged in chunk order (Chan, Golub & LeVeque
// 1979), so the mean and std do not depend on which thread did which chunk.
struct ChunkMoments {
  double mean = 0, m2 = 0;
};

// What a sketch run keeps: per set (the runs, then the variants' differences) and column, a
// sketch of the completed chunks and each chunk's moments.
struct SketchState {
  std::size_t sets = 0, columns = 0, monthly_columns = 0;
  std::vector<QuantileSketch> sketches;            // [set][column]
  std::vector<std::vector<ChunkMoments>> moments;  // [set][chunk][column]
};

// The checkpoint frame of both chunked drivers: the done flags, the sketches and moments (none
// for all paths), then the done chunks' slices of every full result (none for a sketch).
void write_chunk_checkpoint(const RunContext& run, Chunks& chunks, const SketchState* sketch,
                            std::vector<SimulationResult>* full) {
  write_atomically(run.request().checkpoint.path, [&](std::ostream& out) {
    write_checkpoint_header(out, kCheckpointMagic, run.fingerprint(), run.paths());
    write_value(out, static_cast<std::uint64_t>(chunks.count()));
    write_value(out, static_cast<std::uint64_t>(sketch ? sketch->sketches.size() : 0));
    out.write(reinterpret_cast<const char*>(chunks.done().data()), static_cast<std::streamsize>(chunks.count()));
    if (sketch) {
      for (const QuantileSketch& s : sketch->sketches) s.write(out);
      for (const auto& set : sketch->moments)
        out.write(reinterpret_cast<const char*>(set.data()),
                  static_cast<std::streamsize>(set.size() * sizeof(ChunkMoments)));
    }
    if (full)
      for (std::int64_t chunk = 0; chunk < chunks.count(); ++chunk)
        if (chunks.is_done(chunk))
          for (SimulationResult& result : *full)
            visit_slices(result, Chunks::first(chunk), static_cast<std::size_t>(chunks.rows(chunk)),
                         [&](const double* p, std::size_t n) {
                           out.write(reinterpret_cast<const char*>(p),
                                     static_cast<std::streamsize>(n * sizeof(double)));
                         });
  });
}

void read_chunk_checkpoint(const RunContext& run, Chunks& chunks, SketchState* sketch,
                           std::vector<SimulationResult>* full) {
  const std::string& path = run.request().checkpoint.path;
  std::ifstream in = open_checkpoint(path, kCheckpointMagic, run.fingerprint(), run.paths());
  std::uint64_t count = 0, cells = 0;
  if (!read_value(in, count) || !read_value(in, cells)) throw damaged_checkpoint(path);
  if (count != static_cast<std::uint64_t>(chunks.count()) || cells != (sketch ? sketch->sketches.size() : 0))
    throw other_inputs(path);
  bool ok = static_cast<bool>(
      in.read(reinterpret_cast<char*>(chunks.done().data()), static_cast<std::streamsize>(chunks.count())));
  if (sketch) {
    for (QuantileSketch& s : sketch->sketches) ok = ok && s.read(in);
    for (auto& set : sketch->moments)
      ok = ok && static_cast<bool>(in.read(reinterpret_cast<char*>(set.data()),
                                           static_cast<std::streamsize>(set.size() * sizeof(ChunkMoments))));
  }
  if (full)
    for (std::int64_t chunk = 0; ok && chunk < chunks.count(); ++chunk)
      if (chunks.is_done(chunk))
        for (SimulationResult& result : *full)
          visit_slices(result, Chunks::first(chunk), static_cast<std::size_t>(chunks.rows(chunk)),
                       [&](double* p, std::size_t n) {
                         ok = ok && static_cast<bool>(in.read(reinterpret_cast<char*>(p),
                                                              static_cast<std::streamsize>(n * sizeof(double))));
                       });
  if (!ok) throw damaged_checkpoint(path);
}

// Recorded inputs are a pure function of their addresses: chunks whose values came from a
// checkpoint or another process get their inputs drawn again, for the sink.
void redraw_inputs(const RunContext& run, const Chunks& chunks, const std::vector<std::uint8_t>& which) {
  const InputRowsSink& sink = run.request().sink;
  if (!sink) return;
  run.arena().execute([&] {
    tbb::parallel_for(std::int64_t{0}, chunks.count(), [&](std::int64_t chunk) {
      if (!which[static_cast<std::size_t>(chunk)]) return;
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

// The column c of a chunk's result: monthly columns first ([series][month]), then annual.
const double* chunk_column(const SimulationResult& result, const SketchState& state, std::size_t c) {
  const bool is_monthly = c < state.monthly_columns;
  const int local = static_cast<int>(is_monthly ? c : c - state.monthly_columns);
  const int periods = is_monthly ? result.months() : result.years();
  const auto series = static_cast<SeriesId>(local / periods);
  return is_monthly ? result.monthly(series, local % periods) : result.annual(series, local % periods);
}

// One chunk's values of every set and column into `sketches` (this thread's) and the state's
// moments of the chunk.
void add_chunk(const std::vector<SimulationResult>& results, std::int64_t chunk, SketchState& state,
               std::vector<QuantileSketch>& sketches) {
  const std::size_t runs = results.size();
  const auto n = static_cast<std::size_t>(results.front().paths());
  std::vector<double> difference(n);
  for (std::size_t set = 0; set < state.sets; ++set) {
    const bool is_difference = set >= runs;
    const std::size_t run = is_difference ? set - runs + 1 : set;
    for (std::size_t c = 0; c < state.columns; ++c) {
      const double* x = chunk_column(results[run], state, c);
      if (is_difference) x = path_difference(x, chunk_column(results[0], state, c), n, difference);
      QuantileSketch& sketch = sketches[set * state.columns + c];
      for (std::size_t i = 0; i < n; ++i) sketch.add(x[i]);
      double sum = 0;
      for (std::size_t i = 0; i < n; ++i) sum += x[i];
      const double mean = sum / static_cast<double>(n);
      double m2 = 0;
      for (std::size_t i = 0; i < n; ++i) m2 += (x[i] - mean) * (x[i] - mean);
      state.moments[set][static_cast<std::size_t>(chunk) * state.columns + c] = {mean, m2};
    }
  }
}

// The statistics of one set: percentiles from its sketches, moments merged in chunk order.
Summary finish(const RunContext& run, const Chunks& chunks, const SketchState& state, std::size_t set) {
  const Scenario& base = run.baseline();
  const std::size_t columns = state.columns, monthly = state.monthly_columns;
  Summary summary;
  summary.percentiles = run.request().percentiles;
  summary.band_percentiles = run.request().band;
  summary.monthly.resize(monthly, summary.percentiles.size());
  summary.annual.resize(static_cast<std::size_t>(kSeriesCount) * base.year_count(), summary.percentiles.size());
  const std::vector<ChunkMoments>& moments = state.moments[set];
  run.arena().execute([&] {
    tbb::parallel_for(std::size_t{0}, columns, [&](std::size_t c) {
      double n = 0, mean = 0, m2 = 0;
      for (std::int64_t chunk = 0; chunk < chunks.count(); ++chunk) {
        const double nb = chunks.rows(chunk);
        const ChunkMoments& m = moments[static_cast<std::size_t>(chunk) * columns + c];
        const double total = n + nb;
        const double delta = m.mean - mean;
        mean += delta * nb / total;
        m2 += m.m2 + delta * delta * n * nb / total;
        n = total;
      }
      const bool is_monthly = c < monthly;
      (is_monthly ? summary.monthly : summary.annual)
          .set(is_monthly ? c : c - monthly, state.sketches[set * columns + c].percentiles(run.all_percents()),
               {mean, std::sqrt(m2 / n)});
    });
  });
  return summary;
}

// Rank 0 adds the other processes' sketch counts and takes their chunks' moments; the inputs
// of their chunks are drawn again there (they never travel).
void gather_sketches(const RunContext& run, const Chunks& chunks, SketchState& state) {
  std::vector<std::uint8_t> others(static_cast<std::size_t>(chunks.count()), 0);
  gather_chunks_at_root(
      chunks.count(),
      [&](std::ostream& out) {
        for (const QuantileSketch& s : state.sketches) s.write(out);
      },
      [&](std::int64_t chunk, std::ostream& out) {
        for (const auto& set : state.moments)
          out.write(reinterpret_cast<const char*>(&set[static_cast<std::size_t>(chunk) * state.columns]),
                    static_cast<std::streamsize>(state.columns * sizeof(ChunkMoments)));
      },
      [&](std::istream& in) {
        for (QuantileSketch& sketch : state.sketches) {
          QuantileSketch part(kSketchAlpha);
          MPPMC_CHECK(part.read(in));
          sketch.merge(part);
        }
      },
      [&](std::int64_t chunk, std::istream& in) {
        for (auto& set : state.moments)
          in.read(reinterpret_cast<char*>(&set[static_cast<std::size_t>(chunk) * state.columns]),
                  static_cast<std::streamsize>(state.columns * sizeof(ChunkMoments)));
        others[static_cast<std::size_t>(chunk)] = 1;
      });
  if (cluster_size() > 1 && cluster_rank() == 0) redraw_inputs(run, chunks, others);
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
    state.moments.assign(state.sets,
                         std::vector<ChunkMoments>(static_cast<std::size_t>(chunks.count()) * state.columns));
    if (run.request().checkpoint.resume) {
      read_chunk_checkpoint(run, chunks, &state, nullptr);
      redraw_inputs(run, chunks, chunks.done());
    }
    std::atomic<std::int64_t> done{chunks.paths_done()};
    // Sketch counts are integers: each thread keeps its own, added to the state after each wave.
    tbb::enumerable_thread_specific<std::vector<QuantileSketch>> local(
        [&] { return std::vector<QuantileSketch>(state.sets * state.columns, QuantileSketch(kSketchAlpha)); });
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
      add_chunk(results, chunk, state, local.local());
      run.report(done.fetch_add(n) + n);
    };
    auto merge_wave = [&] {
      for (const std::vector<QuantileSketch>& part : local)
        for (std::size_t k = 0; k < part.size(); ++k) state.sketches[k].merge(part[k]);
      local.clear();
    };
    run_waves(run, chunks, simulate_chunk, merge_wave, [&] { write_chunk_checkpoint(run, chunks, &state, nullptr); });
    gather_sketches(run, chunks, state);

    RunOutput out;
    for (std::size_t set = 0; set < state.sets; ++set)
      (set < run.runs() ? out.runs : out.differences).push_back(finish(run, chunks, state, set));
    return out;
  }
};

// --- The all-paths driver ------------------------------------------------------------------

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
    if (request.checkpoint.resume) read_chunk_checkpoint(run, chunks, nullptr, &out.results);
    std::atomic<std::int64_t> done{chunks.paths_done()};
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
    run_waves(
        run, chunks, simulate_chunk, [] {}, [&] { write_chunk_checkpoint(run, chunks, nullptr, &out.results); });
    if (cluster_size() > 1) gather_paths(chunks, out.results);
    if (cluster_rank() != 0) return out;  // only rank 0's results are whole

    for (std::size_t s = 0; s < run.runs(); ++s)
      if (request.sink) request.sink(s, 0, run.paths(), out.results[s].input_samples().data());
    if (request.summarize) {
      const int threads = request.settings.threads;
      for (std::size_t s = 0; s < run.runs(); ++s)
        out.runs.push_back(summarize(out.results[s], request.percentiles, request.band, threads));
      for (std::size_t s = 1; s < run.runs(); ++s)
        out.differences.push_back(
            summarize_difference(out.results[0], out.results[s], request.percentiles, request.band, threads));
    }
    return out;
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
