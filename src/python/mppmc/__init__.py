"""mppmc from Python: runs, validation, calibration and sensitivity studies, results in memory.

The engine is the one `mppmc` runs (the compiled extension ``mppmc._mppmc`` calls the app layer;
nothing is computed here), so the numbers are those the command line writes, bit for bit. This
module only labels them: xarray Datasets with the dimensions of the results file (docs/python.md,
docs/hdf5-schema.md), or, without xarray or with ``numpy=True``, :class:`LabelledArrays` (a dict
of NumPy arrays with ``dims``, ``coords`` and ``attrs``).

    import mppmc
    r = mppmc.run("scenarios/mpp-2024-II.toml", paths=20000, seed=1)
    r["annual/total_inflow"]["band"].sel(statistic="medio", year=2025)
    r.band_table("total_inflow")          # a pandas table

Functions: run, validate, calibrate, sensitivity. Bad input raises InputError (a ValueError) with
the command line's located messages ("file:line:col: key.path = value: rule"), one per line and
in its ``problems`` list; warnings become Python UserWarnings; Ctrl-C stops a run
(KeyboardInterrupt).
"""
import os
import shutil
import tempfile
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from . import _mppmc

try:
    import xarray as _xr
except ImportError:  # the arrays come as LabelledArrays
    _xr = None

__all__ = ["run", "validate", "calibrate", "sensitivity", "Results", "Sensitivity", "Calibration",
           "LabelledArrays", "InputError", "SERIES", "RUN_SETTINGS"]

__version__ = _mppmc.__version__

#: Bad input: a ValueError whose message is the located problems, one per line (also in
#: ``problems``, a list of str), exactly as `mppmc` prints them after "error: ".
InputError = _mppmc.InputError

#: The output series in file order: name -> {kind, annual, unit, annual_unit, description}.
SERIES = {s["name"]: s for s in _mppmc.series()}

#: The settings run() takes over the config, as `mppmc run`'s options (paths, seed, threads,
#: block_size, sampling, quantiles, memory_limit, save_paths, deterministic) and the config's
#: [statistics] percentiles and [band] (three percentiles).
RUN_SETTINGS = tuple(_mppmc.RUN_SETTINGS)

#: The band's statistics, in the order of its rows.
STATISTICS = ("min", "medio", "max")


class LabelledArrays(dict):
    """A Dataset without xarray: a dict of NumPy arrays (the variables), with ``dims``
    (variable -> tuple of dimension names), ``coords`` (coordinate -> labels; a coordinate
    along another dimension, e.g. band_percentile along statistic, is in ``coord_dims``) and
    ``attrs``."""

    def __init__(self, data_vars, coords, attrs):
        super().__init__({name: np.asarray(values) for name, (dims, values) in data_vars.items()})
        self.dims = {name: tuple(dims) for name, (dims, values) in data_vars.items()}
        self.coords, self.coord_dims = {}, {}
        for name, value in coords.items():
            dims, values = value if isinstance(value, tuple) else ((name,), value)
            self.coords[name] = np.asarray(values)
            self.coord_dims[name] = tuple(dims)
        self.attrs = dict(attrs)


def _dataset(data_vars, coords, attrs, numpy):
    if _xr is None or numpy:
        return LabelledArrays(data_vars, coords, attrs)
    return _xr.Dataset(data_vars, coords=coords, attrs=attrs)


def _pandas():
    try:
        import pandas
    except ImportError as e:
        raise ImportError("tables need pandas (Debian: apt-get install python3-pandas)") from e
    return pandas


class _Files:
    """Scenario arguments as files: a path is used as it is; TOML text is written to a temporary
    folder as <name>.toml (its `extends` must then be absolute paths) and its path in messages
    reads <string>/<name>.toml."""

    def __init__(self):
        self.folder = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def path(self, scenario, name):
        if isinstance(scenario, os.PathLike) or not _is_toml_text(scenario):
            return os.fspath(scenario)
        if self.folder is None:
            self.folder = tempfile.mkdtemp(prefix="mppmc-")
        path = os.path.join(self.folder, name + ".toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(scenario)
        return path

    def call(self, function, *args, **kwargs):
        """function(*args, **kwargs), with <string>/ for the temporary folder in InputError."""
        try:
            return function(*args, **kwargs)
        except InputError as e:
            if not self.folder:
                raise
            problems = [p.replace(self.folder + os.sep, "<string>/") for p in e.problems]
            error = InputError("\n".join(problems))
            error.problems = problems
            raise error from None


def _is_toml_text(text):
    if not isinstance(text, str):
        raise TypeError(f"a scenario is a file path or TOML text, not {type(text).__name__}")
    return "\n" in text or (text.lstrip().startswith("[") and not os.path.exists(text))


def _optional_path(path):
    return "" if path is None else os.fspath(path)


class _Groups(Mapping):
    """A read-only dict of Datasets keyed by group path, in ``_data``."""

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)


