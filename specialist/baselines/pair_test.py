"""Pair test (IUT): local selection tests of pairs of steps against the observed tasks.

What it does: for every pair of consecutive steps and every task ``g_i``, two local CI tests
``s_t ⟂ g_i | s_{t-1}, s_{t+2}`` and ``s_{t+1} ⟂ g_i | s_{t-1}, s_{t+2}`` combined by an
intersection-union rule, then a factorisation that (with its defaults) changes nothing. Its
key is ``"pair_test"`` in :data:`~specialist.baselines.BASELINES`, its label "Pair test (IUT)".

It descends from the selection test of SelTask (Qiu, Zheng & Zhang, "Identifying Selections
for Unsupervised Subtask Discovery", NeurIPS 2024), but it is **not SelTask**: the original
never observes the subgoals (it finds them from states and actions alone), whereas this test
is given the task variables ``g``. The book earlier called it "SelTask (sees g)"; it stands for
no baseline of the paper. :mod:`specialist.baselines.seltask_unsup` is the original-like,
unsupervised counterpart.

In the original, subtasks are *selections*: a subgoal is a common effect (collider) of the
states and actions it selects, which CI tests verify; a sequential NMF (seqNMF) of the
state-action data then finds a binary subgoal × time matrix. We keep the two ideas and apply
them to our inputs, the states and the observed tasks, and to our output, a segment × task
matrix:

1. **Selection test** per consecutive pair of steps ``(t, t+1)`` inside a segment and task
   ``i``: is ``g_i`` a common effect of both states? Each state is tested for dependence on
   ``g_i`` given the pair's outer temporal neighbours ``Z = {s_{t-1}, s_{t+2}}`` (indices
   outside the sequence dropped), ``s_t ⟂ g_i | Z`` and ``s_{t+1} ⟂ g_i | Z``, with the CI test
   ``test`` (Fisher-z by default); the pair's p-value is the larger of the two
   (intersection-union test: both must be dependent). A step's score is
   ``-log10 p`` of its pair (the best of its pairs when ``L > 2``), capped at ``score_cap``:
   a ``(T, M)`` matrix of selection evidence.
2. **Factorisation**: scikit-learn's :class:`~sklearn.decomposition.NMF` factorises the score
   matrix into ``n_subgoals`` non-negative activations over time (``W``, T × J) and their
   loadings on the tasks (``H``, J × M), by coordinate descent from an NNDSVDa start (``seed``
   fills its zeros). The original factorises the state-action data with a convolutional
   seqNMF; no convolution is needed here, since a segment's steps share one label.
3. **Binarisation**: a step is relevant to task ``i`` if the reconstructed score
   ``(W H)[t, i]`` exceeds ``-log10(alpha)`` (the original thresholds a normalised ``H`` at
   0.5; an absolute threshold keeps a task that is relevant nowhere all-False), and a segment
   is relevant if at least half of its steps are.

What it amounts to. With the default ``n_subgoals = M`` the ``T × M`` score matrix has an exact
non-negative factorisation with ``M`` components (``W`` = the scores, ``H`` = the identity) and
the NMF reproduces it, so the output equals thresholding the local pair p-values at ``alpha``:
**the NMF does nothing**. (On the collider generator, 30 runs at ``n = 10,000`` with ``T`` in
8..20 and Fisher-z, the two differed in one run, on 2 entries, where coordinate descent stopped
at a poorer factorisation.) Only ``n_subgoals < M`` makes the factorisation matter, by forcing
tasks to share activation patterns.

Where it errs. Conditioning on the immediate neighbours keeps the test *local*: it does not pair
distant segments through a band set (the paper's contribution). In a disconnected sequence it
is exact. In a connected sequence its false positives come from the leak ``a_t -> s_{t+1}``
into the next segment: when segment ``k`` serves ``g_i``, its last action ``a_t`` is a parent of
``g_i`` and of the next segment's first state ``s_{t+1}``; actions are never conditioned on, so
``s_{t+1} <- a_t -> g_i`` (and ``s_{t+2} <- s_{t+1} <- a_t -> g_i``) stay open and segment
``k + 1`` is marked as well. With the d-separation oracle these leaks are its only false
positives, and it misses nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from numbers import Integral, Real

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning

from specialist.baselines._common import check_inputs
from specialist.ci import CITest, get_test
from specialist.variables import state, task


def selection_scores(
    states: np.ndarray,
    tasks: np.ndarray,
    segment_length: int,
    test: str | CITest = "fisherz",
) -> np.ndarray:
    """Step 1: ``(T, M)`` p-values of the local selection test (see the module docstring).

    ``states`` is ``(n, T, d)`` and ``tasks`` ``(n, M, d_g)``, both validated.
    """
    n, n_steps, _ = states.shape
    n_tasks = tasks.shape[1]
    ci = get_test(test)
    variables: dict[Hashable, np.ndarray] = {state(t): states[:, t] for t in range(n_steps)}
    variables.update({task(i): tasks[:, i] for i in range(n_tasks)})
    ci.fit(variables)
    pairs = [
        (t, t + 1)
        for start in range(0, n_steps, segment_length)
        for t in range(start, start + segment_length - 1)
    ]
    queries = []
    for i in range(n_tasks):
        for t, u in pairs:
            z = [state(v) for v in (t - 1, u + 1) if 0 <= v < n_steps]
            queries += [(state(t), task(i), z), (state(u), task(i), z)]
    p = np.array([r.pvalue for r in ci.test_many(queries)]).reshape(n_tasks, len(pairs), 2)
    pair_p = p.max(axis=2)  # intersection-union: both states must depend on g_i
    out = np.ones((n_steps, n_tasks))
    for j, (t, u) in enumerate(pairs):
        out[t] = np.minimum(out[t], pair_p[:, j])
        out[u] = np.minimum(out[u], pair_p[:, j])
    return out


def pair_test_structure(
    states,
    tasks,
    segment_length: int = 2,
    *,
    alpha: float = 0.05,
    seed: int = 0,
    test: str | CITest = "fisherz",
    n_subgoals: int | None = None,
    score_cap: float = 10.0,
) -> np.ndarray:
    """Pair test (IUT): bool (K, M), task ``i`` relevant to segment ``k``.

    Parameters
    ----------
    states : array (n, T) or (n, T, d)
    tasks : array (n, M) or (n, M, d_g)
    segment_length : ``L >= 2``, divides ``T``
    alpha : significance level; the binarisation threshold is ``-log10(alpha)``
    seed : initialisation of the NMF (``random_state``)
    test : CI test name or instance (see :func:`specialist.ci.get_test`)
    n_subgoals : number of NMF components ``J``, 1..M; default ``M``
    score_cap : cap of the ``-log10 p`` scores (> ``-log10(alpha)``), so that one
        overwhelming p-value does not dominate the factorisation

    Returns
    -------
    numpy.ndarray
        bool (K, M).

    Backs
    -----
    fig3_structure
    """
    states, tasks, n_seg = check_inputs(states, tasks, segment_length, alpha)
    n_tasks = tasks.shape[1]
    if n_subgoals is None:
        n_subgoals = n_tasks
    if (
        isinstance(n_subgoals, bool)
        or not isinstance(n_subgoals, Integral)
        or not 1 <= n_subgoals <= n_tasks
    ):
        raise ValueError(f"n_subgoals must be an integer in 1..M = {n_tasks}, got {n_subgoals!r}")
    threshold = -np.log10(alpha)
    if isinstance(score_cap, bool) or not isinstance(score_cap, Real) or score_cap <= threshold:
        raise ValueError(
            f"score_cap must be a number > -log10(alpha) = {threshold:.3g}, got {score_cap!r}"
        )
    pvalues = selection_scores(states, tasks, segment_length, test)
    scores = np.clip(-np.log10(np.maximum(pvalues, 1e-300)), 0.0, score_cap)
    if scores.max() == 0:
        return np.zeros((n_seg, n_tasks), dtype=bool)
    nmf = NMF(n_components=n_subgoals, init="nndsvda", random_state=seed, max_iter=5000, tol=1e-6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        activations = nmf.fit_transform(scores)  # W: (T, J)
    reconstruction = activations @ nmf.components_  # (T, M)
    # coordinate descent also reports "not converged" when the factorisation is exact (its
    # relative-decrease criterion stalls at 0); only a poor reconstruction is worth a warning
    relative_error = np.linalg.norm(reconstruction - scores) / np.linalg.norm(scores)
    for w in caught:
        if not (issubclass(w.category, ConvergenceWarning) and relative_error < 1e-3):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    steps = reconstruction > threshold
    return steps.reshape(n_seg, segment_length, n_tasks).mean(axis=1) >= 0.5
