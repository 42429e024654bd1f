#include "io/results_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>

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

// One group per series: quantiles [P, periods], mean, std and band [3, periods].
void write_statistics(hid_t parent, const char* name, const ColumnStatistics& stats, int periods,
                      std::size_t percentiles, bool annual) {
  h5::Handle group = h5::create_group(parent, name);
  const std::size_t columns = stats.mean.size();
  for (const SeriesInfo& info : series()) {
    h5::Handle g = h5::create_group(group.id(), std::string(info.name));
    write_series_attributes(g.id(), info, annual ? annual_unit(info) : std::string(info.unit));
    const std::size_t first = static_cast<std::size_t>(index(info.id)) * periods;
    std::vector<double> q(percentiles * periods), band(3 * static_cast<std::size_t>(periods));
    for (std::size_t k = 0; k < percentiles; ++k)
      for (int t = 0; t < periods; ++t) q[k * periods + t] = stats.quantiles[k * columns + first + t];
    for (std::size_t k = 0; k < 3; ++k)
      for (int t = 0; t < periods; ++t) band[k * periods + t] = stats.band[k * columns + first + t];
    const hsize_t p = percentiles, n = static_cast<hsize_t>(periods);
    h5::write_dataset(g.id(), "quantiles", {p, n}, q.data());
    h5::write_dataset(g.id(), "mean", {n}, &stats.mean[first]);
    h5::write_dataset(g.id(), "std", {n}, &stats.std[first]);
    h5::write_dataset(g.id(), "band", {3, n}, band.data());
    g.close();
  }
  group.close();
}

// The statistics, inputs and paths of one run under `group` (the root or a variant group).
void write_run(hid_t group, const RunRecord& r, bool save_paths) {
  const Scenario& s = *r.scenario;
  const Summary& summary = *r.summary;
  write_statistics(group, "monthly", summary.monthly, s.horizon_months, summary.percentiles.size(), false);
  write_statistics(group, "annual", summary.annual, s.year_count(), summary.percentiles.size(), true);
  // The inputs are written already (begin_inputs, write_input_rows).
  if (!r.result) return;  // paths are not kept
  const SimulationResult& result = *r.result;
  if (save_paths) {
    h5::Handle paths = h5::create_group(group, "paths");
    const auto n = static_cast<std::size_t>(result.paths());
    const auto months = static_cast<std::size_t>(s.horizon_months);
    std::vector<float> rows(n * months);
    for (const SeriesInfo& info : series()) {
      for (std::size_t m = 0; m < months; ++m) {
        const double* column = result.monthly(info.id, static_cast<int>(m));
        for (std::size_t i = 0; i < n; ++i) rows[i * months + m] = static_cast<float>(column[i]);
      }
      h5::write_compressed(paths.id(), std::string(info.name), n, months, rows.data());
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

std::string annual_unit(const SeriesInfo& info) {
  std::string unit(info.unit);
  if (info.kind == SeriesKind::flow) {
    const std::size_t at = unit.rfind("/month");
    if (at != std::string::npos) unit.replace(at, 6, "/year");
  }
  return unit;
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

// The root attributes, time axes, percentiles and band of a new results file.
void write_header(hid_t root, const Scenario& s, const RunConfig& config, bool deterministic,
                  const std::string& quantile_method) {
  h5::write_attribute(root, "schema", std::string("mppmc-results"));
  h5::write_attribute(root, "schema_version", std::int64_t{1});
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

  h5::Handle time = h5::create_group(root, "time");
  std::vector<std::string> months;
  for (int m = 0; m < s.horizon_months; ++m) months.push_back(format_year_month(s.month(m)));
  h5::write_dataset(time.id(), "month", months);
  std::vector<std::int32_t> years;
  for (int y = 0; y < s.year_count(); ++y) years.push_back(s.first_year() + y);
  h5::write_dataset(time.id(), "year", years);
  const std::vector<int> counts = s.months_in_year();
  h5::write_dataset(time.id(), "months_in_year", std::vector<std::int32_t>(counts.begin(), counts.end()));
  time.close();

  h5::write_dataset(root, "percentiles", {config.percentiles.size()}, config.percentiles.data());
  h5::Handle band = h5::create_group(root, "band");
  h5::write_attribute(band.id(), "min_percentile", config.band[0]);
  h5::write_attribute(band.id(), "medio_percentile", config.band[1]);
  h5::write_attribute(band.id(), "max_percentile", config.band[2]);
  band.close();
}

}  // namespace

struct ResultsFile::State {
  h5::Handle file;
  // /inputs/samples of the baseline ("") and of each variant, open while the run fills them
  // (closed before the statistics are written; destroyed before the file).
  std::map<std::string, h5::Handle> inputs;

  // Closes the inputs' datasets, writing their cached chunks (a failure is a RuntimeError).
  void close_inputs() {
    for (auto& [variant, set] : inputs) set.close();
    inputs.clear();
  }
};

namespace {
// The chunk cache of an inputs dataset: chunks hold at most 64 Ki values (512 KiB), and the
// blocks of a run fill a few of them at a time per thread, in any order.
constexpr std::size_t kInputsCacheBytes = std::size_t{64} << 20;
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
    write_header(state_->file.id(), s, config, deterministic, quantile_method);
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
  write_run(state_->file.id(), run, save_paths_);
}

void ResultsFile::write_variant(const std::string& name, const RunRecord& run, const Summary& difference) {
  const hid_t root = state_->file.id();
  if (!h5::exists(root, "variants")) h5::create_group(root, "variants").close();
  if (!h5::exists(root, "compare")) h5::create_group(root, "compare").close();
  {
    h5::Handle group = h5::open_or_create_group(root, "variants/" + name);
    write_scenario_attributes(group.id(), *run.scenario);
    write_run(group.id(), run, save_paths_);
    group.close();
  }
  h5::Handle group = h5::create_group(root, "compare/" + name);
  h5::write_attribute(group.id(), "description",
                      std::string("path-wise difference variant - baseline, common random numbers"));
  const Scenario& s = *run.scenario;
  write_statistics(group.id(), "monthly", difference.monthly, s.horizon_months, difference.percentiles.size(), false);
  write_statistics(group.id(), "annual", difference.annual, s.year_count(), difference.percentiles.size(), true);
  group.close();
}

namespace {
std::string inputs_group(const std::string& variant) {
  return variant.empty() ? "inputs" : "variants/" + variant + "/inputs";
}
}  // namespace

void ResultsFile::begin_inputs(const std::string& variant, std::int64_t rows, const std::vector<std::string>& names) {
  h5::Handle group = h5::open_or_create_group(state_->file.id(), inputs_group(variant));
  h5::write_dataset(group.id(), "names", names);
  h5::create_matrix(group.id(), "samples", static_cast<hsize_t>(rows), names.size());
  state_->inputs.emplace(variant, h5::open_matrix(group.id(), "samples", kInputsCacheBytes));
  group.close();
}

void ResultsFile::write_input_rows(const std::string& variant, std::int64_t first_row, std::int64_t rows,
                                   std::size_t columns, const double* data) {
  h5::write_rows(state_->inputs.at(variant).id(), static_cast<hsize_t>(first_row), static_cast<hsize_t>(rows), columns,
                 data);
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

void write_hdf5_atomically(const std::string& path, const std::string& schema, const std::function<void(hid_t)>& fill) {
  check_writable(path);
  const std::string temporary = temporary_name(path);
  try {
    h5::Handle file = h5::create_file(temporary);
    const hid_t root = file.id();
    h5::write_attribute(root, "schema", schema);
    h5::write_attribute(root, "schema_version", std::int64_t{1});
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
