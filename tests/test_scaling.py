"""Scaling of Algorithm 1: the column-index path of Fisher-z, and the tab2_runtime experiments."""

from __future__ import annotations

import numpy as np
import pytest

from specialist.ci import CITest, FisherZ
from specialist.experiments.scaling import (
    RULES,
    algorithm1_scaling,
    causal_learn_available,
    fit_exponent,
    pair_queries,
    peak_memory_mb,
)
from specialist.simulate.collider import simulate_collider
from specialist.structure import band_set, discover_task_structure, pair_bands, representative_step


class ViaTestMany(CITest):
    """Fisher-z reached through the generic query path (tuples, test_many) only."""

    name = "fisherz-via-test-many"

    def __init__(self, **kwargs):
        super().__init__()
        self.inner = FisherZ(**kwargs)

    def _fit(self, variables):
        self.inner.fit(variables)

    def _test(self, x, y, z):
        return self.inner.test(x, y, z)

    def test_many(self, queries):
        return self.inner.test_many(queries)


@pytest.mark.parametrize(("n_steps", "segment_length"), [(4, 2), (5, 5), (12, 3), (20, 2)])
def test_pair_bands_match_band(n_steps, segment_length):
    k = n_steps // segment_length
    pairs, reps, band = pair_bands(k, segment_length, n_steps)
    expected = [(a, b) for a in range(k) for b in range(a + 1, k)]
    assert [tuple(p) for p in pairs.tolist()] == expected
    for (a, b), r, row in zip(expected, reps.tolist(), band.tolist(), strict=True):
        assert r == [representative_step(a, segment_length), representative_step(b, segment_length)]
        want = band_set(a, b, n_steps, segment_length)
        assert row == want + [-1] * (4 - len(want))


@pytest.mark.parametrize("chunk_size", [13, 180, 8192])
@pytest.mark.parametrize(("combine", "correction"), [("any", "none"), ("simes", "holm")])
def test_index_path_is_bit_identical_to_the_query_path(chunk_size, combine, correction):
    # T = 20, M = 4: 180 tests; chunk 13 cuts every |Z| group, 180 is one boundary exactly
    sample = simulate_collider(2000, 20, 4, seed=3)
    args = (sample.states, sample.tasks, 2)
    kwargs = {"combine": combine, "correction": correction}
    fast = discover_task_structure(*args, test=FisherZ(chunk_size=chunk_size), **kwargs)
    slow = discover_task_structure(*args, test=ViaTestMany(), **kwargs)
    for field in ("pvalues", "adjusted_pvalues", "entry_pvalues", "adjusted_entry_pvalues"):
        assert np.array_equal(getattr(fast, field), getattr(slow, field), equal_nan=True), field
    assert np.array_equal(fast.segment_tasks, slow.segment_tasks)
    assert fast.n_tests == slow.n_tests == 180
    assert np.ptp(fast.pvalues[np.isfinite(fast.pvalues)]) > 0.5  # both regimes present


def test_index_path_is_taken_for_scalar_fisherz_only(monkeypatch):
    calls = []
    original = FisherZ.test_columns

    def spy(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FisherZ, "test_columns", spy)
    sample = simulate_collider(500, 8, 2, seed=4)
    discover_task_structure(sample.states, sample.tasks)
    assert calls == [1]
    vector = simulate_collider(500, 8, 2, state_dim=2, seed=4)
    res = discover_task_structure(vector.states, vector.tasks)  # layout-grouped test_many path
    assert calls == [1] and res.n_tests == 2 * 6


def test_index_path_keeps_the_error_messages():
    sample = simulate_collider(500, 8, 2, seed=5)
    states = sample.states.copy()
    states[:, 2] = states[:, 1]  # a band state duplicates the representative state s_1
    with pytest.raises(ValueError, match=r"x=\('s', 1\), y=\('s', \d+\).*singular"):
        discover_task_structure(states, sample.tasks)
    few = simulate_collider(10, 8, 2, seed=5)  # n - |Z| - 3 <= 0 for |Z| = 5
    with pytest.raises(ValueError, match=r"too few for \(\('s', 1\), \('s', 3\), \(\('g', 0\)"):
        discover_task_structure(few.states[:7], few.tasks[:7])


SCALAR_KEYS = {
    "n_segments",
    "n_tests",
    "data_mb",
    "true_rate",
    "peak_mb",
    "fastest_seconds",
    "causal_learn:available",
    "causal_learn:seconds",
    "causal_learn_per_test:seconds",
    "causal_learn:max_abs_diff",
}


