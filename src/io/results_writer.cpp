#include "io/results_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <string_view>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/version.h"
#include "io/hdf5_file.h"

namespace mppmc::io {

namespace {

namespace fs = std::filesystem;

void write_series_attributes(hid_t group, const SeriesInfo& info, const std::string& unit) {
  h5::write_attribute(group, "unit", unit);
  h5::write_attribute(group, "kind", std::string(info.kind == SeriesKind::flow ? "flow" : "stock"));
  h5::write_attribute(group, "annual", std::string(info.kind == SeriesKind::flow ? "sum" : "end"));
  h5::write_attribute(group, "description", std::string(info.description));
}

// The axes every scenario of a run shares (app/run.cpp refuses variants with another start or
// horizon): the values of the dimension scales month, year, percentile and statistic.
struct Axes {
  std::vector<std::string> months;  // "YYYY-MM"
  std::vector<std::int32_t> years;  // calendar years
  std::vector<double> percentiles;  // percent
  std::int64_t paths = 0;
};

// The dimension scales of one scenario (docs/hdf5-schema.md, "Dimensions") in `group`, its
// root: the baseline's at /, a variant's at /variants/<name>, a difference's at /compare/<name>
// (`with_paths`: those with inputs and paths also get the dimension path). Each scenario has its
// own scales so that none is attached to more datasets than a scale's list of them can hold in
// HDF5's default file format (about 4,000), however many variants a run has.
void write_scales(hid_t group, const Axes& axes, bool with_paths) {
  h5::write_dataset(group, "month", axes.months);
  h5::make_scale(group, "month");
  h5::label_dataset(group, "month", {"1", "month, YYYY-MM", {}});
  h5::write_dataset(group, "year", axes.years);
  h5::make_scale(group, "year");
  h5::label_dataset(group, "year", {"1", "calendar year", {}});
  h5::write_dataset(group, "percentile", {axes.percentiles.size()}, axes.percentiles.data());
  h5::make_scale(group, "percentile");
  h5::label_dataset(group, "percentile", {"percent", "percentile", {}});
  h5::write_dataset(group, "statistic", std::vector<std::string>{"min", "medio", "max"});
  h5::make_scale(group, "statistic");
  h5::label_dataset(group, "statistic", {"1", "band statistic: the percentiles named in /band", {}});
  if (with_paths) h5::create_dimension(group, "path", static_cast<hsize_t>(axes.paths));
}

// One group per series: quantiles [P, periods], mean, std and band [3, periods], each labelled
// with its dimensions; `scales` is the scenario's root ("" for the baseline, "/variants/<name>",
// "/compare/<name>"), whose scales every series group links (readers such as xarray look for a
// dimension's values only in the group they open). `what` ends each long_name ("" or ", variant -
// baseline").
void write_statistics(hid_t parent, const char* name, const ColumnStatistics& stats, int periods,
                      std::size_t percentiles, bool annual, const std::string& scales, const std::string& what) {
  h5::Handle group = h5::create_group(parent, name);
  const std::size_t columns = stats.mean.size();
  const std::string period = annual ? "year" : "month";
  for (const SeriesInfo& info : series()) {
    h5::Handle g = h5::create_group(group.id(), std::string(info.name));
    const std::string unit = series_unit(info, annual);
    write_series_attributes(g.id(), info, unit);
    for (const std::string& scale : {period, std::string("percentile"), std::string("statistic")})
      h5::link_scale(g.id(), scales + "/" + scale, scale);
    const std::size_t first = static_cast<std::size_t>(index(info.id)) * periods;
    std::vector<double> q(percentiles * periods), band(3 * static_cast<std::size_t>(periods));
    for (std::size_t k = 0; k < percentiles; ++k)
      for (int t = 0; t < periods; ++t) q[k * periods + t] = stats.quantiles[k * columns + first + t];
    for (std::size_t k = 0; k < 3; ++k)
      for (int t = 0; t < periods; ++t) band[k * periods + t] = stats.band[k * columns + first + t];
    const hsize_t p = percentiles, n = static_cast<hsize_t>(periods);
    const std::string title = series_words(info.name) + (annual ? ", annual, " : ", monthly, ");
    h5::write_dataset(g.id(), "quantiles", {p, n}, q.data());
    h5::label_dataset(g.id(), "quantiles", {unit, title + "percentiles" + what, {"percentile", period}});
    h5::write_dataset(g.id(), "mean", {n}, &stats.mean[first]);
    h5::label_dataset(g.id(), "mean", {unit, title + "mean" + what, {period}});
    h5::write_dataset(g.id(), "std", {n}, &stats.std[first]);
    h5::label_dataset(g.id(), "std", {unit, title + "standard deviation" + what, {period}});
    h5::write_dataset(g.id(), "band", {3, n}, band.data());
    h5::label_dataset(g.id(), "band", {unit, title + "band (min, medio, max)" + what, {"statistic", period}});
    g.close();
  }
  group.close();
}

// The statistics, inputs and paths of one run under `group` (the root or a variant group).
void write_run(hid_t group, const std::string& scales, const RunRecord& r, bool save_paths) {
  const Scenario& s = *r.scenario;
  const Summary& summary = *r.summary;
  write_statistics(group, "monthly", summary.monthly, s.horizon_months, summary.percentiles.size(), false, scales, "");
  write_statistics(group, "annual", summary.annual, s.year_count(), summary.percentiles.size(), true, scales, "");
  // The inputs are written already (begin_inputs, write_input_rows).
  if (!r.result) return;  // paths are not kept
  const SimulationResult& result = *r.result;
  if (save_paths) {
    h5::Handle paths = h5::create_group(group, "paths");
    h5::link_scale(paths.id(), scales + "/month", "month");
    const auto n = static_cast<std::size_t>(result.paths());
    const auto months = static_cast<std::size_t>(s.horizon_months);
    std::vector<float> rows(n * months);
    for (const SeriesInfo& info : series()) {
      for (std::size_t m = 0; m < months; ++m) {
        const double* column = result.monthly(info.id, static_cast<int>(m));
        for (std::size_t i = 0; i < n; ++i) rows[i * months + m] = static_cast<float>(column[i]);
      }
      h5::write_compressed(paths.id(), std::string(info.name), n, months, rows.data());
      h5::label_dataset(
          paths.id(), std::string(info.name),
          {std::string(info.unit), series_words(info.name) + ", monthly, every path", {scales + "/path", "month"}});
    }
    paths.close();
  }
}

void write_scenario_attributes(hid_t group, const Scenario& s) {
  h5::write_attribute(group, "scenario_name", s.name);
  h5::write_attribute(group, "scenario_file", fs::path(s.source_file).filename().string());
  h5::write_attribute(group, "scenario_toml", s.resolved_toml);
}

void create_parent(const fs::path& target) {
  std::error_code ec;
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw RuntimeError("cannot create the folder " + target.parent_path().string() + ": " + ec.message());
  }
}

}  // namespace

