"""Scores of recovered structures and latents, one short function per metric.

Structure metrics compare two boolean segment × task matrices (``True`` = task relevant to the
segment); :func:`mean_corr_coef` compares true and estimated latents. The paper's "MCC" is
ambiguous (see PAPER.md §5): :func:`matthews_mcc` is our primary reading, and
:func:`mean_corr_coef` the disentanglement literature's (LEAP).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
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


def structure_accuracy(true: ArrayLike, est: ArrayLike) -> float:
    """Fraction of segment × task entries on which ``est`` equals ``true``.

    Backs
    -----
    fig3_structure (accuracy vs T)
    """
    t, e = _structure_pair(true, est)
    return float(np.mean(t == e))


def matthews_mcc(true: ArrayLike, est: ArrayLike) -> float:
    """Matthews correlation coefficient of the flattened boolean matrices, in [-1, 1].

    Degenerate case, defined here rather than left to a library warning: when either matrix is
    constant (all ``True`` or all ``False``) the coefficient is undefined (0 / 0); we return 1.0
    if the two matrices are identical and 0.0 otherwise.

    Examples
    --------
    A segment x task structure, and an estimate with one false positive:

    >>> true = [[0, 0], [0, 1], [1, 1], [1, 0]]
    >>> est = [[1, 0], [0, 1], [1, 1], [1, 0]]
    >>> matthews_mcc(true, true)
    1.0
    >>> round(matthews_mcc(true, est), 3)
    0.775

    Backs
    -----
    fig3_structure (MCC vs M)
    """
    t, e = _structure_pair(true, est)
    if t.all() == t.any() or e.all() == e.any():
        return 1.0 if np.array_equal(t, e) else 0.0
    return float(matthews_corrcoef(t, e))


def f1_structure(true: ArrayLike, est: ArrayLike) -> float:
    """F1 score of the relevant (``True``) entries of the flattened matrices.

    When neither matrix has a ``True`` entry the score is 1.0 (perfect agreement), not the
    undefined 0 / 0.

    Backs
    -----
    fig3_structure (supplementary table)
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

    Parameters
    ----------
    true_latents, est_latents : arrays of the same shape ``(n, k)``, ``n ≥ 2``
    method : ``"pearson"`` (linear) or ``"spearman"`` (rank, invariant to monotone maps)

    Backs
    -----
    fig3_structure (alternative reading of "MCC"), fig5_l1_ablation
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


