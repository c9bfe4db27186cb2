"""Band conditioning sets and Algorithm 1: which segments of a sequence belong to which task.

A sequence of ``T`` steps is cut into ``K = T // L`` segments of ``L`` consecutive steps; all
steps of a segment share one task set. Theorem 1 of the paper: task ``g_i`` is relevant to both
segments ``k`` and ``v`` iff their representative states are dependent given the *band set*
``Z_band(k, v, i)``. Algorithm 1 runs that test for every task and segment pair.

Indices are 0-based here; the paper (and the book) use 1-based names. The representative state
of segment ``k`` is step ``(k + 1) L - 1`` (the paper's ``s_{kL}`` with 1-based ``k``).

Backs
-----
fig2_band_set
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from specialist.ci import CITest, get_test
from specialist.pvalues import (  # re-exported: part of this module's public interface
    COMBINES,
    CORRECTIONS,
    adjust_pvalues,
    combine_pvalues,
    smallest_threshold,
)
from specialist.validate import check_int
from specialist.validate import n_segments as n_segments  # re-exported
from specialist.variables import state, task


def representative_step(k: int, segment_length: int = 2) -> int:
    """0-based step of the representative state of segment ``k`` (0-based): ``(k+1) L - 1``.

    This is the paper's ``s_{kL}`` (its last step) in 1-based notation.

    Backs
    -----
    fig2_band_set
    """
    k = check_int("k", k, 0)
    segment_length = check_int("segment_length", segment_length, 2)
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
        ``band_set(1, 3, 10) == [2, 4, 6, 8]``.

    Examples
    --------
    The paper's example, 0-based: segments 1 and 3 of ten steps (the book's ``S_2``, ``S_4``)

    >>> band_set(1, 3, n_steps=10)
    [2, 4, 6, 8]

    Adjacent segments share a neighbour, and the sequence's ends drop out:

    >>> band_set(0, 1, n_steps=8)
    [0, 2, 4]

    Backs
    -----
    fig2_band_set
    """
    n_seg = n_segments(n_steps, segment_length)
    for name, value in (("k", k), ("v", v)):
        check_int(name, value, 0)
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


