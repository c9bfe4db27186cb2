"""Local test ablation: one CI test per segment × task entry instead of one per segment pair.

For every task ``i`` and segment ``k``, with ``r_k = (k + 1) L - 1`` the segment's
representative (last) step (:func:`~specialist.structure.representative_step`), test

    ``s_{r_k} ⟂ g_i | {s_{r_k - 1}, s_{r_k + 1}}``

(neighbours outside ``0 .. T - 1`` dropped) with the CI test ``test``, and mark task ``i`` on
segment ``k`` if the p-value, after the ``correction`` over the family of all ``K · M``
entries, is below ``alpha``. All ``K · M`` queries go to the CI test in one
:meth:`~specialist.ci.CITest.test_many` batch.

Why it works. In the paper's collider DAG, with the last state as representative, this single
test is exact by d-separation. The two neighbours block every temporal path: ``s_{r_k - 1}``
blocks the chains into the past, and ``s_{r_k + 1}``, conditioned on as a non-collider, blocks
the chains into the future (conditioning on it opens only ``s_{r_k} -> s_{r_k + 1} <- a_{r_k}``,
which leads to ``g_i`` through ``a_{r_k}`` again). Every other task is an unconditioned collider
(a sink) and blocks itself. What remains is ``s_{r_k} -> a_{r_k} -> g_i`` (and
``s_{r_k} <- a_{r_k - 1} -> g_i``, the previous step being in the same segment because
``L >= 2``), open exactly when segment ``k`` serves ``g_i``. This holds for connected and
disconnected sequences alike.

How it compares with Algorithm 1. It needs ``K · M`` tests instead of Algorithm 1's
``M · K (K - 1) / 2``, and each test conditions on at most two states instead of up to four
plus the task. It marks *entries* (does segment ``k`` serve ``g_i``?), not *pairs* of segments
that share a task, so a task on a single segment is found too, and one missed entry costs one
entry rather than depending on the other ``K - 1`` pairs. Its exactness rests on the tasks
being sinks fed by the segment's own actions: with the task as a confounder or mediator of its
actions (``task_role`` in :func:`~specialist.simulate.collider.sample_collider`), ``a_{r_k}``
becomes a collider between ``s_{r_k}`` and ``g_i``, so in disconnected sequences the test misses
the task's segments, and in connected ones actions shared by several tasks link the tasks to
one another and the test marks segments that do not serve the task (with the d-separation
oracle it errs on each of 90 random structures, ``p_disconnect`` in {0, 0.5, 1}).
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np

from specialist.baselines._common import check_inputs
from specialist.ci import CITest, get_test
from specialist.pvalues import CORRECTIONS, adjust_pvalues
from specialist.variables import state, task


def local_test_pvalues(
    states,
    tasks,
    segment_length: int = 2,
    *,
    test: str | CITest = "fisherz",
) -> np.ndarray:
    """Raw p-values of the local test, float (K, M): ``s_{r_k} ⟂ g_i | {s_{r_k ± 1}}``.

    Parameters
    ----------
    states : array (n, T) or (n, T, d), ``n >= 10``
    tasks : array (n, M) or (n, M, d_g)
    segment_length : ``L >= 2``, divides ``T``
    test : a registered test name (see :func:`specialist.ci.get_test`) or a :class:`CITest`
        instance, e.g. :class:`~specialist.ci.DSeparationOracle`; it is fitted here

    Returns
    -------
    numpy.ndarray
        float (K, M), entry ``[k, i]`` the p-value of segment ``k`` and task ``i``.
    """
    states, tasks, n_seg = check_inputs(states, tasks, segment_length, alpha=0.05)
    ci = get_test(test)
    n_steps, n_tasks = states.shape[1], tasks.shape[1]
    variables: dict[Hashable, np.ndarray] = {state(t): states[:, t] for t in range(n_steps)}
    variables.update({task(i): tasks[:, i] for i in range(n_tasks)})
    ci.fit(variables)
    reps = [(k + 1) * segment_length - 1 for k in range(n_seg)]  # representative_step
    neighbours = [[state(t) for t in (r - 1, r + 1) if 0 <= t < n_steps] for r in reps]
    queries = [
        (state(r), task(i), z)
        for r, z in zip(reps, neighbours, strict=True)
        for i in range(n_tasks)
    ]
    results = ci.test_many(queries)
    return np.array([res.pvalue for res in results], dtype=float).reshape(n_seg, n_tasks)


def local_test_structure(
    states,
    tasks,
    segment_length: int = 2,
    *,
    alpha: float = 0.05,
    seed: int = 0,
    test: str | CITest = "fisherz",
    correction: str = "none",
) -> np.ndarray:
    """Local test ablation: bool (K, M), task ``i`` relevant to segment ``k``.

    Parameters
    ----------
    states : array (n, T) or (n, T, d), ``n >= 10``
    tasks : array (n, M) or (n, M, d_g)
    segment_length : ``L >= 2``, divides ``T``
    alpha : significance level in (0, 1)
    seed : unused (the tests are deterministic); accepted for the shared baseline signature
    test : CI test name or instance, as in :func:`local_test_pvalues`
    correction : ``"none"`` (default), ``"bonferroni"``, ``"holm"`` or ``"fdr_bh"``, over the
        family of all ``K · M`` entries (:func:`~specialist.structure.adjust_pvalues`)

    Returns
    -------
    numpy.ndarray
        bool (K, M), comparable with ``discover_task_structure(...).segment_tasks``.

    Backs
    -----
    fig3_structure
    """
    _, _, n_seg = check_inputs(states, tasks, segment_length, alpha)  # before any fit
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}, got {correction!r}")
    ci = get_test(test)  # an unknown test name fails here, before the work
    n_entries = n_seg * np.shape(tasks)[1]
    threshold = alpha if correction == "none" else alpha / n_entries
    ci.check_resolution(threshold, f"the local test with correction={correction!r}")
    pvalues = local_test_pvalues(states, tasks, segment_length, test=ci)
    adjusted = adjust_pvalues(pvalues.ravel(), correction).reshape(pvalues.shape)
    return adjusted < alpha


__all__ = ["local_test_pvalues", "local_test_structure"]
