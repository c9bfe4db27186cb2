"""Band sets, p-value corrections and Algorithm 1 (exact with the d-separation oracle)."""

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from specialist.ci import CIResult, CITest, DSeparationOracle
from specialist.simulate import ColliderStructure, random_structure
from specialist.structure import (
    adjust_pvalues,
    band_set,
    discover_task_structure,
    n_segments,
    representative_step,
)
from specialist.variables import display_name, state, task

# -- band sets -------------------------------------------------------------------------------


def test_paper_example_of_fig2():
    # T=10, L=2, S_k={s3,s4}, S_v={s7,s8} (1-based) -> Z={s3,s5,s7,s9} (+ g1)
    z = band_set(1, 3, n_steps=10, segment_length=2)
    assert z == [2, 4, 6, 8]
    assert [display_name(state(t)) for t in z] == ["s3", "s5", "s7", "s9"]
    assert [display_name(state(representative_step(k, 2))) for k in (1, 3)] == ["s4", "s8"]


def test_representative_is_the_last_step_of_its_segment():
    assert [representative_step(k, 2) for k in range(3)] == [1, 3, 5]
    assert [representative_step(k, 3) for k in range(3)] == [2, 5, 8]


def test_band_set_is_symmetric_in_the_pair():
    assert band_set(3, 1, 10) == band_set(1, 3, 10)


def test_out_of_range_indices_are_dropped():
    # last segment: r = T-1, so r+1 = T is dropped
    assert band_set(0, 4, 10, 2) == [0, 2, 8]
    # first segment: r - 1 = 0 is the lowest index ever used; with L=3, r=2
    assert band_set(0, 1, 6, 3) == [1, 3, 4]
    for k in range(5):
        for v in range(k + 1, 5):
            z = band_set(k, v, 10, 2)
            assert min(z) >= 0 and max(z) <= 9


def test_adjacent_segments_share_a_boundary_state():
    # L=2: r_k + 1 == r_v - 1, merged once
    assert band_set(1, 2, 10, 2) == [2, 4, 6]
    # L=3: nothing is shared
    assert band_set(1, 2, 9, 3) == [4, 6, 7]


def test_band_set_never_contains_the_tested_states():
    for L in (2, 3, 4):
        for k in range(4):
            for v in range(k + 1, 4):
                reps = {representative_step(k, L), representative_step(v, L)}
                assert not reps & set(band_set(k, v, 4 * L, L))


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((0, 1, 10, 1), ValueError, "segment_length must be an integer >= 2"),
        ((0, 1, 9, 2), ValueError, "n_steps=9 must be a multiple of segment_length=2"),
        ((0, 1, 2, 2), ValueError, "at least 2 segments"),
        ((0, 5, 10, 2), ValueError, r"v=5 must be a segment index in 0..4"),
        ((-1, 2, 10, 2), ValueError, "k must be an integer >= 0"),
        ((2, 2, 10, 2), ValueError, "k and v must be different"),
        ((0, 1, 10, 2.0), TypeError, "segment_length must be an integer"),
    ],
)
def test_band_set_validation(args, error, message):
    with pytest.raises(error, match=message):
        band_set(*args)


def test_n_segments():
    assert n_segments(20, 4) == 5
    with pytest.raises(ValueError, match="n_steps must be an integer >= 1"):
        n_segments(0, 2)


# -- multiple-testing corrections --------------------------------------------------------------

P = np.array([0.01, 0.04, 0.03, 0.005])


def test_no_correction_is_the_identity():
    np.testing.assert_array_equal(adjust_pvalues(P, "none"), P)


def test_bonferroni_by_hand():
    np.testing.assert_allclose(adjust_pvalues(P, "bonferroni"), [0.04, 0.16, 0.12, 0.02])
    np.testing.assert_allclose(adjust_pvalues([0.3, 0.9], "bonferroni"), [0.6, 1.0])


