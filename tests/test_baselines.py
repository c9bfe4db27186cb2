"""Baselines of Fig. 3 (CCA, Group Lasso, SelTask) and the local-test ablation.

Exact on easy cases, calibrated under the null, shapes, errors; SelTask (unsupervised) recovers a
behavioural signature and is at chance on the collider generator, where the tasks are sinks.
"""

import inspect

import numpy as np
import pytest

import specialist.baselines as baselines
from specialist.baselines import (
    BASELINES,
    NEEDS_ACTIONS_AND_TRUTH,
    local_test_pvalues,
    local_test_structure,
    match_subgoals,
    seltask_unsupervised_structure,
    seltask_unsupervised_subgoals,
)
from specialist.baselines._common import check_inputs
from specialist.baselines.pair_test import selection_scores
from specialist.ci import DSeparationOracle
from specialist.metrics import structure_accuracy
from specialist.simulate.collider import (
    ColliderStructure,
    random_assignment,
    random_structure,
    sample_collider,
    simulate_collider,
)
from specialist.structure import representative_step

NAMES = sorted(BASELINES)
# T = 8, L = 2: task 0 on segments 0 and 2, task 1 on segments 1 and 3
TRUTH = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=bool)


def hand_made(seed: int, n: int = 5_000):
    """i.i.d. states; each task sums the states of its segments, plus noise."""
    rng = np.random.default_rng(seed)
    states = rng.standard_normal((n, 8))
    steps = np.repeat(TRUTH, 2, axis=0)
    tasks = np.stack(
        [states[:, steps[:, i]].sum(axis=1) + rng.standard_normal(n) for i in range(2)], axis=1
    )
    return states, tasks


def disconnected(seed: int, n: int = 5_000):
    """The collider process with every step disconnected (steps i.i.d.)."""
    structure = ColliderStructure(8, 2, 2, TRUTH, connected=[False] * 7)
    out = sample_collider(structure, n, seed=seed)
    return out.states, out.tasks


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("data", [hand_made, disconnected])
@pytest.mark.parametrize("seed", [0, 1])
def test_exact_on_disconnected_sequences(name, data, seed):
    # steps independent: marginal, regression and local tests all see exactly the truth
    states, tasks = data(seed)
    est = BASELINES[name](states, tasks, alpha=1e-3, seed=seed)
    np.testing.assert_array_equal(est, TRUTH)


@pytest.mark.parametrize("name", NAMES)
def test_all_false_when_tasks_are_independent_of_everything(name):
    structure = ColliderStructure(8, 2, 2, TRUTH)  # connected: the states are dependent
    states = sample_collider(structure, 5_000, seed=3).states
    tasks = np.random.default_rng(3).standard_normal((5_000, 2))
    est = BASELINES[name](states, tasks, alpha=1e-3, seed=0)
    assert not est.any()


def test_cca_is_marginal_and_over_selects_ancestors():
    # connected sequence, task on segments 2 and 3 only: the earlier states are ancestors of
    # the task's actions, so the marginal CCA test marks them as well
    structure = ColliderStructure(8, 1, 2, [[0], [0], [1], [1]])
    out = sample_collider(structure, 5_000, seed=0)
    est = BASELINES["cca"](out.states, out.tasks)
    assert est[2:, 0].all() and est[1, 0]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("state_dim", "task_dim"), [(1, 1), (2, 1), (2, 2)])
def test_output_shape_and_dtype(name, state_dim, task_dim):
    rng = np.random.default_rng(0)
    states = rng.standard_normal((300, 6, state_dim)).squeeze(-1 if state_dim == 1 else ())
    tasks = rng.standard_normal((300, 4, task_dim)).squeeze(-1 if task_dim == 1 else ())
    signal = states[:, 0] if state_dim == 1 else states[:, 0, 0]
    tasks[:, 0] += signal if task_dim == 1 else signal[:, None]  # something to find
    est = BASELINES[name](states, tasks, segment_length=3)
    assert est.shape == (2, 4) and est.dtype == bool


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_for_a_seed(name):
    out = sample_collider(ColliderStructure(8, 2, 2, TRUTH), 2_000, seed=5)
    first = BASELINES[name](out.states, out.tasks, seed=7)
    np.testing.assert_array_equal(first, BASELINES[name](out.states, out.tasks, seed=7))


