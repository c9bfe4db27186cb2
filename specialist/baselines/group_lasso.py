"""Group Lasso baseline: a segment is relevant to a task if its group of states is selected.

The paper names Group Lasso as a baseline but not how it was turned into a segment × task
structure; this is our reconstruction (see the book's "Reconstruction notes").

For every task ``i``:

1. regress the standardised ``g_i`` on *all* standardised states, one group per segment (its
   ``L · d`` state coordinates), with a group lasso (the problem skglm's
   :class:`~skglm.GroupLasso` solves, with unit group weights), objective ``1/(2n) ||y − X w||² + λ Σ_k ||w_k||₂``
   (no intercept: everything is centred);
2. choose ``λ`` by ``selection``: ``"cv"`` (default) is 5-fold cross-validation
   (:class:`~sklearn.model_selection.KFold`, shuffled with ``seed``) over a grid of
   ``n_lambdas`` values log-spaced from ``λ_max`` (the smallest ``λ`` that selects nothing)
   down to ``λ_max / 1000``, keeping the *largest* ``λ`` whose mean validation error is within
   one standard error of the minimum (the "one-standard-error rule" of Hastie, Tibshirani &
   Friedman; the minimiser itself keeps many tiny spurious groups at large ``n``);
   ``"bic"`` picks the ``λ`` minimising ``n log(RSS/n) + df log n`` on the full data, with
   ``df`` the number of non-zero coefficients;
3. refit at that ``λ`` on all samples; segment ``k`` is relevant if its group is non-zero.

A quadratic loss depends on the data only through ``X'X`` and ``X'y``, so every fit runs on the
``p × p`` Cholesky factor ``R`` of ``X'X`` (``||y − Xw||² = ||R^{-T} X'y − R w||² + const``),
with ``λ`` rescaled by ``n / p`` to keep skglm's ``1/(2 n_samples)`` normalisation: the
solution is the same and each fit is independent of ``n``.

Regression recovers the Markov blanket of ``g_i`` among the states, not its ancestors: the
states of its steps, and in a connected sequence also the state right after each of its steps
(a child of a relevant action), so Group Lasso tends to add the segment after a relevant one.
``alpha`` is unused (there is no test). The solver is block coordinate descent as in skglm's
``GroupBCD`` (the tests check that both reach the same coefficients), compiled once with numba
and cached on disk.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.model_selection import KFold

from specialist.baselines._common import check_inputs, zscore

SELECTIONS = ("cv", "bic")


def compressed_problem(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(R, z)`` with ``R'R = X'X`` and ``R'z = X'y`` (a tiny ridge keeps R invertible)."""
    gram = x.T @ x
    gram[np.diag_indices_from(gram)] += 1e-10 * max(np.trace(gram), 1.0)
    r = np.linalg.cholesky(gram).T  # upper triangular, R'R = X'X
    return r, np.linalg.solve(r.T, x.T @ y)


def fit_path(x, y, lambdas, group_size: int, tol: float) -> np.ndarray:
    """Group-lasso coefficients (len(lambdas), p), warm-started from large to small λ.

    Block coordinate descent on the compressed problem (module docstring), the algorithm of
    skglm's ``GroupBCD``: each group ``g`` in turn takes a gradient step of size ``1 / L_g``
    (``L_g`` the squared spectral norm of its columns of ``R``, over ``p``) followed by group
    soft-thresholding at ``λ' / L_g``, until the largest violation of the optimality
    conditions is at most ``tol``. Written as one compiled loop (numba, cached on disk): the
    problems have a few dozen coefficients, so skglm's per-call setup, not the arithmetic, was
    the cost (about 1 ms per λ; the tests check that both give the same coefficients).
    """
    n, p = x.shape
    r, z = compressed_problem(x, y)
    n_groups = p // group_size
    lips = np.array(
        [np.linalg.norm(r[:, g * group_size : (g + 1) * group_size], 2) ** 2 / p
         for g in range(n_groups)]
    )  # fmt: skip
    scaled = np.asarray(lambdas, dtype=float) * n / p  # skglm's 1/(2 n_samples) on p rows
    return _bcd_path(r, z, scaled, group_size, lips, tol, 100_000)