def test_holm_by_hand():
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 -> 0.02, 0.03, 0.06, 0.04 -> cummax
    np.testing.assert_allclose(adjust_pvalues(P, "holm"), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(adjust_pvalues([0.5, 0.6], "holm"), [1.0, 1.0])


def test_benjamini_hochberg_by_hand():
    # sorted times 4/1, 4/2, 4/3, 4/4 -> 0.02, 0.02, 0.04, 0.04 (already monotone)
    np.testing.assert_allclose(adjust_pvalues(P, "fdr_bh"), [0.02, 0.04, 0.04, 0.02])
    # a case where the step-up minimum matters: 3 * 0.039 / 3 > 5 * 0.042 / 8 ...
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205])
    expected = [0.008, 0.032, 0.0672, 0.0672, 0.0672, 0.08, 0.0845714, 0.205]
    np.testing.assert_allclose(adjust_pvalues(p, "fdr_bh"), expected, rtol=1e-6)
    shuffled = np.random.default_rng(0).permutation(p.size)
    np.testing.assert_allclose(
        adjust_pvalues(p[shuffled], "fdr_bh"), scipy.stats.false_discovery_control(p[shuffled])
    )


def test_unknown_correction():
    with pytest.raises(ValueError, match="correction must be one of.*holm.*fdr_bh"):
        adjust_pvalues(P, "bh")


# -- Algorithm 1 --------------------------------------------------------------------------------


class Constant(CITest):
    """Answers every query with one p-value and records what it was asked."""

    def __init__(self, pvalue):
        super().__init__()
        self.p = pvalue
        self.fits, self.batches, self.shapes = 0, [], {}

    def _fit(self, variables):
        self.fits += 1
        self.shapes = {k: v.shape for k, v in variables.items()}

    def test_many(self, queries):
        self.batches.append(list(queries))
        return super().test_many(queries)

    def _test(self, x, y, z):
        return CIResult(1.0 - self.p, self.p)


def data(n=4, T=10, M=2):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, T)), rng.standard_normal((n, M))


def test_result_shapes_symmetry_and_nan_diagonal():
    states, tasks = data(T=10, M=3)
    res = discover_task_structure(states, tasks, 2, Constant(0.3))
    K = 5
    assert res.segment_tasks.shape == (K, 3) and res.segment_tasks.dtype == bool
    assert res.step_tasks.shape == (10, 3) and res.step_tasks.dtype == bool
    for p in (res.pvalues, res.adjusted_pvalues):
        assert p.shape == (3, K, K)
        assert np.isnan(np.diagonal(p, axis1=1, axis2=2)).all()
        off = ~np.eye(K, dtype=bool)
        np.testing.assert_array_equal(p[:, off], np.transpose(p, (0, 2, 1))[:, off])
    assert np.allclose(res.pvalues[:, ~np.eye(K, dtype=bool)], 0.3)
    assert res.n_tests == 3 * K * (K - 1) // 2
    assert (res.alpha, res.correction, res.segment_length) == (0.05, "none", 2)
    assert not res.segment_tasks.any()


def test_queries_go_in_one_batch_with_the_band_set():
    states, tasks = data(T=10, M=2)
    ci = Constant(0.3)
    discover_task_structure(states, tasks, 2, ci)
    assert ci.fits == 1 and len(ci.batches) == 1
    batch = ci.batches[0]
    assert len(batch) == 2 * 10
    x, y, z = batch[5]  # task 0; pairs (0,1),(0,2),(0,3),(0,4),(1,2),(1,3): (1,3) is 6th
    assert (x, y) == (state(3), state(7))
    assert set(z) == {state(2), state(4), state(6), state(8), task(0)}
    assert set(batch[10 + 5][2]) == {state(2), state(4), state(6), state(8), task(1)}


def test_multivariate_blocks_are_passed_whole():
    rng = np.random.default_rng(1)
    ci = Constant(0.3)
    discover_task_structure(rng.normal(size=(5, 6, 3)), rng.normal(size=(5, 2, 4)), 3, ci)
    assert ci.shapes[state(0)] == (5, 3) and ci.shapes[task(1)] == (5, 4)
    assert len(ci.shapes) == 6 + 2


@pytest.mark.parametrize(
    ("correction", "pvalue", "marked"),
    [
        ("none", 0.02, True),
        ("bonferroni", 0.02, False),  # 3 pairs per task: 0.06
        ("holm", 0.02, False),  # all equal: 3 * 0.02
        ("fdr_bh", 0.02, True),  # all equal: 3/3 * 0.02
        ("bonferroni", 0.016, True),  # per task (3 pairs), not over all 6 tests
        ("none", 0.05, False),  # dependent iff p < alpha, strictly
    ],
)
def test_corrections_apply_within_each_task(correction, pvalue, marked):
    states, tasks = data(T=6, M=2)  # K = 3: three pairs per task
    res = discover_task_structure(states, tasks, 2, Constant(pvalue), correction=correction)
    assert res.segment_tasks.all() == marked and res.segment_tasks.any() == marked
    np.testing.assert_array_equal(res.step_tasks, np.repeat(res.segment_tasks, 2, axis=0))
    expected = adjust_pvalues(np.full(3, pvalue), correction)[0]
    assert np.allclose(res.adjusted_pvalues[0, 0, 1], expected)


