"""Local permutations and residualisation: the conditional null of the neural CMI test.

Used by :class:`specialist.ci.NeuralCMI <specialist.ci.cmi.NeuralCMI>` (see its module
docstring, "Local permutations" and
"Statistic and conditional null", for why each piece is there). :func:`local_cells` cuts the
standardised conditioning variables into cells of nearby rows (the leaves of a balanced k-d
tree), :func:`local_permutations` draws permutations within cells, and :func:`residualize`
removes what a regression on ``z`` explains from ``x`` and ``y`` before the critic sees them.
"""

from __future__ import annotations

import numpy as np

#: random ReLU features (at most) and ridge penalty of the regressions on z, see residualize
_N_RANDOM_FEATURES = 100
_RIDGE = 1.0


def local_cells(z: np.ndarray, k: int) -> np.ndarray:
    """Partition the rows of ``z`` into cells of about ``k`` nearby rows (k-d tree leaves).

    Balanced median splits, each on the coordinate of largest variance within its cell, give
    ``G = n // k`` cells of ``n // G`` or a few more rows. Without columns (or with fewer than
    ``2 k`` rows) there is a single cell.

    Returns
    -------
    int array (G, k_max)
        Row indices of each cell, left-aligned and padded with ``-1``.
    """
    z = np.asarray(z, dtype=float)
    n = z.shape[0]
    n_cells = n // k if z.shape[1] else 1
    if n_cells <= 1:
        return np.arange(n)[None, :]
    order = np.arange(n)
    # segments of `order` (contiguous runs) and the number of cells each is still to be cut into
    starts, cells = np.array([0]), np.array([n_cells])
    while np.any(cells > 1):
        sizes = np.diff(np.append(starts, n))
        zo = z[order]
        mean = np.add.reduceat(zo, starts, axis=0) / sizes[:, None]
        var = np.add.reduceat(zo**2, starts, axis=0) / sizes[:, None] - mean**2
        seg = np.repeat(np.arange(starts.size), sizes)
        key = zo[np.arange(n), np.argmax(var, axis=1)[seg]]
        order = order[np.lexsort((key, seg))]  # sorts within segments, which stay in place
        left = cells // 2
        keep = np.stack([np.ones_like(cells, dtype=bool), cells > 1], axis=1)
        starts = np.stack([starts, starts + sizes * left // cells], axis=1)[keep]
        cells = np.stack([np.where(cells > 1, left, cells), cells - left], axis=1)[keep]
    sizes = np.diff(np.append(starts, n))
    out = np.full((starts.size, sizes.max()), -1)
    out[np.repeat(np.arange(starts.size), sizes), np.arange(n) - np.repeat(starts, sizes)] = order
    return out


def local_permutations(cells: np.ndarray, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """``n_draws`` permutations of ``0 .. n - 1`` that only move indices within their cell.

    ``perm[b, i]`` is the row whose value row ``i`` receives in draw ``b``.
    """
    valid = cells >= 0
    keys = rng.random((n_draws, *cells.shape))
    keys[:, ~valid] = 2.0  # padding sorts last, where it already is
    shuffled = np.take_along_axis(
        np.broadcast_to(cells, keys.shape), np.argsort(keys, axis=-1), axis=-1
    )
    perm = np.empty((n_draws, int(valid.sum())), dtype=np.int64)
    perm[:, cells[valid]] = shuffled[:, valid]
    return perm


def residualize(
    train: np.ndarray, test: np.ndarray, n_targets: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Replace the first ``n_targets`` columns (x and y) by their residuals on the rest (z).

    The regression is ridge (penalty ``_RIDGE``) on ``[1, z, relu(z W + b)]`` with
    ``min(100, n_train // 10)`` random ReLU features (``W ~ N(0, 1 / dim z)``, ``b ~ N(0, 1)``
    from ``rng``): a one-hidden-layer network with a fixed random first layer, solved in closed
    form. It is fitted on ``train`` only; residuals are scaled by their train standard
    deviation. Returns new ``(train, test)`` float32 arrays.
    """
    z_train, z_test = train[:, n_targets:].astype(float), test[:, n_targets:].astype(float)
    d_z = z_train.shape[1]
    n_features = min(_N_RANDOM_FEATURES, train.shape[0] // 10) if d_z else 0
    w = rng.normal(size=(d_z, n_features)) / np.sqrt(max(d_z, 1))
    b = rng.normal(size=n_features)

    def design(zz: np.ndarray) -> np.ndarray:
        return np.hstack([np.ones((zz.shape[0], 1)), zz, np.maximum(zz @ w + b, 0.0)])

    f_train = design(z_train)
    targets = train[:, :n_targets].astype(float)
    gram = f_train.T @ f_train + _RIDGE * np.eye(f_train.shape[1])
    coef = np.linalg.solve(gram, f_train.T @ targets)
    r_train = targets - f_train @ coef
    r_test = test[:, :n_targets] - design(z_test) @ coef
    std = r_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    out_train, out_test = train.copy(), test.copy()
    out_train[:, :n_targets] = r_train / std
    out_test[:, :n_targets] = r_test / std
    return out_train, out_test
