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
                                             "confidence", "seed",    "inputs",  "tornado",  "labels"};

// Reads a study file into a Study, collecting every problem (the pattern of the scenario
// reader's Loader): one method per part of the file, in the file's order.
class StudyLoader {
 public:
  StudyLoader(const std::string& path, const toml::table& doc, Diagnostics& d, std::vector<Problem>& warnings)
      : path_(path), doc_(doc), d_(d), warnings_(warnings) {}

  Study load() {
    study_.file = path_;
    {
      std::ifstream in(path_);
      study_.text.assign(std::istreambuf_iterator<char>(in), {});
    }
    check_sections();
    read_scenario_key();
    read_methods();
    read_settings();
    read_tornado();
    read_inputs();
    read_labels();
    read_outputs();
    if (have_scenario_ && d_.problems().empty()) {
      const InputPlan plan(study_.scenario);
      if (varied_groups(study_, plan.groups()).empty())
        d_.error({path_, 1, 1}, "study.inputs", "", "the scenario has no uncertain inputs to vary");
    }
    return std::move(study_);
  }

 private:
  void unknown(const toml::node& node, const std::string& key_path, const std::string& key,
               const std::vector<std::string>& known) {
    std::string rule = "unknown key";
    const std::string near = suggest(key, known);
    if (!near.empty()) rule += "; did you mean '" + near + "'?";
    d_.error(location_of(node, path_), key_path, value_text(node), rule);
  }

  // Unknown sections and keys; a file without [study] stops here.
  void check_sections() {
    for (auto&& [key, node] : doc_) {
      const std::string k(key.str());
      if (k != "study" && k != "output") unknown(node, k, k, {"study", "output"});
    }
    table_ = doc_.get("study") ? doc_.get("study")->as_table() : nullptr;
    if (!table_) {
      d_.error({path_, 1, 1}, "study", "", "a [study] section is required");
      d_.throw_if_errors();
    }
    for (auto&& [key, node] : *table_) {
      const std::string k(key.str());
      if (std::find(kStudyKeys.begin(), kStudyKeys.end(), k) == kStudyKeys.end())
        unknown(node, "study." + k, k, kStudyKeys);
    }
  }

  // The scenario, relative to the study file; its own problems are reported with it.
  void read_scenario_key() {
    if (const toml::node* n = table_->get("scenario")) {
      if (auto name = read_string(*n, "study.scenario", path_, d_)) {
        const fs::path scenario_path = fs::path(path_).parent_path() / *name;
        if (!fs::exists(scenario_path)) {
          d_.error(location_of(*n, path_), "study.scenario", value_text(*n),
                   "no such file: " + scenario_path.string() + " (the path is relative to the study file)");
        } else if (name->empty() || fs::is_directory(scenario_path)) {
          d_.error(location_of(*n, path_), "study.scenario", value_text(*n),
                   scenario_path.string() + " is a folder; name the scenario file (relative to the study file)");
        } else {
          try {
            study_.scenario = read_scenario(scenario_path.string(), warnings_);
            have_scenario_ = true;
          } catch (const InputError& e) {
            for (const Problem& p : e.problems()) d_.error(p.where, p.key_path, p.value, p.rule);
          }
        }
      }
    } else {
      d_.error({path_, 1, 1}, "study.scenario", "",
               "required key is missing (the scenario file, relative to this file)");
    }
  }

  void read_methods() {
    if (const toml::node* n = table_->get("methods")) {
      const auto* array = n->as_array();
      study_.tornado = study_.sobol = false;
      if (!array || array->empty())
        d_.error(location_of(*n, path_), "study.methods", value_text(*n),
                 "must be a non-empty list of \"tornado\", \"sobol\"");
      else
        for (std::size_t i = 0; i < array->size(); ++i) {
          const std::string key = "study.methods[" + std::to_string(i) + "]";
          if (auto m = read_string(*array->get(i), key, path_, d_)) {
            if ((*m == "tornado" && study_.tornado) || (*m == "sobol" && study_.sobol))
              d_.error(location_of(*array->get(i), path_), key, value_text(*array->get(i)), "listed twice");
            else if (*m == "tornado")
              study_.tornado = true;
            else if (*m == "sobol")
              study_.sobol = true;
            else
              d_.error(location_of(*array->get(i), path_), key, value_text(*array->get(i)),
                       "must be \"tornado\" or \"sobol\"");
          }
        }
    }
  }