def test_algorithm1_scaling_returns_the_documented_keys():
    out = algorithm1_scaling(8, 2, 600, seed=0, repeats=2, budget_s=0.1)
    rule_keys = {f"{r}:{m}" for r in RULES for m in ("seconds", "accuracy", "mcc", "marked")}
    assert set(out) == SCALAR_KEYS | rule_keys
    assert out["n_segments"] == 4 and out["n_tests"] == 2 * 6
    assert out["data_mb"] == pytest.approx(600 * (8 + 2) * 8 / 1e6)
    assert all(isinstance(v, float | int) for v in out.values())
    assert all(out[f"{r}:seconds"] > 0 for r in RULES) and out["peak_mb"] > 0
    assert 0 < out["fastest_seconds"] <= min(out[f"{r}:seconds"] for r in RULES)
    assert all(0 <= out[f"{r}:accuracy"] <= 1 for r in RULES)
    assert np.isnan(out["causal_learn:seconds"])  # not asked for


def test_untimed_runs_share_pvalues_and_give_the_same_decisions():
    timed = algorithm1_scaling(12, 3, 800, seed=1, repeats=1, memory=False)
    shared = algorithm1_scaling(12, 3, 800, seed=1, timed=False, memory=False)
    for rule in RULES:
        assert np.isnan(shared[f"{rule}:seconds"]) and np.isnan(shared["fastest_seconds"])
        for metric in ("accuracy", "mcc", "marked"):
            assert shared[f"{rule}:{metric}"] == timed[f"{rule}:{metric}"]
    assert np.isnan(shared["peak_mb"])


def test_local_tasks_limit_the_segments_per_task():
    out = algorithm1_scaling(40, 3, 300, seed=2, timed=False, memory=False, max_segments=2)
    assert out["true_rate"] == pytest.approx(2 * 3 / (20 * 3))  # every task on exactly 2


@pytest.mark.skipif(not causal_learn_available(), reason="causal-learn not installed")
def test_causal_learn_yardstick_agrees():
    out = algorithm1_scaling(
        8, 2, 500, seed=3, repeats=1, causal_learn=True, causal_learn_per_test=True
    )
    assert out["causal_learn:available"] == 1.0
    assert out["causal_learn:seconds"] > 0 and out["causal_learn_per_test:seconds"] > 0
    assert out["causal_learn:max_abs_diff"] < 1e-8  # same queries, same order


def test_pair_queries_order():
    queries = pair_queries(8, 2)
    assert len(queries) == 12
    assert queries[0] == (1, 3, [0, 2, 4, 8])  # task 0, pair (0, 1): band {s0, s2, s4}
    assert queries[6] == (1, 3, [0, 2, 4, 9])  # task 1 starts after the 6 pairs of task 0


@pytest.mark.parametrize("power", [1.0, 2.0, 2.5])
def test_fit_exponent_recovers_a_power_law(power):
    x = np.array([10, 20, 50, 100, 200, 500, 1000])
    rng = np.random.default_rng(int(power * 10))
    # a fixed cost of 0.01 s that dominates the small x, then 0.1 s (x / 100)^power, 5% noise
    seconds = 1e-2 + 0.1 * (x / 100) ** power * np.exp(rng.normal(0, 0.05, x.size))
    fit = fit_exponent(x, seconds, min_x=100)
    assert fit["exponent"] == pytest.approx(power, abs=0.1)
    assert fit["n_points"] == 4 and fit["x_min"] == 100 and fit["x_max"] == 1000
    assert fit["stderr"] < 0.1
    exact = fit_exponent(x, 3e-6 * x**power, min_x=0)
    assert exact["exponent"] == pytest.approx(power, abs=1e-12)
    assert np.exp(exact["intercept"]) == pytest.approx(3e-6)


def test_fit_exponent_needs_two_points():
    assert np.isnan(fit_exponent([10, 100], [1.0, 10.0], min_x=10)["stderr"])
    with pytest.raises(ValueError, match="at least 2 distinct x >= min_x=100"):
        fit_exponent([10, 100], [1.0, 2.0], min_x=100)
    with pytest.raises(ValueError, match="same length"):
        fit_exponent([10, 100], [1.0], min_x=1)


def test_peak_memory_sees_numpy_buffers():
    peak = peak_memory_mb(lambda: np.ones(2_000_000).sum())  # 16 MB, freed at once
    assert 15 < peak < 40


def test_unknown_rule_is_rejected():
    with pytest.raises(ValueError, match="rules must be a non-empty subset"):
        algorithm1_scaling(8, 2, 100, seed=0, rules=("nope",))
