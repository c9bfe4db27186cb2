"""Layer-1 experiments: structure recovery, sample size, task roles and runtime of Algorithm 1.

Every function here is a module-level function of keyword settings and ``seed`` returning a flat
mapping of numbers, so that :func:`specialist.sweep.run_grid` can run it in worker processes.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from specialist import metrics
from specialist.simulate.collider import ColliderStructure, sample_collider, simulate_collider
from specialist.structure import band_set, discover_task_structure, representative_step
from specialist.variables import state, task

#: method name -> label used in figures and tables (the paper's names)
METHOD_LABELS = {
    "cca": "CCA",
    "group_lasso": "Group Lasso",
    "seltask": "SelTask",
    "ours": "Ours",
    "ours_holm": "Ours + Holm",
}


def tasks_for_steps(n_steps: int) -> int:
    """Fig. 3(a)'s number of tasks for ``T`` steps: ``M = max(2, round(T / 5))``."""
    return max(2, round(n_steps / 5))


def _estimate(method: str, sample, *, segment_length, test, alpha, correction, seed):
    from specialist.baselines import BASELINES

    data = sample.observations
    if method in ("ours", "ours_holm"):
        # "ours_holm": the paper's algorithm with a per-task Holm correction (our addition)
        return discover_task_structure(
            data,
            sample.tasks,
            segment_length,
            test=test,
            alpha=alpha,
            correction="holm" if method == "ours_holm" else correction,
        ).segment_tasks
    if method not in BASELINES:
        raise ValueError(
            f"unknown method {method!r}; accepted: ours, ours_holm, {', '.join(BASELINES)}"
        )
    return BASELINES[method](data, sample.tasks, segment_length, alpha=alpha, seed=seed)


def structure_recovery(
    n_steps: int,
    n_tasks: int,
    n_samples: int,
    seed: int,
    *,
    methods: Sequence[str] = ("cca", "group_lasso", "seltask", "ours", "ours_holm"),
    segment_length: int = 2,
    kind: str = "linear",
    observation: str = "identity",
    p_disconnect: float = 0.0,
    state_dim: int = 1,
    test: str = "fisherz",
    alpha: float = 0.05,
    correction: str = "none",
) -> dict[str, float]:
    """Draw one collider data set and score every method on the same data.

    Returns ``{"<method>:<metric>": value}`` for the metrics accuracy, Matthews MCC, F1 and
    runtime (seconds); :func:`long_format` turns a sweep of these into one row per method.
    Backs: fig3_structure, fig_finite_sample, fig3_nonlinear.
    """
    sample = simulate_collider(
        n_samples,
        n_steps,
        n_tasks,
        segment_length,
        kind=kind,
        observation=observation,
        p_disconnect=p_disconnect,
        state_dim=state_dim,
        seed=seed,
    )
    truth = sample.segment_tasks
    out: dict[str, float] = {}
    for method in methods:
        t0 = time.perf_counter()
        # warnings (e.g. SelTask's NMF not converging) are counted per run into the table
        # instead of flooding the page: column "<method>:warnings"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est = _estimate(
                method,
                sample,
                segment_length=segment_length,
                test=test,
                alpha=alpha,
                correction=correction,
                seed=seed,
            )
        out[f"{method}:runtime_s"] = time.perf_counter() - t0
        out[f"{method}:warnings"] = len(caught)
        out.update(_score(truth, est, method))
    return out


def _score(truth: np.ndarray, est: np.ndarray, label: str) -> dict[str, float]:
    return {
        f"{label}:accuracy": metrics.structure_accuracy(truth, est),
        f"{label}:mcc": metrics.matthews_mcc(truth, est),
        f"{label}:f1": metrics.f1_structure(truth, est),
    }


