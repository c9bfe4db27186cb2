"""Uncertainty of the numbers the book compares: intervals over runs and verdicts built on them.

Every comparison of methods in the book is *paired*: the methods run on the same data sets (one
per replicate), so the quantity with an interval is the per-replicate difference, and its
interval is a Student-t interval over replicates (:func:`paired_interval`, the one function
every paired interval goes through). At the run counts of the book (5 to 10) a percentile
bootstrap covers the mean only 84–91% of the time where it promises 95%; the t interval keeps
its promise (≥ 93%, simulated in the tests). A verdict is "tie" whenever that interval covers
zero (:func:`verdict`). Rejection rates use Wilson score
intervals (:func:`wilson_interval`), which stay inside [0, 1] and behave at rates of 0 or 1.

Backs
-----
fig3_structure, fig3_conditions, fig_colliders, fig2_band_set, fig3_nonlinear, fig5_l1_path,
fig_finite_sample, tab2_runtime, tab_edit_specificity
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

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


def mean_interval(
    values, *, level: float = LEVEL, bounds: tuple[float, float] | None = None
) -> Interval:
    """Mean of ``values`` with a two-sided Student-t interval over the values.

    The values are independent runs (one per data set). The interval is
    ``mean ± t_{n-1, (1+level)/2} · s / √n``: at 5 and 10 runs it covers the true mean at
    least 93% of the time at ``level = 0.95`` on normal and on moderately skewed (gamma(4))
    data (``tests/test_stats_coverage.py`` simulates it), where a percentile bootstrap over
    so few runs covers only 84–91%. ``bounds = (a, b)`` clips the interval to the range the
    mean cannot leave (e.g. ``(0, 1)`` for accuracies, ``(-1, 1)`` for their differences).
    With one value the interval is that value (no spread can be estimated, and
    :func:`verdict` callers treat ``n < 2`` as not testable); NaN values are dropped.

    Backs
    -----
    fig3_conditions, fig3_structure, fig4_sportshhi, fig5_l1_path, fig_finite_sample,
    tab_edit_specificity
    """
    from scipy.stats import t as student_t

    level = _check_level(level)
    x = np.asarray(values, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise ValueError("mean_interval needs at least one finite value")
    mean = float(x.mean())
    if x.size == 1:
        return Interval(mean, mean, mean, 1)
    half = float(student_t.ppf((1 + level) / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    low, high = mean - half, mean + half
    if bounds is not None:
        a, b = (float(v) for v in bounds)
        if not a <= b:
            raise ValueError(f"bounds must be (low, high) with low <= high, got {bounds!r}")
        low, high = max(low, a), min(high, b)
    return Interval(mean, low, high, int(x.size))


def paired_interval(
    differences, level: float = LEVEL, *, bounds: tuple[float, float] | None = None
) -> Interval:
    """The interval of every paired comparison of the book: mean of per-run differences.

    ``differences`` are ``a - b`` per run, the two methods scored on the same data set
    (paired by replicate). Student-t interval over runs (:func:`mean_interval`), whose
    coverage at our run counts is tested by simulation.

    Backs
    -----
    fig3_structure, fig3_conditions, fig3_nonlinear, fig4_sportshhi, fig5_l1_ablation,
    fig5_l1_path, tab2_runtime, tab_edit_specificity
    """
    return mean_interval(differences, level=level, bounds=bounds)


def stratified_interval(
    values, strata, *, level: float = LEVEL, bounds: tuple[float, float] | None = None
) -> Interval:
    """The mean of per-stratum means of ``values``, with a Welch–Satterthwaite t interval.

    For a comparison pooled over the settings of a panel (e.g. the sequence lengths of Fig.
    3a), each setting is a stratum and weighs the same: the estimate is ``(1/H) Σ_h m_h`` over
    the ``H`` strata, its variance ``(1/H²) Σ_h s_h² / n_h`` (``s_h`` the standard deviation of
    the values of stratum ``h``), and the interval uses a Student t with the
    Welch–Satterthwaite degrees of freedom ``(Σ_h w_h)² / Σ_h w_h² / (n_h − 1)``,
    ``w_h = s_h² / n_h``. Strata whose means differ do not inflate the interval (they do in
    a plain t interval over all values). Its coverage at our run counts is simulated in
    ``tests/test_stats_coverage.py``. Every stratum needs at least two values; NaN values are
    dropped. With one stratum it is :func:`mean_interval`.

    Backs
    -----
    fig3_structure, fig3_conditions
    """
    from scipy.stats import t as student_t

    level = _check_level(level)
    x = np.asarray(values, dtype=float).ravel()
    g = np.asarray(strata).ravel()
    if x.shape != g.shape:
        raise ValueError(f"values and strata must have the same length, got {x.size} and {g.size}")
    keep = np.isfinite(x)
    x, g = x[keep], g[keep]
    labels = list(dict.fromkeys(g.tolist()))
    if not labels:
        raise ValueError("stratified_interval needs at least one finite value")
    means, weights, dfs = [], [], []
    for h in labels:
        part = x[g == h]
        if part.size < 2:
            raise ValueError(
                f"every stratum needs at least 2 values; stratum {h!r} has {part.size}"
            )
        means.append(part.mean())
        weights.append(part.var(ddof=1) / part.size)
        dfs.append(part.size - 1)
    n_strata = len(labels)
    estimate = float(np.mean(means))
    w, df = np.asarray(weights), np.asarray(dfs, dtype=float)
    se = float(np.sqrt(w.sum()) / n_strata)
    if se == 0:
        low = high = estimate
    else:
        dof = float(w.sum() ** 2 / np.sum(w**2 / df))
        half = float(student_t.ppf((1 + level) / 2, dof) * se)
        low, high = estimate - half, estimate + half
    if bounds is not None:
        a, b = (float(v) for v in bounds)
        if not a <= b:
            raise ValueError(f"bounds must be (low, high) with low <= high, got {bounds!r}")
        low, high = max(low, a), min(high, b)
    return Interval(estimate, low, high, int(x.size))


def paired_p_value(differences) -> float:
    """Two-sided p-value of the paired t test that the mean of ``differences`` is 0 (the test
    behind :func:`paired_interval`: the interval at level ``1 - a`` excludes 0 exactly when
    this p-value is below ``a``). With no spread, 0 if the mean is not 0, else 1.

    Backs
    -----
    fig3_conditions
    """
    from scipy.stats import t as student_t

    x = np.asarray(differences, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size < 2:
        raise ValueError(f"paired_p_value needs at least 2 finite differences, got {x.size}")
    sd = x.std(ddof=1)
    if sd == 0:
        return 0.0 if x.mean() != 0 else 1.0
    t = x.mean() / (sd / np.sqrt(x.size))
    return float(2 * student_t.sf(abs(t), x.size - 1))


def paired_difference(
    a, b, *, level: float = LEVEL, bounds: tuple[float, float] | None = None
) -> Interval:
    """Mean of ``a - b`` over paired runs (same data set per position), with its interval.

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
    return paired_interval(a - b, level=level, bounds=bounds)


