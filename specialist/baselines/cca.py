"""CCA baseline: a segment is relevant to a task if its states are correlated with the task.

The paper names canonical correlation analysis as a baseline but not how it was turned into a
segment × task structure; this is our reconstruction (see the book's "Reconstruction notes").

For every task ``i`` and segment ``k``:

1. ``X`` = the states of the segment's ``L`` steps, all ``L · d`` coordinates; ``Y`` = ``g_i``
   (``d_g`` coordinates).
2. scikit-learn's :class:`~sklearn.cross_decomposition.CCA` with ``min(L·d, d_g)`` components
   gives the canonical correlations ``ρ_j`` (the correlations of paired canonical scores; with
   a scalar task, ``ρ_1`` is the multiple correlation of ``g_i`` with the segment's states).
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
from sklearn.cross_decomposition import CCA

from specialist.baselines._common import check_inputs
from specialist.pvalues import CORRECTIONS, adjust_pvalues


def canonical_correlations(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The ``min(p, q)`` canonical correlations of ``x (n, p)`` and ``y (n, q)`` (sklearn CCA)."""
    k = min(x.shape[1], y.shape[1])
    cca = CCA(n_components=k, scale=True, max_iter=1000, tol=1e-10).fit(x, y)
    xs, ys = cca.transform(x, y)
    xs, ys = xs.reshape(len(x), k), ys.reshape(len(y), k)
    xs, ys = xs - xs.mean(axis=0), ys - ys.mean(axis=0)
    denom = np.sqrt((xs**2).sum(axis=0) * (ys**2).sum(axis=0))
    return np.abs((xs * ys).sum(axis=0)) / np.where(denom > 0, denom, np.inf)


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
