#include "io/run_config.h"

#include <algorithm>
#include <sstream>

#include "io/toml_source.h"

namespace mppmc::io {

namespace {

// The sections and keys of a config file: anything else is an error, with a suggestion.
void check_keys(const toml::table& doc, const std::string& path, Diagnostics& d) {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kSchema = {
      {"run", {"paths", "seed", "threads", "block_size", "sampling"}},
      {"statistics", {"percentiles", "quantiles", "memory_limit_gb"}},
      {"band", {"min_percentile", "medio_percentile", "max_percentile"}},
      {"output", {"dir", "save_paths"}},
  };
  std::vector<std::string> section_names;
  for (const auto& [name, keys] : kSchema) section_names.push_back(name);
  for (auto&& [key, node] : doc) {
    const std::string section(key.str());
    const auto spec = std::find_if(kSchema.begin(), kSchema.end(), [&](const auto& s) { return s.first == section; });
    if (spec == kSchema.end() || !node.is_table()) {
      std::string rule = spec == kSchema.end() ? "unknown section" : "must be a table (a section)";
      const std::string near = suggest(section, section_names);
      if (spec == kSchema.end() && !near.empty()) rule += "; did you mean '" + near + "'?";
      d.error(location_of(node, path), section, value_text(node), rule);
      continue;
    }
    for (auto&& [sub_key, sub_node] : *node.as_table()) {
      const std::string k(sub_key.str());
      if (std::find(spec->second.begin(), spec->second.end(), k) == spec->second.end()) {
        std::string rule = "unknown key";
        const std::string near = suggest(k, spec->second);
        if (!near.empty()) rule += "; did you mean '" + section + "." + near + "'?";
        d.error(location_of(sub_node, path), section + "." + k, value_text(sub_node), rule);
      }
    }
  }
}

// One config file's settings over the defaults, every problem collected in `d`.
class ConfigReader {
 public:
  ConfigReader(const toml::table& doc, const std::string& path, Diagnostics& d, RunConfig& config)
      : doc_(doc), path_(path), d_(d), config_(config) {}

  // [run]: paths, seed, threads, block size, sampling.
  void read_run() {
    auto integer = [&](const char* key, std::int64_t min, std::int64_t max) -> std::optional<std::int64_t> {
      const toml::node* n = doc_.at_path(key).node();
      if (!n) return std::nullopt;
      auto v = read_integer(*n, key, path_, d_);
      if (v && (*v < min || *v > max)) {
        d_.error(location_of(*n, path_), key, value_text(*n),
                 "must be between " + std::to_string(min) + " and " + std::to_string(max));
        return std::nullopt;
      }
      return v;
    };
    if (auto v = integer("run.paths", 1, 4294967295LL)) config_.paths = *v;
    if (auto v = integer("run.seed", 0, INT64_MAX)) config_.seed = static_cast<std::uint64_t>(*v);
    if (auto v = integer("run.threads", 0, 4096)) config_.threads = static_cast<int>(*v);
    if (auto v = integer("run.block_size", 1, 1 << 20)) config_.block_size = static_cast<int>(*v);

    if (const toml::node* n = doc_.at_path("run.sampling").node())
      if (auto v = read_string(*n, "run.sampling", path_, d_)) {
        if (const std::optional<Sampling> sampling = parse_sampling(*v))
          config_.sampling = *sampling;
        else
          d_.error(location_of(*n, path_), "run.sampling", value_text(*n), "must be \"mc\", \"lhs\" or \"sobol\"");
      }
  }

