"""A simulated SportsHHI-style benchmark: players, interleaved pairwise interactions, frames.

The model (every choice is ours; only the annotation format comes from SportsHHI)
---------------------------------------------------------------------------------
A *play* (:class:`SportsScenario`) is shared by every episode: ``P`` players, ``T`` keyframes
cut into ``K = T // L`` segments of ``L`` steps, and ``M`` pairwise *interactions* (a class
such as ``"pass"``, two players, and the segments in which they interact, at least two per
interaction). Interactions interleave in time: one pair acts on segments {0, 2, 4} while
another acts on {1, 3}, and a player may take part in several of them. Each episode is an
i.i.d. draw of the same play (:func:`simulate_sports`).

Dynamics, per player ``p`` (0-based steps; ``ρ = rho``, ``τ`` = :data:`STATE_NOISE`,
``σ_a`` = :data:`POLICY_NOISE`, ``σ = noise_scale``; ``ξ, η, ε`` standard normal)::

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
:data:`BOX_SIZE` centred on it (clipped into ``[0, 1]``); detected boxes add Gaussian jitter
``box_noise`` to every coordinate and are re-sorted and clipped to stay valid. Frames are
greyscale, ``float32`` in ``[0, 1]``: a light court with a centre line and a centre circle,
each player drawn inside its box as a stick figure (legs, a torso in a jersey shade drawn per
episode and player, a head, and two arms raised by ``ARM_SWING · tanh(s / ARM_SCALE)``
degrees above the horizontal, a smooth invertible function of the state),
``n_distractors`` small balls moving independently, and Gaussian pixel noise. Shapes are
anti-aliased (coverage from a signed distance), so pixel values vary smoothly with the state
and the positions. The state, the only visible trace of the dynamics, can be read back from
a player's crop (:func:`crops`).

Ground truth follows SportsHHI's official schema
(:data:`specialist.data.sportshhi.ANNOTATION_COLUMNS`): one row per episode, step of an
interaction's segments and interaction, with ``frame_id = t * KEYFRAME_STRIDE`` and the true
boxes of person 1 (the lower player index) and person 2.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from specialist.data.sportshhi import ANNOTATION_COLUMNS, BOX_COLUMNS, KEYFRAME_STRIDE
from specialist.simulate.collider import as_generator
from specialist.simulate.raster import Canvas, Sprite, coverage, segment_distance
from specialist.structure import n_segments as _n_segments
from specialist.validate import check_int as _check_int
from specialist.validate import check_real as _check_real

__all__ = [
    "BOX_SIZE",
    "DEFAULT_CLASS_NAMES",
    "Interaction",
    "SportsSample",
    "SportsScenario",
    "crops",
    "random_scenario",
    "simulate_sports",
]

#: exploration noise ``σ_a`` of the corrective policy ``a_t ∝ -s_t + σ_a η_t``
POLICY_NOISE = 0.1
#: innovation ``τ`` of the state transition (relative to the unit-variance state)
STATE_NOISE = 1.0
#: (width, height) of a player's box, as fractions of the frame
BOX_SIZE = (0.2, 0.3)
#: positions stay in ``[COURT_LOW, COURT_HIGH]²``
COURT_LOW, COURT_HIGH = 0.1, 0.9
#: arm angle (degrees above the horizontal) is ``ARM_SWING * tanh(s / ARM_SCALE)``
ARM_SWING, ARM_SCALE = 75.0, 1.5
#: standard deviation of the Gaussian pixel noise
PIXEL_NOISE = 0.02
#: class names used by :func:`random_scenario` (then ``"interaction_<id>"``)
DEFAULT_CLASS_NAMES = ("pass", "screen", "block", "guard", "hand-off", "set", "spike", "dig")

_COURT, _LINE = 0.72, 0.92  # background shades
_HEAD, _LIMB, _ARM = 0.35, 0.25, 0.05  # figure shades (the jersey is drawn per episode)
_JERSEY = (0.1, 0.55)  # range of the per-episode jersey shade


# -- the play ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interaction:
    """One pairwise interaction of a play.

    Attributes
    ----------
    label : class id, 1-based like the official label maps
    p1, p2 : 0-based player indices with ``p1 < p2`` (canonical order: person 1 is the lower
        track id)
    segments : 0-based segment indices the interaction spans, at least 2 (Algorithm 1 detects
        an interaction from a pair of its segments); stored sorted
    """

    label: int
    p1: int
    p2: int
    segments: tuple[int, ...]

    def __post_init__(self) -> None:
        _check_int("label", self.label, 1)
        p1, p2 = _check_int("p1", self.p1, 0), _check_int("p2", self.p2, 0)
        if p1 == p2:
            raise ValueError(f"p2 must be a player other than p1, got p1 = p2 = {p1}")
        if p1 > p2:
            raise ValueError(
                f"p1 must be < p2 (canonical order: person 1 is the lower player index), "
                f"got p1={p1}, p2={p2}; swap them"
            )
        if isinstance(self.segments, str | bytes) or not isinstance(
            self.segments, Sequence | np.ndarray
        ):
            raise TypeError(
                f"segments must be a sequence of segment indices, got {self.segments!r}"
            )
        segments = tuple(sorted(_check_int("segments", k, 0) for k in self.segments))
        if len(set(segments)) != len(segments):
            raise ValueError(f"segments must be distinct, got {list(self.segments)}")
        if len(segments) < 2:
            raise ValueError(
                f"segments must hold >= 2 segments (an interaction on one segment cannot be "
                f"identified), got {list(self.segments)}"
            )
        object.__setattr__(self, "label", int(self.label))
        object.__setattr__(self, "p1", p1)
        object.__setattr__(self, "p2", p2)
        object.__setattr__(self, "segments", segments)

    @property
    def players(self) -> tuple[int, int]:
        return (self.p1, self.p2)


@dataclass(frozen=True)
class SportsScenario:
    """The play shared by every episode: players, segmentation and interactions.

    Attributes
    ----------
    n_players : ``P >= 2``
    n_steps : number of keyframes ``T``, a multiple of ``segment_length`` with ``T // L >= 2``
    segment_length : ``L >= 2``
    interactions : at least one :class:`Interaction`; players and segments must be in range,
        and two interactions with the same class and pair may not share a segment (they would
        be the same annotation)
    class_names : ``{label: name}`` covering every label in use; empty (the default) names
        each label ``"interaction_<label>"``
    """

    n_players: int
    n_steps: int
    segment_length: int
    interactions: tuple[Interaction, ...]
    class_names: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_int("n_players", self.n_players, 2)
        n_seg = _n_segments(self.n_steps, self.segment_length)
        interactions = self.interactions
        if isinstance(interactions, Interaction):
            interactions = (interactions,)
        if not isinstance(interactions, Sequence) or not all(
            isinstance(x, Interaction) for x in interactions
        ):
            raise TypeError(
                f"interactions must be a sequence of Interaction objects, got {interactions!r}"
            )
        interactions = tuple(interactions)
        if not interactions:
            raise ValueError("interactions must hold at least one Interaction, got none")
        for i, x in enumerate(interactions):
            if x.p2 >= self.n_players:
                raise ValueError(
                    f"interactions[{i}]: player {x.p2} is out of range for "
                    f"n_players={self.n_players} (players are 0..{self.n_players - 1})"
                )
            if x.segments[-1] >= n_seg:
                raise ValueError(
                    f"interactions[{i}]: segment {x.segments[-1]} is out of range for "
                    f"n_steps={self.n_steps}, segment_length={self.segment_length} "
                    f"(segments are 0..{n_seg - 1})"
                )
        for (i, x), (j, y) in itertools.combinations(enumerate(interactions), 2):
            if (x.label, x.players) == (y.label, y.players) and set(x.segments) & set(y.segments):
                raise ValueError(
                    f"interactions[{i}] and interactions[{j}] have the same class and players "
                    "and share a segment; merge them into one interaction"
                )
        labels = sorted({x.label for x in interactions})
        if not isinstance(self.class_names, Mapping):
            raise TypeError(f"class_names must be a dict {{label: name}}, got {self.class_names!r}")
        names = {}
        for key, name in self.class_names.items():
            if not isinstance(name, str):
                raise TypeError(f"class_names must map labels to str names, got {name!r}")
            names[_check_int("class_names label", key, 1)] = name
        missing = [label for label in labels if label not in names]
        if names and missing:
            raise ValueError(f"class_names has no name for the label(s) {missing} in use")
        names = names or {label: f"interaction_{label}" for label in labels}
        object.__setattr__(self, "interactions", interactions)
        object.__setattr__(self, "class_names", names)

    def __hash__(self) -> int:
        return hash(
            (
                self.n_players,
                self.n_steps,
                self.segment_length,
                self.interactions,
                tuple(sorted(self.class_names.items())),
            )
        )

    @property
    def n_segments(self) -> int:
        """``K = n_steps // segment_length``."""
        return self.n_steps // self.segment_length

    @property
    def n_interactions(self) -> int:
        """``M``, the number of interactions (the task variables of layer 1)."""
        return len(self.interactions)

    @property
    def assignment(self) -> np.ndarray:
        """bool (K, M): interaction ``i`` spans segment ``k`` (whoever the players)."""
        out = np.zeros((self.n_segments, self.n_interactions), dtype=bool)
        for i, x in enumerate(self.interactions):
            out[list(x.segments), i] = True
        return out

    @property
    def step_assignment(self) -> np.ndarray:
        """bool (T, M): :attr:`assignment` repeated over the steps of each segment."""
        return np.repeat(self.assignment, self.segment_length, axis=0)

    @property
    def participants(self) -> np.ndarray:
        """bool (P, M): player ``p`` takes part in interaction ``i``."""
        out = np.zeros((self.n_players, self.n_interactions), dtype=bool)
        for i, x in enumerate(self.interactions):
            out[list(x.players), i] = True
        return out

    def player_assignment(self, p: int) -> np.ndarray:
        """bool (K, M): player ``p`` takes part in interaction ``i`` and ``i`` spans segment ``k``.

        This is the structure Algorithm 1 should recover from player ``p``'s states and the
        outcomes: an interaction without ``p`` is independent of ``p``'s states.
        """
        p = _check_int("p", p, 0)
        if p >= self.n_players:
            raise ValueError(f"p must be a player index in 0..{self.n_players - 1}, got {p}")
        return self.assignment & self.participants[p][None, :]

    def step_players(self) -> np.ndarray:
        """bool (T, P): player ``p`` takes part in some interaction at step ``t``."""
        return (self.step_assignment.astype(int) @ self.participants.T.astype(int)) > 0

    @property
    def interleaved(self) -> bool:
        """Every interaction has a segment of another interaction strictly inside its span.

        Precisely: for every ``i`` there is a ``j != i`` and a segment of ``j`` that is not a
        segment of ``i`` and lies strictly between two consecutive segments of ``i``. Always
        ``True`` for a single interaction.
        """
        return _interleaved([x.segments for x in self.interactions])


