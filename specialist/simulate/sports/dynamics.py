"""Dynamics of the simulated scenes: states, actions, outcomes, positions and boxes.

Part of :mod:`specialist.simulate.sports` (see its docstring for the equations).
"""

from __future__ import annotations

import numpy as np

from specialist.simulate.sports.scenario import SportsScenario

#: exploration noise ``σ_a`` of the corrective policy ``a_t ∝ -s_t + σ_a η_t``
POLICY_NOISE = 0.1
#: innovation ``τ`` of the state transition (relative to the unit-variance state)
STATE_NOISE = 1.0
#: the transition noises the dynamics can draw. "gaussian" (the default) has constant Gaussian
#: innovations, in closed form; "state_dependent_laplace" has Laplace innovations whose scale
#: follows the previous state, h(s) = sqrt(1 + c tanh(s)) with c = SCALE_SWING (non-Gaussian
#: noise that changes over time, the setting of LEAP)
TRANSITIONS = ("gaussian", "state_dependent_laplace")
#: c in the state-dependent scale h(s) = sqrt(1 + c tanh(s)); the innovation's scale runs
#: between sqrt(1 - c) and sqrt(1 + c), and E h(s)² = 1 for any state distribution symmetric
#: about 0 (all of them are, since every noise is symmetric); bounded, so the tails do not
#: compound over the steps
SCALE_SWING = 0.8
#: (width, height) of a player's box, as fractions of the frame
BOX_SIZE = (0.2, 0.3)
#: positions stay in ``[COURT_LOW, COURT_HIGH]²``
COURT_LOW, COURT_HIGH = 0.1, 0.9


# -- dynamics ----------------------------------------------------------------------------------


