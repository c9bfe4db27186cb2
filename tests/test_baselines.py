"""Baselines of Fig. 3 (CCA, Group Lasso, SelTask): exact on easy cases, shapes, errors."""

import inspect

import numpy as np
import pytest

from specialist.baselines import BASELINES
from specialist.simulate.collider import ColliderStructure, sample_collider

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
    assert NAMES == ["cca", "group_lasso", "seltask"]
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
        ("seltask", {"n_subgoals": 3}, r"n_subgoals must be an integer in 1..M = 2"),
        ("seltask", {"score_cap": 1.0}, r"score_cap must be a number > -log10\(alpha\)"),
        ("seltask", {"test": "nope"}, "unknown CI test 'nope'"),
    ],
)
def test_option_errors(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        BASELINES[name](GOOD_STATES, GOOD_TASKS, **kwargs)


def test_group_lasso_bic_rule_also_recovers_disconnected_truth():
    states, tasks = hand_made(0)
    est = BASELINES["group_lasso"](states, tasks, selection="bic")
    np.testing.assert_array_equal(est, TRUTH)
