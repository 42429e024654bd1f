#include "engine/run_control.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "core/version.h"
#include "engine/chunked.h"
#include "engine/cluster.h"
#include "engine/month_by_month.h"

namespace mppmc {

const char* quantile_mode_name(QuantileMode mode) {
  switch (mode) {
    case QuantileMode::exact:
      return "exact";
    case QuantileMode::sketch:
      return "sketch";
    case QuantileMode::automatic:
      return "auto";
  }
  return "exact";
}

std::optional<QuantileMode> parse_quantile_mode(std::string_view text) {
  for (QuantileMode mode : {QuantileMode::exact, QuantileMode::sketch, QuantileMode::automatic})
    if (text == quantile_mode_name(mode)) return mode;
  return std::nullopt;
}

std::string quantile_method_name(QuantileMode mode) {
  if (mode != QuantileMode::sketch) return "exact";
  char method[32];
  std::snprintf(method, sizeof method, "ddsketch:%g", kSketchAlpha);
  return method;
}

DriverKind driver_kind(QuantileMode quantiles, bool keep_paths) {
  if (quantiles == QuantileMode::sketch) return DriverKind::sketch;
  // The month-by-month driver holds two months' columns, so it can neither keep every path nor
  // leave a share of the paths to other processes (their values would have to travel per month).
  return keep_paths || cluster_size() > 1 ? DriverKind::all_paths : DriverKind::month_by_month;
}

std::uint64_t physical_memory_bytes() {
  return static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(sysconf(_SC_PAGE_SIZE));
}

PreparedScenario::PreparedScenario(const Scenario& scenario, const SimulationSettings& settings, Sampling sampling)
    : scenario_(&scenario), plan_(scenario), settings_(settings) {
  // A given design (a sensitivity study's rows) wins; medians need none.
  if (!settings.design && !settings.deterministic && sampling != Sampling::mc) {
    design_.emplace(plan_, sampling, settings.seed, settings.paths);
    settings_.design = &*design_;
  }
}

namespace {

std::uint64_t fnv1a64(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

RunContext::RunContext(RunRequest request) : request_(std::move(request)), limit_(request_.settings.threads) {
  MPPMC_CHECK(!request_.scenarios.empty());
  MPPMC_CHECK(request_.settings.paths >= 1 && request_.settings.block_size >= 1);
  // Inside the arena: a plan sets up its inverses in parallel, on --threads threads.
  limit_.arena().execute([&] {
    for (const Scenario* scenario : request_.scenarios)
      prepared_.push_back(std::make_unique<PreparedScenario>(*scenario, request_.settings, request_.sampling));
  });
  all_percents_ = request_.percentiles;
  all_percents_.insert(all_percents_.end(), request_.band.begin(), request_.band.end());

  quantiles_ = request_.quantiles;
  if (quantiles_ == QuantileMode::automatic) {
    const double limit = request_.memory_limit_bytes > 0 ? request_.memory_limit_bytes
                                                         : static_cast<double>(physical_memory_bytes()) / 2.0;
    const bool fits = static_cast<double>(exact_memory_bytes()) <= limit;
    quantiles_ = fits || request_.keep_paths ? QuantileMode::exact : QuantileMode::sketch;
  }

  const SimulationSettings& s = request_.settings;
  std::string identity = std::string(tool_version()) + "\n" + git_sha() + "\n" + quantile_method_name(quantiles_) +
                         "\n" + std::to_string(s.seed) + "\n" + std::to_string(s.paths) + "\n" +
                         sampling_name(request_.sampling) + (s.deterministic ? "\ndeterministic" : "") + "\n";
  for (const Scenario* scenario : request_.scenarios) identity += scenario->resolved_toml + "\n";
  fingerprint_ = fnv1a64(identity);
  restart_checkpoint_clock();
}

std::uint64_t RunContext::exact_memory_bytes() const {
  const Scenario& scenario = baseline();
  const std::int64_t paths = request_.settings.paths;
  // Every scenario has the baseline's time axis; the baseline's plan stands for their inputs.
  const std::uint64_t one =
      driver_kind(QuantileMode::exact, request_.keep_paths) == DriverKind::month_by_month
          ? detail::month_by_month_memory_bytes(scenario, paths)
          : detail::all_paths_memory_bytes(scenario, paths, prepared_.front()->plan().recorded_names().size(),
                                           request_.keep_paths);
  return one * prepared_.size();
}

bool RunContext::stop_requested() const {
  return request_.settings.stop && request_.settings.stop->load();
}

bool RunContext::checkpoint_due(bool more_left) const {
  const CheckpointSettings& c = request_.checkpoint;
  if (c.path.empty() || !more_left) return false;
  const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_checkpoint_).count();
  return stop_requested() || (c.interval_seconds > 0 && since >= c.interval_seconds);
}

void RunContext::restart_checkpoint_clock() {
  last_checkpoint_ = std::chrono::steady_clock::now();
}

void RunContext::report(std::int64_t done) const {
  if (request_.progress && tbb::this_task_arena::current_thread_index() == 0)
    request_.progress(std::min(done, paths()), paths());
}

void RunContext::report_finished() const {
  if (request_.progress) request_.progress(paths(), paths());
}

std::unique_ptr<Driver> make_driver(DriverKind kind) {
  switch (kind) {
    case DriverKind::month_by_month:
      return detail::make_month_by_month_driver();
    case DriverKind::sketch:
      return detail::make_sketch_driver();
    case DriverKind::all_paths:
      return detail::make_all_paths_driver();
  }
  return nullptr;
}

RunOutput execute(RunContext& run) {
  return make_driver(run.driver())->run(run);
}

}  // namespace mppmc