def test_registry_shares_one_signature():
    assert NAMES == ["cca", "group_lasso", "local_test", "pair_test"]
    # the supervised SelTask is renamed, with no alias left under the old names
    assert "seltask" not in BASELINES and not hasattr(baselines, "seltask_structure")
    for fn in BASELINES.values():
        params = inspect.signature(fn).parameters
        assert list(params)[:3] == ["states", "tasks", "segment_length"]
        assert params["segment_length"].default == 2
        for keyword, default in (("alpha", 0.05), ("seed", 0)):
            assert params[keyword].kind is inspect.Parameter.KEYWORD_ONLY
            assert params[keyword].default == default


GOOD_STATES = np.random.default_rng(0).standard_normal((50, 8))
GOOD_TASKS = np.random.default_rng(1).standard_normal((50, 2))


def _nan_states():
    states = GOOD_STATES.copy()
    states[3, 2] = np.nan
    return states


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("states", "tasks", "kwargs", "error", "message"),
    [
        (GOOD_STATES[:, 0], GOOD_TASKS, {}, ValueError, r"states must have shape \(n, T\)"),
        (GOOD_STATES, GOOD_TASKS[:, 0], {}, ValueError, r"tasks must have shape \(n, M\)"),
        (GOOD_STATES, GOOD_TASKS[:40], {}, ValueError, "same number of samples"),
        (GOOD_STATES[:, :7], GOOD_TASKS, {}, ValueError, "must be a multiple of segment_length"),
        (GOOD_STATES, GOOD_TASKS, {"segment_length": 1}, ValueError, "segment_length must be"),
        (_nan_states(), GOOD_TASKS, {}, ValueError, "states contains NaN or infinite"),
        (GOOD_STATES[:5], GOOD_TASKS[:5], {}, ValueError, "need at least 10 samples"),
        (
            GOOD_STATES,
            GOOD_TASKS,
            {"alpha": 1.5},
            ValueError,
            r"alpha must be a number in \(0, 1\)",
        ),
        (GOOD_STATES, GOOD_TASKS, {"bogus": 1}, TypeError, "bogus"),
    ],
)
def test_bad_input_errors(name, states, tasks, kwargs, error, message):
    with pytest.raises(error, match=message):
        BASELINES[name](states, tasks, **kwargs)


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("cca", {"correction": "sidak"}, "correction must be one of"),
        ("group_lasso", {"selection": "aic"}, r"selection must be one of \('cv', 'bic'\)"),
        ("group_lasso", {"n_folds": 1}, "n_folds must be an integer >= 2"),
        ("group_lasso", {"n_lambdas": 1}, "n_lambdas must be an integer >= 2"),
        ("pair_test", {"n_subgoals": 3}, r"n_subgoals must be an integer in 1..M = 2"),
        ("pair_test", {"score_cap": 1.0}, r"score_cap must be a number > -log10\(alpha\)"),
        ("pair_test", {"test": "nope"}, "unknown CI test 'nope'"),
        ("local_test", {"correction": "sidak"}, "correction must be one of"),
        ("local_test", {"test": "nope"}, "unknown CI test 'nope'"),
    ],
)
def test_option_errors(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        BASELINES[name](GOOD_STATES, GOOD_TASKS, **kwargs)


def test_group_lasso_bic_rule_also_recovers_disconnected_truth():
    states, tasks = hand_made(0)
    est = BASELINES["group_lasso"](states, tasks, selection="bic")
    np.testing.assert_array_equal(est, TRUTH)


# -- SelTask (sees g): what its NMF and its errors amount to ---------------------------------


def _leaks(sample) -> np.ndarray:
    """bool (K, M): segment k + 1 reached by the last action of a segment k serving the task.

    Only for L = 2: the pair (t, t + 1) of segment k + 1 is dependent on g_i through
    ``s_t <- a_{t-1} -> g_i`` when t - 1 -> t and t -> t + 1 are both connected.
    """
    truth, connected = sample.segment_tasks, sample.structure.connected
    out = np.zeros_like(truth)
    for k in range(1, truth.shape[0]):
        out[k] = truth[k - 1] & ~truth[k] & connected[2 * k - 1] & connected[2 * k]
    return out


@pytest.mark.parametrize("p_disconnect", [0.0, 0.5, 1.0])
def test_seltask_g_pair_tests_err_only_by_the_leak_into_the_next_segment(p_disconnect):
    for seed in range(10):
        sample = simulate_collider(20, 12, 3, seed=seed, p_disconnect=p_disconnect)
        states, tasks, n_seg = check_inputs(sample.states, sample.tasks, 2, 0.05)
        pvalues = selection_scores(states, tasks, 2, DSeparationOracle(sample.graph()))
        marked = (pvalues < 0.05).reshape(n_seg, 2, -1).mean(axis=1) >= 0.5
        np.testing.assert_array_equal(marked, sample.segment_tasks | _leaks(sample))
    if p_disconnect == 0.0:
        assert _leaks(sample).any()  # the check above is not vacuous


def test_seltask_g_nmf_reproduces_thresholded_pair_pvalues():
    # default n_subgoals = M: the output is the pair p-values thresholded at alpha
    for seed in range(3):
        sample = simulate_collider(2_000, 12, 3, seed=seed)
        states, tasks, n_seg = check_inputs(sample.states, sample.tasks, 2, 0.05)
        pvalues = selection_scores(states, tasks, 2)
        direct = (pvalues < 0.05).reshape(n_seg, 2, -1).mean(axis=1) >= 0.5
        est = BASELINES["pair_test"](sample.states, sample.tasks)
        np.testing.assert_array_equal(est, direct)


# -- local test ---------------------------------------------------------------------------------


@pytest.mark.parametrize("p_disconnect", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("segment_length", [2, 3])
def test_local_test_is_exact_with_the_dseparation_oracle(p_disconnect, segment_length):
    for seed in range(8):
        sample = simulate_collider(
            20, 6 * segment_length, 3, segment_length, seed=seed, p_disconnect=p_disconnect
        )
        oracle = DSeparationOracle(sample.graph())
        est = local_test_structure(sample.states, sample.tasks, segment_length, test=oracle)
        np.testing.assert_array_equal(est, sample.segment_tasks)


@pytest.mark.parametrize("p_disconnect", [0.0, 0.5, 1.0])
def test_local_test_finds_tasks_on_one_segment_or_none(p_disconnect):
    # Algorithm 1 needs a task on >= 2 segments; the entry-wise test does not
    for seed in range(8):
        structure = random_structure(12, 3, 2, p_disconnect, seed, min_segments=0, max_segments=1)
        sample = sample_collider(structure, 20, seed=seed)
        est = local_test_structure(
            sample.states, sample.tasks, test=DSeparationOracle(sample.graph())
        )
        np.testing.assert_array_equal(est, structure.assignment)


class _RecordingOracle(DSeparationOracle):
    """The oracle, recording every batch of queries it is asked."""

    def __init__(self, graph):
        super().__init__(graph)
        self.batches = []

    def test_many(self, queries):
        self.batches.append([(x, y, tuple(z)) for x, y, z in queries])
        return super().test_many(queries)


def test_local_test_asks_one_batch_of_one_query_per_entry():
    sample = simulate_collider(20, 12, 3, seed=0)
    oracle = _RecordingOracle(sample.graph())
    pvalues = local_test_pvalues(sample.states, sample.tasks, test=oracle)
    assert pvalues.shape == (6, 3) and len(oracle.batches) == 1
    expected = []
    for k in range(6):
        r = representative_step(k, 2)
        z = tuple(("s", t) for t in (r - 1, r + 1) if 0 <= t < 12)
        expected += [(("s", r), ("g", i), z) for i in range(3)]
    assert oracle.batches[0] == expected  # K · M = 18 queries, not M · K (K - 1) / 2 = 45


def test_local_test_on_linear_gaussian_data():
    for seed in range(3):
        sample = simulate_collider(5_000, 12, 3, seed=seed)
        est = local_test_structure(sample.states, sample.tasks)
        assert structure_accuracy(sample.segment_tasks, est) >= 0.9


def test_local_test_false_positive_rate_under_the_null():
    # tasks independent of everything: every marked entry is a false positive
    alpha, marked, pvalues = 0.05, 0, []
    n_sets = 20
    for seed in range(n_sets):
        states = simulate_collider(2_000, 12, 3, seed=seed).states
        tasks = np.random.default_rng(100 + seed).standard_normal((2_000, 3))
        marked += local_test_structure(states, tasks, alpha=alpha).sum()
        pvalues.append(local_test_pvalues(states, tasks))
    n_entries = n_sets * 6 * 3
    margin = 3 * np.sqrt(alpha * (1 - alpha) / n_entries)  # three binomial standard errors
    assert alpha - margin <= marked / n_entries <= alpha + margin
    pvalues = np.concatenate(pvalues, axis=None)
    assert 0.4 < pvalues.mean() < 0.6  # near uniform, not just rarely small


def test_local_test_correction_acts_on_all_entries():
    sample = simulate_collider(2_000, 12, 3, seed=0)
    pvalues = local_test_pvalues(sample.states, sample.tasks)
    est = local_test_structure(sample.states, sample.tasks, correction="bonferroni")
    np.testing.assert_array_equal(est, np.minimum(1, pvalues * pvalues.size) < 0.05)


# -- SelTask (unsupervised) ---------------------------------------------------------------------


def behaviour(seed: int, n: int = 1_000, n_steps: int = 12, n_tasks: int = 3, strong=0.9):
    """States and actions with a task-specific behavioural signature, and the truth (K, M).

    States and actions are ``n_tasks``-dimensional and i.i.d. over steps; action coordinate
    ``j`` is coupled to state coordinate ``j`` with correlation ``strong`` on the steps serving
    task ``j`` and 0.1 elsewhere. Every task has a segment of its own (the separability under
    which a non-negative factorisation is unique); the others are drawn at random.
    """
    rng = np.random.default_rng(seed)
    n_seg = n_steps // 2
    truth = rng.random((n_seg, n_tasks)) < 0.4
    truth[rng.choice(n_seg, n_tasks, replace=False)] = np.eye(n_tasks, dtype=bool)
    coupling = np.where(np.repeat(truth, 2, axis=0), strong, 0.1)  # (T, M)
    states = rng.standard_normal((n, n_steps, n_tasks))
    noise = rng.standard_normal((n, n_steps, n_tasks))
    actions = coupling * states + np.sqrt(1 - coupling**2) * noise
    return states, actions, truth


@pytest.mark.parametrize("seed", range(5))
def test_seltask_unsup_recovers_a_behavioural_signature(seed):
    states, actions, truth = behaviour(seed)
    subgoals = seltask_unsupervised_subgoals(states, actions, n_subgoals=3, seed=seed)
    assert subgoals.shape == (6, 3) and subgoals.dtype == bool
    np.testing.assert_array_equal(match_subgoals(subgoals, truth), truth)
    # with more subgoals than tasks, the spare ones are left unmatched
    extra = seltask_unsupervised_subgoals(states, actions, n_subgoals=4, seed=seed)
    assert extra.shape == (6, 4)


def test_seltask_unsup_fails_without_a_signature():
    # the same data without the coupling: nothing to find, the recovery above was not luck
    exact = 0
    for seed in range(5):
        states, actions, truth = behaviour(seed, strong=0.1)
        est = match_subgoals(seltask_unsupervised_subgoals(states, actions, n_subgoals=3), truth)
        exact += np.array_equal(est, truth)
    assert exact == 0


def test_seltask_unsup_is_near_chance_on_the_collider_generator():
    rng = np.random.default_rng(0)
    local, unsup, chance = [], [], []
    for seed in range(4):
        sample = simulate_collider(2_000, 20, 4, seed=seed)
        truth = sample.segment_tasks
        est = NEEDS_ACTIONS_AND_TRUTH["seltask_unsup"](
            sample.states, sample.tasks, actions=sample.actions, truth=truth
        )
        unsup.append(structure_accuracy(truth, est))
        local.append(structure_accuracy(truth, local_test_structure(sample.states, sample.tasks)))
        # chance: coin-flip subgoals, matched to the truth the same way
        chance += [
            structure_accuracy(truth, match_subgoals(rng.random(truth.shape) < 0.5, truth))
            for _ in range(50)
        ]
    assert np.mean(unsup) < np.mean(local) - 0.2
    assert abs(np.mean(unsup) - np.mean(chance)) < 0.1


def test_collider_states_and_actions_do_not_depend_on_the_assignment():
    # the tasks are sinks: two assignments, same seed, identical (states, actions), so the
    # unsupervised subgoals are identical although the truths differ
    first, second = random_assignment(6, 3, 0), random_assignment(6, 3, 1)
    assert not np.array_equal(first, second)
    a = sample_collider(ColliderStructure(12, 3, 2, first), 500, seed=4)
    b = sample_collider(ColliderStructure(12, 3, 2, second), 500, seed=4)
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(a.actions, b.actions)
    np.testing.assert_array_equal(
        seltask_unsupervised_subgoals(a.states, a.actions, n_subgoals=3),
        seltask_unsupervised_subgoals(b.states, b.actions, n_subgoals=3),
    )


def test_seltask_unsup_never_reads_the_task_values():
    sample = simulate_collider(1_000, 12, 3, seed=2)
    kwargs = {"actions": sample.actions, "truth": sample.segment_tasks}
    est = seltask_unsupervised_structure(sample.states, sample.tasks, **kwargs)
    rows = np.random.default_rng(0).permutation(1_000)
    for tasks in (np.zeros_like(sample.tasks), sample.tasks[rows], -sample.tasks):
        np.testing.assert_array_equal(
            seltask_unsupervised_structure(sample.states, tasks, **kwargs), est
        )


def test_seltask_unsup_signature_and_registry():
    assert NEEDS_ACTIONS_AND_TRUTH == {"seltask_unsup": seltask_unsupervised_structure}
    assert not set(NEEDS_ACTIONS_AND_TRUTH) & set(BASELINES)
    params = inspect.signature(seltask_unsupervised_structure).parameters
    assert list(params)[:3] == ["states", "tasks", "segment_length"]
    for keyword in ("actions", "truth", "alpha", "seed", "n_subgoals"):
        assert params[keyword].kind is inspect.Parameter.KEYWORD_ONLY


# -- match_subgoals -----------------------------------------------------------------------------


def test_match_subgoals_undoes_a_permutation():
    truth = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]], dtype=bool)
    junk = np.array([[1], [1], [1], [1], [1]], dtype=bool)
    subgoals = np.hstack([truth[:, [2]], junk, truth[:, [0, 1]]])  # J = 4, permuted
    np.testing.assert_array_equal(match_subgoals(subgoals, truth), truth)
    # 0/1 integers are accepted too
    np.testing.assert_array_equal(match_subgoals(subgoals.astype(int), truth.astype(int)), truth)