def _interleaved(segment_sets: Sequence[tuple[int, ...]]) -> bool:
    if len(segment_sets) < 2:
        return True
    for i, own in enumerate(segment_sets):
        others = {k for j, s in enumerate(segment_sets) if j != i for k in s} - set(own)
        if not any(a < k < b for a, b in itertools.pairwise(own) for k in others):
            return False
    return True


def _spaced_sets(n_seg: int, size: int) -> list[tuple[int, ...]]:
    """Every set of ``size`` segments whose consecutive gaps are 2 or 3 (room to interleave)."""
    out: list[tuple[int, ...]] = []

    def extend(prefix: tuple[int, ...]) -> None:
        if len(prefix) == size:
            out.append(prefix)
            return
        for gap in (2, 3):
            if prefix[-1] + gap < n_seg:
                extend((*prefix, prefix[-1] + gap))

    for start in range(n_seg):
        extend((start,))
    return out


def random_scenario(
    n_players: int = 4,
    n_steps: int = 12,
    segment_length: int = 2,
    n_interactions: int = 4,
    n_classes: int = 3,
    seed=0,
) -> SportsScenario:
    """A random play with interleaved interactions.

    Scheme (a reconstruction choice):

    * *players*: the ``P (P - 1) / 2`` pairs in a random order, each used once before any is
      reused, so a player usually takes part in several interactions;
    * *classes*: labels ``1 .. n_classes``; every class appears at least once when
      ``n_interactions >= n_classes`` (otherwise distinct classes are drawn);
    * *segments*: each interaction spans 2 or 3 segments (3 when they fit) whose consecutive
      gaps are 2 or 3 segments, e.g. {0, 2, 4} or {1, 3}; the whole draw is repeated until
      every interaction has another one in one of its gaps (:attr:`SportsScenario.interleaved`)
      and no two interactions with the same class and pair share a segment.

    Parameters
    ----------
    n_players : ``P >= 2``
    n_steps, segment_length : ``T`` and ``L``; ``K = T // L`` must be at least 3 (4 when
        there are several interactions) so that interactions can interleave
    n_interactions : ``M >= 1``
    n_classes : number of interaction classes, ``>= 1``
    seed : int or ``numpy.random.Generator``

    Returns
    -------
    SportsScenario
        With ``class_names`` from :data:`DEFAULT_CLASS_NAMES`.
    """
    n_players = _check_int("n_players", n_players, 2)
    n_seg = _n_segments(n_steps, segment_length)
    n_interactions = _check_int("n_interactions", n_interactions, 1)
    n_classes = _check_int("n_classes", n_classes, 1)
    need = 3 if n_interactions == 1 else 4
    if n_seg < need:
        raise ValueError(
            f"n_steps={n_steps} with segment_length={segment_length} gives {n_seg} segments; "
            f"random_scenario needs at least {need} so that interactions can interleave"
        )
    rng = as_generator(seed)

    all_pairs = list(itertools.combinations(range(n_players), 2))
    order: list[tuple[int, int]] = []
    while len(order) < n_interactions:
        order.extend(all_pairs[j] for j in rng.permutation(len(all_pairs)))
    pairs = order[:n_interactions]

    if n_interactions >= n_classes:
        extra = rng.integers(1, n_classes + 1, size=n_interactions - n_classes)
        labels = rng.permutation(np.concatenate([np.arange(1, n_classes + 1), extra]))
    else:
        labels = rng.choice(np.arange(1, n_classes + 1), size=n_interactions, replace=False)

    candidates = {m: _spaced_sets(n_seg, m) for m in (2, 3)}
    sizes = (2, 3) if candidates[3] else (2,)
    for _ in range(10_000):
        chosen = []
        for _i in range(n_interactions):
            options = candidates[int(rng.choice(sizes))]
            chosen.append(options[rng.integers(len(options))])
        keys = [(int(labels[i]), pairs[i]) for i in range(n_interactions)]
        clash = any(
            keys[i] == keys[j] and set(chosen[i]) & set(chosen[j])
            for i, j in itertools.combinations(range(n_interactions), 2)
        )
        if not clash and _interleaved(chosen):
            break
    else:  # pragma: no cover - K >= 4 makes a valid draw likely at every attempt
        raise RuntimeError("random_scenario: no interleaved layout found in 10,000 draws")

    interactions = tuple(
        Interaction(int(labels[i]), pairs[i][0], pairs[i][1], chosen[i])
        for i in range(n_interactions)
    )
    names = {
        c: DEFAULT_CLASS_NAMES[c - 1] if c <= len(DEFAULT_CLASS_NAMES) else f"interaction_{c}"
        for c in range(1, n_classes + 1)
    }
    return SportsScenario(n_players, n_steps, segment_length, interactions, names)


