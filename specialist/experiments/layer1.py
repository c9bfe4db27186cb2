"""Layer-1 experiments: structure recovery, sample size, task roles and runtime of Algorithm 1.

Every function here is a module-level function of keyword settings and ``seed`` returning a flat
mapping of numbers, so that :func:`specialist.sweep.run_grid` can run it in worker processes.

Backs
-----
fig3_conditions, fig3_nonlinear, fig3_structure, fig_colliders, fig_finite_sample, tab2_runtime
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from specialist import metrics
from specialist.experiments.layer1_methods import CHANCE as CHANCE  # re-exported names
from specialist.experiments.layer1_methods import METHOD_GIVEN as METHOD_GIVEN
from specialist.experiments.layer1_methods import METHOD_LABELS as METHOD_LABELS
from specialist.experiments.layer1_methods import SELTASK_CHANCE as SELTASK_CHANCE
from specialist.experiments.tables import scores_long
from specialist.simulate.collider import ColliderStructure, sample_collider, simulate_collider
from specialist.structure import band_set, discover_task_structure, representative_step
from specialist.variables import state, task


def legend_label(method: str) -> str:
    """A method's label with what it is given (:func:`specialist.labels.with_given`):
    ``"Ours (given g)"``, ``"SelTask, unsupervised (given the truth)"``.

    Backs
    -----
    fig3_structure, fig3_conditions, fig3_nonlinear, fig_finite_sample
    """
    from specialist.labels import with_given

    base = {"seltask_unsup": "SelTask, unsupervised"}
    return with_given(base.get(method, METHOD_LABELS.get(method, method)), METHOD_GIVEN[method])


#: Algorithm 1's variants: method -> (combine, correction); "ours" is the paper's setting
OURS_RULES = {
    "ours": ("any", None),  # correction: the experiment's (the paper: "none")
    "ours_holm": ("any", "holm"),
    "ours_simes": ("simes", None),
    "ours_bonferroni": ("bonferroni", None),
}

#: every method of the Fig. 3 experiments, worst to best in the paper's ordering where it has one
ALL_METHODS = (
    "cca",
    "group_lasso",
    "seltask_unsup",
    "pair_test",
    "local_test",
    "ours",
    "ours_holm",
    "ours_simes",
)

#: task density: name -> (min, max) number of segments a task spans, as fractions of K
#: (rounded up, at least 2). At K = 10: sparse 2-3, mixed 2-10, dense 7-10 segments.
DENSITIES = {"sparse": (0.0, 0.3), "mixed": (0.0, 1.0), "dense": (0.7, 1.0)}


def span_range(density: str, n_segments: int) -> tuple[int, int]:
    """``(min_segments, max_segments)`` of a task for a :data:`DENSITIES` name and ``K``."""
    if density not in DENSITIES:
        raise ValueError(f"density must be one of {tuple(DENSITIES)}, got {density!r}")
    lo, hi = DENSITIES[density]
    low = max(2, int(np.ceil(lo * n_segments - 1e-9)))
    return low, max(low, int(np.ceil(hi * n_segments - 1e-9)))


def tasks_for_steps(n_steps: int) -> int:
    """Fig. 3(a)'s number of tasks for ``T`` steps: ``M = max(2, round(T / 5))``.

    Backs
    -----
    fig3_nonlinear, fig3_structure
    """
    return max(2, round(n_steps / 5))


def _estimate(method: str, sample, *, segment_length, test, alpha, correction, seed, options=None):
    from specialist.baselines import BASELINES, NEEDS_ACTIONS_AND_TRUTH

    data = sample.observations
    if method in OURS_RULES:
        combine, rule_correction = OURS_RULES[method]
        return discover_task_structure(
            data,
            sample.tasks,
            segment_length,
            test=test,
            alpha=alpha,
            correction=rule_correction or correction,
            combine=combine,
        ).segment_tasks
    if method in NEEDS_ACTIONS_AND_TRUTH:
        # never sees the task values; the truth only matches its subgoals to tasks for scoring
        return NEEDS_ACTIONS_AND_TRUTH[method](
            data,
            sample.tasks,
            segment_length,
            actions=sample.actions,
            truth=sample.segment_tasks,
            alpha=alpha,
            seed=seed,
        )
    if method not in BASELINES:
        accepted = [*OURS_RULES, *NEEDS_ACTIONS_AND_TRUTH, *BASELINES]
        raise ValueError(f"unknown method {method!r}; accepted: {', '.join(accepted)}")
    return BASELINES[method](
        data, sample.tasks, segment_length, alpha=alpha, seed=seed, **(options or {})
    )


def check_methods(methods: Sequence[str]) -> list[str]:
    """Validate method names before any data is drawn (a ValueError lists the accepted ones)."""
    methods = list(methods)
    unknown = [m for m in methods if m not in METHOD_LABELS or m in (CHANCE, SELTASK_CHANCE)]
    if not methods or unknown:
        raise ValueError(
            f"methods must be a non-empty list of "
            f"{', '.join(m for m in METHOD_LABELS if m != CHANCE)}; unknown: {unknown} (the "
            f"chance reference {CHANCE!r} is scored on every data set without being asked for)"
        )
    return methods


def structure_recovery(
    n_steps: int,
    n_tasks: int,
    n_samples: int,
    seed: int,
    *,
    methods: Sequence[str] = ALL_METHODS,
    segment_length: int = 2,
    kind: str = "linear",
    observation: str = "identity",
    p_disconnect: float = 0.0,
    density: str = "mixed",
    noise_scale: float = 0.3,
    state_dim: int = 1,
    shared_actions: bool = False,
    selection: float | None = None,
    group_lasso_selection: str = "cv",
    test: str = "fisherz",
    alpha: float = 0.05,
    correction: str = "none",
) -> dict[str, float]:
    """Draw one collider data set and score every method on the same data.

    ``density`` sets how many segments a task spans (:data:`DENSITIES`), ``noise_scale`` the
    task-signal strength (``σ`` of :func:`~specialist.simulate.collider.sample_collider`;
    larger is weaker), ``p_disconnect`` the probability that a step is cut from the next,
    ``shared_actions`` whether an action serving several tasks splits its effect between them
    (:func:`~specialist.simulate.collider.sample_collider`; more tasks, harder tasks),
    ``selection`` a threshold every task must exceed for a sequence to be observed
    (:func:`~specialist.simulate.collider.simulate_collider`; ``None``: no selection),
    ``group_lasso_selection`` how Group Lasso picks its penalty (``"cv"`` or ``"bic"``).
    Returns ``{"<method>:<metric>": value}`` for the metrics accuracy, Matthews MCC,
    mean-correlation MCC (``mean_cc``), F1, the rates of false positives and negatives, and the
    measured ``runtime_s`` (seconds) and ``warnings`` (count), which
    :func:`~specialist.experiments.tables.split_timings` keeps out of the result tables;
    :func:`runs_by_method` turns a sweep of these into one row per method. Every data set also
    scores the chance reference :data:`CHANCE` (:func:`best_constant`) under the method name
    ``"best_constant"``.

    Backs
    -----
    fig3_structure, fig3_conditions, fig_finite_sample, fig3_nonlinear
    """
    methods = check_methods(methods)
    min_segments, max_segments = span_range(density, n_steps // segment_length)
    sample = simulate_collider(
        n_samples,
        n_steps,
        n_tasks,
        segment_length,
        kind=kind,
        observation=observation,
        p_disconnect=p_disconnect,
        noise_scale=noise_scale,
        state_dim=state_dim,
        min_segments=min_segments,
        max_segments=max_segments,
        shared_actions=shared_actions,
        selection=selection,
        seed=seed,
    )
    truth = sample.segment_tasks
    out: dict[str, float] = {"positive_share": float(truth.mean())}
    for method in methods:
        t0 = time.perf_counter()
        # warnings (e.g. SelTask's NMF not converging) are counted per run into the table
        # instead of flooding the page: column "<method>:warnings"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if method == "seltask_unsup":  # scored with its own chance reference
                est, reference = _seltask_unsup_and_reference(sample, segment_length, seed)
            else:
                options = {"selection": group_lasso_selection} if method == "group_lasso" else {}
                est = _estimate(
                    method,
                    sample,
                    segment_length=segment_length,
                    test=test,
                    alpha=alpha,
                    correction=correction,
                    seed=seed,
                    options=options,
                )
        out[f"{method}:runtime_s"] = time.perf_counter() - t0
        out[f"{method}:warnings"] = len(caught)
        out.update(_score(truth, est, method))
        if method == "seltask_unsup":
            out.update(_score(truth, reference, SELTASK_CHANCE))
            out.update({f"{SELTASK_CHANCE}:runtime_s": 0.0, f"{SELTASK_CHANCE}:warnings": 0})
    out.update(chance_scores(truth, timed=True))
    return out


def _seltask_unsup_and_reference(sample, segment_length: int, seed: int):
    """The unsupervised SelTask's estimate and its chance reference (:data:`SELTASK_CHANCE`).

    The subgoals are computed once; the estimate matches them to the tasks on the truth, as
    :func:`~specialist.baselines.seltask_unsupervised_structure` does, and the reference
    matches the same subgoals with their segments shuffled, so both get the same help from the
    matching and differ only in whether the subgoals line up with the segments.
    """
    from specialist.baselines import match_subgoals, seltask_unsupervised_subgoals

    truth = sample.segment_tasks
    subgoals = seltask_unsupervised_subgoals(
        sample.observations, sample.actions, segment_length,
        n_subgoals=truth.shape[1], seed=seed,
    )  # fmt: skip
    order = np.random.default_rng([int(seed), 31337]).permutation(subgoals.shape[0])
    return match_subgoals(subgoals, truth), match_subgoals(subgoals[order], truth)


def best_constant(truth: np.ndarray) -> np.ndarray:
    """The chance reference: the constant segment × task matrix most accurate on ``truth``.

    All ``True`` if more than half of the true entries are positive, else all ``False`` (on
    the sparse tasks of Fig. 3, "no task anywhere", which scores ``1 - base rate``). It uses
    only the base rate of the truth; its Matthews MCC is 0 on any truth with both values.

    Backs
    -----
    fig3_structure, fig3_conditions, fig3_nonlinear, fig_finite_sample
    """
    t = np.asarray(truth, bool)
    return np.full(t.shape, bool(t.mean() > 0.5))


def chance_scores(truth: np.ndarray, timed: bool = False) -> dict[str, float]:
    """The chance reference's scores on ``truth``: the best constant matrix's
    (``"best_constant:<metric>"``; with ``timed``, a zero runtime and no warnings too)."""
    out = _score(truth, best_constant(truth), CHANCE)
    if timed:
        out.update({f"{CHANCE}:runtime_s": 0.0, f"{CHANCE}:warnings": 0})
    return out


def pair_matrix(segment_tasks: np.ndarray) -> np.ndarray:
    """Bool ``(K (K - 1) / 2, M)``: for every pair of segments ``k < v`` and task ``i``, whether
    both segments serve the task (the object of Theorem 1), from a segment × task matrix."""
    s = np.asarray(segment_tasks, bool)
    k, v = np.triu_indices(s.shape[0], 1)
    return s[k] & s[v]


def _score(truth: np.ndarray, est: np.ndarray, label: str) -> dict[str, float]:
    t, e = np.asarray(truth, bool), np.asarray(est, bool)
    return {
        # the same estimate scored on pairs of segments (Theorem 1's object)
        f"{label}:pair_mcc": metrics.matthews_mcc(pair_matrix(t), pair_matrix(e)),
        f"{label}:accuracy": metrics.structure_accuracy(t, e),
        f"{label}:mcc": metrics.matthews_mcc(t, e),
        f"{label}:mean_cc": metrics.mean_corr_coef(t.astype(float), e.astype(float)),
        f"{label}:f1": metrics.f1_structure(t, e),
        f"{label}:fpr": float(e[~t].mean()) if (~t).any() else 0.0,
        f"{label}:fnr": float((~e[t]).mean()) if t.any() else 0.0,
    }


def runs_by_method(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (run, method): the ``"<method>:<metric>"`` columns become method + metrics.

    Backs
    -----
    fig3_conditions, fig3_nonlinear, fig3_structure, fig_finite_sample
    """
    return scores_long(runs, [c for c in runs.columns if ":" in c], ("method", "metric"))


