#include "engine/simulation.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/binary_io.h"
#include "core/error.h"
#include "core/layout.h"
#include "core/random.h"
#include "engine/checkpoint.h"
#include "engine/cluster.h"
#include "engine/inputs.h"
#include "engine/path_block.h"
#include "engine/sketch.h"
#include "model/chain.h"

namespace mppmc {

using detail::PathBlock;
using detail::row_source;
using detail::ThreadLimit;

SimulationResult::SimulationResult(std::int64_t paths, int months, int years, std::vector<std::string> input_names)
    : paths_(paths),
      stride_(padded_stride(static_cast<std::size_t>(paths))),
      months_(months),
      years_(years),
      monthly_(allocate_large(static_cast<std::size_t>(kSeriesCount) * months * stride_)),
      annual_(allocate_large(static_cast<std::size_t>(kSeriesCount) * years * stride_)),
      input_names_(std::move(input_names)),
      input_samples_(input_names_.size() * static_cast<std::size_t>(paths)) {}

namespace {

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

void append_bytes(std::vector<char>& out, const double* p, std::size_t n) {
  const char* bytes = reinterpret_cast<const char*>(p);
  out.insert(out.end(), bytes, bytes + n * sizeof(double));
}

// Simulates paths [begin, begin + n) into slots [slot, slot + n) of `result` (slot = begin for
// a run's full result, 0 for a chunk's own buffer).
void simulate_block(const Scenario& scenario, const InputPlan& plan, const SimulationSettings& settings,
                    std::int64_t begin, int n, SimulationResult& result, std::int64_t slot) {
  const std::size_t recorded = plan.recorded_names().size();
  PathBlock block(scenario, plan, settings, begin, n,
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
      detail::annual_values(info.kind, year_months.data(), static_cast<int>(year_months.size()), n,
                            result.annual(info.id, y) + slot);
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
  // One scenario through the chunked driver in exact mode: the same scheduling, processes and
  // stop handling as `mppmc run`, without a checkpoint.
  std::vector<SimulationResult> results;
  results.emplace_back(settings.paths, scenario.horizon_months, scenario.year_count(),
                       InputPlan(scenario).recorded_names());
  StreamControl control;
  control.stop = settings.stop;
  summarize_streaming({&scenario}, settings, {settings.design}, {}, {50, 50, 50}, 0.005, {}, progress, control,
                      &results);
  return std::move(results.front());
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
                             return path_difference(column_of(variant, c, monthly), column_of(baseline, c, monthly),
                                                    static_cast<std::size_t>(baseline.paths()), buffer);
                           });
}

namespace {

// Running moments of one column over one chunk; merged in chunk order (Chan, Golub & LeVeque
// 1979), so the mean and std do not depend on which thread did which chunk.
struct ChunkMoments {
  double mean = 0, m2 = 0;
};

Summary finish(const std::vector<QuantileSketch>& sketches, const std::vector<ChunkMoments>& moments,
               std::int64_t chunks, std::int64_t paths, int months, int years, const std::vector<double>& percentiles,
               const std::array<double, 3>& band_percentiles) {
  const std::size_t columns = sketches.size();
  const std::size_t monthly = static_cast<std::size_t>(kSeriesCount) * months;
  Summary summary;
  summary.percentiles = percentiles;
  summary.band_percentiles = band_percentiles;
  std::vector<double> all = percentiles;
  all.insert(all.end(), band_percentiles.begin(), band_percentiles.end());
  summary.monthly.resize(monthly, percentiles.size());
  summary.annual.resize(static_cast<std::size_t>(kSeriesCount) * years, percentiles.size());
  tbb::parallel_for(std::size_t{0}, columns, [&](std::size_t c) {
    const bool is_monthly = c < monthly;
    double n = 0, mean = 0, m2 = 0;
    for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
      const double nb = static_cast<double>(std::min(kStreamChunk, paths - chunk * kStreamChunk));
      const ChunkMoments& m = moments[static_cast<std::size_t>(chunk) * columns + c];
      const double total = n + nb;
      const double delta = m.mean - mean;
      mean += delta * nb / total;
      m2 += m.m2 + delta * delta * n * nb / total;
      n = total;
    }
    (is_monthly ? summary.monthly : summary.annual)
        .set(is_monthly ? c : c - monthly, sketches[c].percentiles(all), {mean, std::sqrt(m2 / n)});
  });
  return summary;
}

}  // namespace