# -- dynamics ----------------------------------------------------------------------------------


def _linear_maps(n_steps: int, rho: float) -> tuple[np.ndarray, np.ndarray]:
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


def _dynamics(scenario: SportsScenario, n: int, rho: float, noise_scale: float, rng):
    """States, actions (n, T, P) and outcomes (n, M) of ``n`` episodes."""
    n_steps, n_players = scenario.n_steps, scenario.n_players
    s_map, a_map = _linear_maps(n_steps, rho)
    z = rng.standard_normal((n, n_players, 2 * n_steps))
    states = np.einsum("npz,tz->ntp", z, s_map)
    actions = np.einsum("npz,tz->ntp", z, a_map)
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


# -- the scene ---------------------------------------------------------------------------------


def _home_spots(rng, n: int, n_players: int) -> np.ndarray:
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


def _random_walk(
    rng, start: np.ndarray, n_steps: int, step: float, pull: float = 0.0
) -> np.ndarray:
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


def _boxes_at(positions: np.ndarray) -> np.ndarray:
    """True boxes ``(x1, y1, x2, y2)`` of size :data:`BOX_SIZE` centred at ``positions``."""
    half = np.array(BOX_SIZE) / 2
    return np.clip(np.concatenate([positions - half, positions + half], axis=-1), 0.0, 1.0)


