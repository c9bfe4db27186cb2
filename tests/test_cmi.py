"""NeuralCMI: calibration under a nonlinear null, power, determinism, batching, errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kstest

from specialist.ci import NeuralCMI, get_test
from specialist.ci.local_null import local_cells, local_permutations
from specialist.structure import discover_task_structure

FAST = {"n_steps": 100, "batch_size": 128, "hidden": 32}  # small critics keep the suite quick


def nonlinear_null(n: int, n_pairs: int, seed: int) -> dict:
    """Pairs x_j = sin(a_j z) + e, y_j = z² + e': dependent, but independent given z."""
    rng = np.random.default_rng(seed)
    z = rng.uniform(-2, 2, n)
    data = {"z": z}
    for j in range(n_pairs):
        data[("x", j)] = np.sin(rng.uniform(1, 3) * z) + 0.3 * rng.normal(size=n)
        data[("y", j)] = z**2 + 0.3 * rng.normal(size=n)
    return data


@pytest.fixture(scope="module")
def null_results():
    n_pairs = 50
    data = nonlinear_null(n=800, n_pairs=n_pairs, seed=0)
    test = NeuralCMI(seed=0, **FAST).fit(data)
    queries = [(("x", j), ("y", j), ["z"]) for j in range(n_pairs)]
    return data, test, queries, test.test_many(queries)  # one batch, as Algorithm 1 asks


def test_pvalues_uniform_under_a_nonlinear_conditional_null(null_results):
    data, _, queries, results = null_results
    p = np.array([r.pvalue for r in results])
    assert kstest(p, "uniform").pvalue > 0.01
    assert np.mean(p < 0.05) < 0.15
    # the null is conditional: without z the same pairs are clearly dependent
    marginal = NeuralCMI(seed=0, **FAST).fit(data).test_many([(x, y, []) for x, y, _ in queries])
    assert np.mean([r.pvalue < 0.05 for r in marginal]) > 0.8


def test_small_pvalues_under_nonlinear_alternatives():
    rng = np.random.default_rng(1)
    n = 800
    x, z = rng.normal(size=n), rng.normal(size=n)
    u, w = rng.normal(size=n), rng.normal(size=n)
    v = rng.normal(size=(n, 2))
    data = {
        "x": x,
        "y": x**2 + 0.1 * rng.normal(size=n),  # dependent, not correlated: Fisher-z misses it
        "z": z,  # irrelevant conditioning variable
        "u": u,
        "w": w,
        "g": np.tanh(u) + np.tanh(w) + 0.1 * rng.normal(size=n),  # collider of u and w
        "v": v,  # a 2-D block, interacting with y
        "r": v[:, 0] * v[:, 1] + 0.1 * rng.normal(size=n),
    }
    test = NeuralCMI(seed=0, **FAST).fit(data)
    dependent = test.test_many([("x", "y", ["z"]), ("u", "w", ["g"]), ("v", "r", ["z"])])
    assert all(r.pvalue < 0.05 for r in dependent), dependent
    assert all(r.statistic > 0.05 for r in dependent)
    # u and w are independent causes: only conditioning on their collider makes them dependent
    assert test.pvalue("u", "w", []) > 0.05


def test_deterministic_for_a_fixed_seed(null_results):
    data, _, queries, results = null_results
    again = NeuralCMI(seed=0, **FAST).fit(data).test_many(queries[:5])
    assert again == results[:5]  # exact equality of statistic and p-value
    other = NeuralCMI(seed=1, **FAST).fit(data).test_many(queries[:5])
    assert [r.statistic for r in other] != [r.statistic for r in results[:5]]


def test_a_query_gives_the_same_result_alone_or_in_a_batch(null_results):
    data, _, queries, results = null_results
    alone = NeuralCMI(seed=0, **FAST).fit(data)
    for k in (0, 17, 49):
        assert alone.test(*queries[k]) == results[k]
    # a different batch (another order, with repeats and other queries) changes nothing either
    mixed = NeuralCMI(seed=0, **FAST).fit(data)
    picked = [queries[49], queries[3], (("x", 0), ("y", 1), ["z"]), queries[49]]
    got = mixed.test_many(picked)
    assert got[0] == got[3] == results[49] and got[1] == results[3]


def test_cache_serves_repeats_and_swapped_queries(null_results):
    _, test, queries, results = null_results
    x, y, z = queries[7]
    assert test.test(y, x, list(reversed(z))) is results[7]
    assert test.test_many([queries[7]])[0] is results[7]


def test_registered_and_usable_by_algorithm_1():
    """Steps s1 and s5 (segments 0 and 2) drive the task; segment 1 (s3) does not.

    Each of the two independent pairs is a false positive with probability 0.05 for a random
    data seed; this fixed seed makes the test deterministic (the null's calibration is tested
    above, on 50 pairs).
    """
    rng = np.random.default_rng(3)
    n = 1500
    states = rng.normal(size=(n, 6))
    tasks = (np.tanh(2 * states[:, 1]) + np.tanh(2 * states[:, 5]) + 0.1 * rng.normal(size=n))[
        :, None
    ]
    assert isinstance(get_test("cmi"), NeuralCMI)
    res = discover_task_structure(states, tasks, 2, NeuralCMI(seed=0, **FAST))
    np.testing.assert_array_equal(res.segment_tasks[:, 0], [True, False, True])
    assert res.pvalues[0, 0, 2] < 0.05 and res.pvalues[0, 0, 1] > 0.05