def block_r2(
    source: np.ndarray,
    target: np.ndarray,
    seed: int = 0,
    test_fraction: float = 0.3,
    n_components: int = 300,
) -> float:
    """Held-out R² of predicting ``target`` from ``source`` with a nonlinear regressor: the mean
    over the columns of ``target`` of :func:`block_r2_columns` (see there).

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    return float(np.mean(block_r2_columns(source, target, seed, test_fraction, n_components)))


def block_r2_columns(
    source: np.ndarray,
    target: np.ndarray,
    seed: int = 0,
    test_fraction: float = 0.3,
    n_components: int = 300,
    reader: Literal["nonlinear", "linear"] = "nonlinear",
) -> np.ndarray:
    """Held-out R² of predicting each column of ``target`` from ``source``.

    The ``"nonlinear"`` reader (the default) is ridge regression on random-kitchen-sink features
    of an RBF kernel (scikit-learn's ``Nystroem`` with ``n_components`` landmarks, bandwidth
    ``gamma = 1 / (2 d)`` on standardised ``source`` of dimension ``d``, ridge strength chosen
    per column by leave-one-out CV over ``10^-6 ... 10^2``). The ``"linear"`` reader is ridge
    regression on the standardised ``source`` itself, one strength for all columns chosen by
    leave-one-out CV over ``10^-3 ... 10^3``. Both are fitted on a random ``1 - test_fraction``
    of the rows and scored on the rest (the same split for both readers). A column's R² is about
    1 when it is a smooth (for ``"linear"``: linear) function of ``source`` and about 0 when it
    is independent of it. A ``source`` with no columns (an empty block) predicts the training
    mean, so its scores are about 0 (slightly negative on the held-out rows).

    Parameters
    ----------
    source : ``(n, d)`` array, ``d >= 0``
    target : ``(n, p)`` array (or ``(n,)``), ``p >= 1``
    seed : fixes the split and the landmarks
    test_fraction : share of held-out rows, in (0, 1)
    n_components : number of Nystroem landmarks (capped at the training size)
    reader : ``"nonlinear"`` or ``"linear"``

    Returns
    -------
    ``(p,)`` array of held-out R², one per column of ``target``

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    from sklearn.kernel_approximation import Nystroem
    from sklearn.metrics import r2_score
    from sklearn.model_selection import train_test_split

    if reader not in ("nonlinear", "linear"):
        raise ValueError(f"reader must be 'nonlinear' or 'linear', got {reader!r}")
    x = np.asarray(source, dtype=float)
    y = np.asarray(target, dtype=float)
    x = x.reshape(-1, 0) if x.size == 0 and x.ndim == 1 else x
    y = y[:, None] if y.ndim == 1 else y
    if x.ndim != 2 or y.ndim != 2 or x.shape[0] != y.shape[0] or y.shape[1] < 1:
        raise ValueError(
            "source must be (n, d) and target (n, p) with the same n and p >= 1, got "
            f"{x.shape} and {y.shape}"
        )
    if x.shape[0] < 10:
        raise ValueError(f"block_r2 needs at least 10 rows to hold some out, got {x.shape[0]}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("source and target must be finite")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_fraction, random_state=seed)
    if x.shape[1] == 0:
        pred = np.broadcast_to(y_tr.mean(axis=0), y_te.shape)
    else:
        mean, std = x_tr.mean(axis=0), x_tr.std(axis=0)
        std = np.where(std > 0, std, 1.0)
        f_tr, f_te = (x_tr - mean) / std, (x_te - mean) / std
        if reader == "nonlinear":
            features = Nystroem(
                gamma=1.0 / (2 * x.shape[1]),
                n_components=min(n_components, x_tr.shape[0]),
                random_state=seed,
            )
            f_tr = features.fit_transform(f_tr)
            f_te = features.transform(f_te)
            fit = ridge_loo(f_tr, y_tr, np.logspace(-6, 2, 9), per_target=True)
        else:
            fit = ridge_loo(f_tr, y_tr, np.logspace(-3, 3, 7), per_target=False)
        pred = fit.predict(f_te)
    return np.asarray(r2_score(y_te, pred, multioutput="raw_values"), dtype=float)


class RidgeFit(NamedTuple):
    """A ridge regression chosen by :func:`ridge_loo`: ``coef`` ``(d, p)``, ``intercept``
    ``(p,)``, the chosen strength per column ``alpha`` ``(p,)``."""

    coef: np.ndarray
    intercept: np.ndarray
    alpha: np.ndarray

    def predict(self, x: np.ndarray) -> np.ndarray:
        """``(n, p)`` predictions for ``x`` ``(n, d)``."""
        return np.asarray(x, dtype=float) @ self.coef + self.intercept


def ridge_loo(x: np.ndarray, y: np.ndarray, alphas, per_target: bool = False) -> RidgeFit:
    """Ridge regression with an unpenalised intercept, its strength chosen by exact
    leave-one-out error (the estimator and the choice of scikit-learn's ``RidgeCV(alphas)``
    with its default efficient leave-one-out, to rounding).

    One eigendecomposition of the centred ``X'X = V diag(s) V'`` serves every strength: with
    ``U = X_c V``, the fitted values are ``U diag(1 / (s + a)) U' y_c`` and the leverages
    ``1/n + (U ** 2) @ (1 / (s + a))``, so each strength costs ``O(n d)`` instead of the
    ``O(n d²)`` of forming the hat matrix's diagonal anew. The leave-one-out residual is the
    residual over ``1 - leverage``. ``per_target`` picks a strength per column of ``y``
    (``RidgeCV(alpha_per_target=True)``), otherwise one strength with the smallest mean squared
    error over all columns; ties keep the first strength in ``alphas``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    y = y[:, None] if y.ndim == 1 else y
    alphas = np.asarray(alphas, dtype=float).ravel()
    if x.ndim != 2 or y.ndim != 2 or x.shape[0] != y.shape[0] or x.shape[0] < 2:
        raise ValueError(
            f"x must be (n, d) and y (n, p) with the same n >= 2, got {x.shape} and {y.shape}"
        )
    if alphas.size == 0 or not (alphas > 0).all():
        raise ValueError(f"alphas must be positive numbers, got {alphas!r}")
    n = x.shape[0]
    x_mean, y_mean = x.mean(axis=0), y.mean(axis=0)
    xc, yc = x - x_mean, y - y_mean
    eigvals, v = np.linalg.eigh(xc.T @ xc)
    u = xc @ v  # (n, d)
    uty = u.T @ yc  # (d, p)
    u2 = u**2
    best_score = np.full(y.shape[1] if per_target else 1, -np.inf)
    best_alpha = np.zeros_like(best_score)
    best_w = np.zeros((x.shape[1], y.shape[1]))
    for a in alphas:
        inv = 1.0 / (eigvals + a)
        w = inv[:, None] * uty  # coefficients in the eigenbasis
        residual = yc - u @ w
        keep = 1.0 - 1.0 / n - u2 @ inv
        sq = (residual / keep[:, None]) ** 2
        score = -sq.mean(axis=0) if per_target else np.array([-sq.mean()])
        better = score > best_score
        best_score[better], best_alpha[better] = score[better], a
        if per_target:
            best_w[:, better] = w[:, better]
        elif better[0]:
            best_w = w
    coef = v @ best_w
    alpha = best_alpha if per_target else np.full(y.shape[1], best_alpha[0])
    return RidgeFit(coef, y_mean - x_mean @ coef, alpha)


def match_latents(true: np.ndarray, est: np.ndarray) -> np.ndarray:
    """Order of the estimated latents that best matches the true ones, by support pattern.

    ``true`` and ``est`` are boolean task × latent supports ``(M, L)``. Returns ``order`` such
    that column ``order[j]`` of ``est`` is matched to true latent ``j`` (Hungarian algorithm on
    the number of tasks on which the two columns agree). Learned latents carry no fixed order, so
    comparisons of supports go through this matching.

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    t = np.asarray(true)
    e = np.asarray(est)
    if t.ndim != 2 or t.shape != e.shape:
        raise ValueError(
            f"true and est must be boolean (M, L) matrices of the same shape, got {t.shape} "
            f"and {e.shape}"
        )
    t_flat, e_flat = _structure_pair(t, e)  # validates booleans
    t, e = t_flat.reshape(t.shape), e_flat.reshape(e.shape)
    agree = t.astype(int).T @ e.astype(int) + (~t).astype(int).T @ (~e).astype(int)
    _, cols = linear_sum_assignment(-agree)
    return cols


def support_f1(true: ArrayLike, est: ArrayLike) -> float:
    """F1 of an estimated task × latent support, up to a permutation of the latents.

    The columns of ``est`` are first matched to those of ``true`` (:func:`match_latents`); the
    F1 of the relevant entries is then computed on the matched matrices (1.0 when neither has
    any).

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    order = match_latents(true, est)
    return f1_structure(np.asarray(true), np.asarray(est)[:, order])
