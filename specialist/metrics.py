"""Scores of recovered structures and latents, one short function per metric.

Structure metrics compare two boolean segment × task matrices (``True`` = task relevant to the
segment); :func:`mean_corr_coef` compares true and estimated latents. The paper's "MCC" is
ambiguous (see PAPER.md §5): :func:`matthews_mcc` is our primary reading, and
:func:`mean_corr_coef` the disentanglement literature's (LEAP).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata
from sklearn.metrics import f1_score, matthews_corrcoef


def _structure_pair(true: np.ndarray, est: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Validate two same-shape 2-D matrices of booleans (or 0/1) and flatten them."""
    out = []
    for name, value in (("true", true), ("est", est)):
        arr = np.asarray(value)
        if arr.ndim != 2:
            raise ValueError(f"{name} must be a 2-D segment x task matrix, got shape {arr.shape}")
        if arr.dtype != bool:
            if not np.issubdtype(arr.dtype, np.number) or not np.isin(arr, (0, 1)).all():
                raise ValueError(f"{name} must be boolean (or 0/1), got dtype {arr.dtype}")
        out.append(arr.astype(bool))
    if out[0].shape != out[1].shape:
        raise ValueError(
            f"true and est must have the same shape, got {out[0].shape} and {out[1].shape}"
        )
    return out[0].ravel(), out[1].ravel()


def structure_accuracy(true: np.ndarray, est: np.ndarray) -> float:
    """Fraction of segment × task entries on which ``est`` equals ``true``.

    Backs: fig3_structure (accuracy vs T).
    """
    t, e = _structure_pair(true, est)
    return float(np.mean(t == e))


def matthews_mcc(true: np.ndarray, est: np.ndarray) -> float:
    """Matthews correlation coefficient of the flattened boolean matrices, in [-1, 1].

    Degenerate case, defined here rather than left to a library warning: when either matrix is
    constant (all ``True`` or all ``False``) the coefficient is undefined (0 / 0); we return 1.0
    if the two matrices are identical and 0.0 otherwise. Backs: fig3_structure (MCC vs M).
    """
    t, e = _structure_pair(true, est)
    if t.all() == t.any() or e.all() == e.any():
        return 1.0 if np.array_equal(t, e) else 0.0
    return float(matthews_corrcoef(t, e))


def f1_structure(true: np.ndarray, est: np.ndarray) -> float:
    """F1 score of the relevant (``True``) entries of the flattened matrices.

    When neither matrix has a ``True`` entry the score is 1.0 (perfect agreement), not the
    undefined 0 / 0. Backs: fig3_structure (supplementary table).
    """
    t, e = _structure_pair(true, est)
    return float(f1_score(t, e, zero_division=1.0))


def mean_corr_coef(
    true_latents: np.ndarray,
    est_latents: np.ndarray,
    method: Literal["pearson", "spearman"] = "pearson",
) -> float:
    """Mean absolute correlation of matched latent pairs (the "MCC" of LEAP and disentanglement).

    Each true latent is matched to one estimated latent by the Hungarian algorithm on absolute
    correlations, so the score ignores permutation, scale and sign but penalises duplicated
    latents. A constant estimated latent has correlation 0 with everything.
    Backs: fig3_structure (alternative reading of "MCC"), fig5_l1_ablation.

    Parameters
    ----------
    true_latents, est_latents : arrays of the same shape ``(n, k)``, ``n ≥ 2``
    method : ``"pearson"`` (linear) or ``"spearman"`` (rank, invariant to monotone maps)
    """
    if method not in ("pearson", "spearman"):
        raise ValueError(f"method must be 'pearson' or 'spearman', got {method!r}")
    a, b = np.asarray(true_latents, dtype=float), np.asarray(est_latents, dtype=float)
    if a.ndim != 2 or a.shape != b.shape or a.shape[0] < 2:
        raise ValueError(
            "true_latents and est_latents must be 2-D arrays of the same shape (n, k) with "
            f"n >= 2, got {a.shape} and {b.shape}"
        )
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("latents contain NaN or infinite values")
    if method == "spearman":
        a, b = rankdata(a, axis=0), rankdata(b, axis=0)
    corr = np.abs(_standardise(a).T @ _standardise(b)) / a.shape[0]
    rows, cols = linear_sum_assignment(-corr)
    return float(np.clip(corr[rows, cols], 0.0, 1.0).mean())


def _standardise(a: np.ndarray) -> np.ndarray:
    std = a.std(axis=0)
    # a constant column becomes zeros, hence zero correlation, instead of 0 / 0; relative
    # tolerance because a constant column's computed std is rounding noise, not exactly 0
    constant = std <= 1e-12 * np.abs(a).max(axis=0)
    return (a - a.mean(axis=0)) / np.where(constant, np.inf, std)
