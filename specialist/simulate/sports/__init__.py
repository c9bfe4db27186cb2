"""A simulated SportsHHI-style benchmark: players, interleaved pairwise interactions, frames.

The model (every choice is ours; only the annotation format comes from SportsHHI)
---------------------------------------------------------------------------------
A *play* (:class:`SportsScenario`) is shared by every episode: ``P`` players, ``T`` keyframes
cut into ``K = T // L`` segments of ``L`` steps, and ``M`` pairwise *interactions* (a class
such as ``"pass"``, two players, and the segments in which they interact, at least two per
interaction). Interactions interleave in time: one pair acts on segments {0, 2, 4} while
another acts on {1, 3}, and a player may take part in several of them. Each episode is an
i.i.d. draw of the same play (:func:`simulate_sports`).

Dynamics, per player ``p`` (0-based steps; ``ρ = rho``,
``τ`` = :data:`~specialist.simulate.sports.dynamics.STATE_NOISE`,
``σ_a`` = :data:`~specialist.simulate.sports.dynamics.POLICY_NOISE`, ``σ = noise_scale``;
``ξ, η, ε`` standard normal)::

    s_0     = ξ_0
    a_t     = (-s_t + σ_a η_t) / sqrt(1 + σ_a²)                       (corrective policy)
    s_{t+1} = (ρ s_t + a_t + τ ξ_{t+1}) / Z,   Z² = Var(ρ s_t + a_t) + τ²
    g_i     = (std(Σ_{t ∈ T_i} (a_{t,p1} + a_{t,p2})) + σ ε_i) / sqrt(1 + σ²)

``T_i`` is the set of steps of interaction ``i``'s segments and ``std`` divides by the exact
standard deviation of the sum (the process is linear-Gaussian, so it is known in closed form).
States, actions and outcomes are all ``N(0, 1)`` at every step.

This is the paper's layer-1 DAG per player: ``s_t -> a_t``, ``(s_t, a_t) -> s_{t+1}`` and
``a_t -> g_i`` for the steps of ``i``, so every outcome ``g_i`` is a *collider* of the
actions of its two players at its steps. Two details matter for Algorithm 1
(:func:`specialist.structure.discover_task_structure`) to recover, from the states of one
player, which segments each of its interactions spans:

* *timing*: the action of step ``t`` moves the state of step ``t + 1`` (as in the paper). If it
  moved ``s_t`` itself, conditioning on the band neighbour ``s_{r+1}`` of a representative
  state ``s_r`` would open a path to the first action of the *next* segment, and a segment
  just before an interaction would be flagged as part of it;
* *policy sign*: with a positive persistence ``ρ`` and the action acting *against* the state
  (``a_t ≈ -s_t``), the two actions of a segment that the band leaves free carry the same
  sign in ``g_i``; with ``a_t ≈ +s_t`` they partly cancel and the collider signal is several
  times weaker. ``τ = 1`` keeps a fresh innovation at every step (a state nearly determined
  by its neighbours has little variance left to pass on).

Given ``g_i``, the states of a player at two segments of ``i`` are dependent; at any other
pair of segments they are independent given the band set (a d-separation fact of the DAG, and
exact here: the population partial correlation is 0). The dependence is bounded by about
``1 / (m - 1)`` for ``m`` free parents of ``g_i``, and the partner's actions count among them:
with the defaults and ``L = 2`` the partial correlation is about 0.16 for an interaction on two
segments and 0.10 for three, so Algorithm 1 finds every segment of a player's interactions
from a few thousand episodes.

Scene and pictures (nuisances, independent of the dynamics)
-----------------------------------------------------------
Each player has a court position doing a smooth random walk in ``[0.1, 0.9]²`` (velocity
with momentum, a weak spring back to a per-episode home spot in its own cell of a grid over
the court so that players are spread out, reflection at the border) and a box of fixed size
:data:`~specialist.simulate.sports.dynamics.BOX_SIZE` centred on it (clipped into ``[0, 1]``);
detected boxes add Gaussian jitter
``box_noise`` to every coordinate and are re-sorted and clipped to stay valid. Frames are
greyscale, ``float32`` in ``[0, 1]``: a light court with a centre line and a centre circle,
each player drawn inside its box as a stick figure (legs, a torso in a jersey shade drawn per
episode and player, independently of the dynamics unless ``jersey_coupling > 0`` ties it to
the player's episode-mean state, a head, and two arms raised by ``ARM_SWING · tanh(s / ARM_SCALE)``
degrees above the horizontal, a smooth invertible function of the state),
``n_distractors`` small balls moving independently, and Gaussian pixel noise. Shapes are
anti-aliased (coverage from a signed distance), so pixel values vary smoothly with the state
and the positions. The state, the only visible trace of the dynamics, can be read back from
a player's crop (:func:`crops`).

Ground truth follows SportsHHI's official schema
(:data:`specialist.data.sportshhi.files.ANNOTATION_COLUMNS`): one row per episode, step of an
interaction's segments and interaction, with ``frame_id = t * KEYFRAME_STRIDE`` and the true
boxes of person 1 (the lower player index) and person 2.

Backs
-----
fig4_sportshhi
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from specialist.data.sportshhi import ANNOTATION_COLUMNS, BOX_COLUMNS, KEYFRAME_STRIDE
from specialist.simulate.sports.dynamics import (
    BOX_SIZE,
    COURT_HIGH,
    COURT_LOW,
    POLICY_NOISE,
    SCALE_SWING,
    STATE_NOISE,
    TRANSITIONS,
    boxes_at,
    home_spots,
    jitter_boxes,
    linear_maps,
    random_walk,
    simulate_dynamics,
)
from specialist.simulate.sports.render import PIXEL_NOISE, crops, render_frames
from specialist.simulate.sports.scenario import (
    DEFAULT_CLASS_NAMES,
    Interaction,
    SportsScenario,
    random_scenario,
)
from specialist.validate import as_generator, check_int, check_real

__all__ = [
    "BOX_SIZE",
    "COURT_HIGH",
    "COURT_LOW",
    "DEFAULT_CLASS_NAMES",
    "PIXEL_NOISE",
    "POLICY_NOISE",
    "SCALE_SWING",
    "STATE_NOISE",
    "TRANSITIONS",
    "Interaction",
    "SportsSample",
    "SportsScenario",
    "crops",
    "random_scenario",
    "simulate_sports",
]

_JERSEY = (0.1, 0.55)  # range of the per-episode jersey shade


# -- the sample --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SportsSample:
    """Episodes of one play, from :func:`simulate_sports`.

    Attributes
    ----------
    scenario : the :class:`SportsScenario`
    states, actions : float (n, T, P), the latent state and the action of every player
    outcomes : float (n, M), the interaction outcomes (the task variables ``g_i``)
    positions : float (n, T, P, 2), court positions ``(x, y)`` in ``[0.1, 0.9]²``
    boxes : float (n, T, P, 4), true boxes ``(x1, y1, x2, y2)`` normalised to ``[0, 1]``
    detected_boxes : float (n, T, P, 4), jittered valid boxes (a detector's output)
    frames : float32 (n, T, H, W) in ``[0, 1]``
    annotations : DataFrame with exactly the official
        :data:`~specialist.data.sportshhi.files.ANNOTATION_COLUMNS`
    video_ids : ``("ep00000", ...)``, one per episode
    """

    scenario: SportsScenario
    states: np.ndarray
    actions: np.ndarray
    outcomes: np.ndarray
    positions: np.ndarray
    boxes: np.ndarray
    detected_boxes: np.ndarray
    frames: np.ndarray
    annotations: pd.DataFrame
    video_ids: tuple[str, ...]

    @property
    def n_episodes(self) -> int:
        return self.states.shape[0]

    def crops(self, size: int = 12, detected: bool = False) -> np.ndarray:
        """Player crops (n, T, P, size, size) from the true (or ``detected``) boxes."""
        return crops(self.frames, self.detected_boxes if detected else self.boxes, size)


def coupled_jerseys(jerseys, states, rho: float, coupling: float) -> np.ndarray:
    """Jersey shades (n, P) moved towards ``Φ(episode-mean state)`` by ``coupling``."""
    from scipy.special import ndtr

    s_map, _ = linear_maps(states.shape[1], rho)
    mean_sd = np.linalg.norm(s_map.mean(axis=0))  # exact sd of the mean of the T states
    low, high = _JERSEY
    u = (jerseys - low) / (high - low)
    follow = ndtr(states.mean(axis=1) / mean_sd)
    return low + (high - low) * ((1 - coupling) * u + coupling * follow)


def _annotations(scenario: SportsScenario, boxes: np.ndarray, video_ids) -> pd.DataFrame:
    """One official-schema row per (episode, step of an interaction's segments, interaction)."""
    steps, which = np.nonzero(scenario.step_assignment)  # sorted by step, then interaction
    n, n_rows = boxes.shape[0], steps.size
    p1 = np.array([scenario.interactions[i].p1 for i in which])
    p2 = np.array([scenario.interactions[i].p2 for i in which])
    labels = np.array([scenario.interactions[i].label for i in which])
    box1 = boxes[:, steps, p1].reshape(n * n_rows, 4)
    box2 = boxes[:, steps, p2].reshape(n * n_rows, 4)
    frame = pd.DataFrame(np.concatenate([box1, box2], axis=1), columns=list(BOX_COLUMNS))
    frame.insert(0, "video_id", np.repeat(np.asarray(video_ids, dtype=object), n_rows))
    frame.insert(1, "frame_id", np.tile(steps * KEYFRAME_STRIDE, n).astype(np.int64))
    frame["label"] = np.tile(labels, n).astype(np.int64)
    frame["p1_id"] = np.tile(p1, n).astype(np.int64)
    frame["p2_id"] = np.tile(p2, n).astype(np.int64)
    return frame.loc[:, list(ANNOTATION_COLUMNS)]


def simulate_sports(
    scenario: SportsScenario,
    n_episodes: int,
    image_size: int = 32,
    box_noise: float = 0.01,
    n_distractors: int = 2,
    rho: float = 0.6,
    noise_scale: float = 0.5,
    jersey_coupling: float = 0.0,
    transitions: str = "gaussian",
    seed=0,
) -> SportsSample:
    """Draw ``n_episodes`` i.i.d. episodes of ``scenario``: dynamics, scene, frames, labels.

    See the module docstring for the model. The dynamics, the positions, the appearance, the
    distractors, the detections and the pixel noise use independent streams derived from
    ``seed``, so, for instance, the states do not depend on ``image_size``.

    Parameters
    ----------
    scenario : the play (:func:`random_scenario` or a hand-made :class:`SportsScenario`)
    n_episodes : ``n >= 1``
    image_size : side ``H = W`` of the square frames, ``>= 16``
    box_noise : std of the jitter of every detected box coordinate, ``>= 0``
    n_distractors : balls per frame, ``>= 0``
    rho : state persistence ``ρ`` in (-1, 1)
    noise_scale : ``σ >= 0``, outcome noise relative to its (standardised) signal
    jersey_coupling : ``c`` in [0, 1], how much a player's jersey shade follows its
        *episode-mean state* (a nuisance correlated with the state, a harder setting). The
        shade's position in its range is ``(1 - c) u + c Φ(m)``, with ``u`` the uniform draw
        used at ``c = 0`` and ``m`` the episode-mean state divided by its exact standard
        deviation; 0 (the default) draws the shade independently of the dynamics
    transitions : ``"gaussian"`` (the default: the equations above) or
        ``"state_dependent_laplace"``: the innovation ``τ ξ_{t+1}`` becomes ``τ h(s_t) ξ_{t+1}``
        with ``ξ`` Laplace of unit variance and ``h(s) = sqrt(1 + c tanh(s))`` (``c`` =
        :data:`~specialist.simulate.sports.dynamics.SCALE_SWING`): non-Gaussian transitions
        whose noise scale changes with the previous state, the setting in which LEAP's
        identifiability conditions can hold. Every variance and covariance is the Gaussian
        model's, so outcomes, jerseys and the true structure are unchanged
    seed : int or ``numpy.random.Generator``

    Returns
    -------
    SportsSample

    Backs
    -----
    fig4_sportshhi
    """
    if not isinstance(scenario, SportsScenario):
        raise TypeError(
            f"scenario must be a SportsScenario (see random_scenario), got {scenario!r}"
        )
    n = check_int("n_episodes", n_episodes, 1)
    image_size = check_int("image_size", image_size, 16)
    box_noise = check_real("box_noise", box_noise, 0.0, np.inf, closed_low=True)
    n_distractors = check_int("n_distractors", n_distractors, 0)
    rho = check_real("rho", rho, -1.0, 1.0)
    noise_scale = check_real("noise_scale", noise_scale, 0.0, np.inf, closed_low=True)
    jersey_coupling = check_real(
        "jersey_coupling", jersey_coupling, 0.0, 1.0, closed_low=True, closed_high=True
    )
    if transitions not in TRANSITIONS:
        raise ValueError(f"transitions must be one of {list(TRANSITIONS)}, got {transitions!r}")
    dyn_rng, pos_rng, look_rng, ball_rng, det_rng, pix_rng = as_generator(seed).spawn(6)

    n_steps, n_players = scenario.n_steps, scenario.n_players
    states, actions, outcomes = simulate_dynamics(
        scenario, n, rho, noise_scale, dyn_rng, transitions
    )
    homes = home_spots(pos_rng, n, n_players)
    positions = random_walk(pos_rng, homes, n_steps, step=0.015, pull=0.1)
    boxes = boxes_at(positions)
    detected = jitter_boxes(boxes, box_noise, det_rng)
    jerseys = look_rng.uniform(*_JERSEY, size=(n, n_players))
    if jersey_coupling > 0:
        jerseys = coupled_jerseys(jerseys, states, rho, jersey_coupling)
    balls = random_walk(
        ball_rng, ball_rng.uniform(COURT_LOW, COURT_HIGH, (n, n_distractors, 2)), n_steps, 0.05
    )
    ball_shades = ball_rng.choice(np.array([0.05, 1.0]), size=(n, n_distractors))
    frames = render_frames(states, positions, jerseys, balls, ball_shades, image_size, pix_rng)
    video_ids = tuple(f"ep{e:05d}" for e in range(n))
    return SportsSample(
        scenario=scenario,
        states=states,
        actions=actions,
        outcomes=outcomes,
        positions=positions,
        boxes=boxes,
        detected_boxes=detected,
        frames=frames,
        annotations=_annotations(scenario, boxes, video_ids),
        video_ids=video_ids,
    )
