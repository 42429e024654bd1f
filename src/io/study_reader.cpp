#include "io/study_reader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/inputs.h"
#include "io/scenario_reader.h"
#include "io/toml_source.h"

namespace mppmc::io {

namespace {
namespace fs = std::filesystem;

const std::vector<std::string> kStudyKeys = {"scenario",   "methods", "samples", "sampling", "bootstrap",
                                             "confidence", "seed",    "inputs",  "tornado"};
}  // namespace

Study read_study(const std::string& path, std::vector<Problem>& warnings) {
  Diagnostics d;
  std::optional<toml::table> doc = parse_toml_file(path, d);
  d.throw_if_errors();
  Study study;
  study.file = path;
  {
    std::ifstream in(path);
    study.text.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto unknown = [&](const toml::node& node, const std::string& key_path, const std::string& key,
                     const std::vector<std::string>& known) {
    std::string rule = "unknown key";
    const std::string near = suggest(key, known);
    if (!near.empty()) rule += "; did you mean '" + near + "'?";
    d.error(location_of(node, path), key_path, value_text(node), rule);
  };
  for (auto&& [key, node] : *doc) {
    const std::string k(key.str());
    if (k != "study" && k != "output") unknown(node, k, k, {"study", "output"});
  }
  const toml::table* table = doc->get("study") ? doc->get("study")->as_table() : nullptr;
  if (!table) {
    d.error({path, 1, 1}, "study", "", "a [study] section is required");
    d.throw_if_errors();
  }
  for (auto&& [key, node] : *table) {
    const std::string k(key.str());
    if (std::find(kStudyKeys.begin(), kStudyKeys.end(), k) == kStudyKeys.end())
      unknown(node, "study." + k, k, kStudyKeys);
  }

  // The scenario, relative to the study file; its own problems are reported with it.
  bool have_scenario = false;
  if (const toml::node* n = table->get("scenario")) {
    if (auto name = read_string(*n, "study.scenario", path, d)) {
      const fs::path scenario_path = fs::path(path).parent_path() / *name;
      if (!fs::exists(scenario_path)) {
        d.error(location_of(*n, path), "study.scenario", value_text(*n),
                "no such file: " + scenario_path.string() + " (the path is relative to the study file)");
      } else if (name->empty() || fs::is_directory(scenario_path)) {
        d.error(location_of(*n, path), "study.scenario", value_text(*n),
                scenario_path.string() + " is a folder; name the scenario file (relative to the study file)");
      } else {
        try {
          study.scenario = read_scenario(scenario_path.string(), warnings);
          have_scenario = true;
        } catch (const InputError& e) {
          for (const Problem& p : e.problems()) d.error(p.where, p.key_path, p.value, p.rule);
        }
      }
    }
  } else {
    d.error({path, 1, 1}, "study.scenario", "", "required key is missing (the scenario file, relative to this file)");
  }

  if (const toml::node* n = table->get("methods")) {
    const auto* array = n->as_array();
    study.tornado = study.sobol = false;
    if (!array || array->empty())
      d.error(location_of(*n, path), "study.methods", value_text(*n),
              "must be a non-empty list of \"tornado\", \"sobol\"");
    else
      for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string key = "study.methods[" + std::to_string(i) + "]";
        if (auto m = read_string(*array->get(i), key, path, d)) {
          if ((*m == "tornado" && study.tornado) || (*m == "sobol" && study.sobol))
            d.error(location_of(*array->get(i), path), key, value_text(*array->get(i)), "listed twice");
          else if (*m == "tornado")
            study.tornado = true;
          else if (*m == "sobol")
            study.sobol = true;
          else
            d.error(location_of(*array->get(i), path), key, value_text(*array->get(i)),
                    "must be \"tornado\" or \"sobol\"");
        }
      }
  }
  auto integer = [&](const char* key, std::int64_t min, std::int64_t max) -> std::optional<std::int64_t> {
    const toml::node* n = table->get(key);
    if (!n) return std::nullopt;
    auto v = read_integer(*n, std::string("study.") + key, path, d);
    if (v && (*v < min || *v > max)) {
      d.error(location_of(*n, path), std::string("study.") + key, value_text(*n),
              "must be between " + std::to_string(min) + " and " + std::to_string(max));
      return std::nullopt;
    }
    return v;
  };
  if (auto v = integer("samples", 2, 1 << 24)) study.samples = *v;
  if (auto v = integer("bootstrap", 0, 100000)) study.bootstrap = static_cast<int>(*v);
  if (auto v = integer("seed", 0, INT64_MAX)) study.seed = static_cast<std::uint64_t>(*v);
  if (const toml::node* n = table->get("sampling"))
    if (auto v = read_string(*n, "study.sampling", path, d))
      if (!parse_sampling(*v, study.sampling))
        d.error(location_of(*n, path), "study.sampling", value_text(*n), "must be \"mc\", \"lhs\" or \"sobol\"");
  if (const toml::node* n = table->get("confidence"))
    if (auto v = read_number(*n, "study.confidence", path, d)) {
      if (!(*v > 0 && *v < 1))
        d.error(location_of(*n, path), "study.confidence", value_text(*n), "must be in (0, 1), e.g. 0.95");
      else
        study.confidence = *v;
    }
  if (const toml::node* n = table->get("tornado")) {
    if (const auto* t = n->as_table()) {
      for (auto&& [key, node] : *t) {
        const std::string k(key.str());
        if (k != "low" && k != "high") unknown(node, "study.tornado." + k, k, {"low", "high"});
      }
      for (const char* end : {"low", "high"})
        if (const toml::node* e = t->get(end))
          if (auto v = read_number(*e, std::string("study.tornado.") + end, path, d)) {
            // Beyond 1e-9 from either end a quantile means nothing for a forecast, and Boost.Math's
            // inverses of some inputs give up there (1e-320 failed to converge).
            if (!(*v >= 1e-9 && *v <= 1 - 1e-9))
              d.error(location_of(*e, path), std::string("study.tornado.") + end, value_text(*e),
                      "must be a quantile in [1e-9, 1 - 1e-9]");
            else
              (end[0] == 'l' ? study.low : study.high) = *v;
          }
      if (!(study.low < study.high))
        d.error(location_of(*n, path), "study.tornado", value_text(*n), "low must be below high");
    } else {
      d.error(location_of(*n, path), "study.tornado", value_text(*n), "must be a table { low = 0.05, high = 0.95 }");
    }
  }
  if (const toml::node* n = table->get("inputs")) {
    const auto* array = n->as_array();
    if (!array)
      d.error(location_of(*n, path), "study.inputs", value_text(*n), "must be a list of input names");
    else if (array->empty())  // an empty list is not "every input" (that is: no inputs key)
      d.error(location_of(*n, path), "study.inputs", value_text(*n),
              "must name at least one input; leave the key out to vary every uncertain input");
    else if (have_scenario) {
      const InputPlan plan(study.scenario);
      std::vector<std::string> names;
      for (const InputGroup& g : plan.groups()) names.push_back(g.name);
      for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string key = "study.inputs[" + std::to_string(i) + "]";
        auto name = read_string(*array->get(i), key, path, d);
        if (!name) continue;
        if (std::find(names.begin(), names.end(), *name) == names.end()) {
          std::string list;
          for (const std::string& g : names) list += (list.empty() ? "" : ", ") + g;
          d.error(location_of(*array->get(i), path), key, value_text(*array->get(i)),
                  "not an uncertain input of the scenario; its inputs are: " + list);
        } else if (std::count(study.inputs.begin(), study.inputs.end(), *name)) {
          d.error(location_of(*array->get(i), path), key, value_text(*array->get(i)), "listed twice");
        } else {
          study.inputs.push_back(*name);
        }
      }
    }
  }