def test_match_subgoals_maximises_the_total_agreement():
    # greedy (task 0 takes its best subgoal A) would total 2 + 0 agreeing entries;
    # the Hungarian assignment gives task 0 subgoal B and task 1 subgoal A: 1 + 3
    truth = np.array([[0, 0], [0, 0], [0, 0], [0, 1]], dtype=bool)
    a, b = [0, 0, 1, 1], [1, 1, 1, 0]
    subgoals = np.array([a, b], dtype=bool).T
    np.testing.assert_array_equal(match_subgoals(subgoals, truth), np.array([b, a], bool).T)


@pytest.mark.parametrize(
    ("subgoals", "truth", "message"),
    [
        (np.ones((4, 1), bool), np.ones((4, 2), bool), r"J >= M\), got J = 1 < M = 2"),
        (np.ones((3, 2), bool), np.ones((4, 2), bool), "same number of segments K"),
        (np.ones(4, bool), np.ones((4, 2), bool), "subgoals must be a non-empty 2-D"),
        (np.ones((4, 2), bool), np.full((4, 2), 0.5), r"truth must hold booleans \(or 0/1\)"),
    ],
)
def test_match_subgoals_errors(subgoals, truth, message):
    with pytest.raises(ValueError, match=message):
        match_subgoals(subgoals, truth)