def _jitter_boxes(boxes: np.ndarray, box_noise: float, rng) -> np.ndarray:
    """Detections: every coordinate jittered, then sorted and clipped to stay valid boxes."""
    noisy = np.clip(boxes + rng.normal(0.0, box_noise, size=boxes.shape), 0.0, 1.0)
    x = np.sort(noisy[..., 0::2], axis=-1)
    y = np.sort(noisy[..., 1::2], axis=-1)
    return np.stack([x[..., 0], y[..., 0], x[..., 1], y[..., 1]], axis=-1)


def _background(size: int) -> np.ndarray:
    """The court: a light floor with a centre line and a centre circle, (size, size)."""
    c = (np.arange(size) + 0.5) / size
    x, y = c[None, :], c[:, None]
    line = coverage(np.abs(x - 0.5) * size - 0.5)
    ring = coverage(np.abs(np.hypot(x - 0.5, y - 0.5) - 0.18) * size - 0.5)
    return (_COURT + (_LINE - _COURT) * np.maximum(line, ring)).astype(np.float32)


def _draw_players(canvas: Canvas, centres, states, jerseys) -> None:
    """Stick figures centred at ``centres`` (N, P, 2), arms set by ``states`` (N, P)."""
    size = canvas.w
    bw, bh = BOX_SIZE[0] * size, BOX_SIZE[1] * size  # box in pixels
    width, height = int(np.ceil(bw)) + 3, int(np.ceil(bh)) + 3
    limb = max(0.06 * bw, 0.55)  # limb half-thickness in pixels
    angle = np.deg2rad(ARM_SWING) * np.tanh(states / ARM_SCALE)
    for p in range(centres.shape[1]):
        cx, cy = centres[:, p, 0] * size, centres[:, p, 1] * size
        left = np.floor(cx - bw / 2).astype(np.int64) - 1
        top = np.floor(cy - bh / 2).astype(np.int64) - 1
        x, y, index = canvas.window(left, top, width, height)
        # pixel centres relative to the player's centre
        x = (x - cx[:, None, None]).astype(np.float32)
        y = (y - cy[:, None, None]).astype(np.float32)
        sprite = Sprite(index.shape)
        ax = np.abs(x)  # the figure is symmetric: draw one leg and one arm on |x|
        d = segment_distance(ax, y, 0.08 * bw, 0.12 * bh, 0.2 * bw, 0.47 * bh)
        sprite.add(coverage(d - limb), _LIMB)
        torso = np.maximum(ax - 0.2 * bw, np.abs(y + 0.04 * bh) - 0.17 * bh)
        sprite.add(coverage(torso), jerseys[:, p, None, None])
        sprite.add(coverage(np.hypot(x, y + 0.35 * bh) - 0.11 * bh), _HEAD)
        # arms, from the shoulders outwards, raised by `angle` above the horizontal
        reach = 0.3 * bw
        dx = (reach * np.cos(angle[:, p])).astype(np.float32)[:, None, None]
        dy = (-reach * np.sin(angle[:, p])).astype(np.float32)[:, None, None]  # y points down
        shoulder_x, shoulder_y = 0.18 * bw, -0.18 * bh
        d = segment_distance(ax, y, shoulder_x, shoulder_y, shoulder_x + dx, shoulder_y + dy)
        sprite.add(coverage(d - limb), _ARM)
        canvas.paint(index, sprite.colour, sprite.alpha)


