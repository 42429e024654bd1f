"""End-to-end behaviour of the `mppmc` command line: help, exit codes (0 ok, 2 bad input,
3 I/O or runtime failure), located input errors ("error: file:line:col: key.path = value: rule"),
refusing bad input before anything is written, overwrite rules, `info`, and `mppmc run` with no
arguments from an arbitrary folder.

Run: /usr/bin/python3 -m unittest -v tests/python/test_cli.py
"""
import os
import re
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

EXIT_OK, EXIT_INPUT, EXIT_RUNTIME = 0, 2, 3
ERROR_LINE = re.compile(r"^error: (?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$")
OLD_TIME_NS = 1_000_000_000 * 1_000_000_000  # 2001-09-09: a rewrite cannot keep this mtime


def error_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def located_errors(stderr):
    """[(file, line, col, rest)] for every "error: file:line:col: ..." line."""
    out = []
    for line in error_lines(stderr):
        m = ERROR_LINE.match(line)
        if m:
            out.append((m["file"], int(m["line"]), int(m["col"]), m["rest"]))
    return out


def snapshot(path):
    st = os.stat(path)
    return Path(path).read_bytes(), st.st_mtime_ns, st.st_size


class Help(unittest.TestCase):
    def test_top_level_help(self):
        p = mt.mppmc("--help", check=EXIT_OK)
        for word in ("run", "validate", "info", "--version", "--help"):
            self.assertIn(word, p.stdout)

    def test_run_help_lists_its_options(self):
        p = mt.mppmc("run", "--help", check=EXIT_OK)
        for option in ("SCENARIO", "--config", "--output", "-o", "--paths", "--seed", "--threads", "--block-size",
                       "--deterministic", "--save-paths", "--overwrite", "--quiet"):
            self.assertIn(option, p.stdout)

    def test_validate_help(self):
        p = mt.mppmc("validate", "--help", check=EXIT_OK)
        self.assertIn("SCENARIO", p.stdout)
        self.assertIn("--help", p.stdout)

    def test_info_help(self):
        p = mt.mppmc("info", "--help", check=EXIT_OK)
        self.assertIn("FILE", p.stdout)

    def test_version(self):
        p = mt.mppmc("--version", check=EXIT_OK)
        self.assertRegex(p.stdout, r"mppmc \d+\.\d+")

    def test_no_subcommand_is_bad_input(self):
        p = mt.mppmc()
        self.assertEqual(p.returncode, EXIT_INPUT, p.stderr)
        self.assertIn("subcommand", p.stderr.lower())

    def test_unknown_subcommand_and_option(self):
        self.assertEqual(mt.mppmc("frobnicate").returncode, EXIT_INPUT)
        self.assertEqual(mt.mppmc("run", mt.SMALL, "--pathz", "10").returncode, EXIT_INPUT)
        self.assertEqual(mt.mppmc("validate").returncode, EXIT_INPUT)  # SCENARIO is required
        self.assertEqual(mt.mppmc("info").returncode, EXIT_INPUT)  # FILE is required


class Validate(unittest.TestCase):
    def test_shipped_and_test_scenarios_are_valid(self):
        for scenario in (mt.SMALL, mt.VARIANT, mt.DEFAULT_SCENARIO):
            with self.subTest(scenario=scenario.name):
                p = mt.mppmc("validate", scenario, check=EXIT_OK)
                self.assertIn("ok", p.stdout)
                self.assertEqual(error_lines(p.stderr), [])

    def test_minimal_scenario_is_valid(self):
        with tempfile.TemporaryDirectory(prefix="mppmc-cli-") as tmp:
            path = Path(tmp) / "minimal.toml"
            path.write_text(mt.MINIMAL_SCENARIO)
            p = mt.mppmc("validate", path, check=EXIT_OK)
            self.assertIn("minimal", p.stdout)
            self.assertEqual(os.listdir(tmp), ["minimal.toml"], "validate must write nothing")

    def test_several_files_at_once(self):
        p = mt.mppmc("validate", mt.SMALL, mt.DEFAULT_SCENARIO, check=EXIT_OK)
        self.assertEqual(p.stdout.count(": ok"), 2, p.stdout)


