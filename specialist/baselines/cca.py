"""CCA baseline: a segment is relevant to a task if its states are correlated with the task.

The paper names canonical correlation analysis as a baseline but not how it was turned into a
segment × task structure; this is our reconstruction (see the book's "Reconstruction notes").

For every task ``i`` and segment ``k``:

1. ``X`` = the states of the segment's ``L`` steps, all ``L · d`` coordinates; ``Y`` = ``g_i``
   (``d_g`` coordinates).
2. The canonical correlations ``ρ_j``, ``j ≤ min(L·d, d_g)``, in closed form: the singular
   values of ``Q_Xᵀ Q_Y``, where ``Q_X`` and ``Q_Y`` are orthonormal bases of the centred
   columns of ``X`` and ``Y`` (with a scalar task, ``ρ_1`` is the multiple correlation of
   ``g_i`` with the segment's states). They equal the correlations of the paired canonical
   scores of scikit-learn's iterative :class:`~sklearn.cross_decomposition.CCA` (a test checks
   it) at a fraction of the cost.
3. Significance of "all canonical correlations are 0" by Bartlett's χ² approximation of
   Wilks' lambda, ``−(n − 1 − (p + q + 1)/2) ln Π_j (1 − ρ_j²) ~ χ²(p q)``
   (``p = L·d``, ``q = d_g``); relevant if the p-value, after the optional ``correction``
   within each task's ``K`` segments, is below ``alpha``.

The test is *marginal*: it asks whether the segment's states are associated with ``g_i`` at all.
In a connected sequence every state before a task's last segment is an ancestor of that
segment's actions, so CCA marks those segments too (it over-selects); in a disconnected
sequence marginal association and relevance coincide. That contrast is the point of comparing it
with Algorithm 1, whose conditional tests remove the temporal paths.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from specialist.baselines._common import check_inputs
from specialist.pvalues import CORRECTIONS, adjust_pvalues


def _orthonormal_basis(a: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the column space of the centred ``a (n, p)`` (rank-revealing SVD)."""
    a = a - a.mean(axis=0)
    u, s, _ = np.linalg.svd(a, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        return u[:, :0]
    return u[:, s > s[0] * max(a.shape) * np.finfo(float).eps]


def canonical_correlations(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The ``min(p, q)`` canonical correlations of ``x (n, p)`` and ``y (n, q)``, largest first.

    Closed form: the singular values of ``Q_xᵀ Q_y`` for orthonormal bases of the centred
    columns. A constant column contributes nothing; correlations beyond the rank are 0.
    """
    x = np.asarray(x, dtype=float).reshape(len(x), -1)
    y = np.asarray(y, dtype=float).reshape(len(y), -1)
    k = min(x.shape[1], y.shape[1])
    qx, qy = _orthonormal_basis(x), _orthonormal_basis(y)
    rho = np.zeros(k)
    if qx.shape[1] and qy.shape[1]:
        values = np.linalg.svd(qx.T @ qy, compute_uv=False)[:k]
        rho[: len(values)] = np.clip(values, 0.0, 1.0)
    return rho


def bartlett_pvalue(rho: np.ndarray, n: int, p: int, q: int) -> float:
    """p-value of "all canonical correlations are 0" (Bartlett's χ² for Wilks' lambda)."""
    log_lambda = np.sum(np.log1p(-(np.minimum(rho, 1 - 1e-15) ** 2)))
    stat = -(n - 1 - (p + q + 1) / 2) * log_lambda
    return float(chi2.sf(stat, p * q))


def cca_structure(
    states,
    tasks,
    segment_length: int = 2,
    *,
    alpha: float = 0.05,
    seed: int = 0,
    correction: str = "none",
) -> np.ndarray:
    """CCA baseline: bool (K, M), task ``i`` relevant to segment ``k``.

    Parameters
    ----------
    states : array (n, T) or (n, T, d)
    tasks : array (n, M) or (n, M, d_g)
    segment_length : ``L >= 2``, divides ``T``
    alpha : significance level of the Bartlett test, in (0, 1)
    seed : unused (CCA is deterministic); accepted for the shared baseline signature
    correction : ``"none"`` (default), ``"bonferroni"``, ``"holm"`` or ``"fdr_bh"``, within
        each task's ``K`` segments (as in Algorithm 1)

    Returns
    -------
    numpy.ndarray
        bool (K, M), comparable with ``discover_task_structure(...).segment_tasks``.

    Backs
    -----
    fig3_structure
    """
    states, tasks, n_seg = check_inputs(states, tasks, segment_length, alpha)
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}, got {correction!r}")
    n, _, d = states.shape
    q = tasks.shape[2]
    p = segment_length * d
    blocks = states.reshape(n, n_seg, p)
    out = np.zeros((n_seg, tasks.shape[1]), dtype=bool)
    for i in range(tasks.shape[1]):
        pvalues = np.array(
            [
                bartlett_pvalue(canonical_correlations(blocks[:, k], tasks[:, i]), n, p, q)
                for k in range(n_seg)
            ]
        )
        out[:, i] = adjust_pvalues(pvalues, correction) < alpha
    return out
