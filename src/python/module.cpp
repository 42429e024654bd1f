// The compiled half of `import mppmc` (docs/python.md): the extension _mppmc. It calls the app
// layer's in-memory jobs (src/app: run_in_memory, calibrate_in_memory, study_in_memory) and
// hands their numbers to Python as NumPy arrays in plain dicts, copied once; the package's
// __init__.py labels them (xarray Datasets). Nothing here computes a number: the arrays hold the
// summaries the results writer would write, so they equal the CLI's files bit for bit.
//
// The GIL is released while the engine runs; SIGINT (Ctrl-C) then sets the engine's stop flag,
// and the run ends with KeyboardInterrupt. Bad input raises _mppmc.InputError (a ValueError)
// whose message is the CLI's located problems, one per line, also in its `problems` attribute.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "app/calibrate.h"
#include "app/run.h"
#include "app/sensitivity.h"
#include "app/settings.h"
#include "core/calendar.h"
#include "core/error.h"
#include "core/suggest.h"
#include "core/version.h"
#include "engine/designs.h"
#include "engine/run_control.h"
#include "io/results_writer.h"
#include "io/run_config.h"
#include "io/scenario_reader.h"
#include "model/series.h"

namespace py = pybind11;
using namespace mppmc;

namespace {

// ---- arrays -----------------------------------------------------------------------------

// A NumPy array of `shape` holding a copy of `values` (which has exactly that many elements).
template <typename T>
py::array_t<T> array_of(const std::vector<T>& values, std::vector<py::ssize_t> shape) {
  py::array_t<T> out(shape);
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

// One ColumnStatistics as the file lays it out per series, for all series at once:
// quantiles [percentile, series, period], band [3, series, period], mean and std [series, period].
py::dict statistics_arrays(const ColumnStatistics& stats, std::size_t percentiles, int periods) {
  const auto p = static_cast<py::ssize_t>(percentiles), s = static_cast<py::ssize_t>(kSeriesCount),
             t = static_cast<py::ssize_t>(periods);
  py::dict out;
  out["quantiles"] = array_of(stats.quantiles, {p, s, t});
  out["band"] = array_of(stats.band, {3, s, t});
  out["mean"] = array_of(stats.mean, {s, t});
  out["std"] = array_of(stats.std, {s, t});
  return out;
}

py::dict summary_arrays(const Summary& summary, const Scenario& scenario) {
  py::dict out;
  out["monthly"] = statistics_arrays(summary.monthly, summary.percentiles.size(), scenario.horizon_months);
  out["annual"] = statistics_arrays(summary.annual, summary.percentiles.size(), scenario.year_count());
  return out;
}

// Every path's monthly values [series, path, month] as float32, the values /paths stores.
py::array_t<float> path_arrays(const SimulationResult& result) {
  const auto n = static_cast<py::ssize_t>(result.paths()), months = static_cast<py::ssize_t>(result.months());
  py::array_t<float> out({static_cast<py::ssize_t>(kSeriesCount), n, months});
  auto view = out.mutable_unchecked<3>();
  for (const SeriesInfo& info : series())
    for (py::ssize_t m = 0; m < months; ++m) {
      const double* column = result.monthly(info.id, static_cast<int>(m));
      for (py::ssize_t i = 0; i < n; ++i) view(index(info.id), i, m) = static_cast<float>(column[i]);
    }
  return out;
}

py::dict time_axes(const Scenario& s) {
  std::vector<std::string> months;
  for (int m = 0; m < s.horizon_months; ++m) months.push_back(format_year_month(s.month(m)));
  std::vector<std::int32_t> years;
  for (int y = 0; y < s.year_count(); ++y) years.push_back(s.first_year() + y);
  const std::vector<int> counts = s.months_in_year();
  py::dict out;
  out["month"] = months;
  out["year"] = array_of(years, {static_cast<py::ssize_t>(years.size())});
  out["months_in_year"] =
      array_of(std::vector<std::int32_t>(counts.begin(), counts.end()), {static_cast<py::ssize_t>(counts.size())});
  return out;
}

// ---- errors, warnings, interrupts -------------------------------------------------------

py::handle g_input_error;  // _mppmc.InputError, made once at import

std::vector<std::string> formatted(const std::vector<Problem>& problems) {
  std::vector<std::string> out;
  for (const Problem& p : problems) out.push_back(p.format());
  return out;
}

// Each warning as a Python UserWarning. Called with the GIL held.
void warn_all(const std::vector<Problem>& warnings) {
  for (const std::string& text : formatted(warnings))
    if (PyErr_WarnEx(PyExc_UserWarning, text.c_str(), 3) != 0) throw py::error_already_set();
}

std::atomic<bool> g_stop{false};
extern "C" void request_stop(int) {
  g_stop.store(true);
}

// While it lives (on Python's main thread only, where Python handles signals), SIGINT sets the
// engine's stop flag instead of waiting for the GIL; the previous handler comes back after.
class StopOnInterrupt {
 public:
  StopOnInterrupt() {
    g_stop.store(false);
    const py::module_ threading = py::module_::import("threading");
    if (threading.attr("current_thread")().is(threading.attr("main_thread")()))
      previous_ = std::signal(SIGINT, request_stop);
  }
  ~StopOnInterrupt() {
    if (previous_ != SIG_ERR) std::signal(SIGINT, previous_);
  }
  StopOnInterrupt(const StopOnInterrupt&) = delete;
  StopOnInterrupt& operator=(const StopOnInterrupt&) = delete;
  const std::atomic<bool>* flag() const { return &g_stop; }

 private:
  void (*previous_)(int) = SIG_ERR;
};

// Runs `job(warnings)` without the GIL, then turns its warnings into Python warnings (also when
// it throws; the exception goes on to the translators).
template <typename Job>
auto without_gil(Job job) {
  std::vector<Problem> warnings;
  try {
    auto result = [&] {
      py::gil_scoped_release release;
      return job(warnings);
    }();
    warn_all(warnings);
    return result;
  } catch (const py::error_already_set&) {
    throw;
  } catch (...) {
    try {
      warn_all(warnings);
    } catch (const py::error_already_set&) {  // warnings as errors: the job's exception wins
      PyErr_Clear();
    }
    throw;
  }
}

// ---- settings from keyword arguments ----------------------------------------------------

// The keyword arguments of run() and calibrate() that set a RunOverrides, as the command line's
// options do; the app layer applies them over the config (app/settings.h effective_settings).
const std::vector<std::string> kRunSettings = {"paths",         "seed",        "threads",      "block_size",
                                               "sampling",      "quantiles",   "memory_limit", "save_paths",
                                               "deterministic", "percentiles", "band"};

// given[key] into `into` unless absent or None; a value of the wrong type is a TypeError that
// names the setting (pybind11's own message, a RuntimeError, names only the C++ type).
template <typename T>
void take(const py::dict& given, const char* key, std::optional<T>& into) {
  if (!given.contains(key) || given[key].is_none()) return;
  try {
    into = given[key].cast<T>();
  } catch (const py::cast_error&) {
    throw py::type_error(std::string(key) + " = " + std::string(py::repr(given[key])) + ": wrong type");
  }
}

app::RunOverrides run_overrides(const py::dict& given, const std::vector<std::string>& allowed) {
  std::vector<Problem> problems;
  std::string names;
  for (const std::string& a : allowed) names += (names.empty() ? "" : ", ") + a;
  for (const auto& item : given) {
    const std::string name = py::str(item.first);
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    const std::string near = suggest(name, allowed);
    problems.push_back(Problem::general("unknown setting '" + name + "'" +
                                        (near.empty() ? "" : "; did you mean '" + near + "'?") +
                                        " (settings: " + names + ")"));
  }
  app::RunOverrides o;
  take(given, "paths", o.paths);
  take(given, "seed", o.seed);
  take(given, "threads", o.threads);
  take(given, "block_size", o.block_size);
  take(given, "memory_limit", o.memory_limit_gb);
  std::optional<std::string> sampling, quantiles;
  take(given, "sampling", sampling);
  take(given, "quantiles", quantiles);
  if (sampling && !(o.sampling = parse_sampling(*sampling)))
    problems.push_back(Problem::general("sampling = '" + *sampling + "': must be mc, lhs or sobol"));
  if (quantiles && !(o.quantiles = parse_quantile_mode(*quantiles)))
    problems.push_back(Problem::general("quantiles = '" + *quantiles + "': must be exact, sketch or auto"));
  std::optional<bool> save_paths, deterministic;
  take(given, "save_paths", save_paths);
  take(given, "deterministic", deterministic);
  o.save_paths = save_paths.value_or(false);
  o.deterministic = deterministic.value_or(false);
  take(given, "percentiles", o.percentiles);
  std::optional<std::vector<double>> band;
  take(given, "band", band);
  if (band && band->size() != 3)
    problems.push_back(
        Problem::general("band: needs three percentiles (min, medio, max), not " + std::to_string(band->size())));
  else if (band)
    o.band = std::array<double, 3>{(*band)[0], (*band)[1], (*band)[2]};
  if (!problems.empty()) throw InputError(problems);
  return o;
}

// ---- the functions ----------------------------------------------------------------------

py::dict scenario_arrays(const app::RunResults& r, std::size_t k) {
  const Scenario& s = r.scenarios[k];
  py::dict out = summary_arrays(r.runs[k], s);
  out["name"] = k == 0 ? std::string() : r.outcome.names[k];
  out["title"] = s.name;
  out["file"] = r.outcome.files[k];
  out["scenario_toml"] = s.resolved_toml;
  const app::RecordedInputs& inputs = r.inputs[k];
  out["input_names"] = inputs.names;
  out["input_samples"] = array_of(inputs.samples, {static_cast<py::ssize_t>(r.outcome.config.paths),
                                                   static_cast<py::ssize_t>(inputs.names.size())});
  out["paths"] = r.paths.empty() ? py::object(py::none()) : py::object(path_arrays(r.paths[k]));
  return out;
}

py::dict run_scenarios(const std::vector<std::string>& scenarios, const std::string& config, const py::dict& settings) {
  app::RunJob job;
  job.scenarios = scenarios;
  job.config = config;
  job.overrides = run_overrides(settings, kRunSettings);
  const StopOnInterrupt stop;
  job.stop = stop.flag();
  const app::RunResults r =
      without_gil([&](std::vector<Problem>& warnings) { return app::run_in_memory(job, warnings, {}); });

  const Scenario& base = r.scenarios.front();
  const io::RunConfig& c = r.outcome.config;
  py::dict attrs;  // the results file's root attributes, but created_utc
  attrs["schema"] = "mppmc-results";
  attrs["schema_version"] = io::kResultsSchemaVersion;
  attrs["tool_version"] = tool_version();
  attrs["git_sha"] = git_sha();
  attrs["scenario_name"] = base.name;
  attrs["scenario_file"] = std::filesystem::path(base.source_file).filename().string();
  attrs["scenario_toml"] = base.resolved_toml;
  attrs["seed"] = c.seed;
  attrs["n_paths"] = c.paths;
  attrs["start"] = format_year_month(base.start);
  attrs["horizon_months"] = base.horizon_months;
  attrs["sampling"] = job.overrides.deterministic ? "deterministic" : sampling_name(c.sampling);
  attrs["quantile_method"] = r.outcome.quantile_method;
  attrs["percentile_definition"] = "Hyndman-Fan type 7 (numpy.percentile 'linear')";
  attrs["config_toml"] = io::to_toml(c);

  py::dict out;
  out["attrs"] = attrs;
  out["time"] = time_axes(base);
  out["percentiles"] = array_of(c.percentiles, {static_cast<py::ssize_t>(c.percentiles.size())});
  out["band_percentiles"] = array_of(std::vector<double>(c.band.begin(), c.band.end()), {3});
  py::list runs, differences;
  for (std::size_t k = 0; k < r.scenarios.size(); ++k) runs.append(scenario_arrays(r, k));
  for (std::size_t k = 1; k < r.scenarios.size(); ++k) {
    py::dict d = summary_arrays(r.differences[k - 1], r.scenarios[k]);
    d["name"] = r.outcome.names[k];
    differences.append(d);
  }
  out["runs"] = runs;
  out["differences"] = differences;
  return out;
}

py::dict validate_scenario(const std::string& file) {
  const Scenario s = without_gil([&](std::vector<Problem>& warnings) { return io::read_scenario(file, warnings); });
  py::dict out;
  out["file"] = file;
  out["name"] = s.name;
  out["start"] = format_year_month(s.start);
  out["horizon_months"] = s.horizon_months;
  out["measures"] = s.measures.size();
  out["correlations"] = s.correlations.size();
  out["scenario_toml"] = s.resolved_toml;
  return out;
}

py::dict calibrate_scenario(const std::string& scenario, int year, const std::vector<double>& band,
                            const std::string& series, const std::vector<double>& percentiles,
                            const std::string& config, const py::dict& settings) {
  app::CalibrateJob job;
  job.scenario = scenario;
  job.year = year;
  job.band = band;
  job.series = series;
  job.percentiles = percentiles;
  job.config = config;
  job.overrides = run_overrides(settings, {"paths", "seed", "threads"});
  const app::CalibrationOutcome c =
      without_gil([&](std::vector<Problem>& warnings) { return app::calibrate_in_memory(job, warnings, {}, {}); });
  const auto& r = c.record;
  py::dict out;
  out["scenario_toml"] = c.scenario_toml;
  out["entry"] = io::calibrated_entry_text(r);
  out["series"] = series;
  out["year"] = r.target.year;
  out["band"] = std::vector<double>(r.target.band.begin(), r.target.band.end());
  out["percentiles"] = std::vector<double>(r.target.percentiles.begin(), r.target.percentiles.end());
  out["quantiles"] = std::vector<double>(r.result.quantiles.begin(), r.result.quantiles.end());
  out["achieved"] = std::vector<double>(r.result.achieved.begin(), r.result.achieved.end());
  out["iterations"] = r.result.iterations;
  out["seed"] = r.seed;
  out["paths"] = r.paths;
  return out;
}

py::dict sobol_arrays(const SobolIndices& s) {
  const auto k = static_cast<py::ssize_t>(s.inputs.size());
  std::vector<double> first_ci = s.first_low, total_ci = s.total_low;  // [2, k], as the file
  first_ci.insert(first_ci.end(), s.first_high.begin(), s.first_high.end());
  total_ci.insert(total_ci.end(), s.total_high.begin(), s.total_high.end());
  py::dict out;
  out["inputs"] = s.inputs;
  out["first_order"] = array_of(s.first_order, {k});
  out["total_order"] = array_of(s.total_order, {k});
  out["first_order_ci"] = array_of(first_ci, {2, k});
  out["total_order_ci"] = array_of(total_ci, {2, k});
  out["output_mean"] = s.mean;
  out["output_variance"] = s.variance;
  return out;
}

py::dict tornado_arrays(const TornadoResult& t) {
  const auto k = static_cast<py::ssize_t>(t.inputs.size());
  py::dict out;
  out["inputs"] = t.inputs;
  out["low_input"] = array_of(t.low_input, {k});
  out["high_input"] = array_of(t.high_input, {k});
  out["low_output"] = array_of(t.low_output, {k});
  out["high_output"] = array_of(t.high_output, {k});
  out["swing"] = array_of(t.swing, {k});
  out["base_output"] = t.base_output;
  return out;
}

py::dict run_sensitivity(const std::string& study, const py::dict& settings, int threads) {
  app::SensitivityJob job;
  job.study = study;
  job.threads = threads;
  take(settings, "samples", job.overrides.samples);
  take(settings, "seed", job.overrides.seed);
  take(settings, "bootstrap", job.overrides.bootstrap);
  std::optional<std::string> sampling;
  take(settings, "sampling", sampling);
  if (sampling && !(job.overrides.sampling = parse_sampling(*sampling)))
    throw InputError("sampling = '" + *sampling + "': must be sobol, lhs or mc");
  const app::StudyOutcome s =
      without_gil([&](std::vector<Problem>& warnings) { return app::study_in_memory(job, warnings, {}); });
  py::list outputs;
  for (std::size_t o = 0; o < s.study.outputs.size(); ++o) {
    const StudyOutput& output = s.study.outputs[o];
    py::dict d;
    d["name"] = output.name;
    d["series"] = std::string(series()[index(output.series)].name);
    d["period"] = output.annual ? std::to_string(output.year) : format_year_month(output.month);
    d["sobol"] = s.result.sobol.empty() ? py::object(py::none()) : py::object(sobol_arrays(s.result.sobol[o]));
    d["tornado"] = s.result.tornado.empty() ? py::object(py::none()) : py::object(tornado_arrays(s.result.tornado[o]));
    outputs.append(d);
  }
  py::dict attrs;  // the sensitivity file's root attributes, but created_utc
  attrs["kind"] = "study";
  attrs["study_file"] = s.study.file;
  attrs["scenario_name"] = s.study.scenario.name;
  attrs["seed"] = s.study.seed;
  attrs["samples"] = s.study.samples;
  attrs["sampling"] = sampling_name(s.study.sampling);
  attrs["bootstrap"] = s.study.bootstrap;
  attrs["confidence_level"] = s.study.confidence;
  attrs["low_quantile"] = s.study.low;
  attrs["high_quantile"] = s.study.high;
  py::dict out;
  out["attrs"] = attrs;
  out["groups"] = s.result.groups;
  out["outputs"] = outputs;
  return out;
}

py::list series_table() {
  py::list out;
  for (const SeriesInfo& info : series()) {
    py::dict d;
    d["name"] = std::string(info.name);
    d["kind"] = info.kind == SeriesKind::flow ? "flow" : "stock";
    d["annual"] = info.kind == SeriesKind::flow ? "sum" : "end";
    d["unit"] = std::string(info.unit);
    d["annual_unit"] = io::series_unit(info, true);
    d["description"] = std::string(info.description);
    out.append(d);
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_mppmc, m) {
  m.doc() = "mppmc's engine, called from Python; use the package `mppmc` (docs/python.md), not this module";
  g_input_error = py::exception<InputError>(m, "InputError", PyExc_ValueError).release();
  py::register_exception_translator([](std::exception_ptr caught) {
    try {
      if (caught) std::rethrow_exception(caught);
    } catch (const InputError& e) {
      const std::vector<std::string> problems = formatted(e.problems());
      std::string message;
      for (const std::string& line : problems) message += (message.empty() ? "" : "\n") + line;
      py::object error = py::reinterpret_borrow<py::object>(g_input_error)(message);
      error.attr("problems") = problems;
      PyErr_SetObject(g_input_error.ptr(), error.ptr());
    } catch (const Interrupted& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    }
  });
  m.attr("__version__") = tool_version();
  m.attr("git_sha") = git_sha();
  m.attr("RUN_SETTINGS") = kRunSettings;
  m.def("run", &run_scenarios, py::arg("scenarios"), py::arg("config"), py::arg("settings"),
        "Runs the scenarios (baseline first; [] for the shipped default) into the results file's arrays");
  m.def("validate", &validate_scenario, py::arg("file"), "Reads and checks a scenario file");
  m.def("calibrate", &calibrate_scenario, py::arg("scenario"), py::arg("year"), py::arg("band"), py::arg("series"),
        py::arg("percentiles"), py::arg("config"), py::arg("settings"),
        "Calibrates a year's first-inflow distribution to a band; the calibrated scenario's text and the summary");
  m.def("sensitivity", &run_sensitivity, py::arg("study"), py::arg("settings"), py::arg("threads"),
        "Runs a sensitivity study file; the Sobol indices and tornado of each output");
  m.def("series", &series_table, "The output series: name, kind, units, description");
}
