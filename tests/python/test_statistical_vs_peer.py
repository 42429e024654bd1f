"""mppmc's stochastic run against the independent NumPy peer (shared/bench/numpy_peer.py) on
tests/data/small.toml, with different random streams: the annual percentiles of key series agree
statistically. This checks, as a whole, the yearly AR(1) inflow levels, the Gaussian copula, the
monthly noise, the measures' effects and every distribution family that small.toml uses.

Tolerances: relative 3% for the medians, 6% for p5 and p95, widened per cell only where the
Monte Carlo error of the difference of two independent 20000-path estimates makes those bounds
unreliable (see `tolerance`).

Run: /usr/bin/python3 -m unittest -v tests/python/test_statistical_vs_peer.py
"""
import math
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

N_PATHS = 20000
MPPMC_SEED = 20250101
PEER_SEED = 1
SERIES = ["total_inflow", "coa_occupancy", "ind_asylum_backlog", "cost_total"]
PERCENTILES = [5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0]  # the peer's default, and config/default.toml's
NOMINAL = {5.0: 0.06, 50.0: 0.03, 95.0: 0.06}
# Monte Carlo error allowance: a cell's tolerance is at least Z standard errors of the difference.
Z = 5.0


def quantile_standard_error(q, pct, n):
    """Asymptotic standard error of the sample p-quantile, sqrt(p(1-p)/n) / f(q_p), with the density
    f estimated from the neighbouring percentiles of the same estimate (PERCENTILES order)."""
    p = pct / 100.0
    k = PERCENTILES.index(pct)
    lo, hi = max(0, k - 1), min(len(PERCENTILES) - 1, k + 1)
    if k in (0, len(PERCENTILES) - 1):  # one-sided at the ends: p5 from p5..p10, p95 from p90..p95
        lo, hi = (0, 1) if k == 0 else (k - 1, k)
    dq = q[hi] - q[lo]
    dp = (PERCENTILES[hi] - PERCENTILES[lo]) / 100.0
    return math.sqrt(p * (1 - p) / n) * dq / dp


def tolerance(reference_column, pct):
    """Relative tolerance for one (series, year, percentile) cell.

    Measured (12 mppmc seeds x 20000 paths on small.toml, 4 series x 3 years): the relative
    standard deviation of p50 is at most 0.44% and of p95 at most 0.51%, so with the difference of
    two independent estimates (x sqrt 2) 3% and 6% are about 5 and 8 standard errors. Not so for
    the p5 cells whose distribution piles up near a floor: ind_asylum_backlog 2026 p5 has 1.4%
    (6% = 3 sigma), coa_occupancy 2027 p5 2.3% (6% = 1.8 sigma), ind_asylum_backlog 2027 p5
    (~1,300 persons, the backlog nearly emptied) 18%. There the tolerance becomes Z x sqrt(2) x
    the density-based standard error from the peer's own percentiles, which is at least 0.75x the
    measured one in every cell (1.24% vs 1.44%, 1.81% vs 2.34%, 13.96% vs 18.37%). Over 45 pairs
    of runs (3 peer seeds x 15 mppmc seeds) the worst cell used 0.59 of its tolerance."""
    q = reference_column
    value = q[PERCENTILES.index(pct)]
    se = quantile_standard_error(q, pct, N_PATHS)
    return max(NOMINAL[pct], Z * math.sqrt(2.0) * se / max(1.0, abs(value)))


_module_tmp = None
_mppmc_out = None


def setUpModule():
    global _module_tmp, _mppmc_out
    _module_tmp = tempfile.TemporaryDirectory(prefix="mppmc-stat-")
    _mppmc_out = mt.run_results(mt.SMALL, Path(_module_tmp.name) / "small.h5", "--paths", N_PATHS,
                                "--seed", MPPMC_SEED)


def tearDownModule():
    _module_tmp.cleanup()


