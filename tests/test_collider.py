"""The collider process: its DAG, random structures, sampling and input validation."""

import numpy as np
import pytest

from specialist.ci import DSeparationOracle, FisherZ
from specialist.simulate import (
    ColliderStructure,
    build_collider_dag,
    random_assignment,
    random_structure,
)
from specialist.simulate.collider import (
    ColliderSample,
    leaky_tanh,
    leaky_tanh_inverse,
    sample_collider,
    simulate_collider,
)
from specialist.structure import band_set, discover_task_structure
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


# -- sampling ----------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [1, 3])
def test_sample_shapes_and_ground_truth(d):
    out = simulate_collider(50, 8, 3, state_dim=d, seed=1)
    assert isinstance(out, ColliderSample)
    expected = (50, 8) if d == 1 else (50, 8, d)
    assert out.states.shape == out.actions.shape == out.observations.shape == expected
    assert out.tasks.shape == (50, 3)
    assert out.n_samples == 50 and out.state_dim == d
    np.testing.assert_array_equal(out.segment_tasks, out.structure.assignment)
    np.testing.assert_array_equal(out.step_tasks, out.structure.step_tasks)
    assert out.segment_tasks.dtype == bool and out.segment_tasks.shape == (4, 3)
    assert (out.segment_tasks.sum(axis=0) >= 2).all()  # every task spans >= 2 segments
    np.testing.assert_array_equal(out.observations, out.states)  # identity observation
    for array in (out.states, out.actions, out.tasks):
        assert np.isfinite(array).all()


def test_sampling_is_deterministic_and_seeded():
    a = simulate_collider(100, 10, 2, seed=3, kind="nonlinear", observation="mlp")
    b = simulate_collider(100, 10, 2, seed=3, kind="nonlinear", observation="mlp")
    c = simulate_collider(100, 10, 2, seed=4, kind="nonlinear", observation="mlp")
    for name in ("states", "actions", "tasks", "observations"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert not np.allclose(getattr(a, name), getattr(c, name))
    assert a.structure == b.structure and a.seed == 3
    st = random_structure(10, 2, seed=0)
    np.testing.assert_array_equal(
        sample_collider(st, 30, seed=np.random.default_rng(5)).tasks,
        sample_collider(st, 30, seed=np.random.default_rng(5)).tasks,
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"kind": "nonlinear"},
        {"noise": "laplace"},
        {"noise": "uniform", "state_dim": 2},
        {"task_role": "confounder"},
        {"task_role": "mediator", "p_disconnect": 0.5},
    ],
)
def test_every_node_has_unit_variance_at_every_step(kwargs):
    # the scaling keeps the state variance stable over T (no explosion or decay)
    out = simulate_collider(20_000, 20, 3, seed=2, **kwargs)
    for array in (out.states, out.actions, out.tasks):
        np.testing.assert_allclose(array.reshape(len(array), -1).std(axis=0), 1.0, atol=0.05)
        np.testing.assert_allclose(array.reshape(len(array), -1).mean(axis=0), 0.0, atol=0.05)


def test_disconnected_steps_are_fresh_noise():
    st = ColliderStructure(6, 1, 2, [[1], [0], [1]], connected=[True, False, True, True, False])
    out = sample_collider(st, 20_000, seed=0)
    corr = np.corrcoef(out.states.T)
    assert abs(corr[1, 2]) < 0.03 and abs(corr[4, 5]) < 0.03  # cut links
    assert abs(corr[0, 1]) > 0.3 and abs(corr[2, 3]) > 0.3  # kept links


def test_leaky_tanh_inverse():
    u = np.linspace(-30, 30, 1001)
    np.testing.assert_allclose(leaky_tanh_inverse(leaky_tanh(u)), u, atol=1e-10)


@pytest.mark.parametrize("d", [1, 3])
def test_mlp_observation_map_is_invertible_and_nonlinear(d):
    out = simulate_collider(2_000, 8, 2, state_dim=d, observation="mlp", seed=6)
    assert out.observations.shape == out.states.shape
    np.testing.assert_allclose(out.observation_map.inverse(out.observations), out.states, atol=1e-8)
    # not affine: a linear fit of the observations on the states leaves a clear residual
    s = out.states.reshape(-1, d)
    o = out.observations.reshape(-1, d)
    design = np.column_stack([s, np.ones(len(s))])
    resid = o - design @ np.linalg.lstsq(design, o, rcond=None)[0]
    assert (resid.std(axis=0) / o.std(axis=0)).min() > 0.05
    # the same map for every step
    np.testing.assert_allclose(out.observation_map(out.states), out.observations)


