"""Uncertainty of the numbers the book compares: intervals over runs and verdicts built on them.

Every comparison of methods in the book is *paired*: the methods run on the same data sets (one
per replicate), so the quantity with an interval is the per-replicate difference, and its
interval is a percentile bootstrap over replicates (:func:`paired_difference`). A verdict is
"tie" whenever that interval covers zero (:func:`verdict`). Rejection rates use Wilson score
intervals (:func:`wilson_interval`), which stay inside [0, 1] and behave at rates of 0 or 1.

Backs
-----
fig3_structure, fig3_conditions, fig_colliders, fig2_band_set, fig3_nonlinear, fig5_l1_path,
fig_finite_sample, tab2_runtime, tab_edit_specificity
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: bootstrap resamples behind every interval of the book (fixed, so pages are reproducible)
N_BOOTSTRAP = 2000
#: confidence level of every interval of the book
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided interval (``low <= estimate <= high`` as computed)."""

    estimate: float
    low: float
    high: float
    n: int

    @property
    def covers_zero(self) -> bool:
        return bool(self.low <= 0.0 <= self.high)

    def text(self, digits: int = 2) -> str:
        """``"+0.12 [+0.05, +0.20]"``: signed, with the interval in brackets."""
        f = f"{{:+.{digits}f}}"
        return f"{f.format(self.estimate)} [{f.format(self.low)}, {f.format(self.high)}]"

    def as_dict(self, digits: int = 4) -> dict[str, float | int]:
        return {
            "estimate": round(self.estimate, digits),
            "low": round(self.low, digits),
            "high": round(self.high, digits),
            "n": self.n,
        }


def _check_level(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return float(level)


def bootstrap_mean(
    values, *, level: float = LEVEL, n_boot: int = N_BOOTSTRAP, seed: int = 0
) -> Interval:
    """Mean of ``values`` with a percentile-bootstrap interval (resampling the values).

    The interval of a mean of numbers in [a, b] stays in [a, b]. With one value the interval
    is that value (no spread can be estimated); NaN values are dropped.

    Backs
    -----
    fig3_structure, fig5_l1_path, fig_finite_sample
    """
    level = _check_level(level)
    x = np.asarray(values, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise ValueError("bootstrap_mean needs at least one finite value")
    if x.size == 1:
        return Interval(float(x[0]), float(x[0]), float(x[0]), 1)
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1)
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return Interval(float(x.mean()), float(low), float(high), int(x.size))


def paired_difference(
    a, b, *, level: float = LEVEL, n_boot: int = N_BOOTSTRAP, seed: int = 0
) -> Interval:
    """Mean of ``a - b`` over paired runs (same data set per position), bootstrap interval.

    ``a`` and ``b`` are equal-length sequences aligned by replicate. Raises a ``ValueError``
    if their lengths differ: an unpaired comparison is not what the book reports.

    Backs
    -----
    tab2_runtime
    """
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired values must have the same length, got {a.size} and {b.size}")
    return bootstrap_mean(a - b, level=level, n_boot=n_boot, seed=seed)


def verdict(interval: Interval, better: str = "better", worse: str = "worse") -> str:
    """``better`` if the interval lies above 0, ``worse`` if below, ``"tie"`` if it covers 0.

    Backs
    -----
    fig3_nonlinear, fig3_structure, tab_edit_specificity
    """
    if interval.covers_zero:
        return "tie"
    return better if interval.low > 0 else worse


def paired_slopes(
    x, y, groups, replicate, *, level: float = LEVEL, n_boot: int = N_BOOTSTRAP, seed: int = 0
) -> dict[str, Interval]:
    """Least-squares slope of ``y`` on ``x`` per group, with a paired bootstrap over replicates.

    ``x``, ``y``, ``groups`` (e.g. the method) and ``replicate`` are aligned 1-D arrays, one
    entry per (setting, replicate, group). A bootstrap draw resamples *replicate indices* and
    keeps every group's runs of a drawn replicate together, so that slopes of different groups
    stay paired (the same data sets) and :func:`slope_difference` can difference them.
    Returns ``{group: Interval}``; ``Interval.n`` is the number of replicates.
    """
    level = _check_level(level)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    groups, replicate = np.asarray(groups), np.asarray(replicate)
    reps = np.unique(replicate)
    draws = _slope_draws(x, y, groups, replicate, reps, n_boot, seed)
    out = {}
    for g, (estimate, boot) in draws.items():
        low, high = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
        out[g] = Interval(float(estimate), float(low), float(high), int(reps.size))
    return out


def slope_difference(
    x, y, groups, replicate, a: str, b: str, *, level=LEVEL, n_boot=N_BOOTSTRAP, seed=0
) -> Interval:
    """Slope of group ``a`` minus slope of group ``b`` (see :func:`paired_slopes`)."""
    level = _check_level(level)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    groups, replicate = np.asarray(groups), np.asarray(replicate)
    reps = np.unique(replicate)
    draws = _slope_draws(x, y, groups, replicate, reps, n_boot, seed)
    for g in (a, b):
        if g not in draws:
            raise ValueError(f"group {g!r} not found; groups are {sorted(draws)}")
    diff = draws[a][1] - draws[b][1]
    low, high = np.quantile(diff, [(1 - level) / 2, (1 + level) / 2])
    return Interval(float(draws[a][0] - draws[b][0]), float(low), float(high), int(reps.size))


def _slope(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least-squares slopes; ``w`` is (n_boot, n) weights (bootstrap counts)."""
    sw = w.sum(axis=1)
    mx, my = (w @ x) / sw, (w @ y) / sw
    sxy = w @ (x * y) / sw - mx * my
    sxx = w @ (x * x) / sw - mx * mx
    with np.errstate(invalid="ignore", divide="ignore"):
        return sxy / sxx


def _slope_draws(x, y, groups, replicate, reps, n_boot, seed):
    if not (x.shape == y.shape == groups.shape == replicate.shape) or x.ndim != 1:
        raise ValueError("x, y, groups and replicate must be aligned 1-D arrays")
    if np.unique(x).size < 2:
        raise ValueError("a slope needs at least two distinct x values")
    rng = np.random.default_rng(seed)
    # counts[b, r]: how often replicate r is drawn in bootstrap sample b (the same for every group)
    counts = np.zeros((n_boot, reps.size))
    picks = rng.integers(0, reps.size, size=(n_boot, reps.size))
    np.add.at(counts, (np.arange(n_boot)[:, None], picks), 1)
    rep_index = np.searchsorted(reps, replicate)
    out = {}
    for g in dict.fromkeys(groups.tolist()):
        mask = groups == g
        w = counts[:, rep_index[mask]]
        full = _slope(x[mask], y[mask], np.ones((1, int(mask.sum()))))[0]
        out[g] = (float(full), _slope(x[mask], y[mask], w))
    return out


def wilson_interval(successes: int, trials: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (scipy's ``binomtest``), inside [0, 1].

    Backs
    -----
    fig2_band_set
    """
    from scipy.stats import binomtest

    level = _check_level(level)
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials >= 1, got {successes}/{trials}")
    ci = binomtest(int(successes), int(trials)).proportion_ci(level, method="wilson")
    return float(ci.low), float(ci.high)