std::string series_unit(const SeriesInfo& info, bool annual) {
  std::string unit(info.unit);
  if (annual && info.kind == SeriesKind::flow) {
    const std::size_t at = unit.rfind("/month");
    if (at != std::string::npos) unit.replace(at, 6, "/year");
  }
  return unit;
}

std::string series_words(std::string_view name) {
  std::string text(name);
  std::replace(text.begin(), text.end(), '_', ' ');
  return text;
}

std::string created_utc() {
  std::time_t now = std::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"))
    now = static_cast<std::time_t>(std::strtoll(epoch, nullptr, 10));
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

namespace {

// The axes of the run's scenarios.
Axes axes_of(const Scenario& s, const RunConfig& config) {
  Axes axes;
  for (int m = 0; m < s.horizon_months; ++m) axes.months.push_back(format_year_month(s.month(m)));
  for (int y = 0; y < s.year_count(); ++y) axes.years.push_back(s.first_year() + y);
  axes.percentiles = config.percentiles;
  axes.paths = static_cast<std::int64_t>(config.paths);
  return axes;
}

// The root attributes, the baseline's dimension scales, the time axes, percentiles and band of a
// new results file.
void write_header(hid_t root, const Scenario& s, const RunConfig& config, const Axes& axes, bool deterministic,
                  const std::string& quantile_method) {
  h5::write_attribute(root, "schema", std::string("mppmc-results"));
  h5::write_attribute(root, "schema_version", kResultsSchemaVersion);
  h5::write_attribute(root, "tool_version", std::string(tool_version()));
  h5::write_attribute(root, "git_sha", std::string(git_sha()));
  write_scenario_attributes(root, s);
  h5::write_attribute(root, "seed", config.seed);
  h5::write_attribute(root, "n_paths", static_cast<std::int64_t>(config.paths));
  h5::write_attribute(root, "start", format_year_month(s.start));
  h5::write_attribute(root, "horizon_months", static_cast<std::int64_t>(s.horizon_months));
  h5::write_attribute(root, "sampling", std::string(deterministic ? "deterministic" : sampling_name(config.sampling)));
  h5::write_attribute(root, "quantile_method", quantile_method);
  h5::write_attribute(root, "percentile_definition", std::string("Hyndman-Fan type 7 (numpy.percentile 'linear')"));
  h5::write_attribute(root, "created_utc", created_utc());
  h5::write_attribute(root, "config_toml", to_toml(config));

  write_scales(root, axes, true);
  // Schema 1's names of the axes stay: /time/month and /time/year are links to the scales, and
  // /percentiles a copy (a link under another name would be a second dimension to netCDF).
  h5::Handle time = h5::create_group(root, "time");
  h5::link_scale(time.id(), "/month", "month");
  h5::link_scale(time.id(), "/year", "year");
  const std::vector<int> counts = s.months_in_year();
  h5::write_dataset(time.id(), "months_in_year", std::vector<std::int32_t>(counts.begin(), counts.end()));
  h5::label_dataset(time.id(), "months_in_year", {"1", "simulated months in the year", {"year"}});
  time.close();

  h5::write_dataset(root, "percentiles", {config.percentiles.size()}, config.percentiles.data());
  h5::label_dataset(root, "percentiles", {"percent", "percentile (schema 1 name of /percentile)", {"percentile"}});
  h5::Handle band = h5::create_group(root, "band");
  h5::write_attribute(band.id(), "min_percentile", config.band[0]);
  h5::write_attribute(band.id(), "medio_percentile", config.band[1]);
  h5::write_attribute(band.id(), "max_percentile", config.band[2]);
  band.close();
}

}  // namespace

// One /inputs/samples dataset while the run fills it. Blocks of rows arrive in any order, from
// any thread; they are gathered in memory chunk by chunk and each chunk is written once, whole
// and directly (h5::filter_chunk, h5::write_filtered_chunk): HDF5 reads a chunk from the file
// before a partial write into it (the whole dataset read back, 26 MB for the default
// scenario's 100,000 paths), and its chunk cache and filter pipeline copy a whole chunk three
// times; the direct write leaves the same bytes in the file. Only the bookkeeping and the
// HDF5 call are serialised: the rows are copied and the chunks checksummed in parallel. The
// draws of a 100,000-path run of the default scenario (2 threads) took 245 ms with H5Dwrite
// under one lock, 190 ms with direct writes under that lock, 170 ms this way (135 ms without
// recording inputs at all).
struct InputsDataset {
  h5::Handle set;
  hsize_t rows = 0, columns = 0, chunk = 1;  // chunk: rows per chunk (h5::chunk_rows)
  struct Pending {
    std::vector<double> values;
    hsize_t filled = 0;  // rows received so far
  };
  std::mutex lock;                     // guards the members below
  std::map<hsize_t, Pending> pending;  // by chunk index: the chunks not complete yet (their places stay put)
  hsize_t written = 0;                 // rows in chunks written
  // Buffers of chunks already written, for the next ones: fresh 512 KiB buffers would each be
  // mapped, faulted in page by page and zero-filled.
  std::vector<std::vector<double>> spare;

  // Rows [first, first + count), row-major; `hdf5` serialises the calls into HDF5. Returns
  // whether this call wrote the dataset's last chunk.
  bool write(hsize_t first, hsize_t count, const double* data, std::mutex& hdf5) {
    struct Part {
      hsize_t start, length, row, end;  // the chunk's rows, and this call's rows of it
      Pending* pending;
    };
    std::vector<Part> parts;
    {
      const std::lock_guard<std::mutex> hold(lock);
      for (hsize_t row = first; row < first + count;) {
        const hsize_t start = row / chunk * chunk, length = std::min(chunk, rows - start);
        const hsize_t end = std::min(first + count, start + length);
        Pending& p = pending[start / chunk];
        if (p.values.empty()) {
          if (!spare.empty()) {
            p.values = std::move(spare.back());
            spare.pop_back();
          }
          // A whole chunk: every row of it is overwritten, the last chunk's padding set to 0.
          p.values.resize(chunk * columns);
          std::fill(p.values.begin() + static_cast<std::ptrdiff_t>(length * columns), p.values.end(), 0.0);
        }
        parts.push_back({start, length, row, end, &p});
        row = end;
      }
    }
    // The rows are this call's own: no other call touches them, and the chunk is not written
    // before they are counted below.
    for (const Part& part : parts)
      std::copy(data + (part.row - first) * columns, data + (part.end - first) * columns,
                part.pending->values.begin() + static_cast<std::ptrdiff_t>((part.row - part.start) * columns));
    bool last = false;
    for (const Part& part : parts) {
      std::vector<double> values;
      {
        const std::lock_guard<std::mutex> hold(lock);
        part.pending->filled += part.end - part.row;
        if (part.pending->filled < part.length) continue;
        values = std::move(part.pending->values);
        pending.erase(part.start / chunk);
      }
      thread_local std::vector<unsigned char> stored;
      h5::filter_chunk(values, stored);
      {
        const std::lock_guard<std::mutex> hold(hdf5);
        h5::write_filtered_chunk(set.id(), part.start, stored);
      }
      const std::lock_guard<std::mutex> hold(lock);
      written += part.length;
      last = last || written == rows;
      spare.push_back(std::move(values));
    }
    return last;
  }
};

struct ResultsFile::State {
  h5::Handle file;
  Axes axes;
  // /inputs/samples of the baseline ("") and of each variant, open while the run fills them
  // (closed before the statistics are written; destroyed before the file).
  std::map<std::string, InputsDataset> inputs;
  std::mutex hdf5;  // write_input_rows's calls into HDF5, from several threads

  // Closes the inputs' datasets (a failure is a RuntimeError). Every row has been written by
  // then: a run that completes records every path's inputs.
  void close_inputs() {
    for (auto& [variant, dataset] : inputs) {
      if (!dataset.pending.empty())
        throw RuntimeError("internal error: the recorded inputs of " + (variant.empty() ? "the baseline" : variant) +
                           " miss rows");
      dataset.set.close();
    }
    inputs.clear();
  }
};

namespace {
// The chunk cache of an inputs dataset: none, its chunks are written directly (InputsDataset).
constexpr std::size_t kInputsCacheBytes = 0;
}  // namespace

ResultsFile::ResultsFile(std::string path, const Scenario& s, const RunConfig& config, bool deterministic,
                         const std::string& quantile_method)
    : path_(std::move(path)),
      temporary_(temporary_name(path_)),
      save_paths_(config.save_paths),
      state_(std::make_unique<State>()) {
  create_parent(fs::path(path_));
  try {
    state_->file = h5::create_file(temporary_);
    state_->axes = axes_of(s, config);
    write_header(state_->file.id(), s, config, state_->axes, deterministic, quantile_method);
  } catch (...) {  // the destructor does not run for a constructor that throws
    state_.reset();
    discard(temporary_);
    throw;
  }
}

ResultsFile::~ResultsFile() {
  if (!state_) return;  // committed
  state_.reset();       // closes what is still open, ignoring failures: the file is discarded
  discard(temporary_);
}

void ResultsFile::write_baseline(const RunRecord& run) {
  state_->close_inputs();  // complete by now
  write_run(state_->file.id(), "", run, save_paths_);
}

void ResultsFile::write_variant(const std::string& name, const RunRecord& run, const Summary& difference) {
  const hid_t root = state_->file.id();
  if (!h5::exists(root, "compare")) h5::create_group(root, "compare").close();
  {
    h5::Handle group = variant_group(name);
    write_scenario_attributes(group.id(), *run.scenario);
    write_run(group.id(), "/variants/" + name, run, save_paths_);
    group.close();
  }
  h5::Handle group = h5::create_group(root, "compare/" + name);
  h5::write_attribute(group.id(), "description",
                      std::string("path-wise difference variant - baseline, common random numbers"));
  write_scales(group.id(), state_->axes, false);
  const Scenario& s = *run.scenario;
  const std::string scales = "/compare/" + name, what = ", variant - baseline";
  write_statistics(group.id(), "monthly", difference.monthly, s.horizon_months, difference.percentiles.size(), false,
                   scales, what);
  write_statistics(group.id(), "annual", difference.annual, s.year_count(), difference.percentiles.size(), true, scales,
                   what);
  group.close();
}

namespace {
std::string inputs_group(const std::string& variant) {
  return variant.empty() ? "inputs" : "variants/" + variant + "/inputs";
}
}  // namespace

h5::Handle ResultsFile::variant_group(const std::string& name) {
  const hid_t root = state_->file.id();
  if (!h5::exists(root, "variants")) h5::create_group(root, "variants").close();
  const std::string path = "variants/" + name;
  if (h5::exists(root, path)) return h5::open_group(root, path);
  h5::Handle group = h5::create_group(root, path);
  write_scales(group.id(), state_->axes, true);
  return group;
}

void ResultsFile::begin_inputs(const std::string& variant, std::int64_t rows, const std::vector<std::string>& names) {
  if (!variant.empty()) variant_group(variant).close();
  h5::Handle group = h5::open_or_create_group(state_->file.id(), inputs_group(variant));
  // The input names twice: as the scale of the dimension input, and under schema 1's name.
  h5::write_dataset(group.id(), "input", names);
  h5::make_scale(group.id(), "input");
  h5::label_dataset(group.id(), "input", {"1", "recorded input", {}});
  h5::write_dataset(group.id(), "names", names);
  h5::label_dataset(group.id(), "names", {"1", "recorded input (schema 1 name of input)", {"input"}});
  h5::create_matrix(group.id(), "samples", static_cast<hsize_t>(rows), names.size());
  const std::string scales = variant.empty() ? "" : "/variants/" + variant;
  h5::label_dataset(
      group.id(), "samples",
      {"mixed", "path-level draws of the recorded inputs, each in its own unit", {scales + "/path", "input"}});
  InputsDataset& dataset = state_->inputs[variant];
  dataset.set = h5::open_matrix(group.id(), "samples", kInputsCacheBytes);
  dataset.rows = static_cast<hsize_t>(rows);
  dataset.columns = names.size();
  dataset.chunk = h5::chunk_rows(dataset.rows, dataset.columns);
  group.close();
}

void ResultsFile::write_input_rows(const std::string& variant, std::int64_t first_row, std::int64_t rows,
                                   std::size_t columns, const double* data) {
  InputsDataset& dataset = state_->inputs.at(variant);
  MPPMC_CHECK(columns == dataset.columns);
  // The inputs are most of a results file (26 of 27 MB for 100,000 paths of the default
  // scenario): on their way to disk while the months run, they hold up commit's fsync less (on
  // the 2-core test machine, the fsync of a 26 MB file took 23-29 ms, 19 ms when its writeback
  // had started 0.4 s before).
  if (dataset.write(static_cast<hsize_t>(first_row), static_cast<hsize_t>(rows), data, state_->hdf5))
    start_writeback(temporary_);
}

void ResultsFile::commit() {
  // Every object of the file is closed by now; a close that fails (a full disk) throws, and the
  // destructor removes the temporary. Only a file that closed cleanly is forced to disk and
  // renamed into place.
  state_->close_inputs();
  h5::finish_file(state_->file, temporary_);
  state_.reset();
  publish(temporary_, path_);
}

void write_hdf5_atomically(const std::string& path, const std::string& schema, std::int64_t schema_version,
                           const std::function<void(hid_t)>& fill) {
  check_writable(path);
  const std::string temporary = temporary_name(path);
  try {
    h5::Handle file = h5::create_file(temporary);
    const hid_t root = file.id();
    h5::write_attribute(root, "schema", schema);
    h5::write_attribute(root, "schema_version", schema_version);
    h5::write_attribute(root, "tool_version", std::string(tool_version()));
    h5::write_attribute(root, "git_sha", std::string(git_sha()));
    h5::write_attribute(root, "created_utc", created_utc());
    fill(root);
    h5::finish_file(file, temporary);
  } catch (...) {
    discard(temporary);
    throw;
  }
  publish(temporary, path);
}

void check_writable(const std::string& path) {
  create_parent(fs::path(path));
  const std::string probe = temporary_name(path);
  std::FILE* file = std::fopen(probe.c_str(), "wb");
  if (!file) throw RuntimeError("cannot write " + path + ": " + std::strerror(errno));
  std::fclose(file);
  discard(probe);
}

}  // namespace mppmc::io
