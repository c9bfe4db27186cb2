"""Band sets, p-value corrections and Algorithm 1 (exact with the d-separation oracle)."""

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from specialist.ci import CIResult, CITest, DSeparationOracle
from specialist.simulate import ColliderStructure, random_structure
from specialist.simulate.collider import simulate_collider
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
        ({"combine": "fisher"}, ValueError, "combine must be one of"),
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


# -- decision rules (combine) -----------------------------------------------------------------


class PairTable(CITest):
    """Returns a fixed p-value per (task, k, v) pair, read from the query's names."""

    def __init__(self, table, segment_length=2):
        super().__init__()
        self.table, self.L = np.asarray(table, dtype=float), segment_length

    def _test(self, x, y, z):
        k, v = sorted(((x[1] + 1) // self.L - 1, (y[1] + 1) // self.L - 1))
        (i,) = [name[1] for name in z if name[0] == "g"]
        return CIResult(0.0, float(self.table[i, k, v]))


def test_combine_pvalues_by_hand():
    from specialist.structure import combine_pvalues

    p = np.array([[0.01, 0.04, 0.30], [0.02, 0.025, 0.9], [np.nan, 0.2, 0.6]])
    np.testing.assert_allclose(combine_pvalues(p, "any"), [0.01, 0.02, 0.2])
    np.testing.assert_allclose(combine_pvalues(p, "bonferroni"), [0.03, 0.06, 0.4])
    # Simes: min_j m p_(j) / j; row 2 has m = 2 finite values
    np.testing.assert_allclose(
        combine_pvalues(p, "simes"), [0.03, min(0.06, 0.0375, 0.9), min(0.4, 0.6)]
    )
    assert np.isnan(combine_pvalues(np.full((1, 3), np.nan), "simes")[0])
    with pytest.raises(ValueError, match="combine must be one of"):
        combine_pvalues(p, "fisher")


def _table(K, M, entries):
    table = np.full((M, K, K), 0.5)
    for (i, k, v), value in entries.items():
        table[i, k, v] = table[i, v, k] = value
    return table


def test_rules_on_a_hand_made_pvalue_table():
    # K = 4 segments, M = 1 task; pair (0, 1) at 0.02, pair (1, 2) at 0.03, everything else 0.5
    K = 4
    table = _table(K, 1, {(0, 0, 1): 0.02, (0, 1, 2): 0.03})
    states, tasks = np.zeros((5, 2 * K)), np.zeros((5, 1))

    def run(**kw):
        return discover_task_structure(states, tasks, 2, PairTable(table), **kw)

    any_rule = run()
    np.testing.assert_array_equal(any_rule.segment_tasks[:, 0], [True, True, True, False])
    np.testing.assert_allclose(any_rule.entry_pvalues[:, 0], [0.02, 0.02, 0.03, 0.5])
    # Holm over the task's 6 pairs: 0.02 * 6 = 0.12 -> nothing
    assert not run(correction="holm").segment_tasks.any()
    # Simes per entry (K - 1 = 3 pairs): segment 1 has (0.02, 0.03, 0.5) -> min(0.06, 0.045, 0.5)
    simes = run(combine="simes")
    np.testing.assert_allclose(simes.entry_pvalues[:, 0], [0.06, 0.045, 0.09, 0.5])
    np.testing.assert_array_equal(simes.segment_tasks[:, 0], [False, True, False, False])
    np.testing.assert_array_equal(simes.adjusted_entry_pvalues, simes.entry_pvalues)
    # Bonferroni per entry: 3 * min
    bonf = run(combine="bonferroni")
    np.testing.assert_allclose(bonf.entry_pvalues[:, 0], [0.06, 0.06, 0.09, 1.0])
    assert not bonf.segment_tasks.any()
    # the correction of a combined rule acts on the K * M = 4 entries: Holm 4 * 0.045 > 0.05
    assert not run(combine="simes", correction="holm").segment_tasks.any()
    assert run(combine="simes", alpha=0.2, correction="holm").segment_tasks[1, 0]
    for res in (any_rule, simes, bonf):
        assert res.entry_pvalues.shape == (K, 1)
        np.testing.assert_array_equal(res.segment_tasks, res.adjusted_entry_pvalues < res.alpha)
    assert (simes.combine, any_rule.combine) == ("simes", "any")


@pytest.mark.parametrize("combine", ["any", "simes", "bonferroni"])
def test_every_rule_is_exact_with_the_oracle(combine):
    for seed in range(20):
        structure = random_structure(12, 3, 2, 0.3, seed=seed)
        oracle = DSeparationOracle(structure.graph())
        res = discover_task_structure(
            np.zeros((1, 12)), np.zeros((1, 3)), 2, oracle, combine=combine
        )
        np.testing.assert_array_equal(res.segment_tasks, structure.assignment)


@pytest.mark.parametrize("combine", ["any", "simes", "bonferroni"])
@pytest.mark.parametrize("shape", [(2000, 12), (2000, 12, 2)])
def test_every_rule_runs_on_scalar_and_vector_states(combine, shape):
    from specialist.simulate.collider import simulate_collider

    d = 1 if len(shape) == 2 else shape[2]
    sample = simulate_collider(shape[0], shape[1], 3, state_dim=d, seed=4)
    res = discover_task_structure(sample.states, sample.tasks, combine=combine)
    assert res.entry_pvalues.shape == (6, 3) and np.isfinite(res.entry_pvalues).all()
    if combine == "any":
        np.testing.assert_allclose(res.entry_pvalues, np.nanmin(res.pvalues, axis=2).T)


def _null_sample(seed, n=2000, T=20):
    # one task independent of everything: every segment x task entry is a true null
    from specialist.simulate.collider import simulate_collider

    sample = simulate_collider(n, T, 1, seed=seed)
    tasks = np.random.default_rng(seed + 1000).standard_normal(sample.tasks.shape)
    return sample.states, tasks


def _rate_bound(flags: np.ndarray) -> tuple[float, float]:
    """Mean rate over data sets and its standard error *between data sets*.

    The entries of one data set share pair p-values (a pair enters two entries), so they are
    not independent; the data sets are, and their per-data-set rates give an honest margin.
    """
    per_set = flags.mean(axis=1)
    return float(per_set.mean()), float(per_set.std(ddof=1) / np.sqrt(per_set.size))


def test_simes_is_valid_per_entry_under_the_null_and_any_is_not():
    # 150 null data sets x 10 segments (one task): the per-entry false-positive rate
    alpha, flags = 0.05, {"any": [], "simes": [], "bonferroni": []}
    simes_p = []
    for seed in range(150):
        states, tasks = _null_sample(seed)
        for combine in flags:
            res = discover_task_structure(states, tasks, combine=combine, alpha=alpha)
            flags[combine].append(res.segment_tasks.ravel())
            if combine == "simes":
                simes_p.append(res.entry_pvalues.ravel())
    for combine in ("simes", "bonferroni"):
        rate, se = _rate_bound(np.array(flags[combine]))
        assert rate <= alpha + 3 * se, (combine, rate, se)
    # the paper's rule tests each entry K - 1 = 9 times: far above alpha
    rate, se = _rate_bound(np.array(flags["any"]))
    assert rate - 3 * se > 3 * alpha
    # Simes entry p-values are (conservatively) uniform: P(p < a) <= a at several levels
    simes_p = np.array(simes_p)
    for a in (0.01, 0.05, 0.1, 0.2):
        rate, se = _rate_bound(simes_p < a)
        assert rate <= a + 3 * se, (a, rate, se)


def test_cmi_floor_is_refused_before_any_critic_is_trained():
    from specialist.ci import NeuralCMI

    states, tasks = data(n=40, T=20, M=4)  # K = 10
    cmi = NeuralCMI(n_permutations=100)
    # Holm over the 45 pairs of a task: smallest threshold 0.05 / 45 < 1 / 101
    with pytest.raises(ValueError, match=r"n_permutations=100 .* n_permutations >= 900"):
        discover_task_structure(states, tasks, 2, cmi, correction="holm")
    # Bonferroni combination: 9 * p_min < 0.05 needs p_min < 0.05 / 9, B >= 180
    with pytest.raises(ValueError, match="n_permutations >= 180"):
        discover_task_structure(
            states, tasks, 2, NeuralCMI(n_permutations=100), combine="bonferroni"
        )
    # Simes with Holm over K * M = 40 entries: B >= 800
    with pytest.raises(ValueError, match="n_permutations >= 800"):
        discover_task_structure(
            states, tasks, 2, NeuralCMI(n_permutations=500), combine="simes", correction="holm"
        )
    with pytest.raises(RuntimeError, match="not fitted"):  # the check ran before any fit
        _ = cmi.variables
    # enough permutations pass the check (and then fail on the tiny n, in the test's own fit)
    with pytest.raises(ValueError, match="k_neighbors"):
        discover_task_structure(
            states[:8], tasks[:8], 2, NeuralCMI(n_permutations=900), correction="holm"
        )


def test_the_result_reads_like_the_users_data():
    # a DataFrame's task names come back; a 1-D task is one task; the summary, the table and
    # the plot speak of segments and steps 1-based, as the book does
    import matplotlib

    matplotlib.use("agg")
    sample = simulate_collider(3000, 8, 2, seed=4)
    tasks = pd.DataFrame(sample.tasks, columns=["pass", "shoot"])
    res = discover_task_structure(sample.states, tasks, 2)
    assert res.names == ["pass", "shoot"] and res.task_names == ("pass", "shoot")
    table = res.to_frame()
    assert list(table.columns) == ["segment", "steps", "task", "pvalue", "adjusted_pvalue",
                                   "relevant"]  # fmt: skip
    assert len(table) == 4 * 2 and table["segment"].iloc[0] == "S1"
    assert table["steps"].iloc[0] == "s1–s2" and set(table["task"]) == {"pass", "shoot"}
    assert (table["relevant"] == (table["adjusted_pvalue"] < 0.05)).all()
    text = res.summary()
    assert "pass:" in text and "shoot:" in text and "4 segments of 2 steps" in text
    assert "array" not in repr(res) and "4 segments × 2 tasks" in repr(res)
    ax = res.plot()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["pass", "shoot"]
    one = discover_task_structure(sample.states, tasks["shoot"], 2)
    assert one.names == ["shoot"] and one.segment_tasks.shape == (4, 1)
    plain = discover_task_structure(sample.states, sample.tasks[:, 1], 2)
    assert plain.names == ["g1"]
    assert np.array_equal(one.segment_tasks, plain.segment_tasks)
    assert np.array_equal(one.segment_tasks[:, 0], res.segment_tasks[:, 1])


def test_errors_name_variables_as_the_user_knows_them():
    sample = simulate_collider(500, 8, 2, seed=4)
    tasks = pd.DataFrame(sample.tasks, columns=["pass", "shoot"])
    tasks["shoot"] = 1.0
    with pytest.raises(ValueError, match=r"variable g2 is constant .*g2 = 'shoot'"):
        discover_task_structure(sample.states, tasks, 2)


def test_the_discover_command_runs_on_csv_files(tmp_path, capsys):
    from specialist.pipeline import cli

    sample = simulate_collider(3000, 8, 2, seed=4)
    states = tmp_path / "states.csv"
    tasks = tmp_path / "tasks.csv"
    pd.DataFrame(sample.states, columns=[f"t{t}" for t in range(8)]).to_csv(states, index=False)
    pd.DataFrame(sample.tasks, columns=["pass", "shoot"]).to_csv(tasks, index=False)
    out = tmp_path / "structure.csv"
    args = ["discover", str(states), str(tasks), "--segment-length", "2", "--out", str(out)]
    assert cli.main(args) == 0
    printed = capsys.readouterr().out
    assert "pass:" in printed and "shoot:" in printed and str(out) in printed
    table = pd.read_csv(out)
    expected = discover_task_structure(sample.states, sample.tasks, 2).segment_tasks
    assert table["relevant"].to_numpy().reshape(4, 2).tolist() == expected.tolist()
    assert cli.main([*args[:3], "--segment-length", "3"]) == 2  # 8 steps, L = 3
    assert "segment_length" in capsys.readouterr().err