@pytest.mark.parametrize(("n_steps", "n_tasks"), [(8, 2), (10, 2), (12, 3)])
@pytest.mark.parametrize("seed", range(4))
def test_fisherz_recovers_easy_linear_structures_exactly(n_steps, n_tasks, seed):
    # the statistical counterpart of the oracle test: linear-Gaussian data, identity
    # observations, n = 10,000. Holm keeps the K(K-1)/2 null pairs per task from marking
    # spurious segments (the paper's uncorrected alpha marks some by design)
    out = simulate_collider(10_000, n_steps, n_tasks, seed=seed)
    res = discover_task_structure(out.observations, out.tasks, correction="holm")
    np.testing.assert_array_equal(res.segment_tasks, out.segment_tasks)


def _pair_pvalue(out, k, v, i=0):
    T, L = out.structure.n_steps, out.structure.segment_length
    ci = FisherZ().fit({**{state(t): out.states[:, t] for t in range(T)}, g(i): out.tasks[:, i]})
    z = [state(t) for t in band_set(k, v, T, L)] + [g(i)]
    return ci.pvalue(state((k + 1) * L - 1), state((v + 1) * L - 1), z)


@pytest.mark.parametrize("role", ["collider", "confounder", "mediator"])
def test_task_roles_remark_1(role):
    # one task on segments 1 and 3 of a connected 10-step sequence: given g and the band
    # set, the representative states are dependent for a collider only
    st = ColliderStructure(10, 1, 2, [[0], [1], [0], [1], [0]])
    out = sample_collider(st, 20_000, task_role=role, seed=0)
    p = _pair_pvalue(out, 1, 3)
    if role == "collider":
        assert p < 1e-3
    else:
        assert p > 0.01
    # the d-separation verdict on the role's DAG agrees
    oracle = DSeparationOracle(out.graph()).fit(
        {**{state(t): out.states[:, t] for t in range(10)}, g(0): out.tasks[:, 0]}
    )
    z = [state(t) for t in band_set(1, 3, 10)] + [g(0)]
    assert (oracle.pvalue(state(3), state(7), z) == 0.0) == (role == "collider")


def test_task_role_graphs():
    st = ColliderStructure(6, 1, 2, [[1], [0], [1]])
    collider, confounder, mediator = (st.graph(r) for r in ("collider", "confounder", "mediator"))
    assert set(collider.predecessors(g(0))) == {a(0), a(1), a(4), a(5)}
    assert set(confounder.successors(g(0))) == {a(0), a(1), a(4), a(5)}
    assert confounder.in_degree(g(0)) == 0
    assert set(mediator.predecessors(g(0))) == {a(0), a(1)}
    assert set(mediator.successors(g(0))) == {a(4), a(5)}
    assert mediator.graph["task_role"] == "mediator"
    assert set(build_collider_dag(6, 2, [[1], [0], [1]], task_role="mediator").edges) == set(
        mediator.edges
    )
    with pytest.raises(ValueError, match="task_role must be one of"):
        st.graph("selection")


def test_confounder_is_a_common_cause_and_collider_a_common_effect():
    # disconnected steps, one task on both segments: two of its actions share a cause under
    # "confounder" (dependent), and only a common effect under "collider" (independent)
    st = ColliderStructure(4, 1, 2, [[1], [1]], connected=[False] * 3)
    confounded = sample_collider(st, 20_000, task_role="confounder", seed=1)
    assert abs(np.corrcoef(confounded.actions[:, 0], confounded.actions[:, 2])[0, 1]) > 0.1
    collided = sample_collider(st, 20_000, task_role="collider", seed=1)
    assert abs(np.corrcoef(collided.actions[:, 0], collided.actions[:, 2])[0, 1]) < 0.03


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_samples": 5}, ValueError, "n_samples must be an integer >= 10"),
        ({"n_samples": 10.0}, TypeError, "n_samples must be an integer"),
        ({"state_dim": 0}, ValueError, "state_dim must be an integer >= 1"),
        ({"kind": "quadratic"}, ValueError, r"kind must be one of \('linear', 'nonlinear'\)"),
        ({"task_role": "selector"}, ValueError, "task_role must be one of"),
        ({"observation": "cnn"}, ValueError, r"observation must be one of \('identity', 'mlp'\)"),
        ({"noise": "cauchy"}, ValueError, "noise must be one of"),
        ({"noise_scale": 0.0}, ValueError, "noise_scale must be a finite number > 0"),
        ({"noise_scale": -1}, ValueError, "noise_scale must be a finite number > 0"),
        ({"noise_scale": "1"}, TypeError, "noise_scale must be a finite number > 0"),
        ({"state_noise": float("nan")}, TypeError, "state_noise must be a finite number"),
        ({"seed": 1.5}, TypeError, "seed must be an integer or a numpy.random.Generator"),
    ],
)
def test_sample_collider_validation(kwargs, error, message):
    args = {"structure": ColliderStructure(4, 1, 2, [[1], [1]]), "n_samples": 20} | kwargs
    with pytest.raises(error, match=message):
        sample_collider(**args)