class Results(_Groups):
    """A run's results: a read-only dict of Datasets keyed like the results file's groups.

    * ``"annual/<series>"``, ``"monthly/<series>"``: the baseline's statistics, variables
      ``quantiles(percentile, year|month)``, ``mean``, ``std`` and ``band(statistic, ...)``;
      attrs ``units`` (also ``unit``, as the file), ``kind`` (flow|stock), ``annual``
      (sum|end), ``description``;
    * ``"variants/<name>/annual/<series>"``...: each variant (named by its file stem);
    * ``"compare/<name>/annual/<series>"``...: the path-wise difference variant - baseline;
    * ``"inputs"``, ``"variants/<name>/inputs"``: ``samples(path, input)``, every path's draws;
    * ``"paths"`` (with save_paths): one variable per series, ``(path, month)`` float32.

    Coordinates: ``month`` ("YYYY-MM"), ``year`` (int), ``percentile`` (float, percent),
    ``statistic`` ("min", "medio", "max", with ``band_percentile`` along it), ``path``, ``input``.
    Also: ``attrs`` (the file's root attributes but created_utc), ``variants`` (names),
    ``titles`` (scenario names, baseline first), ``percentiles``, ``band_percentiles``.
    """

    def __init__(self, raw, numpy=False):
        self.attrs = dict(raw["attrs"])
        time = raw["time"]
        self.months = list(time["month"])
        self.years = np.asarray(time["year"])
        self.months_in_year = np.asarray(time["months_in_year"])
        self.percentiles = np.asarray(raw["percentiles"])
        self.band_percentiles = np.asarray(raw["band_percentiles"])
        self.variants = [run["name"] for run in raw["runs"][1:]]
        self.titles = [run["title"] for run in raw["runs"]]
        self._numpy = numpy
        self._data = {}
        for run in raw["runs"]:
            prefix = f"variants/{run['name']}/" if run["name"] else ""
            self._add_statistics(prefix, run)
            inputs = {"samples": (("path", "input"), run["input_samples"])}
            coords = {"path": np.arange(run["input_samples"].shape[0]), "input": list(run["input_names"])}
            self._data[prefix + "inputs"] = _dataset(inputs, coords, {"scenario_name": run["title"]}, numpy)
            if run["paths"] is not None:
                paths = {name: (("path", "month"), run["paths"][i]) for i, name in enumerate(SERIES)}
                coords = {"path": np.arange(run["paths"].shape[1]), "month": self.months}
                self._data[prefix + "paths"] = _dataset(paths, coords, {}, numpy)
        for difference in raw["differences"]:
            self._add_statistics(f"compare/{difference['name']}/", difference)

    def _add_statistics(self, prefix, arrays):
        for period, axis, labels in (("annual", "year", self.years), ("monthly", "month", self.months)):
            stats = arrays[period]
            for i, (name, info) in enumerate(SERIES.items()):
                unit = info["annual_unit"] if period == "annual" else info["unit"]
                attrs = {"units": unit, "unit": unit, "kind": info["kind"], "annual": info["annual"],
                         "description": info["description"]}
                data_vars = {"quantiles": (("percentile", axis), stats["quantiles"][:, i, :]),
                             "mean": ((axis,), stats["mean"][i]),
                             "std": ((axis,), stats["std"][i]),
                             "band": (("statistic", axis), stats["band"][:, i, :])}
                coords = {"percentile": self.percentiles, axis: labels, "statistic": list(STATISTICS),
                          "band_percentile": (("statistic",), self.band_percentiles)}
                self._data[f"{prefix}{period}/{name}"] = _dataset(data_vars, coords, attrs, self._numpy)

    def __repr__(self):
        return (f"<mppmc.Results {self.titles[0]!r}: {self.attrs['n_paths']} paths, seed {self.attrs['seed']}, "
                f"{self.attrs['start']} + {self.attrs['horizon_months']} months, variants {self.variants}>")

    def _runs(self):
        """(label, key prefix) of the baseline, each variant and each difference."""
        yield "baseline", ""
        for name in self.variants:
            yield name, f"variants/{name}/"
        for name in self.variants:
            yield f"{name} - baseline", f"compare/{name}/"

    def band_table(self, series="total_inflow", years=None):
        """One tidy pandas table of a series' annual band and mean: a row per run ("baseline",
        each variant, "<variant> - baseline") and year, columns run, series, year, min, medio,
        max, mean, units. `series`: a name or a list of names; `years`: all unless given."""
        pandas = _pandas()
        names = [series] if isinstance(series, str) else list(series)
        rows = []
        for label, prefix in self._runs():
            for name in names:
                ds = self[f"{prefix}annual/{name}"]
                band, mean = np.asarray(ds["band"]), np.asarray(ds["mean"])
                for t, year in enumerate(self.years):
                    if years is not None and year not in years:
                        continue
                    rows.append({"run": label, "series": name, "year": int(year), "min": band[0, t],
                                 "medio": band[1, t], "max": band[2, t], "mean": mean[t], "units": ds.attrs["units"]})
        return pandas.DataFrame(rows)

    def to_dataframe(self, period="annual"):
        """Every statistic of every series and run as one tidy pandas table: columns run,
        series, year (or month, with period="monthly"), statistic ("p5"..., "mean", "std",
        "min", "medio", "max"), value, units."""
        pandas = _pandas()
        axis, labels = ("year", [int(y) for y in self.years]) if period == "annual" else ("month", self.months)
        frames = []
        for label, prefix in self._runs():
            for name in SERIES:
                ds = self[f"{prefix}{period}/{name}"]
                rows = {f"p{p:g}": np.asarray(ds["quantiles"])[k] for k, p in enumerate(self.percentiles)}
                rows.update(mean=np.asarray(ds["mean"]), std=np.asarray(ds["std"]))
                rows.update(zip(STATISTICS, np.asarray(ds["band"])))
                for statistic, values in rows.items():
                    frames.append(pandas.DataFrame({"run": label, "series": name, axis: labels,
                                                    "statistic": statistic, "value": values,
                                                    "units": ds.attrs["units"]}))
        return pandas.concat(frames, ignore_index=True)


