"""SelTask (unsupervised): subgoals from states and actions alone, never from the tasks.

An original-like reconstruction of Qiu, Zheng & Zhang, "Identifying Selections for Unsupervised
Subtask Discovery" (NeurIPS 2024). The original never observes the subgoals: a subgoal is a
*selection* (a common effect of the states and actions it selects), which leaves a trace in
how states and actions depend on each other over time, and a sequential NMF (seqNMF) of the
state-action data finds a binary subgoal × time matrix. This baseline does the same with
observed states and actions only; unlike :mod:`specialist.baselines.pair_test` (the pair test, given g) it never reads
the task variables ``g``.

1. **Features** (:func:`lagged_dependence`): per step ``t``, the absolute correlations across
   the ``n`` samples between the coordinates of ``x_t = (s_t, a_t)`` (lag 0: the upper triangle
   of their ``2d × 2d`` correlation matrix, ``s``–``a``, ``s``–``s`` and ``a``–``a`` pairs) and
   between ``x_t`` and its neighbours ``x_{t-1}`` and ``x_{t+1}`` (lag 1: two full ``2d × 2d``
   cross-correlation matrices); the first step has no ``x_{t-1}`` and the last no ``x_{t+1}``,
   and those features are set to the feature's mean over the other steps, so the two ends of
   the sequence carry no artificial signature. Each feature is then taken relative to its
   minimum over the steps: a dependence that every step shares (a policy that always couples
   ``a_t`` to ``s_t``) marks no subgoal, and left in, it would take up components of its own or
   blur the others. This gives a ``T × F`` non-negative matrix, ``F = d (2d - 1) + 8 d²``.
2. **Factorisation**: scikit-learn's :class:`~sklearn.decomposition.NMF` factorises it into
   ``J = n_subgoals`` components, ``T × J`` activations ``W`` (and ``J × F`` loadings), by
   coordinate descent from an NNDSVDa start (a random start, from ``seed``, when ``J`` exceeds
   ``min(T, F)``), stopped after 5000 iterations at the latest (without a
   ``ConvergenceWarning``). seqNMF's convolution, which lets a subgoal span a learned temporal
   motif, is not needed: a segment's steps share one label by construction. The factorisation
   is unique (up to order and scale) when every subgoal has a step of its own; subgoals that
   only ever occur together cannot be told apart.
3. **Binarisation**: a step is active for subgoal ``j`` when its activation reaches half of
   that component's maximum (the original thresholds a normalised ``H`` at 0.5; a component
   that is zero everywhere is active nowhere), and a segment is marked for subgoal ``j`` when at
   least half of its steps are active.

The subgoals are unlabelled. To score them against a ground-truth segment × task matrix,
:func:`match_subgoals` pairs subgoals with tasks by the Hungarian algorithm; the truth is used
for this scoring step only, exactly as mean-correlation (MCC) evaluations match learned latents
to true ones before scoring. :func:`seltask_unsupervised_structure` wraps both steps behind the
baselines' signature (it is listed in :data:`~specialist.baselines.NEEDS_ACTIONS_AND_TRUTH`,
not in :data:`~specialist.baselines.BASELINES`, because it also needs the actions and the
truth).

What it can find. In the paper's collider process the tasks are *sinks*: ``g_i`` is a child of
actions only and causes nothing. Marginalising the tasks out leaves the joint distribution of
(states, actions) unchanged, whatever the task assignment, so (states, actions) carry no
information about which segments serve which task: on that generator no unsupervised method can
beat chance (:func:`~specialist.simulate.collider.sample_collider` even draws identical states
and actions for two assignments with the same seed). The baseline shows what an original-like
SelTask can do without ``g``: it recovers the structure when the task leaves a behavioural
signature in the state-action dependence, and scores at chance level on the collider data.
"""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning

from specialist.baselines._common import MIN_SAMPLES, check_inputs
from specialist.structure import n_segments

#: fraction of a component's maximum activation above which a step is active for it
ACTIVATION_THRESHOLD = 0.5


