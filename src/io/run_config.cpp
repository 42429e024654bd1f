#include "io/run_config.h"

#include <algorithm>
#include <sstream>

#include "io/toml_source.h"

namespace mppmc::io {

RunConfig read_run_config(const std::string& path) {
  Diagnostics d;
  RunConfig config;
  config.source_file = path;
  std::optional<toml::table> doc = parse_toml_file(path, d);
  d.throw_if_errors();

  static const std::vector<std::pair<std::string, std::vector<std::string>>> kSchema = {
      {"run", {"paths", "seed", "threads", "block_size", "sampling"}},
      {"statistics", {"percentiles", "quantiles", "memory_limit_gb"}},
      {"band", {"min_percentile", "medio_percentile", "max_percentile"}},
      {"output", {"dir", "save_paths"}},
  };
  std::vector<std::string> section_names;
  for (const auto& [name, keys] : kSchema) section_names.push_back(name);
  for (auto&& [key, node] : *doc) {
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

  auto integer = [&](const char* key, std::int64_t min, std::int64_t max) -> std::optional<std::int64_t> {
    const toml::node* n = doc->at_path(key).node();
    if (!n) return std::nullopt;
    auto v = read_integer(*n, key, path, d);
    if (v && (*v < min || *v > max)) {
      d.error(location_of(*n, path), key, value_text(*n),
              "must be between " + std::to_string(min) + " and " + std::to_string(max));
      return std::nullopt;
    }
    return v;
  };
  if (auto v = integer("run.paths", 1, 4294967295LL)) config.paths = *v;
  if (auto v = integer("run.seed", 0, INT64_MAX)) config.seed = static_cast<std::uint64_t>(*v);
  if (auto v = integer("run.threads", 0, 4096)) config.threads = static_cast<int>(*v);
  if (auto v = integer("run.block_size", 1, 1 << 20)) config.block_size = static_cast<int>(*v);

  if (const toml::node* n = doc->at_path("run.sampling").node())
    if (auto v = read_string(*n, "run.sampling", path, d))
      if (!parse_sampling(*v, config.sampling))
        d.error(location_of(*n, path), "run.sampling", value_text(*n), "must be \"mc\", \"lhs\" or \"sobol\"");

  auto percent = [&](const toml::node& n, const std::string& key) -> std::optional<double> {
    auto v = read_number(n, key, path, d);
    if (v && (*v < 0.0 || *v > 100.0)) {
      d.error(location_of(n, path), key, value_text(n), "must be a percentile in [0, 100]");
      return std::nullopt;
    }
    return v;
  };
  if (const toml::node* n = doc->at_path("statistics.percentiles").node()) {
    const auto* array = n->as_array();
    if (!array || array->empty()) {
      d.error(location_of(*n, path), "statistics.percentiles", value_text(*n),
              "must be a non-empty list of percentiles");
    } else {
      std::vector<double> list;
      for (std::size_t i = 0; i < array->size(); ++i)
        if (auto v = percent(*array->get(i), "statistics.percentiles[" + std::to_string(i) + "]")) list.push_back(*v);
      if (list.size() == array->size()) {
        if (std::adjacent_find(list.begin(), list.end(), std::greater_equal<>()) != list.end())
          d.error(location_of(*n, path), "statistics.percentiles", value_text(*n), "must be strictly increasing");
        else
          config.percentiles = list;
      }
    }
  }
  if (const toml::node* n = doc->at_path("statistics.quantiles").node())
    if (auto v = read_string(*n, "statistics.quantiles", path, d)) {
      if (*v != "exact" && *v != "sketch" && *v != "auto")
        d.error(location_of(*n, path), "statistics.quantiles", value_text(*n),
                "must be \"exact\", \"sketch\" or \"auto\"");
      else
        config.quantiles = *v;
    }
  if (const toml::node* n = doc->at_path("statistics.memory_limit_gb").node())
    if (auto v = read_number(*n, "statistics.memory_limit_gb", path, d)) {
      if (*v < 0)
        d.error(location_of(*n, path), "statistics.memory_limit_gb", value_text(*n),
                "must be >= 0 (0: half the machine's memory)");
      else
        config.memory_limit_gb = *v;
    }
  const char* band_keys[3] = {"band.min_percentile", "band.medio_percentile", "band.max_percentile"};
  for (int k = 0; k < 3; ++k)
    if (const toml::node* n = doc->at_path(band_keys[k]).node())
      if (auto v = percent(*n, band_keys[k])) config.band[k] = *v;
  if (!(config.band[0] < config.band[1] && config.band[1] < config.band[2]))
    d.error({path, 1, 1}, "band", "", "min_percentile < medio_percentile < max_percentile is required");

  if (const toml::node* n = doc->at_path("output.dir").node())
    if (auto v = read_string(*n, "output.dir", path, d)) config.output_dir = *v;
  if (const toml::node* n = doc->at_path("output.save_paths").node()) {
    if (const auto* b = n->as_boolean())
      config.save_paths = b->get();
    else
      d.error(location_of(*n, path), "output.save_paths", value_text(*n), "must be true or false");
  }
  d.throw_if_errors();
  config.text = to_toml(config);
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