# -- bad inputs of the new functions ------------------------------------------------------------

SEQ = np.random.default_rng(2).standard_normal((50, 8))
ACT = np.random.default_rng(3).standard_normal((50, 8))


def _nan_actions():
    actions = ACT.copy()
    actions[0, 0] = np.inf
    return actions


@pytest.mark.parametrize(
    ("states", "actions", "kwargs", "message"),
    [
        (SEQ[:, 0], ACT, {}, r"states must have shape \(n, T\) or \(n, T, d\)"),
        (SEQ, ACT[:, :6], {}, "actions must have the same shape as states"),
        (SEQ, _nan_actions(), {}, "actions contains NaN or infinite"),
        (SEQ[:5], ACT[:5], {}, "need at least 10 samples"),
        (SEQ[:, :7], ACT[:, :7], {}, "must be a multiple of segment_length"),
        (SEQ, ACT, {"segment_length": 1}, "segment_length must be"),
        (SEQ, ACT, {"n_subgoals": 0}, "n_subgoals must be an integer >= 1, got 0"),
        (SEQ, ACT, {"n_subgoals": True}, "n_subgoals must be an integer >= 1"),
        (SEQ, ACT, {"n_subgoals": 2.0}, "n_subgoals must be an integer >= 1"),
    ],
)
def test_seltask_unsup_subgoals_bad_inputs(states, actions, kwargs, message):
    kwargs = {"n_subgoals": 2, **kwargs}
    with pytest.raises(ValueError, match=message):
        seltask_unsupervised_subgoals(states, actions, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"truth": np.ones((3, 2), bool)}, r"truth must have shape \(K, M\) = \(4, 2\)"),
        ({"n_subgoals": 1}, "n_subgoals must be an integer >= M = 2, got 1"),
        ({"alpha": 0.0}, r"alpha must be a number in \(0, 1\)"),
        ({"actions": ACT[:, :6]}, "actions must have the same shape as states"),
    ],
)
def test_seltask_unsup_structure_bad_inputs(kwargs, message):
    kwargs = {"actions": ACT, "truth": np.ones((4, 2), bool), **kwargs}
    with pytest.raises(ValueError, match=message):
        seltask_unsupervised_structure(GOOD_STATES, GOOD_TASKS, **kwargs)