def _draw_balls(canvas: Canvas, centres, shades) -> None:
    """Small discs (distractors) at ``centres`` (N, D, 2) with ``shades`` (N, D)."""
    size = canvas.w
    radius = max(0.035 * size, 0.8)
    extent = int(np.ceil(2 * radius)) + 2
    for j in range(centres.shape[1]):
        cx, cy = centres[:, j, 0] * size, centres[:, j, 1] * size
        left = np.floor(cx - radius).astype(np.int64) - 1
        top = np.floor(cy - radius).astype(np.int64) - 1
        x, y, index = canvas.window(left, top, extent, extent)
        distance = np.hypot(x - cx[:, None, None], y - cy[:, None, None]) - radius
        cover = coverage(distance).astype(np.float32)
        canvas.paint(index, cover * shades[:, j, None, None], cover)


def _render(states, positions, jerseys, balls, ball_shades, image_size: int, rng) -> np.ndarray:
    """Frames (n, T, H, W) float32 in [0, 1] (see the module docstring)."""
    n, n_steps, n_players = states.shape
    n_frames = n * n_steps
    background = _background(image_size)
    canvas = Canvas(np.broadcast_to(background, (n_frames, image_size, image_size)))
    flat_jerseys = np.repeat(jerseys, n_steps, axis=0)  # (N, P), constant over an episode
    _draw_players(
        canvas,
        positions.reshape(n_frames, n_players, 2),
        states.reshape(n_frames, n_players),
        flat_jerseys.astype(np.float32),
    )
    if balls.shape[2]:
        _draw_balls(
            canvas,
            balls.reshape(n_frames, -1, 2),
            np.repeat(ball_shades, n_steps, axis=0).astype(np.float32),
        )
    frames = canvas.frames()
    frames += PIXEL_NOISE * rng.standard_normal(frames.shape, dtype=np.float32)
    np.clip(frames, 0.0, 1.0, out=frames)
    return frames.reshape(n, n_steps, image_size, image_size)