def verdict(interval: Interval, better: str = "better", worse: str = "worse") -> str:
    """``better`` if the interval lies above 0, ``worse`` if below, ``"tie"`` if it covers 0.

    Backs
    -----
    fig3_nonlinear, fig3_structure, tab_edit_specificity
    """
    if interval.covers_zero:
        return "tie"
    return better if interval.low > 0 else worse


def replicate_slopes(x, y, groups, replicate) -> pd.DataFrame:
    """Least-squares slope of ``y`` on ``x`` per (replicate, group): one row per replicate.

    ``x``, ``y``, ``groups`` (e.g. the method) and ``replicate`` are aligned 1-D arrays, one
    entry per (setting, replicate, group). Returns a table indexed by replicate with a column
    per group. Slopes of one replicate are fitted on the same data sets for every group, so
    they pair across groups.
    """
    import pandas as pd

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    groups, replicate = np.asarray(groups), np.asarray(replicate)
    if not (x.shape == y.shape == groups.shape == replicate.shape) or x.ndim != 1:
        raise ValueError("x, y, groups and replicate must be aligned 1-D arrays")
    if np.unique(x).size < 2:
        raise ValueError("a slope needs at least two distinct x values")
    frame = pd.DataFrame({"x": x, "y": y, "g": groups, "r": replicate})

    def slope(part):
        dx = part["x"] - part["x"].mean()
        sxx = float((dx * dx).sum())
        return float((dx * (part["y"] - part["y"].mean())).sum() / sxx) if sxx > 0 else np.nan

    table = frame.groupby(["r", "g"], sort=True).apply(slope, include_groups=False).unstack("g")
    return table[list(dict.fromkeys(groups.tolist()))]


def paired_slopes(x, y, groups, replicate, *, level: float = LEVEL) -> dict[str, Interval]:
    """Slope of ``y`` on ``x`` per group: the mean of per-replicate slopes, with its interval.

    Each replicate (one data set per setting) gives one slope per group
    (:func:`replicate_slopes`); the interval is :func:`mean_interval` over replicates.
    Returns ``{group: Interval}``; ``Interval.n`` is the number of replicates.
    """
    table = replicate_slopes(x, y, groups, replicate)
    return {g: mean_interval(table[g], level=level) for g in table.columns}


def slope_difference(x, y, groups, replicate, a: str, b: str, *, level=LEVEL) -> Interval:
    """Slope of group ``a`` minus slope of group ``b``, paired by replicate
    (:func:`paired_interval` over the per-replicate differences of :func:`replicate_slopes`)."""
    table = replicate_slopes(x, y, groups, replicate)
    for g in (a, b):
        if g not in table:
            raise ValueError(f"group {g!r} not found; groups are {sorted(table.columns)}")
    return paired_interval(table[a] - table[b], level=level)


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