namespace {

constexpr detail::CheckpointMagic kCheckpointMagic = {'M', 'P', 'P', 'M', 'C', 'C', 'K', '1'};

struct StreamState {
  std::vector<std::uint8_t> done;                  // per chunk
  std::vector<QuantileSketch> sketches;            // [set][column], the completed chunks' counts
  std::vector<std::vector<ChunkMoments>> moments;  // [set][chunk][column]
};

// Exact runs keep every path: their checkpoint holds the completed chunks' slices.
using ExactResults = std::vector<SimulationResult>;

void write_checkpoint(const std::string& path, std::uint64_t fingerprint, std::int64_t paths, const StreamState& state,
                      ExactResults* exact) {
  write_atomically(path, [&](std::ostream& out) {
    detail::write_checkpoint_header(out, kCheckpointMagic, fingerprint, paths);
    write_value(out, static_cast<std::uint64_t>(state.done.size()));
    write_value(out, static_cast<std::uint64_t>(state.sketches.size()));
    out.write(reinterpret_cast<const char*>(state.done.data()), static_cast<std::streamsize>(state.done.size()));
    for (const QuantileSketch& sketch : state.sketches) sketch.write(out);
    for (const auto& set : state.moments)
      out.write(reinterpret_cast<const char*>(set.data()),
                static_cast<std::streamsize>(set.size() * sizeof(ChunkMoments)));
    if (exact)
      for (std::size_t chunk = 0; chunk < state.done.size(); ++chunk)
        if (state.done[chunk])
          for (SimulationResult& result : *exact) {
            const auto begin = static_cast<std::int64_t>(chunk) * kStreamChunk;
            visit_slices(result, begin, static_cast<std::size_t>(std::min(kStreamChunk, paths - begin)),
                         [&](const double* p, std::size_t n) {
                           out.write(reinterpret_cast<const char*>(p),
                                     static_cast<std::streamsize>(n * sizeof(double)));
                         });
          }
  });
}

void read_checkpoint(const std::string& path, std::uint64_t fingerprint, std::int64_t paths, StreamState& state,
                     ExactResults* exact) {
  std::ifstream in = detail::open_checkpoint(path, kCheckpointMagic, fingerprint, paths);
  std::uint64_t chunks = 0, cells = 0;
  if (!read_value(in, chunks) || !read_value(in, cells)) throw detail::damaged_checkpoint(path);
  if (chunks != state.done.size() || cells != state.sketches.size()) throw detail::other_inputs(path);
  bool ok =
      static_cast<bool>(in.read(reinterpret_cast<char*>(state.done.data()), static_cast<std::streamsize>(chunks)));
  for (QuantileSketch& sketch : state.sketches) ok = ok && sketch.read(in);
  for (auto& set : state.moments)
    ok = ok && static_cast<bool>(in.read(reinterpret_cast<char*>(set.data()),
                                         static_cast<std::streamsize>(set.size() * sizeof(ChunkMoments))));
  if (exact)
    for (std::size_t chunk = 0; ok && chunk < state.done.size(); ++chunk)
      if (state.done[chunk])
        for (SimulationResult& result : *exact) {
          const auto begin = static_cast<std::int64_t>(chunk) * kStreamChunk;
          visit_slices(result, begin, static_cast<std::size_t>(std::min(kStreamChunk, paths - begin)),
                       [&](double* p, std::size_t n) {
                         ok = ok && static_cast<bool>(in.read(reinterpret_cast<char*>(p),
                                                              static_cast<std::streamsize>(n * sizeof(double))));
                       });
        }
  if (!ok) throw detail::damaged_checkpoint(path);
}

}  // namespace