def crops(frames, boxes, size: int = 12) -> np.ndarray:
    """Each player's box cut from its frame and resampled to ``size x size`` (bilinear).

    Parameters
    ----------
    frames : array (n, T, H, W)
    boxes : array (n, T, P, 4) of normalised ``(x1, y1, x2, y2)`` boxes
    size : output side, ``>= 2``

    Returns
    -------
    numpy.ndarray
        float32 (n, T, P, size, size). Sample ``j`` of a row lies at ``x1 + (j + 0.5) / size
        (x2 - x1)``; samples outside the frame take the nearest border pixel.
    """
    size = _check_int("size", size, 2)
    frames = np.asarray(frames)
    boxes = np.asarray(boxes, dtype=float)
    if frames.ndim != 4:
        raise ValueError(f"frames must have shape (n, T, H, W), got shape {frames.shape}")
    if boxes.ndim != 4 or boxes.shape[-1] != 4 or boxes.shape[:2] != frames.shape[:2]:
        raise ValueError(
            f"boxes must have shape (n, T, P, 4) with the (n, T) of frames {frames.shape[:2]}, "
            f"got shape {boxes.shape}"
        )
    n, n_steps, h, w = frames.shape
    grid = (np.arange(size) + 0.5) / size
    # sample positions in pixel coordinates (pixel centres at integer + 0.5 -> index space)
    xs = (boxes[..., 0, None] + grid * (boxes[..., 2] - boxes[..., 0])[..., None]) * w - 0.5
    ys = (boxes[..., 1, None] + grid * (boxes[..., 3] - boxes[..., 1])[..., None]) * h - 0.5
    xs, ys = np.clip(xs, 0, w - 1), np.clip(ys, 0, h - 1)
    x0 = np.minimum(np.floor(xs).astype(np.int64), w - 2) if w > 1 else np.zeros_like(xs, int)
    y0 = np.minimum(np.floor(ys).astype(np.int64), h - 2) if h > 1 else np.zeros_like(ys, int)
    fx, fy = (xs - x0).astype(np.float32), (ys - y0).astype(np.float32)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    flat = frames.reshape(n * n_steps, h * w).astype(np.float32, copy=False)
    frame = np.arange(n * n_steps).reshape(n, n_steps)[:, :, None, None, None]

    def at(rows, cols):  # rows (..., size), cols (..., size) -> (..., size, size)
        return flat[frame, rows[..., :, None] * w + cols[..., None, :]]

    top = at(y0, x0) * (1 - fx[..., None, :]) + at(y0, x1) * fx[..., None, :]
    bottom = at(y1, x0) * (1 - fx[..., None, :]) + at(y1, x1) * fx[..., None, :]
    return top * (1 - fy[..., :, None]) + bottom * fy[..., :, None]


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
    annotations : DataFrame with exactly the official :data:`ANNOTATION_COLUMNS`
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
    seed : int or ``numpy.random.Generator``

    Returns
    -------
    SportsSample
    """
    if not isinstance(scenario, SportsScenario):
        raise TypeError(
            f"scenario must be a SportsScenario (see random_scenario), got {scenario!r}"
        )
    n = _check_int("n_episodes", n_episodes, 1)
    image_size = _check_int("image_size", image_size, 16)
    box_noise = _check_real("box_noise", box_noise, 0.0, np.inf, closed_low=True)
    n_distractors = _check_int("n_distractors", n_distractors, 0)
    rho = _check_real("rho", rho, -1.0, 1.0)
    noise_scale = _check_real("noise_scale", noise_scale, 0.0, np.inf, closed_low=True)
    dyn_rng, pos_rng, look_rng, ball_rng, det_rng, pix_rng = as_generator(seed).spawn(6)

    n_steps, n_players = scenario.n_steps, scenario.n_players
    states, actions, outcomes = _dynamics(scenario, n, rho, noise_scale, dyn_rng)
    homes = _home_spots(pos_rng, n, n_players)
    positions = _random_walk(pos_rng, homes, n_steps, step=0.015, pull=0.1)
    boxes = _boxes_at(positions)
    detected = _jitter_boxes(boxes, box_noise, det_rng)
    jerseys = look_rng.uniform(*_JERSEY, size=(n, n_players))
    balls = _random_walk(
        ball_rng, ball_rng.uniform(COURT_LOW, COURT_HIGH, (n, n_distractors, 2)), n_steps, 0.05
    )
    ball_shades = ball_rng.choice(np.array([0.05, 1.0]), size=(n, n_distractors))
    frames = _render(states, positions, jerseys, balls, ball_shades, image_size, pix_rng)
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