def test_validation_happens_before_the_test_is_fitted():
    ci = Constant(0.3)
    states, tasks = data()
    with pytest.raises(ValueError, match="alpha"):
        discover_task_structure(states, tasks, 2, ci, alpha=1.0)
    assert ci.fits == 0


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"states": np.zeros(10)}, ValueError, r"states must have shape \(n, T\) or \(n, T, d\)"),
        ({"tasks": np.zeros((4, 2, 1, 1))}, ValueError, r"tasks must have shape \(n, M\)"),
        ({"tasks": np.zeros((3, 2))}, ValueError, "same number of samples n, got 4 and 3"),
        ({"states": np.zeros((4, 9))}, ValueError, "n_steps=9 must be a multiple of segment"),
        ({"states": np.zeros((4, 2))}, ValueError, "at least 2 segments"),
        ({"segment_length": 1}, ValueError, "segment_length must be an integer >= 2"),
        ({"segment_length": 2.5}, TypeError, "segment_length must be an integer"),
        ({"alpha": 0.0}, ValueError, r"alpha must be a number in \(0, 1\)"),
        ({"alpha": 1.5}, ValueError, "alpha must be a number"),
        ({"alpha": True}, ValueError, "alpha must be a number"),
        ({"correction": "BH"}, ValueError, "correction must be one of"),
        ({"states": np.full((4, 10), np.nan)}, ValueError, "states contains NaN"),
        ({"tasks": np.array([[0, 1]] * 3 + [[np.inf, 0]])}, ValueError, "tasks contains NaN"),
        ({"states": np.zeros((0, 10)), "tasks": np.zeros((0, 2))}, ValueError, "states must not"),
        ({"test": "kci"}, ValueError, "unknown CI test 'kci'"),
        # a registered name resolves to a fresh test, whose own checks then apply (n = 4 rows)
        ({"test": "cmi"}, ValueError, r"NeuralCMI: n = 4 samples.*2 \* k_neighbors"),
    ],
)
def test_discover_validation(change, error, message):
    states, tasks = data()
    args = {"states": states, "tasks": tasks, "segment_length": 2, "test": Constant(0.3)}
    with pytest.raises(error, match=message):
        discover_task_structure(**(args | change))


def _recovers_exactly(structure: ColliderStructure):
    T, M, L = structure.n_steps, structure.n_tasks, structure.segment_length
    oracle = DSeparationOracle(structure.graph())
    res = discover_task_structure(np.zeros((1, T)), np.zeros((1, M)), L, oracle)
    np.testing.assert_array_equal(res.segment_tasks, structure.assignment)
    np.testing.assert_array_equal(res.step_tasks, structure.step_tasks)
    # Theorem 1 pair by pair: dependent iff both segments carry the task
    shared = structure.assignment.T[:, :, None] & structure.assignment.T[:, None, :]
    off = ~np.eye(structure.n_segments, dtype=bool)
    np.testing.assert_array_equal((res.pvalues < 0.05)[:, off], shared[:, off])


def test_oracle_recovers_the_fig2_example():
    assignment = np.zeros((5, 2), dtype=bool)
    assignment[[1, 3], 0] = True
    assignment[[0, 2, 3, 4], 1] = True
    _recovers_exactly(ColliderStructure(10, 2, 2, assignment))


@settings(max_examples=300, deadline=None)
@given(
    L=st.sampled_from([2, 3]),
    K=st.integers(2, 10),
    M=st.integers(1, 6),
    p_disconnect=st.sampled_from([0.0, 0.3, 0.7, 1.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_theorem1_oracle_recovers_random_interleaved_structures(L, K, M, p_disconnect, seed):
    structure = random_structure(K * L, M, L, p_disconnect, seed=seed)
    structure.check_identifiable()
    _recovers_exactly(structure)
