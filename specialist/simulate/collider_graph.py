"""The structure of the collider process: segments, task assignment, connected steps, its DAG.

:class:`ColliderStructure` holds everything that fixes the graph of the paper's layer-1 process
(``s_t -> a_t``; a connected step adds ``s_t -> s_{t+1}`` and ``a_t -> s_{t+1}``; every action of
a segment assigned to task ``i`` points into ``g_i``);
:func:`~specialist.simulate.collider.random_structure` draws one.
Sampling data from a structure is :mod:`specialist.simulate.collider`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Real

import networkx as nx
import numpy as np

from specialist.validate import as_generator as as_generator  # re-exported
from specialist.validate import check_choice, check_int, n_segments
from specialist.variables import action, state, task

TASK_ROLES = ("collider", "confounder", "mediator")


def _as_bool_array(name: str, value, shape: tuple[int, ...], meaning: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape} ({meaning}), got shape {arr.shape}")
    if arr.dtype != bool:
        if not (np.issubdtype(arr.dtype, np.number) and np.isin(arr, (0, 1)).all()):
            raise ValueError(f"{name} must hold booleans (or 0/1), got dtype {arr.dtype}")
        arr = arr.astype(bool)
    arr = arr.copy()
    arr.flags.writeable = False  # the structure is a value: freeze it
    return arr


@dataclass(frozen=True, eq=False)
class ColliderStructure:
    """Everything that fixes the collider DAG.

    Parameters
    ----------
    n_steps : sequence length ``T``
    n_tasks : number of tasks ``M >= 1``
    segment_length : ``L >= 2``, divides ``T``; ``K = T // L >= 2`` segments
    assignment : bool (K, M), task ``i`` relevant to segment ``k`` (all its steps)
    connected : bool (T - 1,), step ``t -> t+1`` connected; default all connected

    Backs
    -----
    fig2_band_set, fig3_structure
    """

    n_steps: int
    n_tasks: int
    segment_length: int
    assignment: np.ndarray
    connected: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        n_seg = n_segments(self.n_steps, self.segment_length)
        n_tasks = check_int("n_tasks", self.n_tasks, 1)
        assignment = _as_bool_array(
            "assignment", self.assignment, (n_seg, n_tasks), "segments x tasks"
        )
        connected = np.ones(self.n_steps - 1, bool) if self.connected is None else self.connected
        connected = _as_bool_array(
            "connected", connected, (self.n_steps - 1,), "one flag per step t -> t+1"
        )
        object.__setattr__(self, "assignment", assignment)
        object.__setattr__(self, "connected", connected)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ColliderStructure):
            return NotImplemented
        return (
            (self.n_steps, self.n_tasks, self.segment_length)
            == (other.n_steps, other.n_tasks, other.segment_length)
            and np.array_equal(self.assignment, other.assignment)
            and np.array_equal(self.connected, other.connected)
        )

    __hash__ = None  # mutable-looking array fields: not hashable, like numpy arrays

    @property
    def n_segments(self) -> int:
        return self.n_steps // self.segment_length

    @property
    def step_tasks(self) -> np.ndarray:
        """bool (T, M): the segment assignment repeated over each segment's steps."""
        return np.repeat(self.assignment, self.segment_length, axis=0)

    def check_identifiable(self) -> None:
        """Raise ``ValueError`` if a task spans fewer than 2 segments.

        Algorithm 1 detects a task from a *pair* of its segments, so a task on a single
        segment (or none) cannot be recovered.
        """
        counts = self.assignment.sum(axis=0)
        bad = np.flatnonzero(counts < 2)
        if bad.size:
            raise ValueError(
                "assignment: every task must span >= 2 segments to be identifiable; "
                f"tasks (0-based) {bad.tolist()} span {counts[bad].tolist()} segment(s)"
            )

    def graph(self, task_role: str = "collider") -> nx.DiGraph:
        """The generative DAG; nodes are :mod:`specialist.variables` names.

        Node attributes: ``kind`` (``"state"``, ``"action"``, ``"task"``) and ``index``.
        ``task_role`` (see :func:`sample_collider`) orients the task edges: ``"collider"``
        (the paper's model, ``a_t -> g_i``), ``"confounder"`` (``g_i -> a_t``) or
        ``"mediator"`` (``a_t -> g_i`` on the task's first segment, ``g_i -> a_t`` on the
        later ones).

        Backs
        -----
        fig2_band_set, fig3_structure, fig_colliders
        """
        check_choice("task_role", task_role, TASK_ROLES)
        g = nx.DiGraph(
            n_steps=self.n_steps, segment_length=self.segment_length, task_role=task_role
        )
        for t in range(self.n_steps):
            g.add_node(state(t), kind="state", index=t)
            g.add_node(action(t), kind="action", index=t)
        for i in range(self.n_tasks):
            g.add_node(task(i), kind="task", index=i)
        for t in range(self.n_steps):
            g.add_edge(state(t), action(t))
            if t + 1 < self.n_steps and self.connected[t]:
                g.add_edge(state(t), state(t + 1))
                g.add_edge(action(t), state(t + 1))
        first = self.first_segments()
        for t, i in zip(*np.nonzero(self.step_tasks), strict=True):
            into_task = task_role == "collider" or (
                task_role == "mediator" and t // self.segment_length == first[i]
            )
            g.add_edge(*((action(t), task(i)) if into_task else (task(i), action(t))))
        return g

    def first_segments(self) -> np.ndarray:
        """int (M,): each task's first segment (0-based), -1 for a task on no segment."""
        has = self.assignment.any(axis=0)
        return np.where(has, self.assignment.argmax(axis=0), -1)