  // samples, bootstrap, seed, sampling, confidence.
  void read_settings() {
    auto integer = [&](const char* key, std::int64_t min, std::int64_t max) -> std::optional<std::int64_t> {
      const toml::node* n = table_->get(key);
      if (!n) return std::nullopt;
      auto v = read_integer(*n, std::string("study.") + key, path_, d_);
      if (v && (*v < min || *v > max)) {
        d_.error(location_of(*n, path_), std::string("study.") + key, value_text(*n),
                 "must be between " + std::to_string(min) + " and " + std::to_string(max));
        return std::nullopt;
      }
      return v;
    };
    if (auto v = integer("samples", 2, 1 << 24)) study_.samples = *v;
    if (auto v = integer("bootstrap", 0, 100000)) study_.bootstrap = static_cast<int>(*v);
    if (auto v = integer("seed", 0, INT64_MAX)) study_.seed = static_cast<std::uint64_t>(*v);
    if (const toml::node* n = table_->get("sampling"))
      if (auto v = read_string(*n, "study.sampling", path_, d_)) {
        if (const std::optional<Sampling> sampling = parse_sampling(*v))
          study_.sampling = *sampling;
        else
          d_.error(location_of(*n, path_), "study.sampling", value_text(*n), "must be \"mc\", \"lhs\" or \"sobol\"");
      }
    if (const toml::node* n = table_->get("confidence"))
      if (auto v = read_number(*n, "study.confidence", path_, d_)) {
        if (!(*v > 0 && *v < 1))
          d_.error(location_of(*n, path_), "study.confidence", value_text(*n), "must be in (0, 1), e.g. 0.95");
        else
          study_.confidence = *v;
      }
  }

  void read_tornado() {
    if (const toml::node* n = table_->get("tornado")) {
      if (const auto* t = n->as_table()) {
        for (auto&& [key, node] : *t) {
          const std::string k(key.str());
          if (k != "low" && k != "high") unknown(node, "study.tornado." + k, k, {"low", "high"});
        }
        for (const char* end : {"low", "high"})
          if (const toml::node* e = t->get(end))
            if (auto v = read_number(*e, std::string("study.tornado.") + end, path_, d_)) {
              // Beyond 1e-9 from either end a quantile means nothing for a forecast, and Boost.Math's
              // inverses of some inputs give up there (1e-320 failed to converge).
              if (!(*v >= 1e-9 && *v <= 1 - 1e-9))
                d_.error(location_of(*e, path_), std::string("study.tornado.") + end, value_text(*e),
                         "must be a quantile in [1e-9, 1 - 1e-9]");
              else
                (end[0] == 'l' ? study_.low : study_.high) = *v;
            }
        if (!(study_.low < study_.high))
          d_.error(location_of(*n, path_), "study.tornado", value_text(*n), "low must be below high");
      } else {
        d_.error(location_of(*n, path_), "study.tornado", value_text(*n),
                 "must be a table { low = 0.05, high = 0.95 }");
      }
    }
  }

  void read_inputs() {
    if (const toml::node* n = table_->get("inputs")) {
      const auto* array = n->as_array();
      if (!array)
        d_.error(location_of(*n, path_), "study.inputs", value_text(*n), "must be a list of input names");
      else if (array->empty())  // an empty list is not "every input" (that is: no inputs key)
        d_.error(location_of(*n, path_), "study.inputs", value_text(*n),
                 "must name at least one input; leave the key out to vary every uncertain input");
      else if (have_scenario_) {
        const InputPlan plan(study_.scenario);
        std::vector<std::string> names;
        for (const InputGroup& g : plan.groups()) names.push_back(g.name);
        for (std::size_t i = 0; i < array->size(); ++i) {
          const std::string key = "study.inputs[" + std::to_string(i) + "]";
          auto name = read_string(*array->get(i), key, path_, d_);
          if (!name) continue;
          if (std::find(names.begin(), names.end(), *name) == names.end()) {
            std::string list;
            for (const std::string& g : names) list += (list.empty() ? "" : ", ") + g;
            d_.error(location_of(*array->get(i), path_), key, value_text(*array->get(i)),
                     "not an uncertain input of the scenario; its inputs are: " + list);
          } else if (std::count(study_.inputs.begin(), study_.inputs.end(), *name)) {
            d_.error(location_of(*array->get(i), path_), key, value_text(*array->get(i)), "listed twice");
          } else {
            study_.inputs.push_back(*name);
          }
        }
      }
    }
  }

  // [study.labels]: "code name" = "readable label", for an input group or a parameter of a
  // correlated group; a name the scenario does not vary is an error (a typo would silently
  // leave the code name on a chart).
  void read_labels() {
    const toml::node* n = table_->get("labels");
    if (!n) return;
    const auto* t = n->as_table();
    if (!t) {
      d_.error(location_of(*n, path_), "study.labels", value_text(*n),
               "must be a table of \"input name\" = \"label\", e.g. labels = { \"inflow.first.annual\" = \"First "
               "applications\" }");
      return;
    }
    std::vector<std::string> names;
    if (have_scenario_) {
      const InputPlan plan(study_.scenario);  // groups() lives as long as the plan
      for (const InputGroup& g : plan.groups()) {
        names.push_back(g.name);
        for (std::size_t start = 0, end = 0; end != std::string::npos; start = end + 3) {
          end = g.name.find(" + ", start);
          if (end != std::string::npos || start > 0) names.push_back(g.name.substr(start, end - start));
        }
      }
    }
    for (auto&& [key, node] : *t) {
      const std::string k(key.str()), key_path = "study.labels.\"" + k + "\"";
      auto label = read_string(node, key_path, path_, d_);
      if (!label) continue;
      if (label->empty())
        d_.error(location_of(node, path_), key_path, value_text(node), "must not be empty");
      else if (have_scenario_ && std::find(names.begin(), names.end(), k) == names.end())
        unknown(node, key_path, k, names);
      else
        study_.labels.emplace_back(k, *label);
    }
    std::sort(study_.labels.begin(), study_.labels.end());
  }