def test_seltask_unsup_structure_needs_actions_and_truth():
    with pytest.raises(TypeError, match="actions"):
        seltask_unsupervised_structure(GOOD_STATES, GOOD_TASKS, truth=np.ones((4, 2), bool))


@pytest.mark.parametrize(
    ("states", "tasks", "kwargs", "message"),
    [
        (GOOD_STATES, GOOD_TASKS[:40], {}, "same number of samples"),
        (GOOD_STATES[:, :7], GOOD_TASKS, {}, "must be a multiple of segment_length"),
        (GOOD_STATES, GOOD_TASKS, {"test": "nope"}, "unknown CI test 'nope'"),
    ],
)
def test_local_test_pvalues_bad_inputs(states, tasks, kwargs, message):
    with pytest.raises(ValueError, match=message):
        local_test_pvalues(states, tasks, **kwargs)


def test_group_lasso_solver_matches_skglm_group_bcd():
    """Our compiled block coordinate descent reaches skglm's GroupBCD coefficients."""
    from skglm.datafits import QuadraticGroup
    from skglm.penalties import WeightedGroupL2
    from skglm.solvers import GroupBCD
    from skglm.utils.data import grp_converter

    from specialist.baselines import group_lasso as gl

    sample = simulate_collider(2000, 12, 3, seed=8)
    x = gl.zscore(sample.states.reshape(2000, -1))
    y = gl.zscore(sample.tasks[:, 0])
    lambdas = gl.lambda_grid(x, y, 2, 10)
    ours = gl.fit_path(x, y, lambdas, 2, 1e-10)
    r, z = gl.compressed_problem(x, y)
    grp_indices, grp_ptr = grp_converter(2, 12)
    datafit = QuadraticGroup(grp_ptr=grp_ptr, grp_indices=grp_indices)
    solver = GroupBCD(max_iter=50, max_epochs=50_000, p0=10, tol=1e-10, fit_intercept=False)
    w = np.zeros(12)
    for j, lam in enumerate(lambdas):
        penalty = WeightedGroupL2(lam * 2000 / 12, np.ones(6), grp_ptr, grp_indices)
        w = solver.solve(r, z, datafit, penalty, w.copy(), r @ w)[0]
        assert np.allclose(ours[j], w, atol=1e-7)