def build_collider_dag(
    n_steps: int,
    segment_length: int,
    assignment,
    connected=None,
    *,
    task_role: str = "collider",
) -> nx.DiGraph:
    """Validate the inputs and return the collider DAG (see :meth:`ColliderStructure.graph`).

    Backs
    -----
    fig2_band_set, fig3_structure, fig_colliders
    """
    assignment = np.asarray(assignment)
    if assignment.ndim != 2:
        raise ValueError(
            f"assignment must be a 2-D (segments x tasks) array, got shape {assignment.shape}"
        )
    return ColliderStructure(
        n_steps, assignment.shape[1], segment_length, assignment, connected
    ).graph(task_role)


def random_assignment(
    n_segments: int,
    n_tasks: int,
    rng_or_seed,
    *,
    min_segments: int = 2,
    max_segments: int | None = None,
) -> np.ndarray:
    """A random interleaved segment x task assignment, bool (K, M).

    Scheme (a reconstruction choice, the paper does not say how it assigned tasks): each task
    independently draws its number of segments uniformly from ``min_segments ..
    max_segments`` (default ``K``), then that many distinct segments uniformly at random. Tasks
    therefore interleave and overlap freely; a segment may carry zero, one or several tasks.
    With the default ``min_segments = 2`` every task spans at least two segments, which
    Algorithm 1 needs to detect it.

    Backs
    -----
    fig3_structure
    """
    n_segments = check_int("n_segments", n_segments, 2)
    n_tasks = check_int("n_tasks", n_tasks, 1)
    min_segments = check_int("min_segments", min_segments, 0)
    if min_segments > n_segments:
        raise ValueError(f"min_segments={min_segments} must be <= n_segments={n_segments}")
    if max_segments is None:
        max_segments = n_segments
    max_segments = check_int("max_segments", max_segments, 0)
    if not min_segments <= max_segments <= n_segments:
        raise ValueError(
            f"max_segments={max_segments} must be in min_segments..n_segments "
            f"({min_segments}..{n_segments})"
        )
    rng = as_generator(rng_or_seed)
    out = np.zeros((n_segments, n_tasks), dtype=bool)
    for i in range(n_tasks):
        size = rng.integers(min_segments, max_segments + 1)
        out[rng.choice(n_segments, size=size, replace=False), i] = True
    return out


def random_structure(
    n_steps: int,
    n_tasks: int,
    segment_length: int = 2,
    p_disconnect: float = 0.0,
    seed=0,
    *,
    min_segments: int = 2,
    max_segments: int | None = None,
) -> ColliderStructure:
    """A random :class:`ColliderStructure`.

    The assignment comes from :func:`random_assignment`; then each step ``t -> t+1`` is
    disconnected independently with probability ``p_disconnect`` (0 keeps the sequence whole,
    1 makes all steps i.i.d.). ``seed`` is an int or a ``numpy.random.Generator``.

    Backs
    -----
    fig3_structure
    """
    n_seg = n_segments(n_steps, segment_length)
    if isinstance(p_disconnect, bool) or not isinstance(p_disconnect, Real):
        raise TypeError(f"p_disconnect must be a probability in [0, 1], got {p_disconnect!r}")
    if not 0.0 <= p_disconnect <= 1.0:
        raise ValueError(f"p_disconnect must be a probability in [0, 1], got {p_disconnect}")
    rng = as_generator(seed)
    assignment = random_assignment(
        n_seg, n_tasks, rng, min_segments=min_segments, max_segments=max_segments
    )
    connected = rng.random(n_steps - 1) >= p_disconnect
    return ColliderStructure(n_steps, n_tasks, segment_length, assignment, connected)
