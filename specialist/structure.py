"""Band conditioning sets and Algorithm 1: which segments of a sequence belong to which task.

A sequence of ``T`` steps is cut into ``K = T // L`` segments of ``L`` consecutive steps; all
steps of a segment share one task set. Theorem 1 of the paper: task ``g_i`` is relevant to both
segments ``k`` and ``v`` iff their representative states are dependent given the *band set*
``Z_band(k, v, i)``. Algorithm 1 runs that test for every task and segment pair.

Indices are 0-based here; the paper (and the book) use 1-based names. The representative state
of segment ``k`` is step ``(k + 1) L - 1`` (the paper's ``s_{kL}`` with 1-based ``k``).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from numbers import Real

import numpy as np

from specialist.ci import CITest, get_test
from specialist.validate import check_int as _check_int
from specialist.variables import state, task

CORRECTIONS = ("none", "bonferroni", "holm", "fdr_bh")


def n_segments(n_steps: int, segment_length: int = 2) -> int:
    """Number of segments ``K = n_steps // segment_length``, after checking the segmentation.

    Raises a ``ValueError`` naming the parameter when ``segment_length < 2``, when ``n_steps``
    is not a multiple of ``segment_length`` or when there are fewer than two segments (no pair
    to test). Backs: fig2_band_set, fig3_structure.
    """
    segment_length = _check_int("segment_length", segment_length, 2)
    n_steps = _check_int("n_steps", n_steps, 1)
    if n_steps % segment_length:
        raise ValueError(
            f"n_steps={n_steps} must be a multiple of segment_length={segment_length} "
            "(every segment has segment_length steps)"
        )
    k = n_steps // segment_length
    if k < 2:
        raise ValueError(
            f"n_steps={n_steps} with segment_length={segment_length} gives {k} segment; "
            "at least 2 segments are needed (n_steps >= 2 * segment_length)"
        )
    return k


def representative_step(k: int, segment_length: int = 2) -> int:
    """0-based step of the representative state of segment ``k`` (0-based): ``(k+1) L - 1``.

    This is the paper's ``s_{kL}`` (its last step) in 1-based notation. Backs: fig2_band_set.
    """
    k = _check_int("k", k, 0)
    segment_length = _check_int("segment_length", segment_length, 2)
    return (k + 1) * segment_length - 1


def band_set(k: int, v: int, n_steps: int, segment_length: int = 2) -> list[int]:
    """State indices of the band conditioning set of segments ``k`` and ``v`` (paper eq. 4).

    The neighbours of both representative states, ``{r_k - 1, r_k + 1, r_v - 1, r_v + 1}``,
    with indices outside ``0 .. n_steps - 1`` dropped and duplicates merged (adjacent segments
    with ``L = 2`` share a neighbour). The task ``g_i`` is added by the caller.

    Parameters
    ----------
    k, v : distinct 0-based segment indices (order does not matter)
    n_steps : sequence length ``T``
    segment_length : ``L >= 2``, must divide ``n_steps``

    Returns
    -------
    list of int
        Sorted 0-based state indices. Paper example (1-based): ``T = 10, L = 2``,
        ``S_k = {s3, s4}``, ``S_v = {s7, s8}`` gives ``{s3, s5, s7, s9}``, i.e.
        ``band_set(1, 3, 10) == [2, 4, 6, 8]``. Backs: fig2_band_set.
    """
    n_seg = n_segments(n_steps, segment_length)
    for name, value in (("k", k), ("v", v)):
        _check_int(name, value, 0)
        if value >= n_seg:
            raise ValueError(f"{name}={value} must be a segment index in 0..{n_seg - 1}")
    if k == v:
        raise ValueError(f"k and v must be different segments, got {k} twice")
    return _band(
        representative_step(k, segment_length), representative_step(v, segment_length), n_steps
    )


def _band(r_k: int, r_v: int, n_steps: int) -> list[int]:
    # r_k - 1 never equals r_v (they are >= L >= 2 apart), so the set never contains X or Y
    return sorted({t for r in (r_k, r_v) for t in (r - 1, r + 1) if 0 <= t < n_steps})


def adjust_pvalues(pvalues: np.ndarray, method: str = "none") -> np.ndarray:
    """Multiple-testing adjustment of one family of p-values (1-D, any order).

    ``"none"`` (the paper's setting), ``"bonferroni"``, ``"holm"`` (step-down, controls the
    family-wise error) or ``"fdr_bh"`` (Benjamini–Hochberg step-up, controls the false
    discovery rate). Adjusted values are capped at 1. Backs: fig3_structure.
    """
    if method not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}, got {method!r}")
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    if method == "none" or m == 0:
        return p.copy()
    if method == "bonferroni":
        return np.minimum(1.0, m * p)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        # p_(j) * (m - j + 1), made monotone from the smallest p upwards
        adj = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * ranked))
    else:
        # p_(j) * m / j, made monotone from the largest p downwards
        adj = np.minimum.accumulate((m / np.arange(1, m + 1) * ranked)[::-1])[::-1]
        adj = np.minimum(1.0, adj)
    out = np.empty(m)
    out[order] = adj
    return out


@dataclass(frozen=True)
class TaskStructure:
    """Result of :func:`discover_task_structure`.

    Attributes
    ----------
    segment_tasks : bool (K, M), task ``i`` relevant to segment ``k``
    step_tasks : bool (T, M), the same, repeated over the steps of each segment
    pvalues : float (M, K, K), raw p-value of every pair, symmetric, NaN on the diagonal
    adjusted_pvalues : float (M, K, K), after ``correction`` within each task
    alpha, correction, segment_length : the settings used
    n_tests : number of CI queries, ``M K (K - 1) / 2``
    """

    segment_tasks: np.ndarray
    step_tasks: np.ndarray
    pvalues: np.ndarray
    adjusted_pvalues: np.ndarray
    alpha: float
    correction: str
    segment_length: int
    n_tests: int


def _as_blocks(name: str, array) -> np.ndarray:
    arr = np.asarray(array, dtype=float)
    if arr.ndim not in (2, 3):
        raise ValueError(
            f"{name} must have shape (n, {'T' if name == 'states' else 'M'}) or "
            f"(n, {'T, d' if name == 'states' else 'M, d_g'}), got shape {arr.shape}"
        )
    if 0 in arr.shape:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    # a NaN or inf makes the sum non-finite, and a sum is cheaper than isfinite().all();
    # only an overflowing sum of finite values needs the exact check
    if not np.isfinite(arr.sum()) and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def check_inputs(
    states, tasks, segment_length: int, alpha: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """Validate the inputs of Algorithm 1 (and of the baselines, which share them).

    Returns ``states`` and ``tasks`` as float arrays (shapes unchanged) and the number of
    segments ``K``. Raises a ``ValueError`` naming the parameter for wrong shapes, NaN or
    infinite values, a sample-count mismatch, ``T`` not a multiple of ``segment_length`` or
    ``alpha`` outside (0, 1). Backs: fig3_structure.
    """
    states = _as_blocks("states", states)
    tasks = _as_blocks("tasks", tasks)
    if states.shape[0] != tasks.shape[0]:
        raise ValueError(
            f"states and tasks must have the same number of samples n, got "
            f"{states.shape[0]} and {tasks.shape[0]}"
        )
    n_seg = n_segments(states.shape[1], segment_length)
    if isinstance(alpha, bool) or not isinstance(alpha, Real) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}")
    return states, tasks, n_seg


def discover_task_structure(
    states,
    tasks,
    segment_length: int = 2,
    test: str | CITest = "fisherz",
    alpha: float = 0.05,
    correction: str = "none",
) -> TaskStructure:
    """Algorithm 1: recover which tasks are relevant to which segments (and steps).

    For every task ``i`` and segment pair ``k < v``, test the representative states
    ``s_{r_k} ⟂ s_{r_v} | Z_band(k, v) ∪ {g_i}``; after ``correction`` within each task's
    ``K (K - 1) / 2`` pairs, a dependent pair (adjusted p < ``alpha``) marks ``g_i`` on both
    segments. All queries go to the CI test in one :meth:`CITest.test_many` batch.

    Parameters
    ----------
    states : array (n, T) or (n, T, d)
        Samples of the states (or of invertible observations of them).
    tasks : array (n, M) or (n, M, d_g)
        Samples of the task variables.
    segment_length : int >= 2, must divide ``T``
    test : a registered test name (see :func:`specialist.ci.get_test`) or a :class:`CITest`
        instance, e.g. :class:`~specialist.ci.DSeparationOracle`; it is fitted here.
    alpha : significance level in (0, 1); the paper uses 0.05
    correction : ``"none"`` (paper), ``"bonferroni"``, ``"holm"`` or ``"fdr_bh"``

    Returns
    -------
    TaskStructure
        Backs: fig2_band_set, fig3_structure, tab2_runtime.
    """
    # validate everything before any test is fitted
    states, tasks, n_seg = check_inputs(states, tasks, segment_length, alpha)
    n_steps, n_tasks = states.shape[1], tasks.shape[1]
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}, got {correction!r}")
    ci = get_test(test)

    s_names = [state(t) for t in range(n_steps)]
    g_names = [task(i) for i in range(n_tasks)]
    variables: dict[Hashable, np.ndarray] = {s_names[t]: states[:, t] for t in range(n_steps)}
    variables.update({g_names[i]: tasks[:, i] for i in range(n_tasks)})
    ci.fit(variables)

    pairs = [(k, v) for k in range(n_seg) for v in range(k + 1, n_seg)]
    reps = [(k + 1) * segment_length - 1 for k in range(n_seg)]  # representative_step, validated
    # the band of a pair does not depend on the task: build it once per pair
    bands = [
        (s_names[reps[k]], s_names[reps[v]], [s_names[t] for t in _band(reps[k], reps[v], n_steps)])
        for k, v in pairs
    ]
    queries = [(x, y, [*z, g]) for g in g_names for x, y, z in bands]
    results = ci.test_many(queries)

    raw = np.array([r.pvalue for r in results], dtype=float).reshape(n_tasks, len(pairs))
    adjusted = np.stack([adjust_pvalues(row, correction) for row in raw])
    pvalues = np.full((n_tasks, n_seg, n_seg), np.nan)
    adjusted_pvalues = np.full_like(pvalues, np.nan)
    segment_tasks = np.zeros((n_seg, n_tasks), dtype=bool)
    ks, vs = np.array(pairs).T
    for i in range(n_tasks):
        pvalues[i, ks, vs] = pvalues[i, vs, ks] = raw[i]
        adjusted_pvalues[i, ks, vs] = adjusted_pvalues[i, vs, ks] = adjusted[i]
        dependent = adjusted[i] < alpha
        segment_tasks[ks[dependent], i] = True
        segment_tasks[vs[dependent], i] = True
    return TaskStructure(
        segment_tasks=segment_tasks,
        step_tasks=np.repeat(segment_tasks, segment_length, axis=0),
        pvalues=pvalues,
        adjusted_pvalues=adjusted_pvalues,
        alpha=float(alpha),
        correction=correction,
        segment_length=int(segment_length),
        n_tests=len(queries),
    )
