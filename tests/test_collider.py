"""The collider process: its DAG, random structures and input validation."""

import numpy as np
import pytest

from specialist.simulate import (
    ColliderStructure,
    build_collider_dag,
    random_assignment,
    random_structure,
)
from specialist.variables import action, state, task

s, a, g = state, action, task


def test_dag_edges_of_a_hand_made_case():
    # T=4, L=2: segments {0,1} and {2,3}; task 0 on segment 0 only, task 1 on both;
    # step 1 -> 2 disconnected
    structure = ColliderStructure(
        n_steps=4,
        n_tasks=2,
        segment_length=2,
        assignment=[[True, True], [False, True]],
        connected=[True, False, True],
    )
    expected = {
        (s(0), a(0)), (s(1), a(1)), (s(2), a(2)), (s(3), a(3)),
        (s(0), s(1)), (a(0), s(1)),
        (s(2), s(3)), (a(2), s(3)),
        (a(0), g(0)), (a(1), g(0)),
        (a(0), g(1)), (a(1), g(1)), (a(2), g(1)), (a(3), g(1)),
    }  # fmt: skip
    graph = structure.graph()
    assert set(graph.edges) == expected
    assert set(graph.nodes) == {f(t) for f in (s, a) for t in range(4)} | {g(0), g(1)}
    assert graph.nodes[s(2)] == {"kind": "state", "index": 2}
    assert graph.nodes[a(3)]["kind"] == "action"
    assert graph.nodes[g(1)] == {"kind": "task", "index": 1}
    assert list(graph.predecessors(s(2))) == []  # disconnected: no parents
    assert set(build_collider_dag(4, 2, structure.assignment, structure.connected).edges) == (
        expected
    )


def test_connected_by_default_and_fully_disconnected():
    assignment = [[1], [1]]
    connected = ColliderStructure(4, 1, 2, assignment).graph()
    assert all(connected.has_edge(s(t), s(t + 1)) for t in range(3))
    assert all(connected.has_edge(a(t), s(t + 1)) for t in range(3))
    iid = ColliderStructure(4, 1, 2, assignment, connected=[False] * 3).graph()
    assert all(iid.in_degree(s(t)) == 0 for t in range(4))
    assert iid.number_of_edges() == 4 + 4  # s_t -> a_t and a_t -> g_0


def test_tasks_are_colliders_of_exactly_their_segments_actions():
    st = random_structure(12, 3, segment_length=3, seed=4)
    graph = st.graph()
    for i in range(3):
        parents = {v[1] for v in graph.predecessors(g(i))}
        assert parents == set(np.flatnonzero(st.step_tasks[:, i]))
        assert graph.out_degree(g(i)) == 0


def test_step_tasks_repeat_the_segment_assignment():
    st = ColliderStructure(6, 2, 3, [[1, 0], [1, 1]])
    np.testing.assert_array_equal(st.step_tasks, [[1, 0], [1, 0], [1, 0], [1, 1], [1, 1], [1, 1]])
    assert st.n_segments == 2


def test_structure_arrays_are_frozen_copies():
    source = np.array([[True], [True]])
    st = ColliderStructure(4, 1, 2, source)
    source[0, 0] = False
    assert st.assignment[0, 0]
    with pytest.raises(ValueError, match="read-only"):
        st.assignment[0, 0] = False


@pytest.mark.parametrize("seed", range(20))
def test_random_assignment_spans_at_least_two_segments_per_task(seed):
    out = random_assignment(6, 4, seed)
    assert out.shape == (6, 4) and out.dtype == bool
    assert (out.sum(axis=0) >= 2).all()


def test_random_assignment_respects_bounds_and_interleaves():
    sizes = set()
    for seed in range(30):
        out = random_assignment(8, 3, seed, min_segments=3, max_segments=4)
        counts = out.sum(axis=0)
        assert ((counts >= 3) & (counts <= 4)).all()
        sizes.update(counts.tolist())
    assert sizes == {3, 4}
    # tasks overlap on some segments for some seed (interleaved, not a partition)
    overlaps = [random_assignment(5, 3, seed).sum(axis=1).max() for seed in range(10)]
    assert max(overlaps) >= 2