  // [statistics]: percentiles, quantile method, memory limit.
  void read_statistics() {
    if (const toml::node* n = doc_.at_path("statistics.percentiles").node()) {
      const auto* array = n->as_array();
      if (!array || array->empty()) {
        d_.error(location_of(*n, path_), "statistics.percentiles", value_text(*n),
                 "must be a non-empty list of percentiles");
      } else {
        std::vector<double> list;
        for (std::size_t i = 0; i < array->size(); ++i)
          if (auto v = percent(*array->get(i), "statistics.percentiles[" + std::to_string(i) + "]")) list.push_back(*v);
        if (list.size() == array->size()) {
          if (std::adjacent_find(list.begin(), list.end(), std::greater_equal<>()) != list.end())
            d_.error(location_of(*n, path_), "statistics.percentiles", value_text(*n), "must be strictly increasing");
          else
            config_.percentiles = list;
        }
      }
    }
    if (const toml::node* n = doc_.at_path("statistics.quantiles").node())
      if (auto v = read_string(*n, "statistics.quantiles", path_, d_)) {
        if (const std::optional<QuantileMode> mode = parse_quantile_mode(*v))
          config_.quantiles = *mode;
        else
          d_.error(location_of(*n, path_), "statistics.quantiles", value_text(*n),
                   "must be \"exact\", \"sketch\" or \"auto\"");
      }
    if (const toml::node* n = doc_.at_path("statistics.memory_limit_gb").node())
      if (auto v = read_number(*n, "statistics.memory_limit_gb", path_, d_)) {
        if (*v < 0)
          d_.error(location_of(*n, path_), "statistics.memory_limit_gb", value_text(*n),
                   "must be >= 0 (0: half the machine's memory)");
        else
          config_.memory_limit_gb = *v;
      }
  }

  // [band] and [output].
  void read_band_and_output() {
    const char* band_keys[3] = {"band.min_percentile", "band.medio_percentile", "band.max_percentile"};
    for (int k = 0; k < 3; ++k)
      if (const toml::node* n = doc_.at_path(band_keys[k]).node())
        if (auto v = percent(*n, band_keys[k])) config_.band[k] = *v;
    if (!(config_.band[0] < config_.band[1] && config_.band[1] < config_.band[2]))
      d_.error({path_, 1, 1}, "band", "", "min_percentile < medio_percentile < max_percentile is required");

    if (const toml::node* n = doc_.at_path("output.dir").node())
      if (auto v = read_string(*n, "output.dir", path_, d_)) config_.output_dir = *v;
    if (const toml::node* n = doc_.at_path("output.save_paths").node()) {
      if (const auto* b = n->as_boolean())
        config_.save_paths = b->get();
      else
        d_.error(location_of(*n, path_), "output.save_paths", value_text(*n), "must be true or false");
    }
  }

 private:
  // A number in [0, 100].
  std::optional<double> percent(const toml::node& n, const std::string& key) {
    auto v = read_number(n, key, path_, d_);
    if (v && (*v < 0.0 || *v > 100.0)) {
      d_.error(location_of(n, path_), key, value_text(n), "must be a percentile in [0, 100]");
      return std::nullopt;
    }
    return v;
  }

  const toml::table& doc_;
  const std::string& path_;
  Diagnostics& d_;
  RunConfig& config_;
};

}  // namespace

RunConfig read_run_config(const std::string& path) {
  Diagnostics d;
  RunConfig config;
  config.source_file = path;
  std::optional<toml::table> doc = parse_toml_file(path, d);
  d.throw_if_errors();
  check_keys(*doc, path, d);
  ConfigReader reader(*doc, path, d, config);
  reader.read_run();
  reader.read_statistics();
  reader.read_band_and_output();
  d.throw_if_errors();
  return config;
}

std::string to_toml(const RunConfig& c) {
  toml::array percentiles;
  for (double p : c.percentiles) percentiles.push_back(p);
  toml::table root{
      // threads and block_size are left out on purpose: they never change the numbers, and a
      // results file must be bit-for-bit the same whatever they were.
      {"run", toml::table{{"paths", c.paths},
                          {"seed", static_cast<std::int64_t>(c.seed)},
                          {"sampling", std::string(sampling_name(c.sampling))}}},
      {"statistics", toml::table{{"percentiles", percentiles}}},
      {"band",
       toml::table{{"min_percentile", c.band[0]}, {"medio_percentile", c.band[1]}, {"max_percentile", c.band[2]}}},
      {"output", toml::table{{"dir", c.output_dir}, {"save_paths", c.save_paths}}},
  };
  std::ostringstream out;
  out << toml::toml_formatter(root) << '\n';
  return out.str();
}

}  // namespace mppmc::io