StreamedSummaries summarize_streaming(const std::vector<const Scenario*>& scenarios, const SimulationSettings& settings,
                                      const std::vector<const PathDesign*>& designs,
                                      const std::vector<double>& percentiles,
                                      const std::array<double, 3>& band_percentiles, double alpha,
                                      const InputRowsSink& sink, const ProgressCallback& progress,
                                      const StreamControl& control, std::vector<SimulationResult>* exact) {
  MPPMC_CHECK(!scenarios.empty());
  const Scenario& base = *scenarios.front();
  const int months = base.horizon_months, years = base.year_count();
  const std::size_t columns = static_cast<std::size_t>(kSeriesCount) * (months + years);
  const std::size_t monthly_columns = static_cast<std::size_t>(kSeriesCount) * months;
  // Sketch mode: sketches and moments of the runs, then of the differences of the variants.
  // Exact mode: the chunks' values go straight into the full results; no sets.
  const std::size_t sets = exact ? 0 : 2 * scenarios.size() - 1;
  const std::int64_t chunks = (settings.paths + kStreamChunk - 1) / kStreamChunk;
  std::vector<InputPlan> plans;
  std::vector<SimulationSettings> per_scenario(scenarios.size(), settings);
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    plans.emplace_back(*scenarios[s]);
    if (!designs.empty()) per_scenario[s].design = designs[s];
  }
  auto rows_of = [&](std::int64_t chunk) {
    return static_cast<int>(std::min(kStreamChunk, settings.paths - chunk * kStreamChunk));
  };

  StreamState state;
  state.done.assign(static_cast<std::size_t>(chunks), 0);
  state.sketches.assign(sets * columns, QuantileSketch(alpha));
  state.moments.assign(sets, std::vector<ChunkMoments>(static_cast<std::size_t>(chunks) * columns));
  const ThreadLimit limit(settings.threads);
  std::atomic<std::int64_t> done{0};

  // Recorded inputs are a pure function of their addresses: chunks whose values came from a
  // checkpoint or another process get their inputs drawn again.
  auto regenerate_inputs = [&](const std::vector<std::uint8_t>& which) {
    limit.arena().execute([&] {
      tbb::parallel_for(std::int64_t{0}, chunks, [&](std::int64_t chunk) {
        if (!which[static_cast<std::size_t>(chunk)]) return;
        const int n = rows_of(chunk);
        for (std::size_t s = 0; s < scenarios.size(); ++s) {
          const Scenario& scenario = *scenarios[s];
          const int y = scenario.year_count();
          std::vector<double> values(static_cast<std::size_t>(kParamCount) * y), level(y),
              effects(scenario.measures.size());
          const std::size_t k = plans[s].recorded_names().size();
          std::vector<double> rows(static_cast<std::size_t>(n) * k);
          for (int i = 0; i < n; ++i)
            plans[s].draw(settings.seed, row_source(plans[s], per_scenario[s], chunk * kStreamChunk + i), values.data(),
                          level.data(), effects.data(), &rows[static_cast<std::size_t>(i) * k]);
          if (sink) sink(s, chunk * kStreamChunk, n, rows.data());
        }
      });
    });
  };
  if (control.resume) {
    read_checkpoint(control.checkpoint, control.fingerprint, settings.paths, state, exact);
    if (!exact) regenerate_inputs(state.done);  // exact checkpoints hold the inputs too
    for (std::int64_t chunk = 0; chunk < chunks; ++chunk)
      if (state.done[static_cast<std::size_t>(chunk)]) done += rows_of(chunk);
  }
  const int rank = cluster_rank(), ranks = cluster_size();

  // Sketch counts are integers: each thread keeps its own, added to the state after each wave.
  tbb::enumerable_thread_specific<std::vector<QuantileSketch>> local_sketches(
      [&] { return std::vector<QuantileSketch>(sets * columns, QuantileSketch(alpha)); });
  auto simulate_chunk = [&](std::int64_t chunk) {
    const std::int64_t first = chunk * kStreamChunk;
    const int n = rows_of(chunk);
    if (exact) {
      // The blocks write disjoint slots of the full results, so they run in parallel too: a
      // chunk is 8 blocks of the default size, and 100,000 paths are only 49 chunks, too few
      // to keep 16 threads evenly busy.
      const int blocks = (n + settings.block_size - 1) / settings.block_size;
      tbb::parallel_for(0, blocks * static_cast<int>(scenarios.size()), [&](int task) {
        const auto s = static_cast<std::size_t>(task / blocks);
        const int b = task % blocks * settings.block_size;
        const int size = std::min(settings.block_size, n - b);
        simulate_block(*scenarios[s], plans[s], per_scenario[s], first + b, size, (*exact)[s], first + b);
      });
      const std::int64_t now = done.fetch_add(n) + n;
      if (progress && tbb::this_task_arena::current_thread_index() == 0) progress(now, settings.paths);
      return;
    }
    std::vector<QuantileSketch>& sketches = local_sketches.local();
    std::vector<SimulationResult> results;
    for (std::size_t s = 0; s < scenarios.size(); ++s) {
      results.emplace_back(n, months, years, plans[s].recorded_names());
      for (int b = 0; b < n; b += settings.block_size) {
        const int size = std::min(settings.block_size, n - b);
        simulate_block(*scenarios[s], plans[s], per_scenario[s], first + b, size, results.back(), b);
      }
      if (sink) sink(s, first, n, results.back().input_samples().data());
    }
    std::vector<double> difference(static_cast<std::size_t>(n));
    for (std::size_t set = 0; set < sets; ++set) {
      const bool is_difference = set >= scenarios.size();
      const std::size_t run = is_difference ? set - scenarios.size() + 1 : set;
      for (std::size_t c = 0; c < columns; ++c) {
        const bool is_monthly = c < monthly_columns;
        auto column_of = [&](const SimulationResult& result) {
          const int local = static_cast<int>(is_monthly ? c : c - monthly_columns);
          const int periods = is_monthly ? months : years;
          const auto series = static_cast<SeriesId>(local / periods);
          return is_monthly ? result.monthly(series, local % periods) : result.annual(series, local % periods);
        };
        const double* x = column_of(results[run]);
        if (is_difference) {
          const double* b = column_of(results[0]);
          x = path_difference(x, b, static_cast<std::size_t>(n), difference);
        }
        QuantileSketch& sketch = sketches[set * columns + c];
        for (int i = 0; i < n; ++i) sketch.add(x[i]);
        double sum = 0;
        for (int i = 0; i < n; ++i) sum += x[i];
        const double mean = sum / n;
        double m2 = 0;
        for (int i = 0; i < n; ++i) m2 += (x[i] - mean) * (x[i] - mean);
        state.moments[set][static_cast<std::size_t>(chunk) * columns + c] = {mean, m2};
      }
    }
    const std::int64_t now = done.fetch_add(n) + n;
    if (progress && tbb::this_task_arena::current_thread_index() == 0) progress(now, settings.paths);
  };

  // Waves of chunks; between waves the state is complete for the chunks done so far.
  std::vector<std::int64_t> pending;
  for (std::int64_t chunk = 0; chunk < chunks; ++chunk)
    if (!state.done[static_cast<std::size_t>(chunk)] && chunk % ranks == rank) pending.push_back(chunk);
  const std::size_t wave = static_cast<std::size_t>(std::max(8, 4 * limit.arena().max_concurrency()));
  auto last_checkpoint = std::chrono::steady_clock::now();
  for (std::size_t start = 0; start < pending.size(); start += wave) {
    const std::size_t end = std::min(pending.size(), start + wave);
    limit.arena().execute([&] { tbb::parallel_for(start, end, [&](std::size_t k) { simulate_chunk(pending[k]); }); });
    for (const std::vector<QuantileSketch>& part : local_sketches)
      for (std::size_t k = 0; k < part.size(); ++k) state.sketches[k].merge(part[k]);
    local_sketches.clear();
    for (std::size_t k = start; k < end; ++k) state.done[static_cast<std::size_t>(pending[k])] = 1;
    const bool stop = control.stop && control.stop->load();
    const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_checkpoint).count();
    if (!control.checkpoint.empty() && end < pending.size() &&
        (stop || (control.checkpoint_seconds > 0 && since >= control.checkpoint_seconds))) {
      write_checkpoint(control.checkpoint, control.fingerprint, settings.paths, state, exact);
      last_checkpoint = std::chrono::steady_clock::now();
    }
    if (stop && end < pending.size())
      throw Interrupted("interrupted after " + std::to_string(done.load()) + " of " + std::to_string(settings.paths) +
                        " paths" + (control.checkpoint.empty() ? "" : "; checkpoint " + control.checkpoint));
  }
  if (progress) progress(settings.paths, settings.paths);
  if (ranks > 1 && exact) {
    // Every process sends its chunks' values to rank 0, which puts them in their slots.
    std::vector<char> mine;
    for (std::int64_t chunk = rank; chunk < chunks; chunk += ranks)
      for (SimulationResult& result : *exact)
        visit_slices(result, chunk * kStreamChunk, static_cast<std::size_t>(rows_of(chunk)),
                     [&](const double* p, std::size_t n) { append_bytes(mine, p, n); });
    const std::vector<std::vector<char>> all = gather_at_root(mine);
    for (int from = 1; from < static_cast<int>(all.size()); ++from) {
      std::size_t at = 0;
      for (std::int64_t chunk = from; chunk < chunks; chunk += ranks)
        for (SimulationResult& result : *exact)
          visit_slices(result, chunk * kStreamChunk, static_cast<std::size_t>(rows_of(chunk)),
                       [&](double* p, std::size_t n) {
                         std::memcpy(p, all[static_cast<std::size_t>(from)].data() + at, n * sizeof(double));
                         at += n * sizeof(double);
                       });
    }
  } else if (ranks > 1) {
    // Rank 0 adds the other processes' sketch counts and takes their chunks' moments; the
    // inputs of their chunks are drawn again here (they never travel).
    std::ostringstream packed(std::ios::binary);
    for (const QuantileSketch& sketch : state.sketches) sketch.write(packed);
    for (std::int64_t chunk = rank; chunk < chunks; chunk += ranks)
      for (const auto& set : state.moments)
        packed.write(reinterpret_cast<const char*>(&set[static_cast<std::size_t>(chunk) * columns]),
                     static_cast<std::streamsize>(columns * sizeof(ChunkMoments)));
    const std::string bytes = packed.str();
    const std::vector<std::vector<char>> all = gather_at_root(std::vector<char>(bytes.begin(), bytes.end()));
    std::vector<std::uint8_t> others(static_cast<std::size_t>(chunks), 0);
    for (int from = 1; from < static_cast<int>(all.size()); ++from) {
      std::istringstream in(
          std::string(all[static_cast<std::size_t>(from)].begin(), all[static_cast<std::size_t>(from)].end()),
          std::ios::binary);
      for (QuantileSketch& sketch : state.sketches) {
        QuantileSketch part(alpha);
        MPPMC_CHECK(part.read(in));
        sketch.merge(part);
      }
      for (std::int64_t chunk = from; chunk < chunks; chunk += ranks) {
        for (auto& set : state.moments)
          in.read(reinterpret_cast<char*>(&set[static_cast<std::size_t>(chunk) * columns]),
                  static_cast<std::streamsize>(columns * sizeof(ChunkMoments)));
        others[static_cast<std::size_t>(chunk)] = 1;
      }
    }
    if (rank == 0) regenerate_inputs(others);
  }

  StreamedSummaries out;
  for (std::size_t set = 0; set < sets; ++set) {
    std::vector<QuantileSketch> set_sketches(state.sketches.begin() + static_cast<std::ptrdiff_t>(set * columns),
                                             state.sketches.begin() + static_cast<std::ptrdiff_t>((set + 1) * columns));
    Summary summary;
    limit.arena().execute([&] {
      summary = finish(set_sketches, state.moments[set], chunks, settings.paths, months, years, percentiles,
                       band_percentiles);
    });
    (set < scenarios.size() ? out.runs : out.differences).push_back(std::move(summary));
  }
  return out;
}

}  // namespace mppmc
