"""Which state of a segment may represent it (Corollary 1), checked by d-separation."""

import numpy as np
import pytest

from specialist.experiments.dsep import (
    local_test_check,
    position_name,
    query_verdicts,
    representative_check,
)
from specialist.simulate.collider import ColliderStructure, random_structure
from specialist.structure import band_set
from specialist.variables import state, task


def reaches_task(structure, r, i):
    """d-separation theory: ``s_r`` reaches the conditioned collider ``g_i`` given its band.

    Open routes: ``s_r -> a_r -> g_i`` (step r serves g_i) and, if step r-1 -> r is connected,
    ``s_r <- a_{r-1} -> g_i`` (step r-1 serves g_i). Every other path is blocked by a band
    state (non-collider) or by an unconditioned task (collider without descendants).
    """
    steps = structure.step_tasks
    return bool(steps[r, i] or (r > 0 and structure.connected[r - 1] and steps[r - 1, i]))


def predicted_pair(structure, position, i, k, v):
    L = structure.segment_length
    return reaches_task(structure, k * L + position, i) and reaches_task(
        structure, v * L + position, i
    )


def hand_made():
    """T = 8, L = 2: g0 on segments 0 and 2, g1 on 1 and 3 (interleaved), all connected.

    With the first state as representative, segment 1's state s_2 has the parent a_1 (step 1,
    segment 0, which serves g0): s_0 -> a_0 -> g0 <- a_1 -> s_2 is open given the band
    {s_1, s_3} and g0, although segment 1 does not serve g0.
    """
    assignment = np.zeros((4, 2), dtype=bool)
    assignment[[0, 2], 0] = True
    assignment[[1, 3], 1] = True
    return ColliderStructure(8, 2, 2, assignment)


def test_first_state_fails_on_the_hand_made_structure():
    s = hand_made()
    pairs = query_verdicts(s, position=0)
    row = pairs[(pairs.task == 0) & (pairs.k == 0) & (pairs.v == 1)].iloc[0]
    assert (row.x, row.y) == (state(0), state(2))
    assert set(row.z) == {state(1), state(3), task(0)}
    assert row.dependent and not row.truth and row.wrong
    # the same open path misleads the local test: s_2 is dependent on g0 given {s_1, s_3}
    local = query_verdicts(s, position=0, test="local")
    row = local[(local.task == 0) & (local.k == 1)].iloc[0]
    assert row.dependent and not row.truth
    # the paper's position (last state) and an all-disconnected sequence give no error
    assert not query_verdicts(s, position=1).wrong.any()
    assert not query_verdicts(s, position=1, test="local").wrong.any()
    cut = ColliderStructure(8, 2, 2, s.assignment, np.zeros(7, dtype=bool))
    assert not query_verdicts(cut, position=0).wrong.any()


def test_last_position_uses_the_papers_band_set():
    s = hand_made()
    pairs = query_verdicts(s, position=1)
    for row in pairs.itertuples():
        expected = {state(t) for t in band_set(row.k, row.v, 8, 2)} | {task(row.task)}
        assert set(row.z) == expected


@pytest.mark.parametrize("segment_length", [2, 3, 4])
def test_oracle_matches_the_d_separation_derivation(segment_length):
    rng = np.random.default_rng(1)
    for _ in range(4):
        s = random_structure(4 * segment_length, 3, segment_length, 0.3, rng)
        for position in range(segment_length):
            pairs = query_verdicts(s, position)
            predicted = [predicted_pair(s, position, r.task, r.k, r.v) for r in pairs.itertuples()]
            assert pairs.dependent.tolist() == predicted
            local = query_verdicts(s, position, test="local")
            predicted = [
                reaches_task(s, r.k * segment_length + position, r.task) for r in local.itertuples()
            ]
            assert local.dependent.tolist() == predicted


