"""The invertible observation map ``o_t = f(s_t)`` of the collider process, and its nonlinearity.

An invertible map applied to each variable preserves every conditional independence, which is
why the paper's test may run on observations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from specialist.validate import as_generator, check_choice

OBSERVATIONS = ("identity", "mlp")
_LEAK = 0.2  # slope of the leaky tanh far from 0: phi' in [0.2, 1.2], so phi is invertible


def leaky_tanh(u: np.ndarray) -> np.ndarray:
    """``phi(u) = tanh(u) + 0.2 u``: smooth, odd, strictly increasing (``phi' >= 0.2``)."""
    return np.tanh(u) + _LEAK * u


def leaky_tanh_inverse(y: np.ndarray) -> np.ndarray:
    """Inverse of :func:`leaky_tanh` (vectorised bisection, then two Newton steps)."""
    y = np.asarray(y, dtype=float)
    # |phi(u)| >= 0.2 |u|, so the root lies in [-|y| / 0.2, |y| / 0.2]; widened to stay > 0
    half = (np.abs(y) + 1.0) / _LEAK
    lo, hi = -half, half.copy()
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = leaky_tanh(mid) > y
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    u = 0.5 * (lo + hi)
    for _ in range(2):
        u = u - (leaky_tanh(u) - y) / (1.0 - np.tanh(u) ** 2 + _LEAK)
    return u


def signed_uniform(rng: np.random.Generator, shape, low: float = 0.5, high: float = 1.5):
    """Weights with ``|w|`` uniform in ``[low, high]`` and a random sign (bounded away from 0)."""
    return rng.uniform(low, high, size=shape) * rng.choice((-1.0, 1.0), size=shape)


def well_conditioned(rng: np.random.Generator, d: int) -> np.ndarray:
    """A ``d x d`` matrix ``Q diag(w)`` with ``Q`` orthogonal and ``|w|`` in [0.5, 1.5].

    Its singular values are the ``|w|``, so its condition number is at most 3.
    """
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    q = q * np.sign(np.diag(r))  # Haar-distributed orthogonal matrix
    return q * signed_uniform(rng, d)[None, :]


@dataclass(frozen=True, eq=False)
class ObservationMap:
    """The invertible observation map ``o_t = f(s_t)``, the same ``f`` for every step.

    ``"identity"``: ``f(s) = s``. ``"mlp"``: ``f(s) = W_3 phi(W_2 phi(W_1 s + b_1) + b_2) + b_3``
    with ``phi`` the :func:`leaky_tanh` and square weight matrices of condition number <= 3
    (``Q diag(w)``, ``Q`` orthogonal, ``|w|`` in [0.5, 1.5]), so ``f`` is a diffeomorphism of
    ``R^d`` and :meth:`inverse` recovers the states exactly (to rounding). An invertible map
    applied to each variable preserves every conditional independence, which is why the paper's
    test may run on observations.

    Backs
    -----
    fig3_structure, fig3_nonlinear
    """

    kind: str
    weights: tuple[np.ndarray, ...] = ()
    biases: tuple[np.ndarray, ...] = ()

    @classmethod
    def random(cls, kind: str, state_dim: int, rng_or_seed) -> ObservationMap:
        check_choice("observation", kind, OBSERVATIONS)
        if kind == "identity":
            return cls("identity")
        rng = as_generator(rng_or_seed)
        weights = tuple(well_conditioned(rng, state_dim) for _ in range(3))
        biases = tuple(rng.uniform(-0.5, 0.5, size=state_dim) for _ in range(3))
        return cls("mlp", weights, biases)

    def __call__(self, states: np.ndarray) -> np.ndarray:
        """Apply ``f`` to states ``(n, T)`` (``d = 1``: elementwise) or ``(..., d)``."""
        x = np.asarray(states, dtype=float)
        if self.kind == "identity":
            return x.copy()
        scalar = self.weights[0].shape[0] == 1  # a 1 x 1 map acts elementwise
        h = x[..., None] if scalar else x
        for j, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w.T + b
            if j < len(self.weights) - 1:
                h = leaky_tanh(h)
        return h[..., 0] if scalar else h

    def inverse(self, observations: np.ndarray) -> np.ndarray:
        """``f^{-1}``: the states from observations (same shape conventions)."""
        y = np.asarray(observations, dtype=float)
        if self.kind == "identity":
            return y.copy()
        scalar = self.weights[0].shape[0] == 1
        h = y[..., None] if scalar else y
        for j in reversed(range(len(self.weights))):
            if j < len(self.weights) - 1:
                h = leaky_tanh_inverse(h)
            # condition number <= 3: the explicit inverse is accurate
            h = (h - self.biases[j]) @ np.linalg.inv(self.weights[j]).T
        return h[..., 0] if scalar else h
