"""The compiled inner loop of the Group Lasso baseline (:mod:`specialist.baselines.group_lasso`).

Block coordinate descent for ``min_w 1/(2p) ||z - R w||² + λ Σ_g ||w_g||`` along a path of
``λ`` (warm starts), with equal-size consecutive groups. Kept in its own module so that numba
is imported only when the baseline runs.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def bcd_path(r, z, lambdas, group_size, lips, tol, max_epochs):  # pragma: no cover - compiled
    p = r.shape[1]
    n_rows = r.shape[0]
    n_groups = p // group_size
    w = np.zeros(p)
    resid = z.copy()  # z - R w
    out = np.empty((lambdas.shape[0], p))
    grad = np.empty(group_size)
    for j in range(lambdas.shape[0]):
        lam = lambdas[j]
        for _ in range(max_epochs):
            for g in range(n_groups):
                lo = g * group_size
                if lips[g] == 0.0:
                    continue
                # gradient of the smooth part for this group: -R_g' resid / p
                for a in range(group_size):
                    acc = 0.0
                    for i in range(n_rows):
                        acc += r[i, lo + a] * resid[i]
                    grad[a] = -acc / n_rows
                norm = 0.0
                new = np.empty(group_size)
                for a in range(group_size):
                    new[a] = w[lo + a] - grad[a] / lips[g]
                    norm += new[a] * new[a]
                norm = np.sqrt(norm)
                # block soft-thresholding at lam / L_g; a group at the threshold (to rounding)
                # stays exactly zero
                threshold = lam / lips[g]
                shrink = 0.0 if norm <= threshold * (1.0 + 1e-12) else 1.0 - threshold / norm
                for a in range(group_size):
                    step = new[a] * shrink - w[lo + a]
                    if step != 0.0:
                        for i in range(n_rows):
                            resid[i] -= r[i, lo + a] * step
                        w[lo + a] += step
            # largest violation of the optimality conditions
            worst = 0.0
            for g in range(n_groups):
                lo = g * group_size
                gnorm = 0.0
                wnorm = 0.0
                for a in range(group_size):
                    acc = 0.0
                    for i in range(n_rows):
                        acc += r[i, lo + a] * resid[i]
                    grad[a] = -acc / n_rows
                    wnorm += w[lo + a] * w[lo + a]
                wnorm = np.sqrt(wnorm)
                if wnorm == 0.0:
                    for a in range(group_size):
                        gnorm += grad[a] * grad[a]
                    v = np.sqrt(gnorm) - lam
                else:
                    for a in range(group_size):
                        d = grad[a] + lam * w[lo + a] / wnorm
                        gnorm += d * d
                    v = np.sqrt(gnorm)
                if v > worst:
                    worst = v
            if worst <= tol:
                break
        out[j] = w
    return out
