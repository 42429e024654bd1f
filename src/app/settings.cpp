#include "app/settings.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>

namespace mppmc::app {

namespace fs = std::filesystem;

namespace {
template <typename T, typename U>
void override_with(T& value, const std::optional<U>& given) {
  if (given) value = static_cast<T>(*given);
}
}  // namespace

io::RunConfig effective_settings(io::RunConfig config, const RunOverrides& o) {
  override_with(config.paths, o.paths);
  if (!o.paths && o.deterministic) config.paths = 1;  // every path would be the same
  override_with(config.seed, o.seed);
  override_with(config.threads, o.threads);
  override_with(config.block_size, o.block_size);
  override_with(config.sampling, o.sampling);
  override_with(config.quantiles, o.quantiles);
  override_with(config.memory_limit_gb, o.memory_limit_gb);
  config.save_paths = config.save_paths || o.save_paths;
  override_with(config.percentiles, o.percentiles);
  override_with(config.band, o.band);
  return config;
}

namespace {
bool is_percent(double p) {
  return p >= 0 && p <= 100;  // false for NaN
}
std::string list_text(const std::vector<double>& values) {
  std::string text;
  for (double v : values) {
    char number[32];
    std::snprintf(number, sizeof number, "%g", v);
    text += (text.empty() ? "" : ", ") + std::string(number);
  }
  return "[" + text + "]";
}
}  // namespace

void check_overrides(const RunOverrides& o, std::vector<Problem>& problems) {
  auto check_range = [&](const char* name, auto value, auto min, auto max) {
    if (value && (*value < min || *value > max))
      problems.push_back(Problem::general(std::string(name) + " = " + std::to_string(*value) + ": must be in [" +
                                          std::to_string(min) + ", " + std::to_string(max) + "]"));
  };
  check_range("paths", o.paths, std::int64_t{1}, kMaxPaths);
  check_range("seed", o.seed, std::uint64_t{0}, static_cast<std::uint64_t>(INT64_MAX));
  check_range("threads", o.threads, 0, kMaxThreads);
  check_range("block_size", o.block_size, 1, kMaxBlockSize);
  if (o.memory_limit_gb && !(*o.memory_limit_gb > 0 && std::isfinite(*o.memory_limit_gb)))
    problems.push_back(Problem::general("memory_limit = " + std::to_string(*o.memory_limit_gb) +
                                        ": must be a finite number > 0 (GB)"));
  // The same rules as the config file's [statistics] percentiles and [band] (io/run_config.cpp).
  if (o.percentiles) {
    const std::vector<double>& p = *o.percentiles;
    if (p.empty() || !std::all_of(p.begin(), p.end(), is_percent) ||
        std::adjacent_find(p.begin(), p.end(), [](double a, double b) { return !(a < b); }) != p.end())
      problems.push_back(
          Problem::general("percentiles = " + list_text(p) +
                           ": must be a non-empty, strictly increasing list of percentiles in [0, 100]"));
  }
  if (o.band) {
    const std::array<double, 3>& b = *o.band;
    if (!std::all_of(b.begin(), b.end(), is_percent) || !(b[0] < b[1] && b[1] < b[2]))
      problems.push_back(Problem::general("band = " + list_text({b.begin(), b.end()}) +
                                          ": must be three percentiles in [0, 100], min < medio < max"));
  }
}

SimulationSettings simulation_settings(const io::RunConfig& config) {
  SimulationSettings settings;
  settings.seed = config.seed;
  settings.paths = config.paths;
  settings.threads = config.threads;
  settings.block_size = config.block_size;
  return settings;
}

Study effective_study(Study study, const StudyOverrides& o) {
  override_with(study.samples, o.samples);
  override_with(study.seed, o.seed);
  override_with(study.sampling, o.sampling);
  override_with(study.bootstrap, o.bootstrap);
  return study;
}

io::RunConfig read_config(const std::string& path, std::vector<Problem>& problems) {
  const std::string file = path.empty() ? shipped("config/default.toml") : path;
  return collect_problems(problems, [&] { return io::read_run_config(file); });
}

std::string shipped(const std::string& relative) {
  if (fs::exists(relative)) return relative;
  const fs::path installed = fs::path(MPPMC_SOURCE_DIR) / relative;
  return fs::exists(installed) ? installed.string() : relative;
}

void check_output(const std::string& output, bool overwrite, const std::vector<std::string>& inputs,
                  const std::string& example, std::vector<Problem>& problems) {
  const fs::path path(output);
  std::error_code ec;
  if (fs::is_directory(path, ec) || !path.has_filename()) {
    problems.push_back(Problem::general("the output " + output + " is a folder; give a file name such as " +
                                        (path / example).lexically_normal().string()));
    return;
  }
  if (path.filename().string().size() > 255) {  // NAME_MAX of every common file system
    problems.push_back(Problem::general("the output's file name is " + std::to_string(path.filename().string().size()) +
                                        " characters long; file systems allow 255"));
    return;
  }
  for (fs::path parent = path.parent_path(); !parent.empty() && parent != parent.parent_path();
       parent = parent.parent_path())
    if (fs::exists(parent, ec) && !fs::is_directory(parent, ec)) {
      problems.push_back(Problem::general("the output " + output + " goes through " + parent.string() +
                                          ", which is a file, not a folder"));
      return;
    }
  for (const std::string& input : inputs)
    if (fs::exists(path, ec) && fs::equivalent(path, input, ec)) {
      problems.push_back(Problem::general("the output " + output + " is the input " + input +
                                          "; writing the results there would destroy it: -o another file"));
      return;
    }
  if (fs::exists(path, ec) && !overwrite)
    problems.push_back(
        Problem::general("the output " + output + " exists; pass --overwrite to replace it, or -o another file"));
}

}  // namespace mppmc::app