def with_extends(text, base):
    """MINIMAL-like `text` with `extends = base` as the first key of [scenario]."""
    assert text.startswith("[scenario]\n")
    return text.replace("[scenario]\n", f'[scenario]\nextends = "{base}"\n', 1)


class BadInput(unittest.TestCase):
    """Every case: `validate` and `run` exit 2 with located messages naming the key path; `run`
    writes no output file, leaves an existing one (even with --overwrite) byte-identical with the
    same mtime, and leaves no temporary file."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="mppmc-cli-bad-")
        cls.tmp = Path(cls._tmp.name)
        cls.existing = mt.run_results(mt.SMALL, cls.tmp / "existing" / "results.h5", "--paths", 200)
        os.utime(cls.existing, ns=(OLD_TIME_NS, OLD_TIME_NS))

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def write(self, name, text):
        folder = self.tmp / self.id().split(".")[-1]
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_text(text)
        return path

    def assert_refused(self, scenario, expected):
        """`expected`: list of (line or None, key path, fragment of the rule or None); each must
        appear as an error located in `scenario` (the file named in the message) at that line.
        Returns the stderr of `validate`."""
        p = mt.mppmc("validate", scenario)
        self.assertEqual(p.returncode, EXIT_INPUT, f"validate accepted a bad file:\n{p.stdout}{p.stderr}")
        self.check_messages(p.stderr, scenario, expected)

        new_output = scenario.parent / "new.h5"
        p = mt.mppmc("run", scenario, "-o", new_output, "--paths", 100)
        self.assertEqual(p.returncode, EXIT_INPUT, f"run accepted a bad file:\n{p.stdout}{p.stderr}")
        self.check_messages(p.stderr, scenario, expected)
        self.assertFalse(new_output.exists(), "a refused run wrote its output")
        self.assertIn("nothing was written", p.stderr)

        before = snapshot(self.existing)
        p = mt.mppmc("run", scenario, "-o", self.existing, "--paths", 100, "--overwrite")
        self.assertEqual(p.returncode, EXIT_INPUT, p.stderr)
        self.assertEqual(snapshot(self.existing), before, "a refused run touched the existing output")
        self.assertEqual(mt.tmp_litter(self.existing.parent), [])
        self.assertEqual(mt.tmp_litter(scenario.parent), [])
        return p.stderr

    def check_messages(self, stderr, scenario, expected):
        located = located_errors(stderr)
        self.assertEqual(len(located), len(error_lines(stderr)),
                         f"every error line must be 'error: file:line:col: ...':\n{stderr}")
        for line, key, fragment in expected:
            hits = [e for e in located if e[0] == str(scenario) and e[3].startswith(key)
                    and (line is None or e[1] == line) and (fragment is None or fragment in e[3])]
            self.assertTrue(hits, f"no error at {scenario}:{line} for {key!r} ({fragment!r}) in:\n{stderr}")
            for _, line_no, col, _ in hits:
                self.assertGreaterEqual(line_no, 1)
                self.assertGreaterEqual(col, 1)

    def test_toml_syntax_error(self):
        text = mt.replace_line(mt.MINIMAL_SCENARIO, "horizon_months", "horizon_months = = 24")
        path = self.write("syntax.toml", text)
        stderr = self.assert_refused(path, [])
        located = located_errors(stderr)
        self.assertTrue(any(f == str(path) and ln == mt.line_of(text, "horizon_months") for f, ln, _, _ in located),
                        stderr)
        self.assertIn("TOML", stderr)

    def test_unknown_key_with_suggestion(self):
        text = mt.MINIMAL_SCENARIO.replace('grant_rate = { dist = "beta", a = 30, b = 20 }',
                                           'grant_rate = { dist = "beta", a = 30, b = 20 }\ngrant_rte = 0.5')
        path = self.write("unknown.toml", text)
        stderr = self.assert_refused(path, [(mt.line_of(text, "grant_rte"), "ind.asylum.grant_rte", "unknown key")])
        self.assertIn("did you mean 'ind.asylum.grant_rate'", stderr)
        self.assertEqual(len(error_lines(stderr)), 1, stderr)

    def test_unknown_key_far_from_any(self):
        text = mt.MINIMAL_SCENARIO.replace("[coa]\n", "[coa]\nflux_capacitor = 1.21\n")
        path = self.write("unknown-far.toml", text)
        self.assert_refused(path, [(mt.line_of(text, "flux_capacitor"), "coa.flux_capacitor", "unknown key")])

    def test_missing_required_key(self):
        text = mt.replace_line(mt.MINIMAL_SCENARIO, "monthly_rate", None)
        path = self.write("missing.toml", text)
        stderr = self.assert_refused(path, [(None, "departure.monthly_rate", "missing")])
        self.assertEqual(len(error_lines(stderr)), 1, stderr)

    def test_wrong_type(self):
        text = mt.replace_line(mt.MINIMAL_SCENARIO, "coa_per_place_year", 'coa_per_place_year = "expensive"')
        path = self.write("type.toml", text)
        self.assert_refused(path, [(mt.line_of(text, "expensive"), "cost.coa_per_place_year", None)])

    def test_wrong_type_of_horizon(self):
        text = mt.replace_line(mt.MINIMAL_SCENARIO, "horizon_months", "horizon_months = 2.5")
        path = self.write("type-horizon.toml", text)
        self.assert_refused(path, [(mt.line_of(text, "horizon_months"), "scenario.horizon_months", None)])

    def test_rate_out_of_range(self):
        text = mt.replace_line(mt.MINIMAL_SCENARIO, 'grant_rate = { dist = "beta"',
                               'grant_rate = { dist = "uniform", low = 0.5, high = 1.5 }')
        path = self.write("range.toml", text)
        stderr = self.assert_refused(path, [(mt.line_of(text, "high = 1.5"), "ind.asylum.grant_rate", None)])
        self.assertIn("1.5", stderr)

    def test_fixed_rate_out_of_range(self):
        text = mt.replace_line(mt.MINIMAL_SCENARIO, "uptake = 0.95", "uptake = 1.5")
        path = self.write("range-fixed.toml", text)
        self.assert_refused(path, [(mt.line_of(text, "uptake = 1.5"), "coa.uptake", None)])

    def test_bad_month(self):
        text = mt.replace_line(mt.MINIMAL_SCENARIO, "start =", 'start = "2025-13"')
        path = self.write("month.toml", text)
        stderr = self.assert_refused(path, [(mt.line_of(text, "2025-13"), "scenario.start", "YYYY-MM")])
        self.assertIn("2025-13", stderr)

    def test_per_year_table_with_a_non_year_key(self):
        text = mt.replace_line(mt.MINIMAL_SCENARIO, "capacity_per_month = { 2025",
                               "capacity_per_month = { 2025 = 3500, later = 4000 }")
        path = self.write("per-year.toml", text)
        self.assert_refused(path, [(mt.line_of(text, "later = 4000"), "ind.asylum.capacity_per_month", "year")])

    def test_unknown_distribution(self):
        text = mt.replace_line(mt.MINIMAL_SCENARIO, 'capacity_factor = { dist = "pert"',
                               'capacity_factor = { dist = "pertt", low = 0.8, mode = 1.0, high = 1.1 }')
        path = self.write("dist.toml", text)
        stderr = self.assert_refused(path, [(mt.line_of(text, "pertt"), "ind.asylum.capacity_factor",
                                             "unknown distribution")])
        self.assertIn('did you mean "pert"', stderr)

    def test_metalog_that_is_not_monotone(self):
        p, q = [0.1, 0.5, 0.9], [0.0, 1000.0, 1001.0]
        # Independent check that these points really give an invalid distribution: the 3-term
        # unbounded metalog M(u) = a1 + a2 L + a3 (u - 1/2) L, L = ln(u / (1 - u)), through them
        # decreases somewhere in (0, 1).
        L = lambda u: np.log(u / (1 - u))  # noqa: E731
        X = np.array([[1.0, L(u), (u - 0.5) * L(u)] for u in p])
        a = np.linalg.solve(X, q)
        u = np.linspace(1e-4, 1 - 1e-4, 100001)
        M = a[0] + a[1] * L(u) + a[2] * (u - 0.5) * L(u)
        self.assertTrue(np.any(np.diff(M) < 0), "precondition: this metalog should be non-monotone")
        text = mt.replace_line(mt.MINIMAL_SCENARIO, "annual =",
                               'annual = { 2025 = { dist = "quantiles", p = [0.1, 0.5, 0.9], q = [0, 1000, 1001] } }')
        path = self.write("metalog.toml", text)
        self.assert_refused(path, [(mt.line_of(text, "annual ="), "inflow.first.annual", None)])

    def test_valid_metalog_is_accepted(self):
        text = mt.replace_line(mt.MINIMAL_SCENARIO, "annual =",
                               'annual = { 2025 = { dist = "quantiles", p = [0.05, 0.5, 0.95], '
                               'q = [37600, 57600, 66700], lower = 0 } }')
        path = self.write("metalog-ok.toml", text)
        mt.mppmc("validate", path, check=EXIT_OK)

    def test_measure_with_unknown_parameter(self):
        text = mt.MINIMAL_SCENARIO + ('\n[[measure]]\nname = "x"\nparameter = "nareis.persons_per_grnt"\n'
                                      'start = "2025-06"\neffect = 0.5\n')
        path = self.write("measure-unknown.toml", text)
        stderr = self.assert_refused(path, [(mt.line_of(text, "persons_per_grnt"), "measure[0].parameter",
                                             "unknown parameter")])
        self.assertIn("nareis.persons_per_grant", stderr)

    def test_measure_on_a_fixed_key(self):
        text = mt.MINIMAL_SCENARIO + ('\n[[measure]]\nname = "x"\nparameter = "inflow.first.seasonality"\n'
                                      'start = "2025-06"\neffect = 0.5\n')
        path = self.write("measure-fixed.toml", text)
        self.assert_refused(path, [(mt.line_of(text, 'parameter = "inflow.first.seasonality"'),
                                    "measure[0].parameter", None)])

    def test_correlation_not_positive_definite(self):
        # Ranks 0.9, 0.9, -0.9 among three inputs: Pearson 2 sin(pi r / 6) = +-0.908, and the
        # matrix [[1, .908, -.908], [.908, 1, .908], [-.908, .908, 1]] has a negative eigenvalue.
        r = 2 * np.sin(np.pi * 0.9 / 6)
        C = np.array([[1, r, -r], [r, 1, r], [-r, r, 1]])
        self.assertLess(np.linalg.eigvalsh(C).min(), 0, "precondition")
        pairs = [("ind.asylum.grant_rate", "ind.asylum.capacity_factor", 0.9),
                 ("ind.asylum.capacity_factor", "inflow.repeat_ratio", 0.9),
                 ("ind.asylum.grant_rate", "inflow.repeat_ratio", -0.9)]
        text = mt.MINIMAL_SCENARIO + "".join(f'\n[[correlation]]\na = "{a}"\nb = "{b}"\nrank = {r}\n'
                                             for a, b, r in pairs)
        path = self.write("correlation.toml", text)
        stderr = self.assert_refused(path, [(None, "correlation", "positive definite")])
        for a, b, _ in pairs:  # the message names the entries
            self.assertIn(a, stderr)
            self.assertIn(b, stderr)

    def test_correlation_with_unknown_parameter(self):
        text = mt.MINIMAL_SCENARIO + '\n[[correlation]]\na = "ind.asylum.grant_rate"\nb = "coa.uptak"\nrank = 0.3\n'
        path = self.write("correlation-unknown.toml", text)
        self.assert_refused(path, [(mt.line_of(text, '"coa.uptak"'), "correlation[0].b", None)])

    def test_extends_a_missing_file(self):
        text = with_extends(mt.MINIMAL_SCENARIO, "no-such-base.toml")
        path = self.write("extends-missing.toml", text)
        stderr = self.assert_refused(path, [(mt.line_of(text, "extends"), "scenario.extends", None)])
        self.assertIn("no-such-base.toml", stderr)
        self.assertEqual(len(error_lines(stderr)), 1, stderr)

    def test_extends_an_empty_name(self):
        text = with_extends(mt.MINIMAL_SCENARIO, "")
        path = self.write("extends-empty.toml", text)
        self.assert_refused(path, [(mt.line_of(text, "extends"), "scenario.extends", "must name the file")])

    def test_a_partial_file_whose_base_is_missing_reports_only_that(self):
        # The keys the base would give are not reported as missing as well.
        text = '[scenario]\nextends = "no-such-base.toml"\nname = "variant"\n'
        path = self.write("partial.toml", text)
        stderr = self.assert_refused(path, [(2, "scenario.extends", "no such file")])
        self.assertEqual(len(error_lines(stderr)), 1, stderr)

    def test_extends_a_folder(self):
        text = with_extends(mt.MINIMAL_SCENARIO, ".")
        path = self.write("extends-folder.toml", text)
        self.assert_refused(path, [(mt.line_of(text, "extends"), "scenario.extends", "is a folder")])

    def test_beta_shapes_that_cannot_be_sampled(self):
        # Valid fields (a, b > 0), but Boost.Math's beta quantile fails or overflows for them:
        # refused up front instead of stopping a run part way with exit 3.
        for a, b in [("1e308", "20"), ("1e-320", "20"), ("1e300", "1e300")]:
            with self.subTest(a=a, b=b):
                text = mt.replace_line(mt.MINIMAL_SCENARIO, 'grant_rate = { dist = "beta"',
                                       f'grant_rate = {{ dist = "beta", a = {a}, b = {b} }}')
                path = self.write(f"beta-{a}-{b}.toml", text)
                self.assert_refused(path, [(mt.line_of(text, f"a = {a}"), "ind.asylum.grant_rate", "cannot be sampled")])

    def test_normal_truncated_where_it_has_no_mass(self):
        text = mt.replace_line(mt.MINIMAL_SCENARIO, 'capacity_factor = { dist = "pert"',
                               'capacity_factor = { dist = "normal", mean = 0, sd = 0.05, low = 0.7, high = 1.3 }')
        path = self.write("normal-tail.toml", text)
        self.assert_refused(path, [(mt.line_of(text, "sd = 0.05"), "ind.asylum.capacity_factor", "too far in the tail")])

    def test_monthly_noise_too_large_to_mean_anything(self):
        text = mt.replace_line(mt.MINIMAL_SCENARIO, "seasonality =",
                               "seasonality = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nmonthly_noise_sd = 40")
        path = self.write("noise.toml", text)
        self.assert_refused(path, [(mt.line_of(text, "monthly_noise_sd"), "inflow.first.monthly_noise_sd", "too large")])

    def test_a_huge_value_is_quoted_in_part(self):
        junk = ", ".join(f"k{i} = {i}" for i in range(5000))
        text = mt.MINIMAL_SCENARIO + f"\njunk = {{ {junk} }}\n"
        path = self.write("huge.toml", text)
        stderr = self.assert_refused(path, [(mt.line_of(text, "junk ="), "cost.junk", "unknown key")])
        self.assertLess(max(len(line) for line in stderr.splitlines()), 1000, stderr[:2000])
        self.assertIn("characters)", stderr)

    def test_extends_cycle(self):
        a = self.write("cycle-a.toml", with_extends(mt.MINIMAL_SCENARIO, "cycle-b.toml"))
        b = self.write("cycle-b.toml", '[scenario]\nextends = "cycle-a.toml"\nname = "b"\n')
        p = mt.mppmc("validate", a)
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        located = located_errors(p.stderr)
        cycle = [e for e in located if e[3].startswith("scenario.extends") and "cycle" in e[3]]
        self.assertTrue(cycle, p.stderr)
        self.assertIn(cycle[0][0], (str(a), str(b)))
        self.assertEqual(cycle[0][1], 2)  # `extends` is on line 2 of both files
        self.assertEqual(len(error_lines(p.stderr)), 1, p.stderr)
        # And through `run`, with the same guarantees as every other bad input.
        self.assert_refused(a, [])
        self.assertEqual(mt.mppmc("validate", b).returncode, EXIT_INPUT)

    def test_several_problems_are_all_reported(self):
        text = mt.MINIMAL_SCENARIO
        text = mt.replace_line(text, "start =", 'start = "2025-13"')
        text = mt.replace_line(text, "uptake = 0.95", "uptake = 1.5")
        text = mt.replace_line(text, 'capacity_factor = { dist = "pert"',
                               'capacity_factor = { dist = "pertt", low = 0.8, mode = 1.0, high = 1.1 }')
        text = text.replace("[housing]\n", "[housing]\nflux_capacitor = 1.21\n")
        path = self.write("several.toml", text)
        expected = [(mt.line_of(text, "2025-13"), "scenario.start", None),
                    (mt.line_of(text, "uptake = 1.5"), "coa.uptake", None),
                    (mt.line_of(text, "pertt"), "ind.asylum.capacity_factor", None),
                    (mt.line_of(text, "flux_capacitor"), "housing.flux_capacitor", None)]
        stderr = self.assert_refused(path, expected)
        self.assertEqual(len(error_lines(stderr)), 4, stderr)
        self.assertIn("4 problems", stderr)

    def test_bad_config_file(self):
        config = self.write("config.toml", "[run]\npahts = 10\nseed = 3\n\n[statistics]\npercentiles = [10, 50, 150]\n")
        new_output = config.parent / "new.h5"
        p = mt.mppmc("run", mt.SMALL, "--config", config, "-o", new_output)
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.check_messages(p.stderr, config, [(2, "run.pahts", "unknown key"),
                                               (6, "statistics.percentiles", None)])
        self.assertIn("did you mean 'run.paths'", p.stderr)
        self.assertEqual(len(error_lines(p.stderr)), 2, p.stderr)
        self.assertFalse(new_output.exists())

    def test_problems_in_config_and_scenario_are_reported_together(self):
        config = self.write("config.toml", "[run]\npahts = 10\n")
        scenario = self.write("bad.toml", mt.replace_line(mt.MINIMAL_SCENARIO, "start =", 'start = "2025-13"'))
        p = mt.mppmc("run", scenario, "--config", config, "-o", config.parent / "new.h5")
        self.assertEqual(p.returncode, EXIT_INPUT)
        self.assertEqual({e[0] for e in located_errors(p.stderr)}, {str(config), str(scenario)}, p.stderr)

    def test_validate_reports_problems_of_every_file(self):
        bad1 = self.write("bad1.toml", mt.replace_line(mt.MINIMAL_SCENARIO, "start =", 'start = "2025-13"'))
        bad2 = self.write("bad2.toml", mt.replace_line(mt.MINIMAL_SCENARIO, "uptake = 0.95", "uptake = 1.5"))
        p = mt.mppmc("validate", bad1, mt.SMALL, bad2)
        self.assertEqual(p.returncode, EXIT_INPUT)
        files = {e[0] for e in located_errors(p.stderr)}
        self.assertEqual(files, {str(bad1), str(bad2)}, p.stderr)


class Outputs(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="mppmc-cli-out-")
        self.tmp = Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def test_existing_output_needs_overwrite(self):
        out = mt.run_results(mt.SMALL, self.tmp / "r.h5", "--paths", 200, "--seed", 1)
        os.utime(out, ns=(OLD_TIME_NS, OLD_TIME_NS))
        before = snapshot(out)
        p = mt.mppmc("run", mt.SMALL, "-o", out, "--paths", 200, "--seed", 2, "-q")
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("--overwrite", p.stderr)
        self.assertEqual(snapshot(out), before)
        mt.mppmc("run", mt.SMALL, "-o", out, "--paths", 200, "--seed", 2, "-q", "--overwrite", check=EXIT_OK)
        self.assertNotEqual(os.stat(out).st_mtime_ns, OLD_TIME_NS)
        with h5py.File(out, "r") as f:
            self.assertEqual(int(f.attrs["seed"]), 2)
        self.assertEqual(mt.tmp_litter(self.tmp), [])

    def test_zero_paths_is_bad_input(self):
        out = self.tmp / "zero.h5"
        p = mt.mppmc("run", mt.SMALL, "-o", out, "--paths", 0)
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("--paths", p.stderr)
        self.assertFalse(out.exists())
        self.assertEqual(mt.mppmc("run", mt.SMALL, "-o", out, "--paths", -5).returncode, EXIT_INPUT)
        self.assertFalse(out.exists())

    def test_output_that_is_a_folder_is_bad_input(self):
        p = mt.mppmc("run", mt.SMALL, "-o", self.tmp, "--paths", 100)
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertEqual(os.listdir(self.tmp), [])

    def test_output_through_a_file_is_bad_input(self):
        blocker = self.tmp / "a-file"
        blocker.write_text("not a folder")
        p = mt.mppmc("run", mt.SMALL, "-o", blocker / "out.h5", "--paths", 100, "-q")
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("which is a file, not a folder", p.stderr)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["a-file"])
        self.assertEqual(blocker.read_text(), "not a folder")

    def test_output_named_as_a_folder_is_bad_input(self):
        p = mt.mppmc("run", mt.SMALL, "-o", f"{self.tmp}/new/", "--paths", 100, "-q")
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("is a folder", p.stderr)
        self.assertEqual(os.listdir(self.tmp), [])

    def test_output_name_too_long_for_a_file_system_is_bad_input(self):
        p = mt.mppmc("run", mt.SMALL, "-o", self.tmp / ("x" * 300 + ".h5"), "--paths", 100, "-q")
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("303 characters long; file systems allow 255", p.stderr)
        self.assertEqual(os.listdir(self.tmp), [])

    def test_output_that_is_an_input_is_refused_even_with_overwrite(self):
        scenario = self.tmp / "mine.toml"
        shutil.copyfile(mt.SMALL, scenario)
        before = scenario.read_bytes()
        p = mt.mppmc("run", scenario, "-o", scenario, "--paths", 100, "--overwrite", "-q")
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("is the input", p.stderr)
        self.assertEqual(scenario.read_bytes(), before)
        self.assertEqual(os.listdir(self.tmp), ["mine.toml"])

    def test_a_device_as_scenario_is_refused_without_reading_it(self):
        out = self.tmp / "r.h5"
        p = mt.mppmc("run", "/dev/zero", "-o", out, "--paths", 5, timeout=60)
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("/dev/zero: is not a regular file", p.stderr)
        self.assertFalse(out.exists())

    def test_empty_option_values_are_bad_input_not_the_default(self):
        out = self.tmp / "r.h5"
        for option in ["--output", "--config", "--sampling", "--quantiles"]:
            with self.subTest(option=option):
                args = ["run", mt.SMALL, "--paths", 100] + (["-o", out] if option != "--output" else [])
                p = mt.mppmc(*args, option, "", cwd=self.tmp)
                self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
                self.assertIn(f"{option}: must not be empty", p.stderr)
                self.assertEqual(os.listdir(self.tmp), [])

    def test_not_a_number_options_are_bad_input(self):
        out = self.tmp / "r.h5"
        for option in ["--memory-limit=nan", "--memory-limit=inf", "--memory-limit=0", "--checkpoint-seconds=nan",
                       "--checkpoint-seconds=-1"]:
            with self.subTest(option=option):
                p = mt.mppmc("run", mt.SMALL, "-o", out, "--paths", 100, option)
                self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
                self.assertIn(option.split("=")[0], p.stderr)
                self.assertFalse(out.exists())

    def test_output_folder_is_created_and_no_temporary_files_remain(self):
        out = self.tmp / "deep" / "er" / "r.h5"
        mt.run_results(mt.SMALL, out, "--paths", 300)
        self.assertEqual(os.listdir(out.parent), ["r.h5"])
        with h5py.File(out, "r") as f:
            self.assertEqual(f.attrs["schema"], "mppmc-results")

    def test_missing_scenario_file(self):
        out = self.tmp / "r.h5"
        p = mt.mppmc("run", self.tmp / "nope.toml", "-o", out, "--paths", 100)
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("nope.toml", p.stderr)
        self.assertFalse(out.exists())

    def test_default_run_from_any_folder(self):
        # No SCENARIO: the shipped scenario and config are found by the binary itself (not from
        # the current folder, which is empty), and the results go to results/<stem>.h5 under it.
        p = mt.mppmc("run", "--paths", 2000, cwd=self.tmp)
        self.assertEqual(p.returncode, EXIT_OK, p.stdout + p.stderr)
        out = self.tmp / "results" / "mpp-2024-II.h5"
        self.assertTrue(out.is_file(), f"no {out}; folder holds {list(self.tmp.rglob('*'))}")
        self.assertIn("total_inflow", p.stdout)
        self.assertIn("results:", p.stdout)
        self.assertIn("2025", p.stdout)
        self.assertEqual(mt.tmp_litter(out.parent), [])
        with h5py.File(out, "r") as f:
            self.assertEqual(int(f.attrs["n_paths"]), 2000)
            self.assertEqual(f.attrs["scenario_name"], "MPP 2024-II")
            self.assertEqual(int(f.attrs["seed"]), 20241119)  # config/default.toml
        # A second identical call refuses to overwrite.
        before = snapshot(out)
        p = mt.mppmc("run", "--paths", 2000, cwd=self.tmp)
        self.assertEqual(p.returncode, EXIT_INPUT)
        self.assertEqual(snapshot(out), before)


class Info(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="mppmc-cli-info-")
        cls.tmp = Path(cls._tmp.name)
        cls.results = mt.run_results(mt.SMALL, cls.tmp / "small.h5", "--paths", 321, "--seed", 98765)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_describes_a_results_file(self):
        p = mt.mppmc("info", self.results, check=EXIT_OK)
        self.assertIn("test small", p.stdout)  # [scenario] name of small.toml
        self.assertIn("98765", p.stdout)
        self.assertIn("321", p.stdout)
        self.assertRegex(p.stdout, r"2025,\s*2026,\s*2027")
        self.assertIn("total_inflow", p.stdout)

    def test_info_writes_nothing(self):
        before = snapshot(self.results)
        mt.mppmc("info", self.results, check=EXIT_OK)
        self.assertEqual(snapshot(self.results), before)

    def test_not_an_hdf5_file(self):
        path = self.tmp / "notes.h5"
        path.write_text("these are not results\n")
        p = mt.mppmc("info", path)
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn(str(path), p.stderr)
        self.assertIn("HDF5", p.stderr)

    def test_missing_file(self):
        p = mt.mppmc("info", self.tmp / "absent.h5")
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("absent.h5", p.stderr)

    def test_hdf5_without_schema(self):
        path = self.tmp / "foreign.h5"
        with h5py.File(path, "w") as f:
            f["data"] = np.arange(3)
        p = mt.mppmc("info", path)
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("schema", p.stderr)
        self.assertIn(str(path), p.stderr)

    def test_damaged_file_is_bad_input_and_export_writes_nothing(self):
        path = self.tmp / "damaged.h5"
        shutil.copyfile(self.results, path)
        with h5py.File(path, "r+") as f:
            del f["time/year"]
        p = mt.mppmc("info", path)
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn(f"{path}: a damaged or incomplete mppmc results file", p.stderr)
        p = mt.mppmc("export", self.results, "--csv", path)  # a file where the folder should be
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("is a file; give a folder", p.stderr)
        folder = self.tmp / "csv-of-damaged"
        p = mt.mppmc("export", path, "--csv", folder)
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("damaged", p.stderr)
        self.assertFalse(folder.exists(), "a refused export left files behind")

    def test_other_schema_version(self):
        path = self.tmp / "future.h5"
        shutil.copyfile(self.results, path)
        with h5py.File(path, "r+") as f:
            f.attrs["schema_version"] = np.int64(3)
        mt.restamp(path)  # as a later mppmc would have written it, checksum and all
        p = mt.mppmc("info", path)
        self.assertEqual(p.returncode, EXIT_INPUT, p.stdout + p.stderr)
        self.assertIn("version 3", p.stderr)
        self.assertIn("reads schema versions 1 and 2", p.stderr)


if __name__ == "__main__":
    unittest.main()