def test_sample_collider_needs_a_structure():
    with pytest.raises(TypeError, match="structure must be a ColliderStructure"):
        sample_collider(np.ones((2, 1)), 20)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_segments": 1}, "min_segments must be an integer >= 2"),
        ({"n_steps": 9}, "n_steps=9 must be a multiple of segment_length=2"),
        ({"p_disconnect": 2.0}, "p_disconnect must be a probability"),
        ({"n_samples": 3}, "n_samples must be an integer >= 10"),
    ],
)
def test_simulate_collider_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_collider(**({"n_samples": 20, "n_steps": 8, "n_tasks": 2} | kwargs))


def test_shared_action_budget_keeps_states_and_actions_and_weakens_shared_tasks():
    default = simulate_collider(3000, 12, 6, seed=4)
    shared = simulate_collider(3000, 12, 6, shared_actions=True, seed=4)
    assert np.array_equal(default.states, shared.states)
    assert np.array_equal(default.actions, shared.actions)
    assert np.allclose(shared.tasks.std(axis=0), 1.0, atol=0.05)
    # one task: no action is shared, so the task is the default one up to calibration
    one = simulate_collider(3000, 12, 1, seed=4)
    one_shared = simulate_collider(3000, 12, 1, shared_actions=True, seed=4)
    assert np.corrcoef(one.tasks[:, 0], one_shared.tasks[:, 0])[0, 1] > 0.999

    # with shared steps, the explained share of a task shrinks: the residual given its
    # parent actions grows
    def residual(sample, i):
        steps = np.flatnonzero(sample.step_tasks[:, i])
        x = np.column_stack([sample.actions[:, steps], np.ones(len(sample.tasks))])
        coef, *_ = np.linalg.lstsq(x, sample.tasks[:, i], rcond=None)
        return np.var(sample.tasks[:, i] - x @ coef)

    shared_steps = default.step_tasks.sum(axis=1) > 1
    i = int(np.argmax(default.step_tasks[shared_steps].sum(axis=0)))
    assert residual(shared, i) > 2 * residual(default, i)
    with pytest.raises(ValueError, match="collider"):
        simulate_collider(100, 8, 2, shared_actions=True, task_role="confounder")


def test_selection_keeps_only_sequences_that_meet_every_task():
    sample = simulate_collider(500, 10, 3, selection=-0.5, seed=2)
    assert sample.tasks.shape == (500, 3) and (sample.tasks > -0.5).all()
    again = simulate_collider(500, 10, 3, selection=-0.5, seed=2)
    assert np.array_equal(sample.states, again.states)
    # selecting on a task opens its collider: two of its actions become correlated
    plain = simulate_collider(20000, 10, 1, min_segments=5, seed=3)
    chosen = simulate_collider(20000, 10, 1, min_segments=5, selection=0.5, seed=3)
    steps = np.flatnonzero(plain.step_tasks[:, 0])
    a, b = steps[0], steps[-1]
    assert (
        abs(np.corrcoef(chosen.actions[:, a], chosen.actions[:, b])[0, 1])
        > abs(np.corrcoef(plain.actions[:, a], plain.actions[:, b])[0, 1]) + 0.05
    )
    with pytest.raises(TypeError, match="selection"):
        simulate_collider(100, 8, 2, selection="high")
    with pytest.raises(ValueError, match="too few"):
        simulate_collider(100, 8, 2, selection=6.0)