def run(scenario=None, variants=(), *, config=None, numpy=False, **settings):
    """Runs `scenario` (a TOML file, or TOML text; None: the shipped scenarios/mpp-2024-II.toml)
    and its `variants` (files or text: a list, or a dict name -> file or text) on the same
    paths, as `mppmc run SCENARIO VARIANT...` does, and returns the results in memory
    (:class:`Results`), bit for bit what `mppmc run` writes to its file.

    `config`: the run config file (None: config/default.toml). `settings` go over it like the
    command line's options: paths, seed, threads, block_size, sampling ("mc", "lhs", "sobol"),
    quantiles ("exact", "sketch", "auto"), memory_limit (GB), save_paths, deterministic,
    percentiles (list, percent) and band ((min, medio, max) percentiles); see RUN_SETTINGS.
    `numpy=True`: LabelledArrays even where xarray is installed. Writes no file."""
    if isinstance(variants, (str, os.PathLike)):  # one variant, not its characters
        variants = [variants]
    named = variants.items() if isinstance(variants, Mapping) else \
        ((f"variant{k + 1}", v) for k, v in enumerate(variants))
    if scenario is None and variants:
        raise TypeError("variants need a baseline scenario")
    with _Files() as files:
        paths = [] if scenario is None else [files.path(scenario, "scenario")]
        paths += [files.path(v, name) for name, v in named]
        raw = files.call(_mppmc.run, paths, _optional_path(config), settings)
    return Results(raw, numpy=numpy)


def validate(scenario):
    """Reads and checks a scenario (a file or TOML text) as `mppmc validate` does: returns a dict
    (name, start, horizon_months, measures, correlations, scenario_toml: the resolved TOML) or
    raises InputError with every problem."""
    with _Files() as files:
        return files.call(_mppmc.validate, files.path(scenario, "scenario"))


