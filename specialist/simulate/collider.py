"""The collider process of the paper's layer 1: its structure, its causal graph and its data.

``s_t -> a_t``; a connected step ``t -> t+1`` adds ``s_t -> s_{t+1}`` and ``a_t -> s_{t+1}``
(a disconnected one leaves ``s_{t+1}`` without parents); every action of a segment assigned to
task ``i`` points into ``g_i``, so tasks are colliders. :class:`ColliderStructure` holds
everything that fixes the graph; :func:`sample_collider` draws data from it (linear-Gaussian or
nonlinear, any state dimension, optionally seen through an invertible observation map) and
:func:`simulate_collider` draws a random structure and then data.

Sampling follows the DAG node by node (0-based steps; ``std(·)`` centres and scales to unit
variance; see :func:`sample_collider` for the details and the choice of every constant)::

    s_0     = ξ_0
    a_t     = (std(π_t(s_t)) + σ η_t) / sqrt(1 + σ²)
    s_{t+1} = (std(F_t(s_t, a_t)) + τ ξ_{t+1}) / sqrt(1 + τ²)   if t -> t+1 is connected
            = ξ_{t+1}                                              otherwise
    g_i     = (std(Σ_{t ∈ T_i} <c_{i,t}, ψ(a_t)>) + σ_i ε_i) / sqrt(1 + σ_i²),  σ_i = σ / sqrt(|T_i|)

with ``σ = noise_scale``, ``τ = state_noise`` and ``T_i`` the steps of task ``i``.
``task_role`` rewires the task edges (Remark 1 of the paper). The structure and its DAG live in
:mod:`specialist.simulate.collider_graph`, the observation map in
:mod:`specialist.simulate.observation`; their names are re-exported here.

Backs
-----
fig2_band_set, fig3_structure
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from numbers import Real

import networkx as nx
import numpy as np

from specialist.simulate.collider_graph import (
    TASK_ROLES,
    ColliderStructure,
    as_generator,
    build_collider_dag,
    random_assignment,
    random_structure,
)
from specialist.simulate.observation import (
    OBSERVATIONS,
    ObservationMap,
    leaky_tanh,
    leaky_tanh_inverse,
    signed_uniform,
)
from specialist.validate import check_choice, check_int

KINDS = ("linear", "nonlinear")
NOISES = ("gaussian", "laplace", "uniform")

#: rows of the calibration draw that fixes every node's centring and scale (see sample_collider)
N_CALIBRATION = 4096


@dataclass(frozen=True, eq=False)
class ColliderSample:
    """Data drawn from the collider process, with its ground truth.

    Attributes
    ----------
    states, actions : ``(n, T)`` when ``state_dim == 1``, else ``(n, T, d)``
    tasks : ``(n, M)``
    observations : ``observation_map(states)``, same shape as ``states``
    structure : the :class:`ColliderStructure` the data was drawn from
    segment_tasks : bool (K, M), the ground truth (``structure.assignment``)
    step_tasks : bool (T, M), the same per step
    observation_map : the :class:`ObservationMap` (``inverse`` recovers ``states``)
    kind, task_role, observation, state_dim, noise_scale, state_noise, noise, seed : the
        settings

    Backs
    -----
    fig3_structure, fig_colliders, fig_finite_sample, fig3_nonlinear
    """

    states: np.ndarray
    actions: np.ndarray
    tasks: np.ndarray
    observations: np.ndarray
    structure: ColliderStructure
    segment_tasks: np.ndarray
    step_tasks: np.ndarray
    observation_map: ObservationMap
    kind: str
    task_role: str
    observation: str
    state_dim: int
    noise_scale: float
    state_noise: float
    noise: str
    seed: int | None

    @property
    def n_samples(self) -> int:
        return self.states.shape[0]

    def graph(self) -> nx.DiGraph:
        """The true DAG of this sample (its structure, with the sample's ``task_role``)."""
        return self.structure.graph(self.task_role)


def _unit_noise(rng: np.random.Generator, kind: str, shape: tuple[int, ...]) -> np.ndarray:
    """Zero-mean, unit-variance noise of the given family."""
    if kind == "gaussian":
        return rng.standard_normal(shape)
    if kind == "laplace":
        return rng.laplace(scale=1 / np.sqrt(2), size=shape)
    return rng.uniform(-np.sqrt(3), np.sqrt(3), size=shape)


@dataclass(frozen=True)
class _Mechanisms:
    """The random functions of one process: first-layer and output weights per node."""

    policy: tuple[np.ndarray, np.ndarray]  # (T, d, d) each
    transition: tuple[np.ndarray, np.ndarray]  # (T-1, d, 2d), (T-1, d, d)
    task_weights: np.ndarray  # (M, T, d): c_{i,t}
    action_task_weights: np.ndarray  # (M, T, d): weight of g_i in a_t (confounder, mediator)

    @classmethod
    def random(cls, rng, n_steps: int, n_tasks: int, d: int) -> _Mechanisms:
        def layer(*shape):  # fan-in scaled so a unit-variance input gives an O(1) output
            return signed_uniform(rng, shape) / np.sqrt(shape[-1])

        return cls(
            policy=(layer(n_steps, d, d), layer(n_steps, d, d)),
            transition=(layer(n_steps - 1, d, 2 * d), layer(n_steps - 1, d, d)),
            task_weights=layer(n_tasks, n_steps, d),
            action_task_weights=signed_uniform(rng, (n_tasks, n_steps, d)),
        )


def _check_positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite number > 0, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return float(value)


def sample_collider(
    structure: ColliderStructure,
    n_samples: int,
    *,
    state_dim: int = 1,
    kind: str = "linear",
    task_role: str = "collider",
    noise_scale: float = 0.3,
    state_noise: float = 1.0,
    noise: str = "gaussian",
    observation: str = "identity",
    shared_actions: bool = False,
    seed=0,
) -> ColliderSample:
    """Draw ``n_samples`` i.i.d. sequences from the process of ``structure``.

    The process follows the DAG of :meth:`ColliderStructure.graph` exactly (0-based steps;
    every noise term has zero mean and unit variance; ``std(·)`` centres each coordinate and
    scales it to unit variance)::

        s_0     = ξ_0
        a_t     = (std(π_t(s_t) [+ Σ_{i: g_i -> a_t} w_{i,t} ψ(g_i)]) + σ η_t) / sqrt(1 + σ²)
        s_{t+1} = (std(F_t(s_t, a_t)) + τ ξ_{t+1}) / sqrt(1 + τ²)   if t -> t+1 is connected
                = ξ_{t+1}                                              otherwise
        g_i     = (std(Σ_{t ∈ T_i} <c_{i,t}, ψ(a_t)>) + σ_i ε_i) / sqrt(1 + σ_i²)

    with ``σ = noise_scale``, ``τ = state_noise``, ``T_i`` the steps whose actions point into
    ``g_i`` and ``σ_i = σ / sqrt(|T_i|)``. Every node has unit variance, so the state variance
    is the same at every step however long the sequence; ``1 / σ²`` and ``1 / τ²`` are the
    signal-to-noise ratios of actions and transitions.

    Effect sizes (why these constants). Theorem 1's test sees a task through *explaining
    away*: given ``g_i``, the actions of two of its segments become dependent. For a collider
    of ``m`` equal parents that partial correlation is at most about ``1 / (m - 1)``, and
    three things can dilute it further, each handled here:

    * *task noise*: ``σ_i`` is the noise of one step's share of ``g_i`` (``σ``), not of the
      whole sum; a task noise as large as the sum would shrink the effect to about
      ``1 / (m (1 + σ²))``;
    * *action noise*: a small ``σ`` (default 0.3) makes ``a_t`` nearly a function of ``s_t``,
      so the actions of band-set steps are conditioned away instead of adding noise to ``g_i``;
    * *temporal memory*: the band set conditions on both neighbours of a representative state;
      a state nearly determined by them (small ``τ``) keeps little variance to pass on.
      ``τ = 1`` (default) gives each state half memory, half innovation.

    With these defaults (linear, ``d = 1``, ``T = 20``, ``M = 10``), the partial correlation
    of the representative states of two segments of a task, given the band set, has a median
    of about 0.45 when the task spans 2 segments, 0.08 for 6 and 0.03 for 10 (the
    ``1 / (m - 1)`` ceiling): at ``n = 10,000`` Algorithm 1 (Fisher-z, ``alpha = 0.05``) misses
    under 1% of the relevant segment-task entries, each segment being found through any of its
    ``K - 1`` pairs.

    The scales of ``std(·)`` are fixed before the data is drawn, on an independent calibration
    draw of :data:`N_CALIBRATION` sequences (from the same seed): the mechanisms depend on
    ``seed`` only, not on ``n_samples``, and the returned rows are exactly i.i.d.

    Parameters
    ----------
    structure : the :class:`ColliderStructure` (segments, task assignment, connected steps)
    n_samples : int >= 10
    state_dim : ``d >= 1``; states and actions are ``d``-dimensional, tasks scalar
    kind : ``"linear"``: ``π_t(s) = P_t s``, ``F_t(s, a) = A_t s + B_t a``, ``ψ = id``, all
        weights with ``|w|`` in [0.5, 1.5] and a random sign (divided by ``sqrt(fan-in)``);
        with Gaussian noise the data is linear-Gaussian, the setting of the Fisher-z test.
        ``"nonlinear"``: each map is a one-hidden-layer network ``W_2 φ(W_1 x)`` with
        ``φ = tanh(u) + 0.2 u`` (smooth and strictly increasing) and ``ψ = φ``, same weight law.
    task_role : Remark 1 of the paper. ``"collider"`` (the paper's model): ``a_t -> g_i`` for
        every step of the task, two steps of one task are *dependent* given ``g_i``.
        ``"confounder"``: the task causes its actions, ``g_i = ε_i`` and ``g_i -> a_t`` for
        every step of the task. ``"mediator"``: a chain through the task, the actions of its
        first segment cause ``g_i`` (as above) and ``g_i`` causes the actions of its later
        segments. Under both alternatives two steps of one task are *independent* given
        ``g_i`` (the band set blocking the temporal paths), the opposite of the collider.
    noise_scale : ``σ > 0``, noise of actions and (per step) of tasks; default 0.3
    state_noise : ``τ > 0``, innovation of connected transitions; default 1.0
    noise : ``"gaussian"``, ``"laplace"`` or ``"uniform"`` (unit variance in each case)
    observation : ``"identity"`` (``o_t = s_t``) or ``"mlp"`` (an invertible map, see
        :class:`ObservationMap`)
    shared_actions : ``False`` (default): a task's signal is scaled to unit variance on its
        own, so neither the data of states and actions nor any task's problem depends on the
        number of tasks ``M`` (the tasks are sinks of the graph). ``True``: a **shared action
        budget**: an action that points into ``k_t`` tasks splits its effect between them,
        ``g_i = std(Σ_{t ∈ T_i} <c_{i,t}, ψ(a_t)> / (k_t · sd(u_i)) + σ_i ε_i)`` with
        ``u_i`` the unshared sum (the default's signal, whose calibration standard deviation
        ``sd(u_i)`` fixes the unit): a task whose steps serve other tasks too gets a weaker
        signal against the same noise, so more tasks make each task harder (the collider
        model only; states and actions are unchanged).
    seed : int or ``numpy.random.Generator``; the same seed gives the same mechanisms,
        observation map and data

    Returns
    -------
    ColliderSample

    Backs
    -----
    fig3_structure, fig_colliders, fig_finite_sample, fig3_nonlinear
    """
    if not isinstance(structure, ColliderStructure):
        raise TypeError(
            f"structure must be a ColliderStructure (see random_structure), got {structure!r}"
        )
    n_samples = check_int("n_samples", n_samples, 10)
    d = check_int("state_dim", state_dim, 1)
    check_choice("kind", kind, KINDS)
    check_choice("task_role", task_role, TASK_ROLES)
    check_choice("observation", observation, OBSERVATIONS)
    check_choice("noise", noise, NOISES)
    sigma = _check_positive("noise_scale", noise_scale)
    tau = _check_positive("state_noise", state_noise)
    if not isinstance(shared_actions, (bool, np.bool_)):
        raise TypeError(f"shared_actions must be True or False, got {shared_actions!r}")
    if shared_actions and task_role != "collider":
        raise ValueError(
            f"shared_actions=True is defined for task_role='collider' only, got {task_role!r}"
        )
    mech_rng, calib_rng, data_rng, obs_rng = as_generator(seed).spawn(4)

    n_steps, n_tasks, seg_len = structure.n_steps, structure.n_tasks, structure.segment_length
    mech = _Mechanisms.random(mech_rng, n_steps, n_tasks, d)
    n_cal = N_CALIBRATION
    n_all = n_cal + n_samples

    def draw(shape):  # calibration rows first, then the data rows
        return np.concatenate(
            [
                _unit_noise(calib_rng, noise, (n_cal, *shape)),
                _unit_noise(data_rng, noise, (n_samples, *shape)),
            ]
        )

    xi, eta, eps = draw((n_steps, d)), draw((n_steps, d)), draw((n_tasks,))

    def std(x):  # centre and scale per coordinate, with the calibration rows' moments
        cal = x[:n_cal]
        return (x - cal.mean(axis=0)) / cal.std(axis=0)

    shrink = 1 / np.sqrt(1 + sigma**2)  # unit-variance signal + noise -> unit variance
    linear = kind == "linear"
    psi = (lambda u: u) if linear else leaky_tanh

    def net(w1, w2, x):
        return x @ w1.T if linear else leaky_tanh(x @ w1.T) @ w2.T

    step_tasks = structure.step_tasks  # (T, M)
    first = structure.first_segments()
    into_task = np.zeros((n_steps, n_tasks), dtype=bool)  # a_t -> g_i
    from_task = np.zeros((n_steps, n_tasks), dtype=bool)  # g_i -> a_t
    seg_of_step = np.arange(n_steps) // seg_len
    if task_role == "collider":
        into_task = step_tasks.copy()
    elif task_role == "confounder":
        from_task = step_tasks.copy()
    else:
        into_task = step_tasks & (seg_of_step[:, None] == first[None, :])
        from_task = step_tasks & ~into_task
    # g_i is computed right after its last parent action (at the end when it has none)
    last_parent = np.where(into_task.any(axis=0), n_steps - 1 - into_task[::-1].argmax(axis=0), -1)

    states = np.empty((n_all, n_steps, d))
    actions = np.empty((n_all, n_steps, d))
    tasks = np.empty((n_all, n_tasks))
    done = np.zeros(n_tasks, dtype=bool)

    def compute_tasks(which):
        for i in np.flatnonzero(which):
            steps = np.flatnonzero(into_task[:, i])
            if steps.size == 0:
                tasks[:, i] = eps[:, i]
            else:
                signal = np.einsum("ntd,td->n", psi(actions[:, steps]), mech.task_weights[i, steps])
                noise_i = sigma / np.sqrt(steps.size)
                if shared_actions:  # each action's effect split over the tasks it serves
                    share = 1.0 / into_task[steps].sum(axis=1)  # 1 / k_t
                    weights = mech.task_weights[i, steps] * share[:, None]
                    split = np.einsum("ntd,td->n", psi(actions[:, steps]), weights)
                    centred = (split - split[:n_cal].mean()) / signal[:n_cal].std()
                    tasks[:, i] = std(centred + noise_i * eps[:, i])
                else:
                    tasks[:, i] = (std(signal) + noise_i * eps[:, i]) / np.sqrt(1 + noise_i**2)
        done[which] = True

    compute_tasks(last_parent < 0)  # exogenous tasks (confounders; tasks on no step)
    states[:, 0] = xi[:, 0]
    for t in range(n_steps):
        signal = net(*(w[t] for w in mech.policy), states[:, t])
        parents = np.flatnonzero(from_task[t])
        if parents.size:  # every task g_i -> a_t is computed already (acyclic by construction)
            signal = signal + psi(tasks[:, parents]) @ mech.action_task_weights[parents, t]
        actions[:, t] = (std(signal) + sigma * eta[:, t]) * shrink
        compute_tasks((last_parent == t) & ~done)
        if t + 1 < n_steps:
            if structure.connected[t]:
                x = np.concatenate([states[:, t], actions[:, t]], axis=1)
                signal = net(*(w[t] for w in mech.transition), x)
                states[:, t + 1] = (std(signal) + tau * xi[:, t + 1]) / np.sqrt(1 + tau**2)
            else:
                states[:, t + 1] = xi[:, t + 1]

    states, actions, tasks = states[n_cal:], actions[n_cal:], tasks[n_cal:]
    if d == 1:
        states, actions = states[..., 0], actions[..., 0]
    obs_map = ObservationMap.random(observation, d, obs_rng)
    return ColliderSample(
        states=states,
        actions=actions,
        tasks=tasks,
        observations=obs_map(states),
        structure=structure,
        segment_tasks=structure.assignment,
        step_tasks=step_tasks,
        observation_map=obs_map,
        kind=kind,
        task_role=task_role,
        observation=observation,
        state_dim=d,
        noise_scale=sigma,
        state_noise=tau,
        noise=noise,
        seed=None if isinstance(seed, np.random.Generator) else int(seed),
    )


def simulate_collider(
    n_samples: int,
    n_steps: int,
    n_tasks: int,
    segment_length: int = 2,
    *,
    state_dim: int = 1,
    p_disconnect: float = 0.0,
    kind: str = "linear",
    task_role: str = "collider",
    noise_scale: float = 0.3,
    state_noise: float = 1.0,
    noise: str = "gaussian",
    observation: str = "identity",
    min_segments: int = 2,
    max_segments: int | None = None,
    shared_actions: bool = False,
    selection: float | None = None,
    seed=0,
) -> ColliderSample:
    """A random interleaved structure (:func:`random_structure`), then data from it.

    Every task spans ``min_segments >= 2`` to ``max_segments`` (default all) segments, drawn
    as in :func:`random_assignment`; each step is disconnected with probability
    ``p_disconnect``. The structure and the data use independent streams derived from
    ``seed``. The other parameters are those of :func:`sample_collider`.

    ``selection = c`` observes only sequences that meet **every** task, ``g_i > c`` for all
    ``i`` (SelTask's model of subgoals as selections): the process draws more sequences
    until ``n_samples`` pass and keeps the first ``n_samples`` that do (the tasks keep the
    scale of the unselected process). Selecting on a collider opens the paths through it:
    the segments of *other* tasks become dependent on a task they do not serve.

    Backs
    -----
    fig3_structure, fig_colliders, fig_finite_sample, fig3_nonlinear
    """
    if check_int("min_segments", min_segments, 0) < 2:
        raise ValueError(
            f"min_segments must be an integer >= 2 (a task on fewer segments cannot be "
            f"identified), got {min_segments}"
        )
    n_samples = check_int("n_samples", n_samples, 10)
    if selection is not None and (
        isinstance(selection, bool) or not isinstance(selection, Real) or not np.isfinite(selection)
    ):
        raise TypeError(f"selection must be None or a finite number, got {selection!r}")
    structure_rng, data_rng = as_generator(seed).spawn(2)
    structure = random_structure(
        n_steps,
        n_tasks,
        segment_length,
        p_disconnect,
        structure_rng,
        min_segments=min_segments,
        max_segments=max_segments,
    )
    draw = partial(
        sample_collider,
        structure,
        state_dim=state_dim,
        kind=kind,
        task_role=task_role,
        noise_scale=noise_scale,
        state_noise=state_noise,
        noise=noise,
        observation=observation,
        shared_actions=shared_actions,
        seed=data_rng,  # with selection, each further draw spawns new streams from it
    )
    sample = draw(n_samples) if selection is None else _selected(draw, n_samples, selection)
    return replace(sample, seed=None if isinstance(seed, np.random.Generator) else int(seed))


def _selected(draw, n_samples: int, threshold: float) -> ColliderSample:
    """The first ``n_samples`` rows of ``draw(n)`` with every task above ``threshold``,
    drawing more rows (a fixed rule, so the result depends on the seed only) until enough
    pass; refuses a selection that keeps fewer than 1 row in 10,000."""
    n = n_samples
    while True:
        sample = draw(n)
        keep = np.flatnonzero((sample.tasks > threshold).all(axis=1))
        if keep.size >= n_samples:
            rows = keep[:n_samples]
            break
        if n > 10_000 * n_samples:
            raise ValueError(
                f"selection={threshold} keeps {keep.size} of {n} sequences: too few to draw "
                f"{n_samples}; choose a lower threshold"
            )
        n = int(np.ceil(n * 1.25 * n_samples / max(keep.size, 1)))
    return replace(
        sample,
        states=sample.states[rows],
        actions=sample.actions[rows],
        tasks=sample.tasks[rows],
        observations=sample.observations[rows],
    )


__all__ = [
    "KINDS",
    "NOISES",
    "N_CALIBRATION",
    "OBSERVATIONS",
    "TASK_ROLES",
    "ColliderSample",
    "ColliderStructure",
    "ObservationMap",
    "as_generator",
    "build_collider_dag",
    "leaky_tanh",
    "leaky_tanh_inverse",
    "random_assignment",
    "random_structure",
    "sample_collider",
    "simulate_collider",
]