def linear_maps(n_steps: int, rho: float) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients of states and actions on the exogenous noise of one player.

    With ``z = (ξ_0 .. ξ_{T-1}, η_0 .. η_{T-1})`` standard normal, ``s = S z`` and ``a = A z``;
    both ``(T, 2T)``. Every row has unit norm (unit variance) by construction.
    """
    xi, eta = np.eye(2 * n_steps)[:n_steps], np.eye(2 * n_steps)[n_steps:]
    s_map, a_map = np.zeros((n_steps, 2 * n_steps)), np.zeros((n_steps, 2 * n_steps))
    s_map[0] = xi[0]
    for t in range(n_steps):
        a_map[t] = (-s_map[t] + POLICY_NOISE * eta[t]) / np.sqrt(1 + POLICY_NOISE**2)
        if t + 1 < n_steps:
            drift = rho * s_map[t] + a_map[t]
            s_map[t + 1] = (drift + STATE_NOISE * xi[t + 1]) / np.sqrt(
                drift @ drift + STATE_NOISE**2
            )
    return s_map, a_map


def _state_dependent(z: np.ndarray, s_map, a_map, rho: float, rng) -> tuple:
    """States and actions (n, T, P) with Laplace innovations scaled by the previous state.

    The policy noise ``η`` is the Gaussian half of ``z``; the innovations ``ξ`` are drawn
    anew, Laplace with unit variance, and multiplied by ``h(s_t)`` (:data:`SCALE_SWING`). Since
    ``h(s_t) ξ_{t+1}`` has mean 0 given the past and ``E h(s_t)² = 1``, every variance and
    covariance equals the Gaussian model's (so the states stay unit-variance and the outcomes'
    standardisation stays exact), while the transition is neither Gaussian nor of constant
    scale.
    """
    n, n_players, two_t = z.shape
    n_steps = two_t // 2
    eta = z[..., n_steps:]
    xi = rng.laplace(0.0, 1.0 / np.sqrt(2.0), size=(n, n_players, n_steps))
    states, actions = np.empty((n, n_steps, n_players)), np.empty((n, n_steps, n_players))
    states[:, 0] = xi[..., 0]
    for t in range(n_steps):
        actions[:, t] = (-states[:, t] + POLICY_NOISE * eta[..., t]) / np.sqrt(1 + POLICY_NOISE**2)
        if t + 1 < n_steps:
            drift_map = rho * s_map[t] + a_map[t]  # the drift's exact variance: its map's norm²
            scale = np.sqrt(1 + SCALE_SWING * np.tanh(states[:, t]))
            states[:, t + 1] = (
                rho * states[:, t] + actions[:, t] + STATE_NOISE * scale * xi[..., t + 1]
            ) / np.sqrt(drift_map @ drift_map + STATE_NOISE**2)
    return states, actions


def simulate_dynamics(
    scenario: SportsScenario,
    n: int,
    rho: float,
    noise_scale: float,
    rng,
    transitions: str = "gaussian",
):
    """States, actions (n, T, P) and outcomes (n, M) of ``n`` episodes (:data:`TRANSITIONS`)."""
    n_steps, n_players = scenario.n_steps, scenario.n_players
    s_map, a_map = linear_maps(n_steps, rho)
    z = rng.standard_normal((n, n_players, 2 * n_steps))
    if transitions == "gaussian":
        states = np.einsum("npz,tz->ntp", z, s_map)
        actions = np.einsum("npz,tz->ntp", z, a_map)
    else:
        states, actions = _state_dependent(z, s_map, a_map, rho, rng)
    action_cov = a_map @ a_map.T  # the same for every player, independent across players
    eps = rng.standard_normal((n, scenario.n_interactions))
    outcomes = np.empty((n, scenario.n_interactions))
    steps_of = scenario.step_assignment
    for i, x in enumerate(scenario.interactions):
        steps = np.flatnonzero(steps_of[:, i])
        total = actions[:, steps][:, :, list(x.players)].sum(axis=(1, 2))
        sd = np.sqrt(2 * action_cov[np.ix_(steps, steps)].sum())
        outcomes[:, i] = (total / sd + noise_scale * eps[:, i]) / np.sqrt(1 + noise_scale**2)
    return states, actions, outcomes


def home_spots(rng, n: int, n_players: int) -> np.ndarray:
    """Per-episode home spots (n, P, 2): distinct cells of a grid over the court, jittered.

    The grid has ``rows = max(2, ceil(sqrt(P / 1.5)))`` rows and ``ceil(P / rows) + 1``
    columns (one spare per row, so the formation varies); each player gets its own cell and
    a spot uniform in the central 40% of it, so players start spread out (with 4 players the
    cells are wider and taller than a box).
    """
    rows = max(2, int(np.ceil(np.sqrt(n_players / 1.5))))
    cols = int(np.ceil(n_players / rows)) + 1
    size = (COURT_HIGH - COURT_LOW) / np.array([cols, rows])
    cells = np.argsort(rng.random((n, rows * cols)), axis=1)[:, :n_players]
    corner = COURT_LOW + size * np.stack([cells % cols, cells // cols], axis=-1)
    return corner + size * rng.uniform(0.3, 0.7, size=(n, n_players, 2))


def random_walk(rng, start: np.ndarray, n_steps: int, step: float, pull: float = 0.0) -> np.ndarray:
    """Smooth walks in ``[COURT_LOW, COURT_HIGH]²`` from ``start`` (n, k, 2): (n, T, k, 2).

    The velocity has momentum 0.8, Gaussian innovations of std ``step`` and a spring of
    strength ``pull`` back to ``start``; a walk leaving the court is reflected at its border
    (and its velocity flipped).
    """
    width = COURT_HIGH - COURT_LOW
    pos = start.copy()
    vel = rng.normal(0.0, step, size=start.shape)
    out = np.empty((start.shape[0], n_steps, *start.shape[1:]))
    for t in range(n_steps):
        if t:
            vel = 0.8 * vel + pull * (start - pos) + rng.normal(0.0, step, size=vel.shape)
            u = np.mod(pos + vel - COURT_LOW, 2 * width)
            back = u > width  # reflected an odd number of times
            pos = COURT_LOW + np.where(back, 2 * width - u, u)
            vel = np.where(back, -vel, vel)
        out[:, t] = pos
    return out


def boxes_at(positions: np.ndarray) -> np.ndarray:
    """True boxes ``(x1, y1, x2, y2)`` of size :data:`BOX_SIZE` centred at ``positions``."""
    half = np.array(BOX_SIZE) / 2
    return np.clip(np.concatenate([positions - half, positions + half], axis=-1), 0.0, 1.0)


def jitter_boxes(boxes: np.ndarray, box_noise: float, rng) -> np.ndarray:
    """Detections: every coordinate jittered, then sorted and clipped to stay valid boxes."""
    noisy = np.clip(boxes + rng.normal(0.0, box_noise, size=boxes.shape), 0.0, 1.0)
    x = np.sort(noisy[..., 0::2], axis=-1)
    y = np.sort(noisy[..., 1::2], axis=-1)
    return np.stack([x[..., 0], y[..., 0], x[..., 1], y[..., 1]], axis=-1)