def test_seed_determinism_and_generators():
    assert random_structure(20, 4, 2, 0.3, seed=7) == random_structure(20, 4, 2, 0.3, seed=7)
    assert random_structure(20, 4, 2, 0.3, seed=7) != random_structure(20, 4, 2, 0.3, seed=8)
    from_gen = random_structure(20, 4, 2, 0.3, seed=np.random.default_rng(7))
    assert from_gen == random_structure(20, 4, 2, 0.3, seed=7)
    np.testing.assert_array_equal(
        random_assignment(5, 2, 3), random_assignment(5, 2, np.random.default_rng(3))
    )


def test_p_disconnect_extremes():
    assert random_structure(10, 2, p_disconnect=0.0, seed=1).connected.all()
    assert not random_structure(10, 2, p_disconnect=1.0, seed=1).connected.any()
    mixed = random_structure(200, 2, p_disconnect=0.5, seed=1).connected
    assert 0.3 < mixed.mean() < 0.7


def test_random_structure_is_identifiable():
    for seed in range(10):
        random_structure(10, 3, seed=seed).check_identifiable()


def test_check_identifiable_names_the_lonely_task():
    st = ColliderStructure(6, 2, 2, [[1, 1], [1, 0], [0, 0]])
    with pytest.raises(ValueError, match=r"assignment: .*>= 2 segments.*\[1\]"):
        st.check_identifiable()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"segment_length": 1}, ValueError, "segment_length must be an integer >= 2"),
        ({"segment_length": 2.0}, TypeError, "segment_length must be an integer"),
        ({"n_steps": 7}, ValueError, "n_steps=7 must be a multiple of segment_length=2"),
        ({"n_steps": 2, "assignment": [[1]]}, ValueError, "at least 2 segments"),
        ({"n_tasks": 0, "assignment": np.zeros((2, 0))}, ValueError, "n_tasks must be"),
        ({"assignment": [[1, 1], [1, 1]]}, ValueError, r"assignment must have shape \(2, 1\)"),
        ({"assignment": [[2], [1]]}, ValueError, "assignment must hold booleans"),
        ({"connected": [True]}, ValueError, r"connected must have shape \(3,\)"),
    ],
)
def test_structure_validation(kwargs, error, message):
    args = {"n_steps": 4, "n_tasks": 1, "segment_length": 2, "assignment": [[1], [1]]}
    with pytest.raises(error, match=message):
        ColliderStructure(**(args | kwargs))


def test_build_collider_dag_validation():
    with pytest.raises(ValueError, match="assignment must be a 2-D"):
        build_collider_dag(4, 2, [1, 1])
    with pytest.raises(ValueError, match="assignment must have shape"):
        build_collider_dag(6, 2, [[1], [1]])


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((1, 2, 0), {}, ValueError, "n_segments must be an integer >= 2"),
        ((4, 0, 0), {}, ValueError, "n_tasks must be an integer >= 1"),
        ((4, 2, 0), {"min_segments": 5}, ValueError, "min_segments=5 must be <= n_segments=4"),
        ((4, 2, 0), {"max_segments": 1}, ValueError, "max_segments=1 must be in"),
        ((4, 2, None), {}, TypeError, "seed must be an integer or a numpy.random.Generator"),
    ],
)
def test_random_assignment_validation(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        random_assignment(*args, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"p_disconnect": -0.1}, ValueError, r"p_disconnect must be a probability in \[0, 1\]"),
        ({"p_disconnect": 1.5}, ValueError, "p_disconnect must be a probability"),
        ({"p_disconnect": "0.5"}, TypeError, "p_disconnect must be a probability"),
        ({"segment_length": 3}, ValueError, "n_steps=10 must be a multiple of segment_length=3"),
        ({"n_tasks": 0}, ValueError, "n_tasks must be an integer >= 1"),
    ],
)
def test_random_structure_validation(kwargs, error, message):
    with pytest.raises(error, match=message):
        random_structure(**({"n_steps": 10, "n_tasks": 2} | kwargs))