def pair_bands(
    n_seg: int, segment_length: int, n_steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every segment pair ``k < v`` with its representative steps and band, as arrays.

    Returns ``pairs`` int (P, 2) in the order ``(0, 1), (0, 2), …, (K - 2, K - 1)``,
    ``reps`` int (P, 2) (:func:`representative_step` of ``k`` and ``v``) and ``band`` int
    (P, 4): row ``j`` holds :func:`band_set` of pair ``j`` (ascending), padded with ``-1`` at
    its end. The column-index form Algorithm 1 hands to tests that take index queries (whose
    ``column_queries`` is true).
    """
    ks, vs = np.triu_indices(n_seg, 1)
    reps = np.stack([(ks + 1) * segment_length - 1, (vs + 1) * segment_length - 1], axis=1)
    cand = np.stack([reps[:, 0] - 1, reps[:, 0] + 1, reps[:, 1] - 1, reps[:, 1] + 1], axis=1)
    # candidates ascend; r_k + 1 == r_v - 1 only for adjacent segments with L = 2
    keep = (cand >= 0) & (cand < n_steps)
    keep[:, 2] &= cand[:, 2] != cand[:, 1]
    order = np.argsort(~keep, axis=1, kind="stable")  # kept ones first, in their order
    band = np.where(
        np.take_along_axis(keep, order, axis=1), np.take_along_axis(cand, order, axis=1), -1
    )
    return np.stack([ks, vs], axis=1), reps, band


def _column_pair_pvalues(
    ci: CITest, s_names: list, g_names: list, n_seg: int, segment_length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Algorithm 1's pair p-values from a fitted test that answers column queries
    (``CITest.column_queries``, e.g. Fisher-z on scalar states),
    task-major (M P,).

    The query of task ``i`` and pair ``(k, v)`` is the one the generic path asks for,
    ``s_{r_k} ⟂ s_{r_v} | {g_i} ∪ band`` with the conditioning set in canonical order (task
    names sort before state names), so the p-values are bit-identical to it.
    """
    pairs, reps, band = pair_bands(n_seg, segment_length, len(s_names))
    s_cols = ci.column_indices(s_names)
    index = np.concatenate([s_cols[reps], np.where(band >= 0, s_cols[band], -1)], axis=1)
    _, pvalues = ci.test_columns(index, extra=ci.column_indices(g_names))
    return pairs, pvalues.ravel()


@dataclass(frozen=True)
class TaskStructure:
    """Result of :func:`discover_task_structure`.

    Attributes
    ----------
    segment_tasks : bool (K, M), task ``i`` relevant to segment ``k``
    step_tasks : bool (T, M), the same, repeated over the steps of each segment
    pvalues : float (M, K, K), raw p-value of every pair, symmetric, NaN on the diagonal
    adjusted_pvalues : float (M, K, K), the pair p-values after ``correction`` within each task
        when ``combine == "any"``; equal to ``pvalues`` otherwise (the correction then acts on
        the entries)
    entry_pvalues : float (K, M), each segment x task entry's p-value from its ``K - 1`` pairs
        (:func:`~specialist.pvalues.combine_pvalues`; ``"any"``: the minimum raw pair p-value)
    adjusted_entry_pvalues : float (K, M), the value compared with ``alpha``:
        ``segment_tasks == (adjusted_entry_pvalues < alpha)``. ``"any"``: the minimum of the
        entry's *adjusted* pair p-values; otherwise ``entry_pvalues`` after ``correction`` over
        all ``K M`` entries
    alpha, correction, combine, segment_length : the settings used
    n_tests : number of CI queries, ``M K (K - 1) / 2``
    task_names : the tasks' names: the columns of a ``tasks`` DataFrame (or a Series' name),
        else ``g1 … gM``

    Segments and steps are shown 1-based, as the book writes them (``S1`` holds ``s1 … sL``).
    :meth:`summary` says which segments serve which task, :meth:`to_frame` gives one row per
    segment and task, :meth:`plot` draws the matrix.
    """

    segment_tasks: np.ndarray
    step_tasks: np.ndarray
    pvalues: np.ndarray
    adjusted_pvalues: np.ndarray
    entry_pvalues: np.ndarray
    adjusted_entry_pvalues: np.ndarray
    alpha: float
    correction: str
    combine: str
    segment_length: int
    n_tests: int
    task_names: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """The tasks' names (``task_names``, or ``g1 … gM``)."""
        n_tasks = self.segment_tasks.shape[1]
        return list(self.task_names) or [f"g{i + 1}" for i in range(n_tasks)]

    def _steps(self, k: int) -> str:
        first, last = k * self.segment_length + 1, (k + 1) * self.segment_length
        return f"s{first}–s{last}"

    def to_frame(self) -> pd.DataFrame:
        """One row per segment and task: ``segment`` (``S1`` …), ``steps`` (``s1–s2`` …),
        ``task``, ``pvalue`` (the entry's p-value from its ``K - 1`` pairs),
        ``adjusted_pvalue`` (what is compared with ``alpha``) and ``relevant``."""
        rows = []
        for k in range(self.segment_tasks.shape[0]):
            for i, name in enumerate(self.names):
                rows.append(
                    {
                        "segment": f"S{k + 1}",
                        "steps": self._steps(k),
                        "task": name,
                        "pvalue": float(self.entry_pvalues[k, i]),
                        "adjusted_pvalue": float(self.adjusted_entry_pvalues[k, i]),
                        "relevant": bool(self.segment_tasks[k, i]),
                    }
                )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """Which segments serve which task, and the settings that decided it, as text."""
        n_seg, n_tasks = self.segment_tasks.shape
        lines = [
            f"Task structure: {n_seg} segments of {self.segment_length} steps, {n_tasks} "
            f"task(s); {self.n_tests} CI tests; combine={self.combine!r}, "
            f"correction={self.correction!r}, alpha={self.alpha:g}"
        ]
        for i, name in enumerate(self.names):
            served = np.flatnonzero(self.segment_tasks[:, i])
            where = ", ".join(f"S{k + 1} ({self._steps(k)})" for k in served) or "no segment"
            lines.append(f"  {name}: {where}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        n_seg, n_tasks = self.segment_tasks.shape
        marked = int(self.segment_tasks.sum())
        return (
            f"TaskStructure({n_seg} segments × {n_tasks} tasks, {marked} relevant entries, "
            f"alpha={self.alpha:g}, combine={self.combine!r}, correction={self.correction!r})"
        )

    def plot(self, ax=None):
        """The segment × task matrix: shade ``-log10`` of the adjusted entry p-value (capped at
        10), a dot on every relevant entry. Returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(1.2 + 0.5 * self.segment_tasks.shape[0], 1 + 0.45 *
                                          self.segment_tasks.shape[1]))  # fmt: skip
        strength = -np.log10(np.clip(self.adjusted_entry_pvalues.T, 1e-10, 1.0))
        image = ax.imshow(strength, cmap="Greys", vmin=0, vmax=10, aspect="auto")
        rows, cols = np.nonzero(self.segment_tasks.T)
        ax.scatter(cols, rows, s=30, color="#D55E00", label=f"relevant (p < {self.alpha:g})")
        n_seg = self.segment_tasks.shape[0]
        ax.set_xticks(range(n_seg), [f"S{k + 1}" for k in range(n_seg)])
        ax.set_yticks(range(len(self.names)), self.names)
        ax.set_xlabel("segment")
        ax.figure.colorbar(image, ax=ax, label="−log10 adjusted p-value")
        return ax


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


def _task_names(tasks) -> tuple[str, ...]:
    """The names a pandas ``tasks`` carries: a DataFrame's columns, a Series' name (else ``()``)."""
    columns = getattr(tasks, "columns", None)
    if columns is not None:
        return tuple(str(c) for c in columns)
    name = getattr(tasks, "name", None)
    if name is not None and getattr(tasks, "ndim", 0) == 1:
        return (str(name),)
    return ()


def check_inputs(
    states, tasks, segment_length: int, alpha: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """Validate the inputs of Algorithm 1 (and of the baselines, which share them).

    Returns ``states`` and ``tasks`` as float arrays (shapes unchanged) and the number of
    segments ``K``. Raises a ``ValueError`` naming the parameter for wrong shapes, NaN or
    infinite values, a sample-count mismatch, ``T`` not a multiple of ``segment_length`` or
    ``alpha`` outside (0, 1).

    Backs
    -----
    fig3_structure
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
    states: ArrayLike,
    tasks: ArrayLike,
    segment_length: int = 2,
    test: str | CITest = "fisherz",
    alpha: float = 0.05,
    correction: str = "none",
    combine: str = "any",
) -> TaskStructure:
    """Algorithm 1: recover which tasks are relevant to which segments (and steps).

    For every task ``i`` and segment pair ``k < v``, test the representative states
    ``s_{r_k} ⟂ s_{r_v} | Z_band(k, v) ∪ {g_i}``. All queries go to the CI test in one
    :meth:`CITest.test_many <specialist.ci.base.CITest.test_many>` batch; a
    :class:`~specialist.ci.fisherz.FisherZ` test on scalar variables gets them as column-index
    arrays instead (:meth:`~specialist.ci.fisherz.FisherZ.test_columns`,
    same p-values, no Python object per query). How the pair tests decide a segment x task entry is the
    *decision rule* ``combine``; ``correction`` acts on the family that rule thresholds:

    ``"any"`` (the paper's rule, default)
        ``g_i`` is marked on both segments of every dependent pair. ``correction`` applies
        within each task, to its ``K (K - 1) / 2`` pair p-values; an entry is marked if any of
        its ``K - 1`` adjusted pair p-values is below ``alpha``. Without a correction, an entry
        that does not serve the task is still tested ``K - 1`` times, so its false-positive
        rate is up to ``1 - (1 - alpha)^(K - 1)``.
    ``"simes"``, ``"bonferroni"``
        The ``K - 1`` pair p-values of each entry are combined into one entry p-value
        (:func:`~specialist.pvalues.combine_pvalues`), so that ``alpha`` is a per-entry error
        rate; ``correction``
        then applies to the family of all ``K M`` entry p-values.

    Parameters
    ----------
    states : array (n, T) or (n, T, d)
        Samples of the states (or of invertible observations of them).
    tasks : array (n, M) or (n, M, d_g), or (n,) for one task
        Samples of the task variables; a pandas DataFrame's columns (or a Series' name) name
        the tasks in the result.
    segment_length : int >= 2, must divide ``T``
    test : a registered test name (see :func:`specialist.ci.get_test`) or a
        :class:`~specialist.ci.base.CITest` instance, e.g.
        :class:`~specialist.ci.oracle.DSeparationOracle`; it is fitted here. A
        permutation test whose smallest p-value cannot reach the smallest threshold the rule
        and correction use is refused before it is fitted
        (:meth:`CITest.check_resolution <specialist.ci.base.CITest.check_resolution>`).
    alpha : significance level in (0, 1); the paper uses 0.05
    correction : ``"none"`` (paper), ``"bonferroni"``, ``"holm"`` or ``"fdr_bh"``
    combine : ``"any"`` (paper), ``"simes"`` or ``"bonferroni"``

    Returns
    -------
    TaskStructure

    Examples
    --------
    Two tasks over eight steps, simulated with a planted structure (segments of two steps):

    >>> import pandas as pd
    >>> from specialist.simulate.collider import simulate_collider
    >>> sample = simulate_collider(3000, n_steps=8, n_tasks=2, seed=4)
    >>> tasks = pd.DataFrame(sample.tasks, columns=["pass", "shoot"])
    >>> result = discover_task_structure(sample.states, tasks, segment_length=2, alpha=0.05)
    >>> result.names
    ['pass', 'shoot']
    >>> result.segment_tasks.astype(int)  # segments x tasks: 1 = the task uses the segment
    array([[0, 0],
           [0, 1],
           [1, 1],
           [1, 0]])
    >>> bool((result.segment_tasks == sample.segment_tasks).all())  # the planted structure
    True

    ``result.summary()``, ``result.to_frame()`` and ``result.plot()`` show it.

    Backs
    -----
    fig2_band_set, fig3_structure, fig3_conditions, tab2_runtime
    """
    # validate everything before any test is fitted
    task_names = _task_names(tasks)
    if np.ndim(tasks) == 1:  # one task: (n,) is read as (n, 1)
        tasks = np.asarray(tasks, dtype=float)[:, None]
    states, tasks, n_seg = check_inputs(states, tasks, segment_length, alpha)
    n_steps, n_tasks = states.shape[1], tasks.shape[1]
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}, got {correction!r}")
    if combine not in COMBINES:
        raise ValueError(f"combine must be one of {COMBINES}, got {combine!r}")
    ci = get_test(test)
    threshold, factor = smallest_threshold(n_seg, n_tasks, alpha, correction, combine)
    ci.check_resolution(
        threshold / factor,
        f"combine={combine!r} with correction={correction!r} at alpha={alpha} "
        f"(K={n_seg} segments, M={n_tasks} tasks)",
    )

    s_names = [state(t) for t in range(n_steps)]
    g_names = [task(i) for i in range(n_tasks)]
    variables: dict[Hashable, np.ndarray] = {s_names[t]: states[:, t] for t in range(n_steps)}
    variables.update({g_names[i]: tasks[:, i] for i in range(n_tasks)})
    try:
        ci.fit(variables)
    except ValueError as err:
        if not task_names:
            raise
        legend = ", ".join(f"g{i + 1} = {n!r}" for i, n in enumerate(task_names))
        raise ValueError(f"{err} (tasks: {legend}; states s1 … s{n_steps})") from err

    if ci.column_queries:  # a capability the test declares (CITest.column_queries)
        # millions of queries at large T: column-index arrays, no Python object per query
        pairs, pair_pvalues = _column_pair_pvalues(ci, s_names, g_names, n_seg, segment_length)
    else:
        pairs = [(k, v) for k in range(n_seg) for v in range(k + 1, n_seg)]
        reps = [(k + 1) * segment_length - 1 for k in range(n_seg)]  # representative_step
        # the band of a pair does not depend on the task: build it once per pair
        bands = [
            (
                s_names[reps[k]],
                s_names[reps[v]],
                [s_names[t] for t in _band(reps[k], reps[v], n_steps)],
            )
            for k, v in pairs
        ]
        queries = [(x, y, [*z, g]) for g in g_names for x, y, z in bands]
        results = ci.test_many(queries)
        pair_pvalues = np.fromiter((r.pvalue for r in results), dtype=float, count=len(results))

    raw = pair_pvalues.reshape(n_tasks, len(pairs))
    ks, vs = np.array(pairs).T
    pvalues = np.full((n_tasks, n_seg, n_seg), np.nan)
    pvalues[:, ks, vs] = pvalues[:, vs, ks] = raw
    # entry (k, i): the K - 1 pairs of segment k for task i, (K, M, K) with NaN at v == k
    entry_pvalues = combine_pvalues(pvalues.transpose(1, 0, 2), combine)
    if combine == "any":
        adjusted = np.stack([adjust_pvalues(row, correction) for row in raw])
        adjusted_pvalues = np.full_like(pvalues, np.nan)
        adjusted_pvalues[:, ks, vs] = adjusted_pvalues[:, vs, ks] = adjusted
        adjusted_entry = np.nanmin(adjusted_pvalues.transpose(1, 0, 2), axis=2)
    else:
        adjusted_pvalues = pvalues.copy()
        adjusted_entry = adjust_pvalues(entry_pvalues.ravel(), correction).reshape(n_seg, n_tasks)
    segment_tasks = adjusted_entry < alpha
    return TaskStructure(
        segment_tasks=segment_tasks,
        step_tasks=np.repeat(segment_tasks, segment_length, axis=0),
        pvalues=pvalues,
        adjusted_pvalues=adjusted_pvalues,
        entry_pvalues=entry_pvalues,
        adjusted_entry_pvalues=adjusted_entry,
        alpha=float(alpha),
        correction=correction,
        combine=combine,
        segment_length=int(segment_length),
        n_tests=raw.size,
        task_names=task_names,
    )


__all__ = [
    "COMBINES",
    "CORRECTIONS",
    "TaskStructure",
    "adjust_pvalues",
    "band_set",
    "check_inputs",
    "combine_pvalues",
    "discover_task_structure",
    "n_segments",
    "representative_step",
    "smallest_threshold",
]