  // Outputs: a series in a year (its annual value) or in a month.
  const toml::node* outputs = doc->get("output");
  const auto* output_array = outputs ? outputs->as_array() : nullptr;
  if (!outputs)
    d.error({path, 1, 1}, "output", "", "at least one [[output]] is required (series and year or month)");
  else if (!output_array || !output_array->is_array_of_tables())
    d.error(location_of(*outputs, path), "output", value_text(*outputs),
            "must be a list of tables, written [[output]]");
  else
    for (std::size_t i = 0; i < output_array->size(); ++i) {
      const toml::table& t = *output_array->get(i)->as_table();
      const std::string prefix = "output[" + std::to_string(i) + "]";
      for (auto&& [key, node] : t) {
        const std::string k(key.str());
        if (k != "series" && k != "year" && k != "month")
          unknown(node, prefix + "." + k, k, {"series", "year", "month"});
      }
      StudyOutput out;
      bool ok = true;
      if (const toml::node* n = t.get("series")) {
        auto name = read_string(*n, prefix + ".series", path, d);
        const auto it =
            name ? std::find_if(series().begin(), series().end(), [&](const SeriesInfo& s) { return s.name == *name; })
                 : series().end();
        if (!name)
          ok = false;
        else if (it == series().end()) {
          std::vector<std::string> names;
          for (const SeriesInfo& s : series()) names.emplace_back(s.name);
          const std::string near = suggest(*name, names);
          d.error(location_of(*n, path), prefix + ".series", value_text(*n),
                  "unknown series" + (near.empty() ? std::string() : "; did you mean '" + near + "'?"));
          ok = false;
        } else
          out.series = it->id;
      } else {
        d.error(location_of(*output_array->get(i), path), prefix + ".series", "", "required key is missing");
        ok = false;
      }
      const toml::node* year = t.get("year");
      const toml::node* month = t.get("month");
      if ((year != nullptr) == (month != nullptr)) {
        d.error(location_of(*output_array->get(i), path), prefix, "",
                "give exactly one of year = YYYY or month = \"YYYY-MM\"");
        ok = false;
      } else if (year) {
        if (auto y = read_integer(*year, prefix + ".year", path, d)) {
          out.year = static_cast<int>(*y);
          if (have_scenario && (out.year < study.scenario.first_year() || out.year > study.scenario.last_year())) {
            d.error(location_of(*year, path), prefix + ".year", value_text(*year),
                    "outside the scenario's horizon (" + std::to_string(study.scenario.first_year()) + "-" +
                        std::to_string(study.scenario.last_year()) + ")");
            ok = false;
          }
        } else
          ok = false;
      } else {
        out.annual = false;
        auto text = read_string(*month, prefix + ".month", path, d);
        const auto m = text ? parse_year_month(*text) : std::nullopt;
        if (!m) {
          if (text)
            d.error(location_of(*month, path), prefix + ".month", value_text(*month),
                    "must be a month written \"YYYY-MM\"");
          ok = false;
        } else {
          out.month = *m;
          if (have_scenario &&
              (out.month < study.scenario.start || out.month >= study.scenario.start + study.scenario.horizon_months)) {
            d.error(location_of(*month, path), prefix + ".month", value_text(*month), "outside the scenario's horizon");
            ok = false;
          }
        }
      }
      if (!ok) continue;
      out.name = std::string(series()[index(out.series)].name) + "[" +
                 (out.annual ? std::to_string(out.year) : format_year_month(out.month)) + "]";
      for (const StudyOutput& other : study.outputs)
        if (other.name == out.name) {
          d.error(location_of(*output_array->get(i), path), prefix, "", out.name + " is listed twice");
          ok = false;
        }
      if (ok) study.outputs.push_back(out);
    }
  if (have_scenario && d.problems().empty()) {
    const InputPlan plan(study.scenario);
    if (varied_groups(study, plan.groups()).empty())
      d.error({path, 1, 1}, "study.inputs", "", "the scenario has no uncertain inputs to vary");
  }
  d.throw_if_errors();
  return study;
}

}  // namespace mppmc::io
