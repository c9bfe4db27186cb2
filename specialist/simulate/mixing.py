"""Layer 2 data: independent latents, tasks on known latent subsets, a nonlinear mixing.

The within-step model of the paper (Section 4, Theorem 2): latents ``s`` with independent
components; task ``k`` depends on the subset ``I_k`` of the latents only; the observation is an
invertible nonlinear function of all latents, ``o = f(s)``. A learner sees ``o`` and the tasks
and must find, for every task, a block of its representation that carries ``s_{I_k}`` and
nothing else.

Choices (the paper gives no generator; see the book's Reconstruction notes):

* ``s ~ N(0, I)`` (optionally correlated along the latent index, ``latent_correlation``);
* by default every task is a **vector** ``y_k = u_k(s_{I_k}) + noise`` of dimension ``2 |I_k|``, with
  ``u_k`` a random two-layer MLP with :func:`~specialist.simulate.collider.leaky_tanh`
  activations and well-conditioned weights. A vector task carries all of ``s_{I_k}`` (a scalar
  task could be predicted from a single latent that encodes ``u_k(s_{I_k})``), which is what
  makes the relevant *block* identifiable;
* ``f`` is a three-layer MLP (``mixing_layers``) from ``n_latent`` to ``n_obs >= n_latent`` dimensions: an injective
  first layer (orthonormal columns times weights in ``[0.5, 1.5]``), then square
  well-conditioned layers; every layer has singular values in ``[0.5, 1.5]`` and the activation
  has slope in ``[0.2, 1.2]``, so ``f`` is injective and well conditioned;
* functions and samples come from separate random streams, so one seed fixes one generator
  and ``draw`` gives fresh samples from it;
* the default supports overlap (one latent is shared by two tasks) and leave latents irrelevant
  to every task.

Backs
-----
fig5_l1_ablation, fig5_l1_path
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from specialist.simulate.observation import leaky_tanh, signed_uniform, well_conditioned
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
    mixing : the weights and biases of ``f`` (see :meth:`observe`)
    """

    observations: np.ndarray
    tasks: np.ndarray
    task_slices: tuple[slice, ...]
    latents: np.ndarray
    support: np.ndarray
    mixing: tuple = ()

    def observe(self, latents: np.ndarray) -> np.ndarray:
        """``f(latents)``: the generator's mixing applied to any ``(m, n_latent)`` latents."""
        return _apply(np.asarray(latents, dtype=float), *self.mixing)

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

    Backs
    -----
    fig5_l1_ablation
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
            w = well_conditioned(rng, d)
        else:  # tall first layer: orthonormal columns, then column scales in [0.5, 1.5]
            q, _ = np.linalg.qr(rng.standard_normal((d_out, d)))
            w = q * signed_uniform(rng, d)[None, :]
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


#: the task kinds of :func:`simulate_mixing`
TASK_KINDS = ("vector", "scalar")


def _streams(seed) -> tuple[np.random.Generator, np.random.SeedSequence]:
    """The functions' generator and the seed sequence of the sample draws, from ``seed``.

    An int seed (or a ``SeedSequence``) is split into two independent children: one draws the
    functions ``u_k`` and ``f``, the other spawns one stream per draw of samples. A
    ``numpy.random.Generator`` is split the same way through its bit generator's seed sequence.
    """
    if isinstance(seed, np.random.Generator):
        sequence = seed.bit_generator.seed_seq
    elif isinstance(seed, np.random.SeedSequence):
        sequence = seed
    else:
        sequence = np.random.SeedSequence(check_int("seed", seed, 0))
    functions, samples = sequence.spawn(2)
    return np.random.default_rng(functions), samples


def _latents(rng: np.random.Generator, n: int, n_latent: int, rho: float) -> np.ndarray:
    """``n`` draws of a stationary Gaussian AR(1) across the latent index: unit variances and
    ``corr(s_i, s_j) = rho ** |i - j|`` (independent latents for ``rho = 0``)."""
    e = rng.standard_normal((n, n_latent))
    s = np.empty_like(e)
    s[:, 0] = e[:, 0]
    for j in range(1, n_latent):
        s[:, j] = rho * s[:, j - 1] + np.sqrt(1.0 - rho**2) * e[:, j]
    return s


