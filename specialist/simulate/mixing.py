"""Layer 2 data: independent latents, tasks on known latent subsets, a nonlinear mixing.

The within-step model of the paper (Section 4, Theorem 2): latents ``s`` with independent
components; task ``k`` depends on the subset ``I_k`` of the latents only; the observation is an
invertible nonlinear function of all latents, ``o = f(s)``. A learner sees ``o`` and the tasks
and must find, for every task, a block of its representation that carries ``s_{I_k}`` and
nothing else.

Choices (the paper gives no generator; see the book's Reconstruction notes):

* ``s ~ N(0, I)``;
* every task is a **vector** ``y_k = u_k(s_{I_k}) + noise`` of dimension ``2 |I_k|``, with
  ``u_k`` a random two-layer MLP with :func:`~specialist.simulate.collider.leaky_tanh`
  activations and well-conditioned weights. A vector task carries all of ``s_{I_k}`` (a scalar
  task could be predicted from a single latent that encodes ``u_k(s_{I_k})``), which is what
  makes the relevant *block* identifiable;
* ``f`` is a three-layer MLP from ``n_latent`` to ``n_obs >= n_latent`` dimensions: an injective
  first layer (orthonormal columns times weights in ``[0.5, 1.5]``), then square
  well-conditioned layers; every layer has singular values in ``[0.5, 1.5]`` and the activation
  has slope in ``[0.2, 1.2]``, so ``f`` is injective and well conditioned;
* the default supports overlap (one latent is shared by two tasks) and leave latents irrelevant
  to every task.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from specialist.simulate.collider_graph import as_generator
from specialist.simulate.observation import _signed_uniform, _well_conditioned, leaky_tanh
from specialist.validate import check_int, check_real


@dataclass(frozen=True, eq=False)
class MixingSample:
    """Data from :func:`simulate_mixing` with its ground truth.

    Attributes
    ----------
    observations : ``(n, n_obs)``, ``o = f(s)``
    tasks : ``(n, sum_k 2 |I_k|)``, the task vectors side by side
    task_slices : ``M`` slices of the columns of ``tasks`` that belong to each task
    latents : ``(n, n_latent)``, the true ``s``
    support : bool ``(M, n_latent)``, ``support[k, j]`` iff latent ``j`` is in ``I_k``
    """

    observations: np.ndarray
    tasks: np.ndarray
    task_slices: tuple[slice, ...]
    latents: np.ndarray
    support: np.ndarray

    @property
    def n_tasks(self) -> int:
        return self.support.shape[0]

    def task(self, k: int) -> np.ndarray:
        """The columns of task ``k``."""
        return self.tasks[:, self.task_slices[k]]


def default_support(n_latent: int = 8, n_tasks: int = 3) -> np.ndarray:
    """Overlapping supports of 2–3 latents each that leave the last two latents irrelevant.

    Task ``k`` uses latents ``2k, 2k + 1`` and, for odd ``k``, also ``2k - 1`` (shared with task
    ``k - 1``). Needs ``n_latent >= 2 n_tasks + 2``.
    """
    n_latent = check_int("n_latent", n_latent, 1)
    n_tasks = check_int("n_tasks", n_tasks, 1)
    if n_latent < 2 * n_tasks + 2:
        raise ValueError(
            f"n_latent={n_latent} is too small for the default support of n_tasks={n_tasks}: "
            f"need n_latent >= 2 * n_tasks + 2 = {2 * n_tasks + 2} (or pass support=...)"
        )
    support = np.zeros((n_tasks, n_latent), dtype=bool)
    for k in range(n_tasks):
        support[k, [2 * k, 2 * k + 1]] = True
        if k % 2:
            support[k, 2 * k - 1] = True
    return support


def _check_support(support, n_latent: int) -> np.ndarray:
    arr = np.asarray(support)
    if arr.ndim != 2 or arr.shape[1] != n_latent or arr.shape[0] < 1:
        raise ValueError(
            f"support must be a boolean (n_tasks, n_latent={n_latent}) matrix, got shape {arr.shape}"
        )
    if arr.dtype != bool and not np.isin(arr, (0, 1)).all():
        raise ValueError("support must be boolean (or 0/1)")
    arr = arr.astype(bool)
    empty = np.flatnonzero(~arr.any(axis=1))
    if empty.size:
        raise ValueError(f"support: task(s) {empty.tolist()} have no relevant latent")
    return arr


def _mlp(rng: np.random.Generator, d_in: int, d_out: int, layers: int):
    """Weights of an injective, well-conditioned MLP ``R^d_in -> R^d_out`` (``d_out >= d_in``)."""
    weights, biases, d = [], [], d_in
    for _ in range(layers):
        if d == d_out:
            w = _well_conditioned(rng, d)
        else:  # tall first layer: orthonormal columns, then column scales in [0.5, 1.5]
            q, _ = np.linalg.qr(rng.standard_normal((d_out, d)))
            w = q * _signed_uniform(rng, d)[None, :]
        weights.append(w)
        biases.append(rng.uniform(-0.5, 0.5, size=d_out))
        d = d_out
    return weights, biases


def _apply(x: np.ndarray, weights, biases) -> np.ndarray:
    h = x
    for j, (w, b) in enumerate(zip(weights, biases, strict=True)):
        h = h @ w.T + b
        if j < len(weights) - 1:
            h = leaky_tanh(h)
    return h


def simulate_mixing(
    n: int,
    n_latent: int = 8,
    n_tasks: int = 3,
    n_obs: int | None = None,
    support=None,
    task_noise: float = 0.05,
    seed=0,
) -> MixingSample:
    """Draw ``n`` samples of (observations, tasks, latents) with a known task–latent support.

    Parameters
    ----------
    n : number of samples (>= 2)
    n_latent : latent dimension
    n_tasks : number of tasks ``M`` (ignored when ``support`` is given)
    n_obs : observation dimension, ``>= n_latent`` (default ``n_latent + 4``)
    support : bool ``(M, n_latent)`` (default :func:`default_support`)
    task_noise : standard deviation of the Gaussian noise added to every task column, relative
        to that column's standard deviation, in ``[0, 1)``
    seed : int or ``numpy.random.Generator``; fixes the functions and the samples

    Backs: fig5_l1_ablation, fig5_l1_path.
    """
    n = check_int("n", n, 2)
    n_latent = check_int("n_latent", n_latent, 1)
    if support is None:
        support = default_support(n_latent, n_tasks)
    support = _check_support(support, n_latent)
    n_obs = n_latent + 4 if n_obs is None else check_int("n_obs", n_obs, 1)
    if n_obs < n_latent:
        raise ValueError(
            f"n_obs={n_obs} must be >= n_latent={n_latent} (the mixing must be invertible)"
        )
    task_noise = check_real("task_noise", task_noise, 0.0, 1.0, closed_low=True)
    rng = as_generator(seed)

    latents = rng.standard_normal((n, n_latent))
    columns, slices, start = [], [], 0
    for row in support:
        idx = np.flatnonzero(row)
        d_out = 2 * idx.size
        weights, biases = _mlp(rng, idx.size, d_out, layers=2)
        y = _apply(latents[:, idx], weights, biases)
        y = y + task_noise * y.std(axis=0) * rng.standard_normal(y.shape)
        columns.append(y)
        slices.append(slice(start, start + d_out))
        start += d_out
    weights, biases = _mlp(rng, n_latent, n_obs, layers=3)
    observations = _apply(latents, weights, biases)
    return MixingSample(
        observations=observations,
        tasks=np.hstack(columns),
        task_slices=tuple(slices),
        latents=latents,
        support=support,
    )