class StochasticAgainstPeer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mt.require_peer()
        cls._tmp = tempfile.TemporaryDirectory(prefix="mppmc-stat-peer-")
        tmp = Path(cls._tmp.name)
        out = _mppmc_out
        mt.peer(mt.SMALL, "--paths", N_PATHS, "--seed", PEER_SEED, "--out", tmp / "peer.npz")
        with np.load(tmp / "peer.npz") as z:
            cls.peer_years = [int(y) for y in z["years"]]
            np.testing.assert_array_equal(z["percentiles"], PERCENTILES)
            cls.peer = {s: z["annual/" + s] for s in mt.ALL_SERIES}
        with h5py.File(out, "r") as f:
            cls.years = [int(y) for y in f["time/year"][()]]
            cls.percentiles = [float(p) for p in f["percentiles"][()]]
            cls.mine = {s: f[f"annual/{s}/quantiles"][()] for s in mt.ALL_SERIES}

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_same_layout(self):
        self.assertEqual(self.years, self.peer_years)
        self.assertEqual(self.percentiles, PERCENTILES)

    def check(self, pct):
        k = PERCENTILES.index(pct)
        for series in SERIES:
            for j, year in enumerate(self.years):
                with self.subTest(series=series, year=year, percentile=pct):
                    ref = self.peer[series][:, j]
                    mine = self.mine[series][:, j]
                    tol = tolerance(ref, pct)
                    rel = abs(mine[k] - ref[k]) / max(1.0, abs(ref[k]))
                    self.assertLessEqual(rel, tol, f"{series} {year} p{pct:g}: mppmc {mine[k]:,.0f} vs peer "
                                                   f"{ref[k]:,.0f} ({100 * rel:.2f}% > {100 * tol:.2f}%)")

    def test_medians(self):
        self.check(50.0)

    def test_p5(self):
        self.check(5.0)

    def test_p95(self):
        self.check(95.0)

    def test_every_series_median_and_spread(self):
        # A wider net over all 24 series (not only the four above): the median and the
        # interquartile range of each, per year, within 5%/10% or Z combined standard errors,
        # whichever is wider (coa_emergency, with much of its mass at 0, needs the latter). Over
        # 45 pairs of runs (3 peer seeds x 15 mppmc seeds) the worst cell used 0.66 of this.
        k25, k50, k75 = (PERCENTILES.index(p) for p in (25.0, 50.0, 75.0))
        for series in mt.ALL_SERIES:
            for j, year in enumerate(self.years):
                with self.subTest(series=series, year=year):
                    ref, mine = self.peer[series][:, j], self.mine[series][:, j]
                    se = quantile_standard_error(ref, 50.0, N_PATHS)
                    tol = max(0.05 * abs(ref[k50]), Z * math.sqrt(2) * se, 1.0)
                    self.assertLessEqual(abs(mine[k50] - ref[k50]), tol, f"{series} {year} median")
                    iqr_ref, iqr = ref[k75] - ref[k25], mine[k75] - mine[k25]
                    se_iqr = math.hypot(quantile_standard_error(ref, 25.0, N_PATHS),
                                        quantile_standard_error(ref, 75.0, N_PATHS))
                    tol = max(0.10 * iqr_ref, Z * math.sqrt(2) * se_iqr, 0.02 * abs(ref[k50]), 1.0)
                    self.assertLessEqual(abs(iqr - iqr_ref), tol, f"{series} {year} IQR {iqr:,.1f} vs {iqr_ref:,.1f}")


def spearman_for_gaussian(rho):
    """Spearman's rank correlation of a bivariate normal with Pearson correlation rho."""
    return 6.0 / math.pi * math.asin(rho / 2.0)