def test_only_the_first_position_gives_wrong_verdicts():
    for check in (representative_check, local_test_check):
        df = check(8, segment_lengths=(2, 3), n_steps=12, n_tasks=3, p_disconnect=(0.0, 1.0))
        assert len(df) == 2 * 2 + 3 * 2  # (L, position, p) rows
        ok = df[df.position > 0]  # last (paper) and middle (L = 3)
        assert set(ok.position_name) == {"middle", "last"}
        assert (ok.n_wrong == 0).all() and (ok.structures_with_error == 0).all()
        first = df[df.position == 0].set_index("p_disconnect")
        # connected sequences: errors, all of them false "dependent" verdicts
        assert (first.loc[0.0, "n_wrong"] > 0).all()
        assert (first.loc[0.0, "n_false_independent"] == 0).all()
        # all steps disconnected: no edge a_{t-1} -> s_t, no error
        assert (first.loc[1.0, "n_wrong"] == 0).all()
        assert np.allclose(df.wrong_fraction, df.n_wrong / df.n_queries)


def test_counts_and_determinism():
    a = representative_check(3, segment_lengths=(2,), n_steps=8, n_tasks=2, p_disconnect=(0.5,))
    b = representative_check(3, segment_lengths=(2,), n_steps=8, n_tasks=2, p_disconnect=(0.5,))
    assert a.equals(b)
    # 3 structures x 2 tasks x 6 segment pairs per position
    assert a.n_queries.tolist() == [36, 36]
    assert a.position_name.tolist() == ["first", "last"]
    local = local_test_check(3, segment_lengths=(2,), n_steps=8, n_tasks=2, p_disconnect=(0.5,))
    assert local.n_queries.tolist() == [3 * 2 * 4] * 2
    assert set(local.test) == {"local"} and set(a.test) == {"pair"}


def test_position_names():
    assert [position_name(j, 3) for j in range(3)] == ["first", "middle", "last"]
    assert [position_name(j, 2) for j in range(2)] == ["first", "last"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_structures": 0}, "n_structures"),
        ({"segment_lengths": ()}, "segment_lengths"),
        ({"segment_lengths": (1,)}, "segment_lengths"),
        ({"segment_lengths": 2}, "segment_lengths"),
        ({"segment_lengths": (5,)}, "n_steps"),  # 12 is not a multiple of 5
        ({"segment_lengths": (2, 2)}, "repeat"),
        ({"n_tasks": 0}, "n_tasks"),
        ({"p_disconnect": (1.5,)}, "p_disconnect"),
        ({"p_disconnect": 0.5}, "p_disconnect"),
        ({"p_disconnect": ()}, "p_disconnect"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_input_is_rejected_early(kwargs, match):
    settings = {"n_structures": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        representative_check(**settings)
    with pytest.raises(ValueError, match=match):
        local_test_check(**settings)


def test_bad_query_arguments():
    s = hand_made()
    with pytest.raises(ValueError, match="position"):
        query_verdicts(s, position=2)
    with pytest.raises(ValueError, match="test"):
        query_verdicts(s, position=0, test="global")
    with pytest.raises(TypeError, match="structure"):
        query_verdicts("not a structure", position=0)
    with pytest.raises(ValueError, match="position"):
        position_name(3, 3)


def test_entry_level_errors_of_algorithm_1_follow_the_pair_verdicts():
    check = representative_check(20, segment_lengths=(2,), n_steps=12, n_tasks=3,
                                 p_disconnect=(0.0, 1.0))  # fmt: skip
    first = check[(check["position"] == 0) & (check["p_disconnect"] == 0.0)].iloc[0]
    last = check[(check["position"] == 1) & (check["p_disconnect"] == 0.0)].iloc[0]
    cut = check[(check["position"] == 0) & (check["p_disconnect"] == 1.0)].iloc[0]
    # false 'dependent' pairs mark extra entries: errors are false positives only
    assert 0 < first["entry_wrong_fraction"] <= first["entry_false_positive_rate"]
    assert last["entry_wrong_fraction"] == 0 and last["entry_false_positive_rate"] == 0
    # no edge a_t -> s_{t+1} without connections: no entry error
    assert cut["entry_wrong_fraction"] == 0