def long_format(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (run, method): the ``"<method>:<metric>"`` columns become method + metrics."""
    scored = [c for c in runs.columns if ":" in c]
    keys = [c for c in runs.columns if ":" not in c]
    melted = runs.melt(id_vars=keys, value_vars=scored, var_name="key", value_name="value")
    melted[["method", "metric"]] = melted["key"].str.split(":", n=1, expand=True)
    wide = melted.pivot_table(
        index=[*keys, "method"], columns="metric", values="value", aggfunc="first"
    ).reset_index()
    wide.columns.name = None
    return wide


def two_segment_task(n_steps: int = 8, segment_length: int = 2) -> ColliderStructure:
    """One task on the second and the last-but-one segment, a second task elsewhere.

    The smallest interleaved structure on which Remark 1 can be shown. Backs: fig_colliders.
    """
    k = n_steps // segment_length
    assignment = np.zeros((k, 2), dtype=bool)
    assignment[[1, k - 2], 0] = True
    assignment[[0, k - 1], 1] = True
    return ColliderStructure(n_steps, 2, segment_length, assignment)


def task_role_pvalue(task_role: str, n_samples: int, seed: int, *, kind: str = "linear") -> dict:
    """p-value of two steps of one task given the task (and the band set), for one task role.

    Under the collider model the paper predicts dependence; under a confounder or mediator
    model, independence. Backs: fig_colliders.
    """
    from specialist.ci import get_test

    structure = two_segment_task()
    sample = sample_collider(structure, n_samples, kind=kind, task_role=task_role, seed=seed)
    k, v, L, T = 1, structure.n_segments - 2, structure.segment_length, structure.n_steps
    x, y = state(representative_step(k, L)), state(representative_step(v, L))
    band = [state(t) for t in band_set(k, v, T, L)]
    variables = {state(t): sample.states[:, t] for t in range(T)}
    variables[task(0)] = sample.tasks[:, 0]
    test = get_test("fisherz" if kind == "linear" else "cmi").fit(variables)
    with_task = test.test(x, y, [*band, task(0)])
    without_task = test.test(x, y, band)
    return {
        "pvalue_given_task": with_task.pvalue,
        "pvalue_band_only": without_task.pvalue,
    }


def runtime(
    n_steps: int,
    n_tasks: int,
    n_samples: int,
    seed: int,
    *,
    test: str = "fisherz",
    repeats: int = 5,
) -> dict:
    """Wall time of Algorithm 1 (fit of the test included) on one data set; median of repeats.

    Backs: tab2_runtime.
    """
    sample = simulate_collider(n_samples, n_steps, n_tasks, seed=seed)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = discover_task_structure(sample.states, sample.tasks, test=test)
        times.append(time.perf_counter() - t0)
    return {
        "n_tests": res.n_tests,
        "seconds": float(np.median(times)),
        "accuracy": metrics.structure_accuracy(sample.segment_tasks, res.segment_tasks),
    }


#: the ordering Fig. 3 of the paper reports, worst to best
PAPER_ORDER = ("cca", "group_lasso", "seltask", "ours")


def ordering_sentence(means: dict[str, float], what: str) -> str:
    """Say how the observed ordering of ``means`` compares with the paper's ordering.

    Backs: fig3_structure, fig3_nonlinear.
    """
    observed = sorted(means, key=lambda m: means[m])
    shown = " < ".join(f"{METHOD_LABELS.get(m, m)} ({means[m]:.2f})" for m in observed)
    paper = [m for m in PAPER_ORDER if m in means]
    verdict = (
        "the same ordering as the paper reports"
        if observed == paper
        else "not the paper's ordering (" + " < ".join(METHOD_LABELS.get(m, m) for m in paper) + ")"
    )
    return f"Observed {what}: {shown}; this is {verdict}."


def degradation_sentence(mcc: pd.DataFrame, x: str = "n_tasks") -> str:
    """How each method's mean MCC changes from the smallest to the largest ``x``.

    ``mcc`` has columns ``method``, ``x`` and ``mcc`` (one row per run). The paper claims that
    Ours degrades most slowly as the number of tasks grows. Backs: fig3_structure.
    """
    means = mcc.groupby(["method", x])["mcc"].mean().unstack(x)
    lo, hi = means.columns.min(), means.columns.max()
    change = (means[hi] - means[lo]).sort_values(ascending=False)
    parts = ", ".join(f"{METHOD_LABELS.get(m, m)} {d:+.2f}" for m, d in change.items())
    best = change.index[0]
    claim = (
        "as the paper claims, Ours fares best as M grows"
        if best == "ours"
        else f"unlike the paper's claim, {METHOD_LABELS.get(best, best)} fares best as M grows, "
        "not Ours"
    )
    return f"Change of mean MCC from M = {lo} to M = {hi}: {parts}; {claim}."


def correction_recovery(
    n_steps: int,
    n_tasks: int,
    n_samples: int,
    seed: int,
    *,
    corrections: Sequence[str] = ("none", "holm", "fdr_bh"),
    alpha: float = 0.05,
    test: str = "fisherz",
    kind: str = "linear",
) -> dict[str, float]:
    """Algorithm 1 on one data set under several multiple-testing corrections.

    Returns ``{"<correction>:<metric>": value}`` (see :func:`long_format`, whose ``method``
    column then names the correction). Backs: fig_finite_sample.
    """
    sample = simulate_collider(n_samples, n_steps, n_tasks, kind=kind, seed=seed)
    out: dict[str, float] = {}
    for correction in corrections:
        est = discover_task_structure(
            sample.observations, sample.tasks, test=test, alpha=alpha, correction=correction
        ).segment_tasks
        out.update(_score(sample.segment_tasks, est, correction))
    return out


def test_recovery(
    n_steps: int,
    n_tasks: int,
    n_samples: int,
    seed: int,
    *,
    tests: Sequence[str] = ("fisherz", "cmi"),
    kind: str = "nonlinear",
    observation: str = "identity",
    alpha: float = 0.05,
    correction: str = "none",
) -> dict[str, float]:
    """Algorithm 1 on one data set with each CI test in ``tests`` (runtime included).

    Returns ``{"<test>:<metric>": value}``. Backs: fig3_nonlinear.
    """
    sample = simulate_collider(
        n_samples, n_steps, n_tasks, kind=kind, observation=observation, seed=seed
    )
    out: dict[str, float] = {}
    for test in tests:
        t0 = time.perf_counter()
        est = discover_task_structure(
            sample.observations, sample.tasks, test=test, alpha=alpha, correction=correction
        ).segment_tasks
        out[f"{test}:runtime_s"] = time.perf_counter() - t0
        out.update(_score(sample.segment_tasks, est, test))
    return out