  // Outputs: a series in a year (its annual value) or in a month.
  void read_outputs() {
    const toml::node* outputs = doc_.get("output");
    const auto* output_array = outputs ? outputs->as_array() : nullptr;
    if (!outputs) {
      d_.error({path_, 1, 1}, "output", "", "at least one [[output]] is required (series and year or month)");
      return;
    }
    if (!output_array || !output_array->is_array_of_tables()) {
      d_.error(location_of(*outputs, path_), "output", value_text(*outputs),
               "must be a list of tables, written [[output]]");
      return;
    }
    for (std::size_t i = 0; i < output_array->size(); ++i) {
      const toml::node& where = *output_array->get(i);
      const toml::table& t = *where.as_table();
      const std::string prefix = "output[" + std::to_string(i) + "]";
      for (auto&& [key, node] : t) {
        const std::string k(key.str());
        if (k != "series" && k != "year" && k != "month")
          unknown(node, prefix + "." + k, k, {"series", "year", "month"});
      }
      StudyOutput out;
      const bool series_ok = read_output_series(t, where, prefix, out);
      if (!read_output_period(t, where, prefix, out) || !series_ok) continue;
      out.name = std::string(series()[index(out.series)].name) + "[" +
                 (out.annual ? std::to_string(out.year) : format_year_month(out.month)) + "]";
      bool ok = true;
      for (const StudyOutput& other : study_.outputs)
        if (other.name == out.name) {
          d_.error(location_of(where, path_), prefix, "", out.name + " is listed twice");
          ok = false;
        }
      if (ok) study_.outputs.push_back(out);
    }
  }

  bool read_output_series(const toml::table& t, const toml::node& where, const std::string& prefix, StudyOutput& out) {
    const toml::node* n = t.get("series");
    if (!n) {
      d_.error(location_of(where, path_), prefix + ".series", "", "required key is missing");
      return false;
    }
    auto name = read_string(*n, prefix + ".series", path_, d_);
    if (!name) return false;
    const auto it =
        std::find_if(series().begin(), series().end(), [&](const SeriesInfo& s) { return s.name == *name; });
    if (it == series().end()) {
      std::vector<std::string> names;
      for (const SeriesInfo& s : series()) names.emplace_back(s.name);
      const std::string near = suggest(*name, names);
      d_.error(location_of(*n, path_), prefix + ".series", value_text(*n),
               "unknown series" + (near.empty() ? std::string() : "; did you mean '" + near + "'?"));
      return false;
    }
    out.series = it->id;
    return true;
  }

  // year = YYYY or month = "YYYY-MM", inside the scenario's horizon.
  bool read_output_period(const toml::table& t, const toml::node& where, const std::string& prefix, StudyOutput& out) {
    const toml::node* year = t.get("year");
    const toml::node* month = t.get("month");
    if ((year != nullptr) == (month != nullptr)) {
      d_.error(location_of(where, path_), prefix, "", "give exactly one of year = YYYY or month = \"YYYY-MM\"");
      return false;
    }
    const Scenario& s = study_.scenario;
    if (year) {
      auto y = read_integer(*year, prefix + ".year", path_, d_);
      if (!y) return false;
      out.year = static_cast<int>(*y);
      if (have_scenario_ && (out.year < s.first_year() || out.year > s.last_year())) {
        d_.error(location_of(*year, path_), prefix + ".year", value_text(*year),
                 "outside the scenario's horizon (" + std::to_string(s.first_year()) + "-" +
                     std::to_string(s.last_year()) + ")");
        return false;
      }
      return true;
    }
    out.annual = false;
    auto text = read_string(*month, prefix + ".month", path_, d_);
    const auto m = text ? parse_year_month(*text) : std::nullopt;
    if (!m) {
      if (text)
        d_.error(location_of(*month, path_), prefix + ".month", value_text(*month),
                 "must be a month written \"YYYY-MM\"");
      return false;
    }
    out.month = *m;
    if (have_scenario_ && (out.month < s.start || out.month >= s.start + s.horizon_months)) {
      d_.error(location_of(*month, path_), prefix + ".month", value_text(*month), "outside the scenario's horizon");
      return false;
    }
    return true;
  }

  const std::string& path_;
  const toml::table& doc_;
  Diagnostics& d_;
  std::vector<Problem>& warnings_;
  const toml::table* table_ = nullptr;
  Study study_;
  bool have_scenario_ = false;
};

}  // namespace

Study read_study(const std::string& path, std::vector<Problem>& warnings) {
  Diagnostics d;
  std::optional<toml::table> doc = parse_toml_file(path, d);
  d.throw_if_errors();
  Study study = StudyLoader(path, *doc, d, warnings).load();
  d.throw_if_errors();
  return study;
}

}  // namespace mppmc::io