def _check_sequences(states, actions, segment_length: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Validate states and actions; return them as ``(n, T, d)`` float arrays and ``K``."""
    arrays = []
    for name, value in (("states", states), ("actions", actions)):
        arr = np.asarray(value, dtype=float)
        if arr.ndim not in (2, 3):
            raise ValueError(f"{name} must have shape (n, T) or (n, T, d), got shape {arr.shape}")
        if 0 in arr.shape:
            raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite values")
        arrays.append(arr)
    states, actions = arrays
    if states.shape != actions.shape:
        raise ValueError(
            f"actions must have the same shape as states, got {actions.shape} and {states.shape}"
        )
    if states.shape[0] < MIN_SAMPLES:
        raise ValueError(f"need at least {MIN_SAMPLES} samples, got n = {states.shape[0]}")
    n_seg = n_segments(states.shape[1], segment_length)
    if states.ndim == 2:
        states, actions = states[:, :, None], actions[:, :, None]
    return states, actions, n_seg


def _check_n_subgoals(n_subgoals, minimum: int = 1, what: str = "1") -> int:
    if isinstance(n_subgoals, bool) or not isinstance(n_subgoals, Integral) or n_subgoals < minimum:
        raise ValueError(f"n_subgoals must be an integer >= {what}, got {n_subgoals!r}")
    return int(n_subgoals)


def lagged_dependence(states: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """Step 1: the ``(T, F)`` non-negative matrix of time-lagged state–action dependence.

    Parameters
    ----------
    states, actions : arrays (n, T, d), validated (see the module docstring)

    Returns
    -------
    numpy.ndarray
        float (T, F), ``F = d (2d - 1) + 8 d²``, entries in [0, 1]: per step, the absolute
        lag-0 correlations among the coordinates of ``(s_t, a_t)``, then the absolute lag-1
        cross-correlations with ``(s_{t-1}, a_{t-1})`` and with ``(s_{t+1}, a_{t+1})`` (a
        missing neighbour's features are the feature's mean over the other steps), each
        feature minus its minimum over the steps. A constant coordinate has correlation 0
        with everything.
    """
    n, n_steps, _ = states.shape
    x = np.concatenate([states, actions], axis=2)  # (n, T, 2d)
    x = x - x.mean(axis=0)
    std = x.std(axis=0)
    z = x / np.where(std > 0, std, np.inf)
    width = z.shape[2]
    upper = np.triu_indices(width, k=1)
    lag0 = np.abs(np.einsum("ntp,ntq->tpq", z, z) / n)[:, upper[0], upper[1]]
    lag1 = np.abs(np.einsum("ntp,ntq->tpq", z[:, :-1], z[:, 1:]) / n).reshape(n_steps - 1, -1)
    fill = lag1.mean(axis=0, keepdims=True)
    previous = np.vstack([fill, lag1])  # step t with step t - 1
    following = np.vstack([lag1, fill])  # step t with step t + 1
    features = np.hstack([lag0, previous, following])
    return np.clip(features - features.min(axis=0), 0.0, 1.0)


def seltask_unsupervised_subgoals(
    states,
    actions,
    segment_length: int = 2,
    *,
    n_subgoals: int,
    seed: int = 0,
) -> np.ndarray:
    """SelTask (unsupervised): bool (K, J), segment ``k`` serves subgoal ``j``.

    Never sees the tasks; see the module docstring for the three steps.

    Parameters
    ----------
    states : array (n, T) or (n, T, d), ``n >= 10``
    actions : array of the same shape as ``states``
    segment_length : ``L >= 2``, divides ``T``
    n_subgoals : number of subgoals (NMF components) ``J >= 1``
    seed : initialisation of the NMF (``random_state``)

    Returns
    -------
    numpy.ndarray
        bool (K, J), unlabelled subgoals; compare with a truth through :func:`match_subgoals`.
    """
    states, actions, n_seg = _check_sequences(states, actions, segment_length)
    n_subgoals = _check_n_subgoals(n_subgoals)
    features = lagged_dependence(states, actions)
    if features.max() == 0:  # nothing depends on anything: no subgoal is active anywhere
        return np.zeros((n_seg, n_subgoals), dtype=bool)
    init = "nndsvda" if n_subgoals <= min(features.shape) else "random"
    nmf = NMF(n_components=n_subgoals, init=init, random_state=seed, max_iter=5000, tol=1e-6)
    with warnings.catch_warnings():
        # on data without a signature (the collider generator) the features are noise around
        # their minimum and the descent often runs to max_iter without meeting tol; we use the
        # factorisation it has then (documented), a warning on most calls would be noise
        warnings.simplefilter("ignore", ConvergenceWarning)
        activations = nmf.fit_transform(features)  # W: (T, J)
    peak = activations.max(axis=0)
    active = (activations >= ACTIVATION_THRESHOLD * peak) & (peak > 0)
    return active.reshape(n_seg, segment_length, n_subgoals).mean(axis=1) >= 0.5


def _as_bool_matrix(name: str, value) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"{name} must be a non-empty 2-D (segments x ...) matrix, got {arr.shape}")
    if arr.dtype != bool:
        if not (np.issubdtype(arr.dtype, np.number) and np.isin(arr, (0, 1)).all()):
            raise ValueError(f"{name} must hold booleans (or 0/1), got dtype {arr.dtype}")
        arr = arr.astype(bool)
    return arr


def match_subgoals(subgoals, truth) -> np.ndarray:
    """Label unlabelled subgoals with tasks: bool (K, M), column ``i`` = task ``i``'s subgoal.

    Each task is matched to a distinct subgoal by the Hungarian algorithm
    (:func:`scipy.optimize.linear_sum_assignment`), maximising the total number of segments on
    which a subgoal's column agrees with its task's column; task ``i`` then gets the column of
    its matched subgoal. The truth is used for this scoring step only, as mean-correlation
    (MCC) evaluations match learned latents to true ones; ties are broken deterministically.

    Parameters
    ----------
    subgoals : bool (K, J), e.g. from :func:`seltask_unsupervised_subgoals`
    truth : bool (K, M), the ground-truth segment × task matrix; ``J >= M`` is required

    Returns
    -------
    numpy.ndarray
        bool (K, M), comparable with ``truth``.
    """
    subgoals = _as_bool_matrix("subgoals", subgoals)
    truth = _as_bool_matrix("truth", truth)
    if subgoals.shape[0] != truth.shape[0]:
        raise ValueError(
            f"subgoals and truth must have the same number of segments K, got "
            f"{subgoals.shape[0]} and {truth.shape[0]}"
        )
    n_subgoals, n_tasks = subgoals.shape[1], truth.shape[1]
    if n_subgoals < n_tasks:
        raise ValueError(
            f"subgoals must have at least as many columns as truth has tasks (J >= M), got "
            f"J = {n_subgoals} < M = {n_tasks}"
        )
    # agreement[i, j]: segments on which subgoal j agrees with task i
    agreement = (truth[:, :, None] == subgoals[:, None, :]).sum(axis=0)
    tasks, chosen = linear_sum_assignment(agreement, maximize=True)
    out = np.empty_like(truth)
    out[:, tasks] = subgoals[:, chosen]
    return out


def seltask_unsupervised_structure(
    states,
    tasks,
    segment_length: int = 2,
    *,
    actions,
    truth,
    alpha: float = 0.05,
    seed: int = 0,
    n_subgoals: int | None = None,
) -> np.ndarray:
    """SelTask (unsupervised) with the baselines' signature: bool (K, M), matched to ``truth``.

    :func:`seltask_unsupervised_subgoals` on the states and actions, then
    :func:`match_subgoals` against ``truth``. ``tasks`` is validated like the other baselines'
    (shape, finite values, same ``n`` as ``states``) but only its number of columns ``M`` is
    used: the task values are never read, so shuffled or zeroed tasks give the same output.

    Parameters
    ----------
    states : array (n, T) or (n, T, d), ``n >= 10``
    tasks : array (n, M) or (n, M, d_g); only ``M`` is used
    segment_length : ``L >= 2``, divides ``T``
    actions : array of the same shape as ``states``
    truth : bool (K, M), the ground truth, used to label the subgoals (scoring only)
    alpha : unused (no test is run); checked in (0, 1) for the shared baseline signature
    seed : initialisation of the NMF
    n_subgoals : number of subgoals ``J >= M``; default ``M``

    Returns
    -------
    numpy.ndarray
        bool (K, M), comparable with ``truth`` and ``discover_task_structure(...).segment_tasks``.

    Backs
    -----
    fig3_structure
    """
    _, tasks, n_seg = check_inputs(states, tasks, segment_length, alpha)
    n_tasks = tasks.shape[1]
    truth = _as_bool_matrix("truth", truth)
    if truth.shape != (n_seg, n_tasks):
        raise ValueError(
            f"truth must have shape (K, M) = ({n_seg}, {n_tasks}), got shape {truth.shape}"
        )
    if n_subgoals is None:
        n_subgoals = n_tasks
    n_subgoals = _check_n_subgoals(n_subgoals, n_tasks, f"M = {n_tasks}")
    subgoals = seltask_unsupervised_subgoals(
        states, actions, segment_length, n_subgoals=n_subgoals, seed=seed
    )
    return match_subgoals(subgoals, truth)


__all__ = [
    "lagged_dependence",
    "match_subgoals",
    "seltask_unsupervised_structure",
    "seltask_unsupervised_subgoals",
]