def _bcd_path(r, z, lambdas, group_size, lips, tol, max_epochs):
    from specialist.baselines._group_bcd import bcd_path

    return bcd_path(r, z, lambdas, group_size, lips, tol, max_epochs)


def lambda_grid(x, y, group_size: int, n_lambdas: int) -> np.ndarray:
    """``n_lambdas`` penalty weights from the smallest that zeroes every group down to a
    thousandth of it, log-spaced."""
    n = len(y)
    norms = np.linalg.norm((x.T @ y).reshape(-1, group_size), axis=1) / n
    lam_max = max(float(norms.max()), 1e-12)
    return lam_max * np.logspace(0, -3, n_lambdas)


def group_lasso_structure(
    states,
    tasks,
    segment_length: int = 2,
    *,
    alpha: float = 0.05,
    seed: int = 0,
    selection: str = "cv",
    n_lambdas: int = 20,
    n_folds: int = 5,
    tol: float = 1e-8,
) -> np.ndarray:
    """Group Lasso baseline: bool (K, M), task ``i`` relevant to segment ``k``.

    Parameters
    ----------
    states : array (n, T) or (n, T, d)
    tasks : array (n, M) or (n, M, d_g); a vector task is regressed column by column and a
        segment is relevant if any column selects it
    segment_length : ``L >= 2``, divides ``T``
    alpha : unused (no test is run); accepted for the shared baseline signature
    seed : shuffles the cross-validation folds
    selection : ``"cv"`` (5-fold CV, one-standard-error rule) or ``"bic"``
    n_lambdas : size of the ``λ`` grid (>= 2)
    n_folds : folds of the cross-validation (>= 2)
    tol : skglm's stopping tolerance

    Returns
    -------
    numpy.ndarray
        bool (K, M).

    Backs
    -----
    fig3_structure
    """
    states, tasks, n_seg = check_inputs(states, tasks, segment_length, alpha)
    if selection not in SELECTIONS:
        raise ValueError(f"selection must be one of {SELECTIONS}, got {selection!r}")
    for name, value in (("n_lambdas", n_lambdas), ("n_folds", n_folds)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 2:
            raise ValueError(f"{name} must be an integer >= 2, got {value!r}")
    n = states.shape[0]
    group_size = segment_length * states.shape[2]
    x = zscore(states.reshape(n, -1))
    folds = list(KFold(n_folds, shuffle=True, random_state=seed).split(x))
    out = np.zeros((n_seg, tasks.shape[1]), dtype=bool)
    for i in range(tasks.shape[1]):
        for c in range(tasks.shape[2]):
            y = zscore(tasks[:, i, c])
            lambdas = lambda_grid(x, y, group_size, n_lambdas)
            if selection == "cv":
                errors = np.empty((len(folds), n_lambdas))
                for f, (train, test) in enumerate(folds):
                    xt, yt = zscore(x[train]), y[train] - y[train].mean()
                    coefs = fit_path(xt, yt, lambdas, group_size, tol)
                    # validation data scaled with the training moments
                    mu, sd = x[train].mean(axis=0), x[train].std(axis=0)
                    xv = (x[test] - mu) / np.where(sd > 0, sd, np.inf)
                    resid = (y[test] - y[train].mean())[:, None] - xv @ coefs.T
                    errors[f] = (resid**2).mean(axis=0)
                mean = errors.mean(axis=0)
                se = errors.std(axis=0, ddof=1) / np.sqrt(len(folds))
                best = int(np.argmin(mean))
                chosen = int(np.flatnonzero(mean <= mean[best] + se[best])[0])
                coef = fit_path(x, y, lambdas[: chosen + 1], group_size, tol)[-1]
            else:
                coefs = fit_path(x, y, lambdas, group_size, tol)
                rss = ((y[:, None] - x @ coefs.T) ** 2).sum(axis=0)
                df = (np.abs(coefs) > 0).sum(axis=1)
                bic = n * np.log(np.maximum(rss, 1e-300) / n) + df * np.log(n)
                coef = coefs[int(np.argmin(bic))]
            norms = np.linalg.norm(coef.reshape(n_seg, group_size), axis=1)
            out[:, i] |= norms > 0
    return out