def test_local_cells_partition_nearby_rows():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(203, 3))
    cells = local_cells(z, 5)
    members = cells[cells >= 0]
    assert sorted(members.tolist()) == list(range(203))
    sizes = (cells >= 0).sum(axis=1)
    assert cells.shape[0] == 203 // 5 and sizes.min() >= 5 and sizes.max() <= 7
    # cells are local: a cell's spread is far below the spread of the data
    spread = np.mean([z[c[c >= 0]].std(axis=0).mean() for c in cells])
    assert spread < 0.5 * z.std(axis=0).mean()
    # no conditioning variable: one cell, i.e. a plain permutation
    assert local_cells(np.empty((50, 0)), 5).shape == (1, 50)


def test_local_permutations_move_rows_only_within_their_cell():
    rng = np.random.default_rng(4)
    cells = local_cells(rng.normal(size=(100, 2)), 5)
    cell_of = np.empty(100, dtype=int)
    for g, row in enumerate(cells):
        cell_of[row[row >= 0]] = g
    perms = local_permutations(cells, 20, rng)
    assert perms.shape == (20, 100)
    assert all(sorted(p.tolist()) == list(range(100)) for p in perms)
    assert np.all(cell_of[perms] == cell_of[None, :])
    assert np.mean(perms != np.arange(100)) > 0.5  # and they do move rows


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"seed": -1}, ValueError, "seed must be an integer >= 0"),
        ({"seed": 1.5}, TypeError, "seed must be an integer"),
        ({"hidden": 0}, ValueError, "hidden must be an integer >= 1"),
        ({"n_steps": 0}, ValueError, "n_steps must be an integer >= 1"),
        ({"lr": 0.0}, ValueError, r"lr must be a number in \(0.0, inf\)"),
        ({"lr": float("nan")}, ValueError, "lr must be a number"),
        ({"batch_size": 1}, ValueError, "batch_size must be an integer >= 2"),
        ({"n_permutations": 0}, ValueError, "n_permutations must be an integer >= 1"),
        ({"k_neighbors": 1}, ValueError, "k_neighbors must be an integer >= 2"),
        ({"test_fraction": 1.0}, ValueError, r"test_fraction must be a number in \(0.0, 1.0\)"),
        ({"test_fraction": True}, ValueError, "test_fraction must be a number"),
        ({"max_samples": 2}, ValueError, "max_samples must be an integer >= 4"),
        ({"ema_rate": 0.0}, ValueError, r"ema_rate must be a number in \(0.0, 1.0\]"),
        ({"n_threads": 0}, ValueError, "n_threads must be an integer >= 1"),
        ({"progress": "yes"}, TypeError, "progress must be True, False or None"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        NeuralCMI(**kwargs)


def test_bad_input():
    rng = np.random.default_rng(5)
    small = {"x": rng.normal(size=30), "y": rng.normal(size=30), "z": rng.normal(size=30)}
    with pytest.raises(
        ValueError,
        match=r"train split of 15 and a held-out split of 15.*"
        r"2 \* k_neighbors = 20",
    ):
        NeuralCMI(k_neighbors=10).fit(small)
    with pytest.raises(ValueError, match="held-out split of 3"):
        NeuralCMI(test_fraction=0.1).fit(small)
    with pytest.raises(RuntimeError, match="not fitted"):
        NeuralCMI().test("x", "y")
    test = NeuralCMI(**FAST).fit(small)
    with pytest.raises(KeyError, match="unknown variable"):
        test.test_many([("x", "y", ["z"]), ("x", "nope", [])])
    with pytest.raises(ValueError, match="must not contain x or y"):
        test.test("x", "y", ["x"])
    with pytest.raises(ValueError, match="NaN"):
        NeuralCMI().fit({"x": [1.0, np.nan], "y": [0.0, 1.0]})


def test_null_is_calibrated_on_collider_data_with_the_full_band_set():
    """Algorithm 1's own CMI queries (band set and g_i conditioned) on nonlinear collider data.

    Null pairs are those the d-separation oracle on the true graph declares independent; their
    false-positive rate at alpha must stay within a binomial margin of alpha.
    """
    from specialist.ci import DSeparationOracle
    from specialist.simulate.collider import simulate_collider
    from specialist.structure import discover_task_structure

    alpha, flags = 0.05, []
    for seed in range(3):
        sample = simulate_collider(2000, 12, 3, kind="nonlinear", max_segments=3, seed=seed)
        oracle = discover_task_structure(
            sample.states, sample.tasks, test=DSeparationOracle(sample.graph())
        )
        cmi = discover_task_structure(
            sample.states, sample.tasks, test=NeuralCMI(seed=seed, n_steps=150)
        )
        iu = np.triu_indices(6, 1)
        null = oracle.pvalues[:, iu[0], iu[1]] == 1.0
        flags.append(cmi.pvalues[:, iu[0], iu[1]][null] < alpha)
    flags = np.concatenate(flags)
    assert flags.size >= 80
    margin = 3 * np.sqrt(alpha * (1 - alpha) / flags.size)
    assert flags.mean() <= alpha + margin, (flags.mean(), flags.size)