class InputDrawsAgainstTheory(unittest.TestCase):
    """The path-level draws in /inputs/samples against analytic facts from small.toml."""

    @classmethod
    def setUpClass(cls):
        with h5py.File(_mppmc_out, "r") as f:
            cls.names = mt.decode(f["inputs/names"][()])
            cls.samples = f["inputs/samples"][()]

    def column(self, name):
        self.assertIn(name, self.names)
        return self.samples[:, self.names.index(name)]

    def test_yearly_inflow_levels_follow_the_latent_ar1(self):
        # z_y = rho z_{y-1} + sqrt(1 - rho^2) e_y, rho = 0.7: corr(z_y, z_{y+k}) = rho^k, and the
        # level Q_y(Phi(z_y)) is monotone in z_y, so Spearman = (6/pi) asin(rho^k / 2): 0.683, 0.473.
        # Standard error of Spearman's rho at n = 20000 is below 0.005; the tolerance is 0.02.
        a, b, c = (self.column(f"inflow.first.annual[{y}]") for y in (2025, 2026, 2027))
        self.assertAlmostEqual(stats.spearmanr(a, b).statistic, spearman_for_gaussian(0.7), delta=0.02)
        self.assertAlmostEqual(stats.spearmanr(b, c).statistic, spearman_for_gaussian(0.7), delta=0.02)
        self.assertAlmostEqual(stats.spearmanr(a, c).statistic, spearman_for_gaussian(0.49), delta=0.02)

    def test_yearly_inflow_level_margins(self):
        # 2025: a metalog through (0.05, 30000), (0.5, 45000), (0.95, 52000); 2026 and 2027 (which
        # takes 2026's entry): lognormal, median 45000, sigma 0.25. The sample percentiles' relative
        # standard errors are below 0.6% at n = 20000; tolerance 2%.
        z = stats.norm.ppf([0.05, 0.5, 0.95])
        expected = {2025: [30000.0, 45000.0, 52000.0], 2026: list(45000.0 * np.exp(0.25 * z)),
                    2027: list(45000.0 * np.exp(0.25 * z))}
        for year, values in expected.items():
            with self.subTest(year=year):
                got = np.percentile(self.column(f"inflow.first.annual[{year}]"), [5, 50, 95])
                np.testing.assert_allclose(got, values, rtol=0.02)

    def test_configured_rank_correlations(self):
        # small.toml: grant_rate ~ persons_per_grant rank 0.4; coa.uptake ~ departure.monthly_rate -0.3.
        for a, b, rank in [("ind.asylum.grant_rate", "nareis.persons_per_grant", 0.4),
                           ("coa.uptake", "departure.monthly_rate", -0.3)]:
            with self.subTest(pair=(a, b)):
                rho = stats.spearmanr(self.column(a), self.column(b)).statistic
                self.assertAlmostEqual(rho, rank, delta=0.03)

    def test_per_year_table_uses_one_uniform_per_path_and_can_be_correlated(self):
        # model-spec.md: a per-year table of distributions is one input, one u per path for every
        # year, and may take part in a correlation like any other path-level input.
        text = mt.replace_line(mt.MINIMAL_SCENARIO, "capacity_per_month = { 2025", (
            'capacity_per_month = { 2025 = { dist = "uniform", low = 3000, high = 4000 }, '
            '2026 = { dist = "lognormal", median = 4000, sigma = 0.1 } }'))
        text += '\n[[correlation]]\na = "ind.asylum.capacity_per_month"\nb = "ind.asylum.grant_rate"\nrank = 0.6\n'
        with tempfile.TemporaryDirectory(prefix="mppmc-peryear-") as tmp:
            scenario = Path(tmp) / "per-year.toml"
            scenario.write_text(text)
            out = mt.run_results(scenario, Path(tmp) / "per-year.h5", "--paths", N_PATHS, "--seed", 5)
            with h5py.File(out, "r") as f:
                names = mt.decode(f["inputs/names"][()])
                samples = f["inputs/samples"][()]
        y25 = samples[:, names.index("ind.asylum.capacity_per_month[2025]")]
        y26 = samples[:, names.index("ind.asylum.capacity_per_month[2026]")]
        grant = samples[:, names.index("ind.asylum.grant_rate")]
        # Same u: the two years' values are an exact monotone function of each other.
        self.assertGreater(stats.spearmanr(y25, y26).statistic, 1 - 1e-9)
        np.testing.assert_allclose((y25 - 3000) / 1000, stats.norm.cdf(np.log(y26 / 4000) / 0.1), atol=1e-9)
        for year, values in ((2025, y25), (2026, y26)):
            with self.subTest(year=year):
                self.assertAlmostEqual(stats.spearmanr(values, grant).statistic, 0.6, delta=0.03)

    def test_measure_effect_margins(self):
        # "Restrict family reunification": uniform 0.6..0.9; "Deterrence": uniform 0.8..1.0.
        for name, low, high in [("Restrict family reunification", 0.6, 0.9), ("Deterrence", 0.8, 1.0)]:
            with self.subTest(measure=name):
                matches = [n for n in self.names if name in n]
                self.assertEqual(len(matches), 1, matches)
                e = self.column(matches[0])
                self.assertTrue(np.all((e >= low) & (e <= high)))
                self.assertGreater(stats.kstest(e, "uniform", args=(low, high - low)).pvalue, 1e-4)


if __name__ == "__main__":
    unittest.main()