def simulate_mixing(
    n: int,
    n_latent: int = 8,
    n_tasks: int = 3,
    n_obs: int | None = None,
    support=None,
    task_noise: float = 0.05,
    task_kind: str = "vector",
    latent_correlation: float = 0.0,
    mixing_layers: int = 3,
    draw: int = 0,
    seed=0,
) -> MixingSample:
    """Draw ``n`` samples of (observations, tasks, latents) with a known task–latent support.

    The functions (task maps ``u_k`` and mixing ``f``) and the samples come from separate random
    streams of ``seed``: the same ``seed`` gives the same functions for any ``n`` and any
    ``draw``, and ``draw = 1, 2, …`` gives fresh samples from the same generator (a test set).

    Parameters
    ----------
    n : number of samples (>= 2)
    n_latent : latent dimension
    n_tasks : number of tasks ``M`` (ignored when ``support`` is given)
    n_obs : observation dimension, ``>= n_latent`` (default ``n_latent + 4``)
    support : bool ``(M, n_latent)`` (default :func:`default_support`)
    task_noise : standard deviation of the Gaussian noise added to every task column, relative
        to that column's standard deviation, in ``[0, 1)``
    task_kind : ``"vector"`` (task ``k`` has ``2 |I_k|`` outputs, the default) or ``"scalar"``
        (one output per task: it can be predicted from a single latent that encodes
        ``u_k(s_{I_k})``, so the block is not identifiable from the task alone)
    latent_correlation : ``rho`` in ``(-1, 1)``: latents form an AR(1) along their index,
        ``corr(s_i, s_j) = rho^|i - j|`` (0: independent latents, the paper's setting)
    mixing_layers : depth of the mixing MLP ``f`` (>= 1; 1 is an affine map)
    draw : which draw of samples (>= 0); every draw uses the same functions
    seed : int, ``SeedSequence`` or ``numpy.random.Generator``

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
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
    if task_kind not in TASK_KINDS:
        raise ValueError(f"task_kind must be one of {TASK_KINDS}, got {task_kind!r}")
    rho = check_real("latent_correlation", latent_correlation, -1.0, 1.0)
    mixing_layers = check_int("mixing_layers", mixing_layers, 1)
    draw = check_int("draw", draw, 0)
    functions, samples = _streams(seed)

    # the functions first, all from their own stream
    maps = []
    for row in support:
        idx = np.flatnonzero(row)
        d_out = 2 * idx.size if task_kind == "vector" else 1
        if task_kind == "vector":
            maps.append((idx, *_mlp(functions, idx.size, d_out, layers=2)))
        else:  # a random unit direction after a square hidden layer: a scalar of all of s_I
            weights, biases = _mlp(functions, idx.size, idx.size, layers=2)
            direction = functions.standard_normal(idx.size)
            weights[-1] = (direction / np.linalg.norm(direction))[None, :] @ weights[-1]
            biases[-1] = biases[-1][:1]
            maps.append((idx, weights, biases))
    mixing = _mlp(functions, n_latent, n_obs, layers=mixing_layers)

    rng = np.random.default_rng(samples.spawn(draw + 1)[draw])
    latents = _latents(rng, n, n_latent, rho)
    columns, slices, start = [], [], 0
    for idx, weights, biases in maps:
        y = _apply(latents[:, idx], weights, biases)
        y = y + task_noise * y.std(axis=0) * rng.standard_normal(y.shape)
        columns.append(y)
        slices.append(slice(start, start + y.shape[1]))
        start += y.shape[1]
    observations = _apply(latents, *mixing)
    return MixingSample(
        observations=observations,
        tasks=np.hstack(columns),
        task_slices=tuple(slices),
        latents=latents,
        support=support,
        mixing=mixing,
    )
