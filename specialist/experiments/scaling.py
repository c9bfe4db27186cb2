"""Scaling of Algorithm 1 with Fisher-z: wall time and peak memory against T and n, accuracy of
every decision rule, and causal-learn's per-test Fisher-z as the yardstick.

Every function here is a module-level function of keyword settings and ``seed`` returning a flat
mapping of numbers, so that :func:`specialist.sweep.run_grid` can run it; the timings are meant
to run one after another in one process (``n_jobs=1``), since parallel runs compete for cores.

Backs
-----
fig_scaling
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Sequence

import numpy as np
from scipy.stats import linregress

from specialist import metrics
from specialist.ci import FisherZ
from specialist.simulate.collider import simulate_collider
from specialist.structure import band_set, discover_task_structure, n_segments, representative_step

#: decision rule name -> (combine, correction) of :func:`discover_task_structure`
RULES: dict[str, tuple[str, str]] = {
    "any": ("any", "none"),
    "any_holm": ("any", "holm"),
    "simes": ("simes", "none"),
    "bonferroni": ("bonferroni", "none"),
}
#: decision rule name -> label used in figures and tables
RULE_LABELS = {
    "any": "any pair, α = 0.05 (paper)",
    "any_holm": "any pair + Holm",
    "simes": "Simes per entry",
    "bonferroni": "Bonferroni per entry",
}


def causal_learn_available() -> bool:
    """Whether causal-learn (a dev dependency) can be imported.

    Backs
    -----
    fig_scaling
    """
    try:
        from causallearn.utils.cit import CIT  # noqa: F401
    except ImportError:
        return False
    return True


def pair_queries(
    n_steps: int, n_tasks: int, segment_length: int = 2
) -> list[tuple[int, int, list[int]]]:
    """Algorithm 1's queries as column indices of ``np.hstack([states, tasks])``.

    Task-major, pairs ``k < v`` in order (the order of ``TaskStructure.pvalues[i, k, v]``):
    ``(r_k, r_v, band_set(k, v) + [T + i])``, the form causal-learn's ``CIT`` takes.

    Backs
    -----
    fig_scaling
    """
    k = n_segments(n_steps, segment_length)
    reps = [representative_step(a, segment_length) for a in range(k)]
    bands = [
        (reps[a], reps[b], band_set(a, b, n_steps, segment_length))
        for a in range(k)
        for b in range(a + 1, k)
    ]
    return [(x, y, [*z, n_steps + i]) for i in range(n_tasks) for x, y, z in bands]


class _SharedPairTests(FisherZ):
    """A :class:`FisherZ` that answers a repeated :meth:`test_columns` batch from memory.

    The decision rules applied to one data set ask for the same pair tests; this computes them
    once (the results are what a fresh test would return: its computation is deterministic).
    """

    def _fit(self, variables) -> None:
        self._memo = None
        super()._fit(variables)

    def test_columns(self, index, extra=None):
        key = (np.asarray(index).tobytes(), None if extra is None else np.asarray(extra).tobytes())
        if self._memo is None or self._memo[0] != key:
            self._memo = (key, super().test_columns(index, extra))
        return self._memo[1]


def _times(fn: Callable[[], object], repeats: int, budget_s: float) -> tuple[list[float], object]:
    """Wall times of up to ``repeats`` calls of ``fn()``, stopping once the calls so far took
    ``budget_s`` seconds (at least one call); also the last result."""
    times, result = [], None
    while len(times) < repeats and (not times or sum(times) < budget_s):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def peak_memory_mb(fn: Callable[[], object]) -> float:
    """Peak traced memory of one call of ``fn`` above what was allocated before it, in MB.

    ``tracemalloc`` traces Python objects and NumPy arrays (NumPy reports its buffers to it);
    memory held before the call (e.g. the data set) is not counted, memory the call allocates
    and frees is.

    Backs
    -----
    fig_scaling
    """
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return (peak - before) / 1e6


def algorithm1_scaling(
    n_steps: int,
    n_tasks: int,
    n_samples: int,
    seed: int,
    *,
    segment_length: int = 2,
    max_segments: int | None = None,
    rules: Sequence[str] = tuple(RULES),
    timed: bool = True,
    repeats: int = 3,
    budget_s: float = 1.0,
    memory: bool = True,
    causal_learn: bool = False,
    causal_learn_per_test: bool = False,
) -> dict[str, float]:
    """Run Algorithm 1 (Fisher-z) with every decision rule on one collider data set.

    Parameters
    ----------
    n_steps, n_tasks, n_samples : ``T``, ``M`` and ``n`` of
        :func:`~specialist.simulate.collider.simulate_collider` (linear, scalar states)
    seed : data seed
    segment_length : ``L``
    max_segments : most segments a task spans (default ``K``, the generator's default); a
        small value keeps every task local, so its per-step signal does not shrink with ``T``
    rules : names in :data:`RULES`
    timed : time every rule: a fresh test per run, fit included, the median of up to
        ``repeats`` runs (fewer once the runs took ``budget_s`` seconds). Without timing the
        pair p-values are computed once and every rule decides from them (the same decisions;
        for extra data sets of the accuracy)
    memory : also measure the peak memory of one run of the paper's rule
        (:func:`peak_memory_mb`; untimed, it doubles as the warm-up of the timings)
    causal_learn, causal_learn_per_test : also time causal-learn's Fisher-z on the same
        queries, with one ``CIT(data, "fisherz")`` per run (its correlation matrix computed
        once) and with a fresh ``CIT`` per query; NaN when causal-learn is not installed

    Returns
    -------
    dict
        ``n_segments``, ``n_tests``, ``data_mb`` (the states and tasks, ``n (T + M)`` floats),
        ``true_rate`` (fraction of relevant entries), ``peak_mb``; per rule
        ``<rule>:seconds`` (median), ``<rule>:accuracy``, ``<rule>:mcc`` and ``<rule>:marked``
        (fraction of entries marked); ``fastest_seconds``, the fastest timed run of any rule
        (the rules share all but a negligible last step, so this is the run least disturbed by
        other processes); ``causal_learn:available`` (1 or 0),
        ``causal_learn:seconds``, ``causal_learn_per_test:seconds`` and
        ``causal_learn:max_abs_diff`` (largest difference of the p-values); NaN where not
        measured.

    Backs
    -----
    fig_scaling
    """
    unknown = [r for r in rules if r not in RULES]
    if unknown or not rules:
        raise ValueError(f"rules must be a non-empty subset of {tuple(RULES)}, got {rules!r}")
    sample = simulate_collider(
        n_samples, n_steps, n_tasks, segment_length, max_segments=max_segments, seed=seed
    )
    states, tasks, truth = sample.states, sample.tasks, sample.segment_tasks
    nan = float("nan")
    out: dict[str, float] = {
        "n_segments": truth.shape[0],
        "n_tests": n_tasks * truth.shape[0] * (truth.shape[0] - 1) // 2,
        "data_mb": (states.nbytes + tasks.nbytes) / 1e6,
        "true_rate": float(truth.mean()),
        "peak_mb": nan,
    }

    def run(rule: str, test) -> np.ndarray:
        combine, correction = RULES[rule]
        return discover_task_structure(
            states, tasks, segment_length, test=test, combine=combine, correction=correction
        )

    if memory:
        out["peak_mb"] = peak_memory_mb(lambda: run("any", "fisherz"))
    shared = None if timed else _SharedPairTests()
    results, every = {}, []
    for rule in rules:
        if timed:
            times, results[rule] = _times(lambda r=rule: run(r, "fisherz"), repeats, budget_s)
            seconds = float(np.median(times))
            every += times
        else:
            seconds, results[rule] = nan, run(rule, shared)
        est = results[rule].segment_tasks
        out[f"{rule}:seconds"] = seconds
        out[f"{rule}:accuracy"] = metrics.structure_accuracy(truth, est)
        out[f"{rule}:mcc"] = metrics.matthews_mcc(truth, est)
        out[f"{rule}:marked"] = float(est.mean())
    out["fastest_seconds"] = min(every) if every else nan

    available = causal_learn_available()
    out["causal_learn:available"] = float(available)
    out["causal_learn:seconds"] = out["causal_learn_per_test:seconds"] = nan
    out["causal_learn:max_abs_diff"] = nan
    if available and (causal_learn or causal_learn_per_test):
        from causallearn.utils.cit import CIT

        data = np.hstack([states, tasks])
        queries = pair_queries(n_steps, n_tasks, segment_length)

        def reuse():
            cit = CIT(data, "fisherz")
            return [cit(x, y, z) for x, y, z in queries]

        def per_test():
            return [CIT(data, "fisherz")(x, y, z) for x, y, z in queries]

        theirs = None
        if causal_learn:
            times, theirs = _times(reuse, repeats, budget_s)
            out["causal_learn:seconds"] = float(np.median(times))
        if causal_learn_per_test:
            times, theirs = _times(per_test, 1, 0.0)
            out["causal_learn_per_test:seconds"] = times[0]
        pv = next(iter(results.values())).pvalues
        k = truth.shape[0]
        ours = [pv[i, a, b] for i in range(n_tasks) for a in range(k) for b in range(a + 1, k)]
        out["causal_learn:max_abs_diff"] = float(np.max(np.abs(np.array(ours) - theirs)))
    return out


def fit_exponent(x, seconds, *, min_x: float) -> dict[str, float]:
    """Fitted power ``a`` of ``seconds ≈ c x^a``: least-squares slope of log time on log ``x``.

    Only points with ``x >= min_x`` enter (the upper part of the range, where fixed costs no
    longer dominate). Returns ``exponent``, its ``stderr`` (NaN with fewer than 3 points),
    ``intercept`` (of the natural-log fit), ``n_points``, ``x_min`` and ``x_max`` of the points
    used. Raises a ``ValueError`` with fewer than 2 usable points.

    Backs
    -----
    fig_scaling
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(seconds, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and seconds must have the same length, got {x.size} and {y.size}")
    use = (x >= min_x) & np.isfinite(y) & (y > 0) & (x > 0)
    if np.unique(x[use]).size < 2:
        raise ValueError(
            f"fit_exponent needs at least 2 distinct x >= min_x={min_x:g} with positive "
            f"times, got {int(use.sum())} point(s)"
        )
    fit = linregress(np.log(x[use]), np.log(y[use]))
    return {
        "exponent": float(fit.slope),
        "stderr": float(fit.stderr) if use.sum() >= 3 else float("nan"),
        "intercept": float(fit.intercept),
        "n_points": int(use.sum()),
        "x_min": float(x[use].min()),
        "x_max": float(x[use].max()),
    }


#: a data set depends on these settings and the seed only (the sweeps' ``seed_keys``)
DATA_KEYS = ["n_steps", "n_tasks", "n_samples"]


def scaling_study(
    scaling_steps: Sequence[int],
    scaling_tasks: int,
    scaling_samples: int,
    samples_grid: Sequence[int],
    samples_steps: int,
    samples_tasks: int,
    repeats: int,
    budget_s: float,
    local_max_segments: int,
    accuracy_seeds: int,
    causal_learn_max_steps: int,
    causal_learn_per_test_max_samples: int,
    seed: int,
    n_jobs: int = 1,
):
    """The scaling page's runs: the timed sweeps in T (at ``scaling_tasks``,
    ``scaling_samples``) and in n (at ``samples_steps``, ``samples_tasks``), one after another
    in this process, and the untimed accuracy runs (``accuracy_seeds - 1`` more data sets per T
    and, on local tasks spanning 2 to ``local_max_segments`` segments, ``accuracy_seeds``),
    which may run in ``n_jobs`` workers. causal-learn is timed at the settings with
    ``T <= causal_learn_max_steps`` (its fresh-CIT-per-query variant also needs
    ``n <= causal_learn_per_test_max_samples``).

    Returns ``(by_steps, by_samples, accuracy_runs)``: the timed runs of each sweep, and every
    run that scores accuracy with its ``condition`` (``"default"`` or ``"local"``) and
    ``data_set``.

    Backs
    -----
    fig_scaling
    """
    import pandas as pd

    from specialist.sweep import run_grid

    timing = {"repeats": repeats, "budget_s": budget_s}

    def yardstick(n_steps, n):
        small = n_steps <= causal_learn_max_steps
        return {
            "causal_learn": small,
            "causal_learn_per_test": small and n <= causal_learn_per_test_max_samples,
        }

    t_grid = [
        {"n_steps": t, "n_tasks": scaling_tasks, "n_samples": scaling_samples, **timing}
        | yardstick(t, scaling_samples)
        for t in scaling_steps
    ]
    n_grid = [
        {"n_steps": samples_steps, "n_tasks": samples_tasks, "n_samples": n, **timing}
        | yardstick(samples_steps, n)
        for n in samples_grid
    ]
    # timed runs, one after another in this process
    by_steps = run_grid(algorithm1_scaling, t_grid, base_seed=seed, seed_keys=DATA_KEYS)
    by_samples = run_grid(algorithm1_scaling, n_grid, base_seed=seed, seed_keys=DATA_KEYS)
    # accuracy: the timed data sets, more of them if asked, and the local-task condition
    # (untimed: the pair p-values of a data set are computed once and every rule decides)
    untimed = {"timed": False, "memory": False}
    runs = [by_steps.assign(condition="default", data_set=0)]
    if accuracy_seeds > 1:
        extra = run_grid(
            algorithm1_scaling,
            [
                {**s, **untimed, "causal_learn": False, "causal_learn_per_test": False}
                for s in t_grid
            ],
            n_seeds=accuracy_seeds - 1,
            base_seed=seed + 1,
            seed_keys=DATA_KEYS,
            n_jobs=n_jobs,
            blas_threads=1,
        )
        runs.append(extra.assign(condition="default", data_set=extra["replicate"] + 1))
    local = run_grid(
        algorithm1_scaling,
        [
            {
                "n_steps": t,
                "n_tasks": scaling_tasks,
                "n_samples": scaling_samples,
                "max_segments": min(local_max_segments, t // 2),
                **untimed,
            }
            for t in scaling_steps
        ],
        n_seeds=accuracy_seeds,
        base_seed=seed,
        seed_keys=DATA_KEYS,
        n_jobs=n_jobs,
        blas_threads=1,
    )
    runs.append(local.assign(condition="local", data_set=local["replicate"]))
    return by_steps, by_samples, pd.concat(runs, ignore_index=True)