@pytest.mark.parametrize("p, q", [(2, 1), (4, 1), (4, 3), (3, 5)])
def test_canonical_correlations_match_sklearn_cca(p, q):
    """The closed form equals the correlations of sklearn's iterative CCA scores."""
    from sklearn.cross_decomposition import CCA

    from specialist.baselines.cca import canonical_correlations

    rng = np.random.default_rng(p * 10 + q)
    n = 400
    x = rng.normal(size=(n, p))
    y = x[:, :1] @ rng.normal(size=(1, q)) + rng.normal(size=(n, q))
    k = min(p, q)
    xs, ys = CCA(n_components=k, scale=True, max_iter=5000, tol=1e-12).fit(x, y).transform(x, y)
    xs, ys = xs.reshape(n, k), ys.reshape(n, k)
    expected = np.abs([np.corrcoef(xs[:, j], ys[:, j])[0, 1] for j in range(k)])
    np.testing.assert_allclose(canonical_correlations(x, y), np.sort(expected)[::-1], atol=1e-6)


def test_canonical_correlations_exact_cases():
    """A perfect linear relation gives 1; a constant column or task gives 0, not NaN."""
    from specialist.baselines.cca import canonical_correlations

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    np.testing.assert_allclose(canonical_correlations(x, x @ [1.0, -2.0, 0.5]), [1.0], atol=1e-12)
    assert canonical_correlations(x, np.ones(200)).tolist() == [0.0]
    both = np.column_stack([np.ones(200), x[:, 0]])
    np.testing.assert_allclose(canonical_correlations(both, x[:, 0]), [1.0], atol=1e-12)