def two_segment_task(n_steps: int = 10, segment_length: int = 2) -> ColliderStructure:
    """Two interleaved tasks; task 0 on two segments that are not adjacent.

    With ``K = n_steps // segment_length`` segments (0-based), task 0 is relevant to segments
    ``1`` and ``K - 2`` and task 1 to segments ``0``, ``K // 2`` and ``K - 1``. ``K >= 5``
    makes ``1 < K // 2 < K - 2``: task 0's two segments have a segment of task 1 between them,
    and task 1's segments enclose them, so the tasks interleave. Every other segment carries
    no task, and every step is connected. With the defaults (``T = 10``, ``L = 2``, ``K = 5``)
    the segments alternate task 1, 0, 1, 0, 1; in the paper's 1-based names ``g1`` is on
    ``S2, S4`` (Fig. 2's example) and ``g2`` on ``S1, S3, S5``. :func:`task_role_pvalue` tests
    task 0's segments ``1`` and ``K - 2`` on this structure (Remark 1).

    Parameters
    ----------
    n_steps : sequence length ``T``, a multiple of ``segment_length`` with ``T // L >= 5``
    segment_length : ``L >= 2``

    Returns
    -------
    ColliderStructure
        ``n_tasks = 2``, all steps connected.

    Raises
    ------
    ValueError
        If ``segment_length < 2``, ``n_steps`` is not a multiple of it, or ``K < 5``.

    Backs
    -----
    fig_colliders
    """
    from specialist.structure import n_segments

    k = n_segments(n_steps, segment_length)
    if k < 5:
        raise ValueError(
            f"n_steps={n_steps} with segment_length={segment_length} gives {k} segments; "
            "two_segment_task needs at least 5 (n_steps >= 5 * segment_length) so that task 0's "
            "segments 1 and K - 2 are not adjacent and a segment of task 1 lies between them"
        )
    assignment = np.zeros((k, 2), dtype=bool)
    assignment[[1, k - 2], 0] = True
    assignment[[0, k // 2, k - 1], 1] = True
    return ColliderStructure(n_steps, 2, segment_length, assignment)


def task_role_pvalue(task_role: str, n_samples: int, seed: int, *, kind: str = "linear") -> dict:
    """p-value of two steps of one task given the task (and the band set), for one task role.

    Under the collider model the paper predicts dependence; under a confounder or mediator
    model, independence.

    Backs
    -----
    fig_colliders
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

    Backs
    -----
    tab2_runtime
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


def correction_recovery(
    n_steps: int,
    n_tasks: int,
    n_samples: int,
    seed: int,
    *,
    corrections: Sequence[str] = ("none", "holm", "fdr_bh", "simes"),
    alpha: float = 0.05,
    test: str = "fisherz",
    kind: str = "linear",
) -> dict[str, float]:
    """Algorithm 1 on one data set under several decision rules and corrections.

    Each entry of ``corrections`` is a correction of the paper's rule (``"none"``, ``"holm"``,
    ``"fdr_bh"``, ``"bonferroni"``: ``combine="any"``) or ``"simes"`` (``combine="simes"``, no
    correction: each entry's pair p-values combined). Returns ``{"<entry>:<metric>": value}``
    (see :func:`runs_by_method`, whose ``method`` column then names the entry), with the chance
    reference scored as the entry ``"best_constant"`` (:func:`best_constant`).

    Backs
    -----
    fig_finite_sample
    """
    rules = {c: ("simes", "none") if c == "simes" else ("any", c) for c in corrections}
    sample = simulate_collider(n_samples, n_steps, n_tasks, kind=kind, seed=seed)
    out: dict[str, float] = {}
    for name, (combine, correction) in rules.items():
        est = discover_task_structure(
            sample.observations,
            sample.tasks,
            test=test,
            alpha=alpha,
            correction=correction,
            combine=combine,
        ).segment_tasks
        out.update(_score(sample.segment_tasks, est, name))
    out.update(chance_scores(sample.segment_tasks))
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

    Returns ``{"<test>:<metric>": value}``, the measured ``runtime_s`` among them (see
    :func:`~specialist.experiments.tables.split_timings`), with the chance reference scored as
    ``"best_constant"`` (:func:`best_constant`).

    Backs
    -----
    fig3_nonlinear
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
    out.update(chance_scores(sample.segment_tasks))
    out[f"{CHANCE}:runtime_s"] = 0.0
    return out