class Calibration(NamedTuple):
    """What calibrate() gives: ``toml``, the calibrated scenario's text (what `mppmc calibrate
    -o FILE` writes), and ``summary``, a dict: entry (the calibrated year entry, TOML), series,
    year, band, percentiles, quantiles (of the fitted first-inflow metalog), achieved (the
    simulated percentiles), iterations, seed, paths."""
    toml: str
    summary: dict


def calibrate(scenario, year, band, *, series="total_inflow", percentiles=(5, 50, 95), config=None, **settings):
    """Fits year `year`'s first-inflow distribution of `scenario` (a file or TOML text) so that
    the simulated `percentiles` of `series` match `band` (min, medio, max; persons/year), as
    `mppmc calibrate` does; `settings`: paths, seed, threads over the config. Writes no file."""
    with _Files() as files:
        raw = files.call(_mppmc.calibrate, files.path(scenario, "scenario"), int(year), [float(b) for b in band],
                         series, [float(p) for p in percentiles], _optional_path(config), settings)
    toml = raw.pop("scenario_toml")
    return Calibration(toml, raw)


class Sensitivity(_Groups):
    """A study's indices: a read-only dict of Datasets keyed like the sensitivity file's groups.

    * ``"sensitivity/<output>"``: ``first_order(input)``, ``total_order(input)``,
      ``first_order_ci(bound, input)``, ``total_order_ci(bound, input)`` (bound: "low", "high");
      attrs series, period, output_mean, output_variance;
    * ``"tornado/<output>"``: ``low_input``, ``high_input``, ``low_output``, ``high_output``,
      ``swing`` along ``input`` (sorted by swing, largest first); attrs base_output, series,
      period.

    <output> is e.g. "coa_occupancy[2026]". Also ``attrs``, ``groups`` (the varied inputs) and
    ``outputs`` (names)."""

    def __init__(self, raw, numpy=False):
        self.attrs = dict(raw["attrs"])
        self.groups = list(raw["groups"])
        self.outputs = [o["name"] for o in raw["outputs"]]
        self._data = {}
        for o in raw["outputs"]:
            about = {"series": o["series"], "period": o["period"]}
            if o["sobol"] is not None:
                s = o["sobol"]
                data_vars = {name: (("input",), s[name]) for name in ("first_order", "total_order")}
                data_vars.update({name: (("bound", "input"), s[name]) for name in ("first_order_ci", "total_order_ci")})
                attrs = dict(about, output_mean=s["output_mean"], output_variance=s["output_variance"])
                self._data[f"sensitivity/{o['name']}"] = _dataset(
                    data_vars, {"input": list(s["inputs"]), "bound": ["low", "high"]}, attrs, numpy)
            if o["tornado"] is not None:
                t = o["tornado"]
                data_vars = {name: (("input",), t[name])
                             for name in ("low_input", "high_input", "low_output", "high_output", "swing")}
                attrs = dict(about, base_output=t["base_output"])
                self._data[f"tornado/{o['name']}"] = _dataset(data_vars, {"input": list(t["inputs"])}, attrs, numpy)

    def to_dataframe(self):
        """The Sobol indices as one tidy pandas table: output, input, first_order, total_order
        and their intervals."""
        pandas = _pandas()
        rows = []
        for output in self.outputs:
            key = f"sensitivity/{output}"
            if key not in self:
                continue
            ds = self[key]
            first, total = np.asarray(ds["first_order_ci"]), np.asarray(ds["total_order_ci"])
            for k, name in enumerate(np.asarray(ds.coords["input"])):
                rows.append({"output": output, "input": str(name), "first_order": np.asarray(ds["first_order"])[k],
                             "first_low": first[0, k], "first_high": first[1, k],
                             "total_order": np.asarray(ds["total_order"])[k], "total_low": total[0, k],
                             "total_high": total[1, k]})
        return pandas.DataFrame(rows)


def sensitivity(study, *, samples=None, seed=None, sampling=None, bootstrap=None, threads=0, numpy=False):
    """Runs a sensitivity study file (docs/sensitivity.md) as `mppmc sensitivity STUDY` does,
    with the given settings over the study's; returns :class:`Sensitivity`. Writes no file."""
    settings = {"samples": samples, "seed": seed, "sampling": sampling, "bootstrap": bootstrap}
    return Sensitivity(_mppmc.sensitivity(os.fspath(study), settings, int(threads)), numpy=numpy)
