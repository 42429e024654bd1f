#include "io/scenario_reader.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "core/copula.h"
#include "core/random.h"
#include "io/toml_source.h"

namespace mppmc::io {

namespace {

namespace fs = std::filesystem;

// Keys that hold one value (replaced whole by an extending file), besides the parameters.
const std::vector<std::string>& plain_leaves() {
  static const std::vector<std::string> leaves = [] {
    std::vector<std::string> v = {"scenario.name",
                                  "scenario.start",
                                  "scenario.horizon_months",
                                  "scenario.extends",
                                  "inflow.first.year_correlation",
                                  "inflow.first.seasonality",
                                  "inflow.first.monthly_noise_sd"};
    for (std::string_view stock : initial_stock_names()) v.push_back("initial." + std::string(stock));
    return v;
  }();
  return leaves;
}

const std::vector<std::string>& all_leaves() {
  static const std::vector<std::string> leaves = [] {
    std::vector<std::string> v = plain_leaves();
    for (const ParamInfo& info : parameters()) v.emplace_back(info.key);
    return v;
  }();
  return leaves;
}

// Sections: every proper prefix of a leaf ("ind", "ind.asylum", ...).
const std::set<std::string>& sections() {
  static const std::set<std::string> s = [] {
    std::set<std::string> out;
    for (const std::string& leaf : all_leaves())
      for (std::size_t dot = leaf.find('.'); dot != std::string::npos; dot = leaf.find('.', dot + 1))
        out.insert(leaf.substr(0, dot));
    return out;
  }();
  return s;
}

bool is_leaf(const std::string& path) {
  const auto& leaves = all_leaves();
  return std::find(leaves.begin(), leaves.end(), path) != leaves.end();
}

std::string join_path(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

// The keys a table at `prefix` may hold, for suggestions.
std::vector<std::string> keys_under(const std::string& prefix) {
  std::vector<std::string> keys;
  const std::string start = prefix.empty() ? "" : prefix + ".";
  auto add = [&](const std::string& path) {
    if (path.compare(0, start.size(), start) != 0) return;
    const std::string rest = path.substr(start.size());
    keys.push_back(rest.substr(0, rest.find('.')));
  };
  for (const std::string& leaf : all_leaves()) add(leaf);
  if (prefix.empty()) {
    keys.emplace_back("measure");
    keys.emplace_back("correlation");
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

std::string unknown_key_rule(const std::string& prefix, std::string_view key) {
  std::string rule = "unknown key";
  const std::string near = suggest(key, keys_under(prefix));
  if (!near.empty()) return rule + "; did you mean '" + join_path(prefix, near) + "'?";
  // A right key in the wrong table (`extends` at the top instead of under [scenario]).
  for (const std::string& leaf : all_leaves()) {
    const std::size_t dot = leaf.rfind('.');
    if (leaf.compare(dot == std::string::npos ? 0 : dot + 1, std::string::npos, key) == 0)
      return rule + "; it belongs at '" + leaf + "'";
  }
  return rule;
}

// A located node of the merged scenario: the documents stay alive in the Loader.
struct Entry {
  const toml::node* node;
  std::string file;
};

// Reads a file and the files it extends into a flat map of leaves plus the appended
// measure and correlation tables, keeping every node's source location.
class Loader {
 public:
  explicit Loader(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  void load(const std::string& path, std::vector<std::string>& chain) {
    if (path.empty()) {
      diagnostics_.error({"", 0, 0}, "", "", "a scenario file name is empty");
      return;
    }
    const std::string canonical = fs::weakly_canonical(fs::absolute(path)).string();
    std::optional<toml::table> parsed = parse_toml_file(path, diagnostics_);
    if (!parsed) {
      incomplete = true;
      return;
    }
    documents_.push_back(std::make_unique<toml::table>(std::move(*parsed)));
    const toml::table& doc = *documents_.back();
    chain.push_back(canonical);
    files.push_back(path);

    if (const toml::node* extends = doc.at_path("scenario.extends").node()) {
      // Every way the base cannot be read leaves the chain incomplete.
      auto unreadable = [&](const std::string& rule) {
        diagnostics_.error(location_of(*extends, path), "scenario.extends", value_text(*extends), rule);
        incomplete = true;
      };
      const auto* base = extends->as_string();
      if (base && base->get().empty()) {
        unreadable("must name the file this one extends (a path relative to this file)");
      } else if (base) {
        const fs::path base_path = fs::path(path).parent_path() / base->get();
        const std::string base_canonical = fs::weakly_canonical(fs::absolute(base_path)).string();
        if (std::find(chain.begin(), chain.end(), base_canonical) != chain.end())
          unreadable("files extend each other in a cycle");
        else if (!fs::exists(base_path))
          unreadable("no such file: " + base_path.string() + " (the path is relative to this file)");
        else if (fs::is_directory(base_path))
          unreadable(base_path.string() + " is a folder, not a scenario file");
        else
          load(base_path.string(), chain);
      } else {
        unreadable("must be a file name (string)");
      }
    }
    chain.pop_back();
    flatten(doc, "", path);
  }

  //! A file of the chain could not be read (a cycle, a missing or unparsable base): keys it
  //! would have given are not reported as missing, only the reason it was not read.
  bool incomplete = false;
  std::vector<std::string> files;  //!< every file read, the top one first
  std::map<std::string, Entry> leaves;
  std::vector<Entry> measures;
  std::vector<Entry> correlations;

 private:
  void flatten(const toml::table& table, const std::string& prefix, const std::string& file) {
    for (auto&& [key, node] : table) {
      const std::string path = join_path(prefix, key.str());
      if (path == "scenario.extends") continue;
      if (is_leaf(path)) {
        leaves[path] = {&node, file};
      } else if (path == "measure" || path == "correlation") {
        std::vector<Entry>& list = path == "measure" ? measures : correlations;
        const auto* array = node.as_array();
        if (!array || !array->is_array_of_tables()) {
          diagnostics_.error(location_of(node, file), path, value_text(node),
                             "must be a list of tables, written [[" + path + "]]");
          continue;
        }
        for (const toml::node& item : *array) list.push_back({&item, file});
      } else if (sections().count(path)) {
        if (const auto* sub = node.as_table())
          flatten(*sub, path, file);
        else
          diagnostics_.error(location_of(node, file), path, value_text(node), "must be a table (a section)");
      } else {
        diagnostics_.error(location_of(node, file), path, value_text(node), unknown_key_rule(prefix, key.str()));
      }
    }
  }

  Diagnostics& diagnostics_;
  std::vector<std::unique_ptr<toml::table>> documents_;
};

// Checks and converts the merged entries into a Scenario.
class Builder {
 public:
  Builder(const Loader& loader, std::string top_file, Diagnostics& diagnostics)
      : loader_(loader), top_file_(std::move(top_file)), diagnostics_(diagnostics) {}

  Scenario build() {
    Scenario s;
    s.source_file = top_file_;
    if (const Entry* e = required("scenario.name")) {
      if (auto name = read_string(*e->node, "scenario.name", e->file, diagnostics_)) {
        if (name->empty()) error(*e, "scenario.name", "must not be empty");
        s.name = *name;
      }
    }
    if (const Entry* e = required("scenario.start")) s.start = month_value(*e, "scenario.start").value_or(0);
    if (const Entry* e = required("scenario.horizon_months")) {
      if (auto t = read_integer(*e->node, "scenario.horizon_months", e->file, diagnostics_)) {
        if (*t < 1 || *t > 1200)
          error(*e, "scenario.horizon_months", "must be between 1 and 1200 months");
        else
          s.horizon_months = static_cast<int>(*t);
      }
    }
    if (s.start > 0 && s.horizon_months > 0 && s.start + s.horizon_months - 1 > kLastMonth)
      error(*optional("scenario.start"), "scenario.start",
            "the horizon of " + std::to_string(s.horizon_months) + " months from here runs past " +
                format_year_month(kLastMonth) + " (months are written YYYY-MM); the latest start for " +
                std::to_string(s.horizon_months) + " months is " +
                format_year_month(kLastMonth - (s.horizon_months - 1)));
    for (int k = 0; k < kInitialStockCount; ++k) {
      const std::string key = "initial." + std::string(initial_stock_names()[k]);
      if (const Entry* e = required(key)) {
        s.initial[k] = bounded_number(*e, key, 0.0, kInf).value_or(0.0);
        if (auto why = not_computable(s.initial[k], s.initial[k], {0.0, kInf, false, 0.0, kLargestLevel}, true))
          error(*e, key, *why);
      }
    }
    if (const Entry* e = optional("inflow.first.year_correlation"))
      s.year_correlation = bounded_number(*e, "inflow.first.year_correlation", -1.0, 1.0).value_or(1.0);
    if (const Entry* e = optional("inflow.first.monthly_noise_sd")) {
      s.monthly_noise_sd = bounded_number(*e, "inflow.first.monthly_noise_sd", 0.0, kInf).value_or(0.0);
      // The noise factor is exp(sd z - sd^2 / 2): past sd = 38 its mean-one correction
      // underflows to 0 (and sd^2 overflows past 1e154), so every month would be 0 or NaN.
      if (!(std::exp(-0.5 * s.monthly_noise_sd * s.monthly_noise_sd) > 0.0))
        error(*e, "inflow.first.monthly_noise_sd",
              "is too large: the noise factor exp(sd z - sd^2/2) underflows to 0 for every month");
    }
    if (const Entry* e = required("inflow.first.seasonality")) s.seasonality = seasonality(*e);

    for (const ParamInfo& info : parameters())
      if (const Entry* e = required(std::string(info.key))) s.params[index(info.id)] = year_table(*e, info);

    std::set<std::uint32_t> hashes;
    std::set<std::string> names;
    std::vector<const Entry*> measure_entries;  // of s.measures
    for (std::size_t k = 0; k < loader_.measures.size(); ++k) {
      if (auto m = measure(loader_.measures[k], k)) {
        measure_entries.push_back(&loader_.measures[k]);
        const std::string path = "measure[" + std::to_string(k) + "].name";
        if (!names.insert(m->name).second)
          error(loader_.measures[k], path, "two measures are named '" + m->name + "'; names must be unique");
        else if (!hashes.insert(name_hash(m->name.data(), m->name.size())).second)
          error(loader_.measures[k], path,
                "this name's random-number address collides with another measure's; rename it");
        s.measures.push_back(std::move(*m));
      }
    }
    if (measure_entries.size() == loader_.measures.size()) measure_products(s, measure_entries);
    correlations(s);
    return s;
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  void error(const Entry& e, const std::string& key_path, const std::string& rule) {
    diagnostics_.error(location_of(*e.node, e.file), key_path, value_text(*e.node), rule);
  }
  void error_at(const toml::node& node, const std::string& file, const std::string& key_path, const std::string& rule) {
    diagnostics_.error(location_of(node, file), key_path, value_text(node), rule);
  }

  std::size_t error_count() const {
    const auto& all = diagnostics_.problems();
    return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [](const Problem& p) { return !p.warning; }));
  }

  const Entry* optional(const std::string& key) const {
    const auto it = loader_.leaves.find(key);
    return it == loader_.leaves.end() ? nullptr : &it->second;
  }
  const Entry* required(const std::string& key) {
    const Entry* e = optional(key);
    if (!e && !loader_.incomplete) diagnostics_.error({top_file_, 1, 1}, key, "", "required key is missing");
    return e;
  }

  std::optional<MonthIndex> month_value(const Entry& e, const std::string& key) {
    auto text = read_string(*e.node, key, e.file, diagnostics_);
    if (!text) return std::nullopt;
    auto month = parse_year_month(*text);
    if (!month) error(e, key, "must be a month written \"YYYY-MM\" (e.g. \"2025-01\")");
    return month;
  }

  std::optional<double> bounded_number(const Entry& e, const std::string& key, double min, double max,
                                       bool min_exclusive = false) {
    auto v = read_number(*e.node, key, e.file, diagnostics_);
    if (!v) return std::nullopt;
    if ((min_exclusive ? !(*v > min) : !(*v >= min)) || *v > max) {
      error(e, key, "must be " + range_text(min, max, min_exclusive));
      return std::nullopt;
    }
    return v;
  }

  std::array<double, 12> seasonality(const Entry& e) {
    std::array<double, 12> weights{};
    const auto* array = e.node->as_array();
    if (!array || array->size() != 12) {
      error(e, "inflow.first.seasonality", "must be a list of 12 weights, January to December");
      return weights;
    }
    double sum = 0.0;
    bool ok = true;
    for (std::size_t c = 0; c < 12; ++c) {
      const std::string key = "inflow.first.seasonality[" + std::to_string(c) + "]";
      auto w = read_number(*array->get(c), key, e.file, diagnostics_);
      if (!w) {
        ok = false;
        continue;
      }
      if (!(*w > 0.0)) {
        error_at(*array->get(c), e.file, key, "must be > 0");
        ok = false;
      } else if (*w < 1 / kLargestLevel || *w > kLargestLevel) {
        // The weights are divided by their sum: tiny ones underflow it, huge ones overflow it.
        error_at(*array->get(c), e.file, key,
                 "must be in [" + number_text(1 / kLargestLevel) + ", " + number_text(kLargestLevel) +
                     "]: the weights are normalised to sum 12, and outside that range their sum underflows or "
                     "overflows (docs/scenario-format.md, \"Numbers mppmc can compute\")");
        ok = false;
      }
      weights[c] = *w;
      sum += *w;
    }
    if (ok)
      for (double& w : weights) w *= 12.0 / sum;  // normalised to sum 12 (model spec)
    return weights;
  }

  // A value's allowed range (docs/model-spec.md) and what the month step can compute with
  // (ParamInfo::smallest, largest).
  struct Range {
    double min, max;
    bool min_exclusive;
    double smallest, largest;
  };
  static Range range_of(const ParamInfo& info) {
    return {info.min, info.max, info.min_exclusive, info.smallest, info.largest};
  }
  // The extreme uniforms a run can feed a quantile function: the largest double below 1, and
  // as far into the lower tail as cannot_sample probes (a correlation's normal scores).
  static constexpr double kLowestU = 1e-30, kHighestU = 1 - 0x1.0p-53;

  // Why values from `lo` to `hi` (`fixed`: one number, lo == hi) cannot be computed with
  // (docs/scenario-format.md, "Numbers mppmc can compute"), or nothing.
  static std::optional<std::string> not_computable(double lo, double hi, const Range& range, bool fixed) {
    static const std::string kSee = " (docs/scenario-format.md, \"Numbers mppmc can compute\")";
    if (hi > range.largest)
      return (fixed ? "must be at most " : "its draws reach " + number_text(hi) + ", above ") +
             number_text(range.largest) + ": a larger " +
             (range.largest == kLargestMultiplier ? "multiplier" : "level") + " can overflow the month step" + kSee;
    if (range.smallest > 0 && lo < range.smallest)  // below 0 is the range's concern (check_range)
      return (fixed ? "must be at least " : "its draws fall to " + number_text(lo) + ", below ") +
             number_text(range.smallest) + ": the month step divides by it" + kSee;
    return std::nullopt;
  }

  // A number or a distribution table, checked against the parameter's range and what the
  // month step can compute with.
  std::optional<Distribution> distribution(const toml::node& node, const std::string& file, const std::string& key,
                                           const Range& range) {
    if (node.is_number()) return fixed_distribution(node, file, key, range);
    const auto* table = node.as_table();
    if (!table) {
      error_at(node, file, key, "must be a number or a distribution such as { dist = \"uniform\", low = 1, high = 2 }");
      return std::nullopt;
    }
    const toml::node* family_node = table->get("dist");
    if (!family_node) {
      error_at(node, file, key,
               "a distribution needs a 'dist' key (uniform, normal, lognormal, triangular, pert, beta, quantiles)");
      return std::nullopt;
    }
    auto family = read_string(*family_node, key + ".dist", file, diagnostics_);
    if (!family) return std::nullopt;
    const DistTable t{node, *table, file, key, *family};
    const FamilyFields* fields = family_fields(t, *family_node);
    if (!fields) return std::nullopt;
    std::optional<std::map<std::string, double>> f = field_numbers(t, *fields);
    if (!f) return std::nullopt;
    std::optional<Distribution> d =
        *family == "quantiles" ? quantiles_distribution(t, *f) : parametric_distribution(t, *f);
    if (!d || !draws_usable(*d, node, file, key, range)) return std::nullopt;
    return d;
  }

  // A plain number: a fixed value, which must lie in the range and be computable with.
  std::optional<Distribution> fixed_distribution(const toml::node& node, const std::string& file,
                                                 const std::string& key, const Range& range) {
    auto v = read_number(node, key, file, diagnostics_);
    if (!v) return std::nullopt;
    if ((range.min_exclusive ? !(*v > range.min) : !(*v >= range.min)) || *v > range.max) {
      error_at(node, file, key, "must be " + range_text(range.min, range.max, range.min_exclusive));
      return std::nullopt;
    }
    if (auto why = not_computable(*v, *v, range, true)) {
      error_at(node, file, key, *why);
      return std::nullopt;
    }
    return Distribution::fixed(*v);
  }

  // A distribution table as written: its node (where problems of the whole table are
  // reported), the table, its file, its key path and its family (the 'dist' value).
  struct DistTable {
    const toml::node& node;
    const toml::table& table;
    const std::string& file;
    const std::string& key;
    const std::string& family;
  };
  // The fields of a family: those it requires, then those it may have.
  using FamilyFields = std::pair<std::vector<std::string>, std::vector<std::string>>;

  // The fields of t's family, or nothing after reporting an unknown family at its 'dist' value
  // (with the nearest family's name where one is close).
  const FamilyFields* family_fields(const DistTable& t, const toml::node& family_node) {
    static const std::map<std::string, FamilyFields> kFields = {
        {"uniform", {{"low", "high"}, {}}},
        {"normal", {{"mean", "sd"}, {"low", "high"}}},
        {"lognormal", {{"median", "sigma"}, {}}},
        {"triangular", {{"low", "mode", "high"}, {}}},
        {"pert", {{"low", "mode", "high"}, {}}},
        {"beta", {{"a", "b"}, {"low", "high"}}},
        {"quantiles", {{"p", "q"}, {"lower", "upper"}}},
    };
    const auto spec = kFields.find(t.family);
    if (spec != kFields.end()) return &spec->second;
    std::vector<std::string> names;
    for (const auto& [name, fields] : kFields) names.push_back(name);
    std::string rule = "unknown distribution; use one of uniform, normal, lognormal, triangular, pert, beta, quantiles";
    const std::string near = suggest(t.family, names);
    if (!near.empty()) rule = "unknown distribution; did you mean \"" + near + "\"?";
    error_at(family_node, t.file, t.key + ".dist", rule);
    return nullptr;
  }

  // t's numeric fields by name (a quantiles table's p and q lists are read with its points), or
  // nothing after reporting every unknown or non-numeric field in the table's order, then every
  // missing required field in the family's order: all of them at once, not the first only.
  std::optional<std::map<std::string, double>> field_numbers(const DistTable& t, const FamilyFields& fields) {
    const auto& [required_fields, optional_fields] = fields;
    bool ok = true;
    std::map<std::string, double> f;
    for (auto&& [field_key, field_node] : t.table) {
      const std::string field(field_key.str());
      if (field == "dist") continue;
      const bool known = std::count(required_fields.begin(), required_fields.end(), field) ||
                         std::count(optional_fields.begin(), optional_fields.end(), field);
      if (!known) {
        std::vector<std::string> all = required_fields;
        all.insert(all.end(), optional_fields.begin(), optional_fields.end());
        std::string list;
        for (const auto& a : all) list += (list.empty() ? "" : ", ") + a;
        error_at(field_node, t.file, t.key + "." + field,
                 "unknown field for dist = \"" + t.family + "\" (fields: " + list + ")");
        ok = false;
        continue;
      }
      if (t.family == "quantiles" && (field == "p" || field == "q")) continue;  // lists: quantiles_distribution
      if (auto v = read_number(field_node, t.key + "." + field, t.file, diagnostics_))
        f[field] = *v;
      else
        ok = false;
    }
    for (const std::string& field : required_fields)
      if (!t.table.contains(field)) {
        error_at(t.node, t.file, t.key + "." + field, "required field of dist = \"" + t.family + "\" is missing");
        ok = false;
      }
    if (!ok) return std::nullopt;
    return f;
  }

  // Reports `rule` at t's `field`, or at the whole table where that field is left out (an
  // optional bound); returns the nothing its caller returns.
  std::nullopt_t field_error(const DistTable& t, const std::string& field, const std::string& rule) {
    const toml::node* at = t.table.get(field);
    error_at(at ? *at : t.node, t.file, t.key + (at ? "." + field : ""), rule);
    return std::nullopt;
  }

  // The distribution of a family other than quantiles from its fields `f` (all required ones
  // present), or nothing after reporting the first rule of the family they break.
  std::optional<Distribution> parametric_distribution(const DistTable& t, std::map<std::string, double>& f) {
    auto has = [&](const char* field) { return f.count(field) > 0; };
    std::optional<Distribution> d;
    if (t.family == "uniform") {
      if (!(f["low"] < f["high"])) return field_error(t, "high", "must be greater than low");
      d = Distribution::uniform(f["low"], f["high"]);
    } else if (t.family == "normal") {
      if (!(f["sd"] > 0)) return field_error(t, "sd", "must be > 0");
      const double low = has("low") ? f["low"] : -kInf, high = has("high") ? f["high"] : kInf;
      if (!(low < high)) return field_error(t, "high", "must be greater than low");
      d = Distribution::normal(f["mean"], f["sd"], low, high);
      double median = std::numeric_limits<double>::quiet_NaN();
      try {
        median = d->quantile(0.5);
      } catch (const std::exception&) {  // erfc_inv overflows: no mass left between low and high
      }
      if (!(median > low && median < high))
        return field_error(t, "mean", "the truncation [low, high] lies too far in the tail of the normal to sample");
    } else if (t.family == "lognormal") {
      if (!(f["median"] > 0)) return field_error(t, "median", "must be > 0");
      if (!(f["sigma"] > 0)) return field_error(t, "sigma", "must be > 0");
      d = Distribution::lognormal(f["median"], f["sigma"]);
    } else if (t.family == "triangular" || t.family == "pert") {
      if (!(f["low"] < f["high"])) return field_error(t, "high", "must be greater than low");
      if (!(f["mode"] >= f["low"] && f["mode"] <= f["high"])) return field_error(t, "mode", "must lie in [low, high]");
      d = t.family == "pert" ? Distribution::pert(f["low"], f["mode"], f["high"])
                             : Distribution::triangular(f["low"], f["mode"], f["high"]);
    } else {  // beta
      if (!(f["a"] > 0)) return field_error(t, "a", "must be > 0");
      if (!(f["b"] > 0)) return field_error(t, "b", "must be > 0");
      const double low = has("low") ? f["low"] : 0.0, high = has("high") ? f["high"] : 1.0;
      if (!(low < high)) return field_error(t, "high", "must be greater than low");
      d = Distribution::beta(f["a"], f["b"], low, high);
    }
    return d;
  }

  // A quantiles table: a metalog through its points (p, q) within its optional bounds `lower`
  // and `upper` (in `f`), or nothing after reporting a list that is not all numbers or points
  // no metalog fits (fit_metalog says why).
  std::optional<Distribution> quantiles_distribution(const DistTable& t, std::map<std::string, double>& f) {
    auto has = [&](const char* field) { return f.count(field) > 0; };
    std::vector<double> p, q;
    for (const char* name : {"p", "q"}) {
      const auto* arr = t.table.get(name)->as_array();
      if (!arr) return field_error(t, name, "must be a list of numbers");
      std::vector<double>& target = name[0] == 'p' ? p : q;
      for (std::size_t i = 0; i < arr->size(); ++i) {
        auto v = read_number(*arr->get(i), t.key + "." + name + "[" + std::to_string(i) + "]", t.file, diagnostics_);
        if (!v) return std::nullopt;
        target.push_back(*v);
      }
    }
    try {
      return Distribution::quantiles(
          fit_metalog(p, q, has("lower") ? f["lower"] : -kInf, has("upper") ? f["upper"] : kInf));
    } catch (const std::invalid_argument& e) {
      error_at(t.node, t.file, t.key, e.what());
      return std::nullopt;
    }
  }

  // Valid fields can still give a quantile function that cannot be evaluated: Boost.Math
  // refuses extreme beta shapes (a = 1e308), a normal truncated far in its tail overflows the
  // inverse erfc. Such an input would stop a run part way, so it is an input error here, as are
  // draws outside the parameter's range (check_range) or beyond what the month step can compute
  // with. Reports the first such problem at the distribution; true when there is none.
  bool draws_usable(const Distribution& d, const toml::node& node, const std::string& file, const std::string& key,
                    const Range& range) {
    try {
      if (auto why = cannot_sample(d)) {
        error_at(node, file, key, "cannot be sampled: " + *why + "; use less extreme parameters");
        return false;
      }
      const std::size_t before = error_count();
      check_range(d, node, file, key, range.min, range.max, range.min_exclusive);
      if (error_count() > before) return false;
      if (auto why = not_computable(d.quantile(kLowestU), d.quantile(kHighestU), range, false)) {
        error_at(node, file, key, *why);
        return false;
      }
    } catch (const std::exception& e) {
      error_at(node, file, key, std::string("cannot be sampled: ") + e.what() + "; use less extreme parameters");
      return false;
    }
    return true;
  }

  // Why d's quantile function fails somewhere a run can ask for it (the uniforms of a path,
  // 2^-54 .. 1 - 2^-53, and 1e-30, as far into a tail as a correlation reaches in practice), or
  // nothing: each value must be finite and not below the one before. (Boost's ibeta_inv gives
  // up below about 1e-100 even for ordinary PERT shapes, so the probe stops at 1e-30.)
  static std::optional<std::string> cannot_sample(const Distribution& d) {
    static constexpr double kProbes[] = {1e-30, 0x1.0p-54, 1e-9, 1e-3, 0.1, 0.5, 0.9, 0.999, 1 - 1e-9, 1 - 0x1.0p-53};
    double previous = -kInf;
    for (const double u : kProbes) {
      double q = 0.0;
      try {
        q = d.quantile(u);
      } catch (const std::exception& e) {
        return "at the quantile " + number_text(u) + ": " + e.what();
      }
      if (!std::isfinite(q)) return "its quantile at " + number_text(u) + " is " + number_text(q);
      if (q < previous) return "its quantile function decreases at " + number_text(u);
      previous = q;
    }
    return std::nullopt;
  }

  // The values a distribution can produce must respect the parameter's range. A bounded
  // family that crosses it is refused; an unbounded tail is refused when more than 0.1% of
  // draws would cross, and reported as a warning below that.
  void check_range(const Distribution& d, const toml::node& node, const std::string& file, const std::string& key,
                   double min, double max, bool min_exclusive) {
    const double lo = d.support_low(), hi = d.support_high();
    const std::string range = range_text(min, max, min_exclusive);
    const bool lo_bad = min_exclusive ? !(lo > min) : lo < min;
    const bool hi_bad = hi > max;
    if ((lo_bad && std::isfinite(lo)) || (hi_bad && std::isfinite(hi))) {
      error_at(node, file, key,
               "must stay within " + range + ", but its values range over [" + number_text(lo) + ", " +
                   number_text(hi) + "]");
      return;
    }
    double outside = 0.0;
    if (lo_bad) outside += d.probability_below(min) + (min_exclusive && d.quantile(1e-300) == min ? 1e-300 : 0.0);
    if (hi_bad) outside += d.probability_above(max);
    if (outside <= 0.0) return;
    std::ostringstream share;
    share.precision(2);
    share << outside * 100.0 << "% of draws fall outside " << range;
    if (outside > 1e-3)
      error_at(node, file, key, share.str() + "; bound the distribution (e.g. low/high, lower/upper) or narrow it");
    else
      diagnostics_.warn(location_of(node, file), key, value_text(node),
                        share.str() + " (unbounded tail); they are used as drawn");
  }

  YearTable year_table(const Entry& e, const ParamInfo& info) {
    YearTable table;
    const std::string key(info.key);
    const auto* t = e.node->as_table();
    if (t && !t->contains("dist")) {
      if (!info.per_year) {
        error(e, key, "is not a per-year parameter; give a number or a distribution table with a 'dist' key");
        table.values.push_back(Distribution::fixed(0.0));
        return table;
      }
      if (t->empty()) error(e, key, "a per-year table needs at least one year");
      std::vector<std::pair<int, Distribution>> entries;
      for (auto&& [year_key, value] : *t) {
        const std::string y(year_key.str());
        const std::string path = key + "." + y;
        const bool digits =
            y.size() == 4 && std::all_of(y.begin(), y.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || y[0] == '0') {
          error_at(value, e.file, path, "per-year table keys must be calendar years (e.g. 2025)");
          continue;
        }
        if (auto d = distribution(value, e.file, path, range_of(info)))
          entries.emplace_back(std::stoi(y), std::move(*d));
      }
      std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (auto& [year, d] : entries) {
        table.years.push_back(year);
        table.values.push_back(std::move(d));
      }
      if (table.values.empty()) table.values.push_back(Distribution::fixed(0.0));
      return table;
    }
    auto d = distribution(*e.node, e.file, key, range_of(info));
    table.values.push_back(d ? std::move(*d) : Distribution::fixed(0.0));
    return table;
  }

  // One [[measure]] table, or nothing after reporting all its problems: unknown keys first,
  // then its keys in the order name, parameter, start, ramp_months, effect.
  std::optional<Measure> measure(const Entry& e, std::size_t k) {
    const auto& t = *e.node->as_table();
    const std::string prefix = "measure[" + std::to_string(k) + "]";
    Measure m;
    bool ok = known_measure_keys(t, e.file, prefix);
    auto field = [&](const char* name) {
      const toml::node* n = required_in(e, prefix, name, "measure");
      if (!n) ok = false;
      return n;
    };
    // Keeps a key's value, or marks the measure as failed (its problem is reported).
    auto take = [&](auto value, auto& target) {
      if (value)
        target = std::move(*value);
      else
        ok = false;
    };
    if (const toml::node* n = field("name")) take(measure_name(*n, e.file, prefix + ".name"), m.name);
    if (const toml::node* n = field("parameter"))
      take(measure_parameter(*n, e.file, prefix + ".parameter"), m.parameter);
    if (const toml::node* n = field("start")) take(measure_start(*n, e.file, prefix + ".start"), m.start);
    if (const toml::node* n = t.get("ramp_months"))
      take(measure_ramp(*n, e.file, prefix + ".ramp_months"), m.ramp_months);
    if (const toml::node* n = field("effect"))
      take(distribution(*n, e.file, prefix + ".effect", {0.0, kInf, false, 0.0, kLargestMultiplier}), m.effect);
    if (!ok) return std::nullopt;
    return m;
  }

  // The key `name` of the [[measure]] or [[correlation]] table `e` (`kind`), or nothing after
  // reporting it missing at the table.
  const toml::node* required_in(const Entry& e, const std::string& prefix, const std::string& name,
                                const std::string& kind) {
    const toml::node* n = e.node->as_table()->get(name);
    if (!n)
      diagnostics_.error(location_of(*e.node, e.file), prefix + "." + name, "",
                         "required key of a " + kind + " is missing");
    return n;
  }

  // Reports every key of a [[measure]] table that a measure does not have (with the nearest
  // one where it is close); true when there is none.
  bool known_measure_keys(const toml::table& t, const std::string& file, const std::string& prefix) {
    static const std::vector<std::string> kKnown = {"name", "parameter", "start", "ramp_months", "effect"};
    bool ok = true;
    for (auto&& [field_key, node] : t) {
      const std::string field(field_key.str());
      if (std::find(kKnown.begin(), kKnown.end(), field) == kKnown.end()) {
        std::string rule = "unknown key in a measure (keys: name, parameter, start, ramp_months, effect)";
        const std::string near = suggest(field, kKnown);
        if (!near.empty()) rule = "unknown key in a measure; did you mean '" + near + "'?";
        error_at(node, file, prefix + "." + field, rule);
        ok = false;
      }
    }
    return ok;
  }

  // A measure's name. An empty one is reported but kept, so that the checks across measures
  // (unique names) still see it.
  std::optional<std::string> measure_name(const toml::node& n, const std::string& file, const std::string& path) {
    auto name = read_string(n, path, file, diagnostics_);
    if (name && name->empty()) error_at(n, file, path, "must not be empty");
    return name;
  }

  // The parameter a measure changes, or nothing after reporting a key that names no uncertain
  // parameter: a fixed input (a scenario, initial or inflow.first setting) or an unknown key.
  std::optional<ParamId> measure_parameter(const toml::node& n, const std::string& file, const std::string& path) {
    auto key = read_string(n, path, file, diagnostics_);
    if (!key) return std::nullopt;
    if (auto id = find_param(*key)) return id;
    if (is_leaf(*key)) {
      error_at(n, file, path, "is fixed and cannot be changed by a measure");
    } else {
      std::vector<std::string> keys;
      for (const ParamInfo& info : parameters()) keys.emplace_back(info.key);
      std::string rule = "unknown parameter";
      const std::string near = suggest(*key, keys);
      if (!near.empty()) rule += "; did you mean '" + near + "'?";
      error_at(n, file, path, rule);
    }
    return std::nullopt;
  }

  // The month a measure starts, or nothing after reporting one not written "YYYY-MM".
  std::optional<MonthIndex> measure_start(const toml::node& n, const std::string& file, const std::string& path) {
    auto text = read_string(n, path, file, diagnostics_);
    if (!text) return std::nullopt;
    auto month = parse_year_month(*text);
    if (!month) error_at(n, file, path, "must be a month written \"YYYY-MM\"");
    return month;
  }

  // The months a measure takes to reach its full effect, or nothing after reporting a count
  // outside 0..1200 (the longest horizon).
  std::optional<int> measure_ramp(const toml::node& n, const std::string& file, const std::string& path) {
    auto r = read_integer(n, path, file, diagnostics_);
    if (!r) return std::nullopt;
    if (*r < 0 || *r > 1200) {
      error_at(n, file, path, "must be between 0 and 1200 months");
      return std::nullopt;
    }
    return static_cast<int>(*r);
  }

  // A parameter's value after its measures must stay computable too: its extreme draws times
  // the extreme products of its measures' factors (each between 1 and the effect, as it ramps
  // in). A rate is capped at 1 after its measures, so only its divisor side can fail. The
  // error is reported at the effect of the parameter's last measure.
  void measure_products(const Scenario& s, const std::vector<const Entry*>& entries) {
    for (const ParamInfo& info : parameters()) {
      double lo = kInf, hi = 0.0, low_factor = 1.0, high_factor = 1.0;
      std::optional<std::size_t> last;
      for (std::size_t k = 0; k < s.measures.size(); ++k)
        if (s.measures[k].parameter == info.id) {
          low_factor *= std::min(1.0, s.measures[k].effect.quantile(kLowestU));
          high_factor *= std::max(1.0, s.measures[k].effect.quantile(kHighestU));
          last = k;
        }
      if (!last) continue;
      for (const Distribution& d : s.param(info.id).values) {
        lo = std::min(lo, d.quantile(kLowestU));
        hi = std::max(hi, d.quantile(kHighestU));
      }
      const double after_hi = info.capped_at_one ? std::min(hi * high_factor, 1.0) : hi * high_factor;
      if (auto why = not_computable(lo * low_factor, after_hi, range_of(info), false)) {
        const toml::node& effect = *entries[*last]->node->as_table()->get("effect");
        error_at(effect, entries[*last]->file,
                 "measure[" + std::to_string(entries[*last] - &loader_.measures[0]) + "].effect",
                 "with the measures on " + std::string(info.key) + ", " + *why);
      }
    }
  }

  // The [[correlation]] tables: each checked alone, then a pair correlated twice, and then the
  // accepted ones together (their matrix must be positive definite).
  void correlations(Scenario& s) {
    std::vector<std::size_t> accepted;  // the [[correlation]] index of each of s.correlations
    std::map<std::pair<int, int>, std::size_t> seen;
    for (std::size_t k = 0; k < loader_.correlations.size(); ++k) {
      const Entry& e = loader_.correlations[k];
      const std::string prefix = "correlation[" + std::to_string(k) + "]";
      const std::optional<Correlation> c = correlation(e, prefix, s);
      if (!c) continue;
      if (c->a == c->b) {
        error(e, prefix, "a parameter cannot be correlated with itself");
        continue;
      }
      const std::pair<int, int> key(std::min(index(c->a), index(c->b)), std::max(index(c->a), index(c->b)));
      if (const auto it = seen.find(key); it != seen.end()) {
        error(e, prefix, "this pair is already correlated by correlation[" + std::to_string(it->second) + "]");
        continue;
      }
      seen[key] = k;
      s.correlations.push_back(*c);
      accepted.push_back(k);
    }
    if (!s.correlations.empty()) positive_definite(s, accepted);
  }

  // One [[correlation]] table, or nothing after reporting all its problems: unknown keys
  // first, then a, b and rank in that order. One with an end that this scenario fixes is
  // dropped too, with only a warning.
  std::optional<Correlation> correlation(const Entry& e, const std::string& prefix, const Scenario& s) {
    bool ok = true;
    for (auto&& [field_key, node] : *e.node->as_table()) {
      const std::string field(field_key.str());
      if (field != "a" && field != "b" && field != "rank") {
        error_at(node, e.file, prefix + "." + field, "unknown key in a correlation (keys: a, b, rank)");
        ok = false;
      }
    }
    bool fixed = false;
    const std::optional<ParamId> a = correlation_end(e, prefix, "a", s, fixed);
    const std::optional<ParamId> b = correlation_end(e, prefix, "b", s, fixed);
    const std::optional<double> rank = correlation_rank(e, prefix);
    if (!ok || !a || !b || !rank || fixed) return std::nullopt;
    return Correlation{*a, *b, *rank};
  }

  // The parameter at the end `name` ("a" or "b") of a correlation, or nothing after reporting
  // it missing or not an uncertain parameter drawn once per path. An end that this scenario
  // fixes to a number is returned with a warning and sets `fixed`.
  std::optional<ParamId> correlation_end(const Entry& e, const std::string& prefix, const std::string& name,
                                         const Scenario& s, bool& fixed) {
    const toml::node* n = required_in(e, prefix, name, "correlation");
    if (!n) return std::nullopt;
    const std::string path = prefix + "." + name;
    auto key = read_string(*n, path, e.file, diagnostics_);
    if (!key) return std::nullopt;
    const std::optional<ParamId> id = find_param(*key);
    if (!id) {
      error_at(*n, e.file, path,
               is_leaf(*key) ? "is fixed; only uncertain parameters can be correlated" : "unknown parameter");
      return std::nullopt;
    }
    if (*id == ParamId::inflow_first_annual) {
      error_at(*n, e.file, path,
               "is drawn per year (its years are linked by inflow.first.year_correlation) and cannot take part in "
               "a correlation");
      return std::nullopt;
    }
    if (s.param(*id).is_fixed()) {
      // Typical for a variant that fixes an input its base correlates: not an error.
      diagnostics_.warn(location_of(*n, e.file), path, value_text(*n),
                        "is a fixed number in this scenario, so this correlation has no effect");
      fixed = true;
    }
    return id;
  }

  // A correlation's rank, or nothing after reporting it missing, not a number or outside [-1, 1].
  std::optional<double> correlation_rank(const Entry& e, const std::string& prefix) {
    const toml::node* n = required_in(e, prefix, "rank", "correlation");
    if (!n) return std::nullopt;
    auto r = read_number(*n, prefix + ".rank", e.file, diagnostics_);
    if (r && (*r < -1.0 || *r > 1.0)) {
      error_at(*n, e.file, prefix + ".rank", "must be in [-1, 1]");
      return std::nullopt;
    }
    return r;
  }

  // The accepted correlations (s.correlations, from the tables `accepted`) must give a
  // positive-definite matrix, as the copula needs; if not, that is reported once, at the last
  // of them, with the list of them all.
  void positive_definite(const Scenario& s, const std::vector<std::size_t>& accepted) {
    // A row per correlated parameter, in the order they first appear. The same member order as
    // engine/inputs (ascending ParamId) is not needed: the test does not depend on the order.
    std::vector<int> slot(kParamCount, -1);
    int dimension = 0;
    std::vector<std::pair<int, int>> pairs;
    std::vector<double> ranks;
    for (const Correlation& c : s.correlations) {
      for (ParamId id : {c.a, c.b})
        if (slot[index(id)] < 0) slot[index(id)] = dimension++;
      pairs.emplace_back(slot[index(c.a)], slot[index(c.b)]);
      ranks.push_back(c.rank);
    }
    if (GaussianCopula::build(dimension, pairs, ranks)) return;
    std::string list;
    for (std::size_t i = 0; i < accepted.size(); ++i) {
      const Correlation& c = s.correlations[i];
      list += (list.empty() ? "" : ", ") + std::string("correlation[") + std::to_string(accepted[i]) + "] (" +
              std::string(param_info(c.a).key) + " ~ " + std::string(param_info(c.b).key) + ", rank " +
              number_text(c.rank) + ")";
    }
    const Entry& last = loader_.correlations[accepted.back()];
    diagnostics_.error(location_of(*last.node, last.file), "correlation", "",
                       "the rank correlations " + list +
                           " imply a correlation matrix that is not positive definite; weaken or remove some of them");
  }

  const Loader& loader_;
  std::string top_file_;
  Diagnostics& diagnostics_;
};

// The merged scenario as one self-contained TOML document (no `extends`), sections in the
// order of the parameter table, values as written (numbers in their shortest exact form).
std::string resolved_text(const Loader& loader) {
  std::vector<std::pair<std::string, std::string>> sections;  // section -> "key = value" lines
  for (const std::string& path : all_leaves()) {
    const auto it = loader.leaves.find(path);
    if (it == loader.leaves.end()) continue;
    const std::size_t dot = path.rfind('.');
    const std::string section = path.substr(0, dot);
    auto at = std::find_if(sections.begin(), sections.end(), [&](const auto& s) { return s.first == section; });
    if (at == sections.end()) at = sections.insert(sections.end(), {section, ""});
    at->second += path.substr(dot + 1) + " = " + value_text(*it->second.node) + "\n";
  }
  std::ostringstream out;
  for (const auto& [section, lines] : sections) out << '[' << section << "]\n" << lines << '\n';
  static const std::vector<std::string> kOrder = {"name",   "parameter", "start", "ramp_months",
                                                  "effect", "a",         "b",     "rank"};
  for (const char* list : {"measure", "correlation"}) {
    for (const Entry& e : list[0] == 'm' ? loader.measures : loader.correlations) {
      out << "[[" << list << "]]\n";
      const toml::table& t = *e.node->as_table();
      for (const std::string& key : kOrder)
        if (const toml::node* n = t.get(key)) out << key << " = " << value_text(*n) << '\n';
      out << '\n';
    }
  }
  return out.str();
}

}  // namespace

namespace {

// A misspelt key is reported once, as unknown with the key it was likely meant to be; what that
// key's absence then causes (a "required key is missing", a warning that a correlation naming
// it has no effect) would be a second, false report about a key the user did write, and is
// dropped. The misspelling's own error stays, so the file is still refused.
Diagnostics without_echoes_of_misspellings(const Diagnostics& all) {
  static const std::string kMarker = "did you mean '";
  std::vector<std::string> meant;
  for (const Problem& p : all.problems()) {
    const std::size_t at = p.rule.find(kMarker);
    if (p.warning || at == std::string::npos) continue;
    const std::size_t start = at + kMarker.size(), end = p.rule.find('\'', start);
    if (end != std::string::npos) meant.push_back(p.rule.substr(start, end - start));
  }
  auto echoes = [&](const Problem& p) {
    return std::any_of(meant.begin(), meant.end(), [&](const std::string& key) {
      if (p.warning) return p.key_path == key || p.value.find('"' + key + '"') != std::string::npos;
      return p.key_path == key && p.rule == "required key is missing";
    });
  };
  Diagnostics kept;
  for (const Problem& p : all.problems()) {
    if (echoes(p)) continue;
    if (p.warning)
      kept.warn(p.where, p.key_path, p.value, p.rule);
    else
      kept.error(p.where, p.key_path, p.value, p.rule);
  }
  return kept;
}

}  // namespace

Scenario read_scenario(const std::string& path, std::vector<Problem>& warnings) {
  Diagnostics diagnostics;
  Loader loader(diagnostics);
  std::vector<std::string> chain;
  loader.load(path, chain);
  if (diagnostics.has_errors() && loader.leaves.empty()) diagnostics.throw_if_errors();
  Scenario scenario = Builder(loader, path, diagnostics).build();
  diagnostics = without_echoes_of_misspellings(diagnostics);
  for (const Problem& p : diagnostics.problems())
    if (p.warning) warnings.push_back(p);
  diagnostics.throw_if_errors();
  scenario.resolved_toml = resolved_text(loader);
  scenario.files_read = loader.files;
  return scenario;
}

}  // namespace mppmc::io
