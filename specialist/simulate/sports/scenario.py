"""The play of the simulated SportsHHI scenes: players, interactions, their segments and roles.

Part of :mod:`specialist.simulate.sports` (see its docstring for the whole generator).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from specialist.validate import as_generator, check_int, n_segments

#: class names used by :func:`~specialist.simulate.sports.random_scenario` (then
#: ``"interaction_<id>"``)
DEFAULT_CLASS_NAMES = ("pass", "screen", "block", "guard", "hand-off", "set", "spike", "dig")


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
        check_int("label", self.label, 1)
        p1, p2 = check_int("p1", self.p1, 0), check_int("p2", self.p2, 0)
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
        segments = tuple(sorted(check_int("segments", k, 0) for k in self.segments))
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
        check_int("n_players", self.n_players, 2)
        n_seg = n_segments(self.n_steps, self.segment_length)
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
            names[check_int("class_names label", key, 1)] = name
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
        p = check_int("p", p, 0)
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
        With ``class_names`` from :data:`~specialist.simulate.sports.scenario.DEFAULT_CLASS_NAMES`.

    Backs
    -----
    fig4_sportshhi
    """
    n_players = check_int("n_players", n_players, 2)
    n_seg = n_segments(n_steps, segment_length)
    n_interactions = check_int("n_interactions", n_interactions, 1)
    n_classes = check_int("n_classes", n_classes, 1)
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
