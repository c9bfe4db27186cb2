"""Tables of paired comparisons (specialist.experiments.comparisons): verdicts follow the
intervals, move when the numbers move, and a comparison with a method at chance is untestable.

The vocabulary itself (specialist.claims) is tested in tests/test_vocabulary.py.
"""

import numpy as np
import pandas as pd
import pytest

from specialist.experiments import comparisons, readings, verdicts
from specialist.stats import Interval
from tests._paired import paired_runs

_runs = paired_runs


def _with_chance(accuracy: dict[str, float], chance: float = 0.75, **kw) -> pd.DataFrame:
    """Paired runs with the best constant among the methods (a fixed chance accuracy)."""
    return _runs({**accuracy, "best_constant": chance}, **kw)


def test_compare_verdict_moves_with_the_gap():
    baselines = {"cca": 0.6, "group_lasso": 0.7}
    ahead = comparisons.compare(_runs({**baselines, "ours": 0.9}), ["ours"], list(baselines))
    assert set(ahead["verdict"]) == {"better"} and comparisons.table_verdict(ahead) == "agrees"
    # Ours falls between the baselines: better than one, worse than the other
    between = comparisons.compare(_runs({**baselines, "ours": 0.65}), ["ours"], list(baselines))
    assert comparisons.table_verdict(between) == "mixed"
    behind = comparisons.compare(_runs({**baselines, "ours": 0.5}), ["ours"], list(baselines))
    assert comparisons.table_verdict(behind) == "disagrees"
    # the same gaps, drowned in per-method noise: ties, so neither the effect nor its absence
    noisy = comparisons.compare(
        _runs({**baselines, "ours": 0.71}, noise=0.2), ["ours"], ["group_lasso"]
    )
    assert (
        noisy["verdict"].tolist() == ["tie"] and comparisons.table_verdict(noisy) == "inconclusive"
    )


def test_compare_per_condition_and_the_texts_name_the_conditions():
    runs = pd.concat(
        [
            _runs({"cca": 0.6, "ours": 0.9}, n_steps=8),
            _runs({"cca": 0.6, "ours": 0.4}, n_steps=20, seed=1),
        ]
    )
    table = comparisons.compare(runs, ["ours"], ["cca"], factors=["n_steps"])
    assert comparisons.table_verdict(table) == "mixed"
    assert comparisons.table_verdict(table[table["n_steps"] == 8]) == "agrees"
    text = comparisons.compare_text(table, {"n_steps": 20})
    assert text.startswith("Ours − CCA -0.") and text.endswith("(worse)")
    assert (
        comparisons.compare_where(table, "n_steps", "T") == "Ours vs CCA (T = 8, 20): better, worse"
    )
    with pytest.raises(ValueError, match="no comparison"):
        comparisons.compare_text(table, {"n_steps": 12})


def test_conjoin():
    assert comparisons.conjoin(["better", "better"]) == "better"
    assert comparisons.conjoin(["better", "tie"]) == "tie"
    assert comparisons.conjoin(["better", "better", "worse"]) == "worse"
    assert comparisons.conjoin(["better", "untestable"]) == "untestable"
    assert comparisons.conjoin(["untestable", "worse"]) == "worse"
    with pytest.raises(ValueError, match="need outcomes"):
        comparisons.conjoin([])
    with pytest.raises(ValueError, match="need outcomes"):
        comparisons.conjoin(["holds"])


def test_beating_one_weak_baseline_does_not_offset_losing_to_the_others():
    runs = pd.concat(
        [
            _runs({"cca": 0.9, "weak": 0.5, "ours": 0.7}, n_steps=8),
            _runs({"cca": 0.9, "weak": 0.5, "ours": 0.7}, n_steps=20, seed=1),
        ]
    )
    table = comparisons.compare(runs, ["ours"], ["cca", "weak"], factors=["n_steps"])
    assert comparisons.table_verdict(table) == "mixed"  # pair by pair: one win, one loss
    cond = comparisons.per_condition(table, ["n_steps"])
    assert cond["verdict"].tolist() == ["worse", "worse"]
    assert comparisons.table_verdict(cond) == "disagrees"
    assert comparisons.compare_where(cond, "n_steps", "T", group=()) == "T = 8, 20: worse, worse"
    # move Ours ahead of both at one length only: the claim holds there, so "mixed"
    runs.loc[(runs["method"] == "ours") & (runs["n_steps"] == 8), "accuracy"] += 0.3
    cond = comparisons.per_condition(
        comparisons.compare(runs, ["ours"], ["cca", "weak"], factors=["n_steps"]), ["n_steps"]
    )
    assert cond["verdict"].tolist() == ["better", "worse"]
    assert comparisons.table_verdict(cond) == "mixed"


def test_one_run_per_comparison_is_not_testable():
    one = comparisons.compare(_runs({"cca": 0.6, "ours": 0.9}, n=1), ["ours"], ["cca"])
    assert one["n_runs"].tolist() == [1]
    assert comparisons.table_verdict(one) == "not testable here"


def _slope_runs(slopes: dict[str, float], n=6, noise=0.01):
    rng = np.random.default_rng(3)
    rows = []
    for r in range(n):
        for m_tasks in (2, 4, 6, 8):
            for m, slope in slopes.items():
                mcc = 0.9 + slope * m_tasks + rng.normal(0, noise)
                rows.append(
                    {"replicate": r, "seed": 100 * r + m_tasks, "n_tasks": m_tasks, "method": m,
                     "mcc": mcc}
                )  # fmt: skip
    return pd.DataFrame(rows)


def test_slope_verdict_moves_when_ours_degrades_faster():
    slow = verdicts.slope_differences(_slope_runs({"ours": -0.01, "cca": -0.05}), ["cca", "ours"])
    assert slow["cca"].low > 0 and comparisons.slopes_verdict(slow) == "agrees"
    fast = verdicts.slope_differences(_slope_runs({"ours": -0.05, "cca": -0.01}), ["cca", "ours"])
    assert fast["cca"].high < 0 and comparisons.slopes_verdict(fast) == "disagrees"
    assert comparisons.slopes_verdict({}) == "not testable here"
    # slower than one method, faster than another: "most slowly" is contradicted
    split = verdicts.slope_differences(
        _slope_runs({"ours": -0.03, "cca": -0.05, "group_lasso": -0.01}),
        ["cca", "group_lasso", "ours"],
    )
    assert split["cca"].low > 0 and split["group_lasso"].high < 0
    assert comparisons.slopes_verdict(split) == "disagrees"
    same = verdicts.slope_differences(
        _slope_runs({"ours": -0.03, "cca": -0.05, "group_lasso": -0.03}, noise=0.05),
        ["cca", "group_lasso", "ours"],
    )
    # slower than one, tied with the other: not shown, and nothing contradicts it
    assert same["group_lasso"].covers_zero and comparisons.slopes_verdict(same) == "inconclusive"


def test_against_level():
    assert comparisons.against_level(0.68, 1.0, 0.05) == "above"
    assert comparisons.against_level(0.0, 0.32, 0.05) == "at"
    assert comparisons.against_level(0.0, 0.04, 0.05) == "below"
    with pytest.raises(ValueError, match="low <= high"):
        comparisons.against_level(0.5, 0.4, 0.05)


def _rates(collider: tuple[float, float], confounder: tuple[float, float]):
    rows = []
    for n in (300, 3000):
        rows.append({"task_role": "collider", "n_samples": n, "low": collider[0],
                     "high": collider[1]})  # fmt: skip
        rows.append({"task_role": "confounder", "n_samples": n, "low": confounder[0],
                     "high": confounder[1]})  # fmt: skip
    return pd.DataFrame(rows)


def test_role_pattern_follows_the_rates():
    as_remark = comparisons.role_pattern(_rates((0.68, 1.0), (0.0, 0.32)), 0.05, ["collider"])
    assert as_remark["as_predicted"].all()
    assert as_remark["collider"].tolist() == ["above", "above"]
    # a confounder whose segments are also declared dependent breaks the pattern
    both = comparisons.role_pattern(_rates((0.68, 1.0), (0.4, 0.9)), 0.05, ["collider"])
    assert not both["as_predicted"].any()
    # so does a collider whose dependence is not detected
    weak = comparisons.role_pattern(_rates((0.01, 0.3), (0.0, 0.32)), 0.05, ["collider"])
    assert not weak["as_predicted"].any()
    with pytest.raises(ValueError, match="not in the rates"):
        comparisons.role_pattern(_rates((0.68, 1.0), (0.0, 0.32)), 0.05, ["mediator"])


def test_texts():
    iv = Interval(0.17, 0.1, 0.25, 8)
    assert comparisons.difference_text("Ours − CCA", iv, "better") == (
        "Ours − CCA +0.17 [+0.10, +0.25] (better)"
    )
    assert comparisons.mean_text(Interval(0.82, 0.79, 0.85, 8)) == "0.82 [0.79, 0.85]"


def test_the_one_chance_rule_decides_what_a_comparison_may_say():
    # every method above the best constant: the ordinary verdicts
    above = comparisons.compare(
        _with_chance({"cca": 0.8, "ours": 0.9}), ["ours"], ["cca"], chance="best_constant"
    )
    assert above["verdict"].tolist() == ["better"] and above["reason"].tolist() == [""]
    assert comparisons.table_verdict(above) == "agrees"
    # CCA at chance, Ours above it and ahead: evidence for Ours (it works, CCA does not)
    at = comparisons.compare(
        _with_chance({"cca": 0.75, "ours": 0.9}), ["ours"], ["cca"], chance="best_constant"
    )
    assert at["verdict"].tolist() == ["better"] and comparisons.table_verdict(at) == "agrees"
    # Ours at chance, CCA above it and ahead: evidence against Ours, not hidden
    against = comparisons.compare(
        _with_chance({"cca": 0.9, "ours": 0.75}), ["ours"], ["cca"], chance="best_constant"
    )
    assert against["verdict"].tolist() == ["worse"]
    assert comparisons.table_verdict(against) == "disagrees"
    # both at or below chance: no evidence, with why
    below = comparisons.compare(
        _with_chance({"cca": 0.6, "ours": 0.7}), ["ours"], ["cca"], chance="best_constant"
    )
    assert below["verdict"].tolist() == ["untestable"]
    assert below["reason"].iloc[0] == "Ours and CCA do not beat the best constant there"
    assert comparisons.table_verdict(below) == "not testable here"
    assert "untestable: Ours and CCA do not beat" in comparisons.compare_text(below)
    # without the gate the same runs say "agrees": the gate is what changes the verdict
    ungated = comparisons.compare(_with_chance({"cca": 0.6, "ours": 0.7}), ["ours"], ["cca"])
    assert comparisons.table_verdict(ungated) == "agrees"


def test_chance_table_and_text():
    runs = _with_chance({"cca": 0.75, "ours": 0.9}).assign(mcc=0.0)
    table = comparisons.chance_table(runs, ["ours", "cca"])
    assert dict(zip(table["method"], table["beats"], strict=True)) == {"ours": True, "cca": False}
    text = comparisons.chance_text(runs)
    assert text.startswith("Best constant (given the base rate, same data sets): accuracy 0.7")
    with pytest.raises(ValueError, match="not in the runs"):
        comparisons.chance_text(runs[runs["method"] != "best_constant"])


def _fig3_runs(ours: float, seltask_unsup: float = 0.75, **kw) -> pd.DataFrame:
    accuracy = {
        "cca": 0.8,
        "group_lasso": 0.82,
        "pair_test": 0.84,
        "seltask_unsup": seltask_unsup,
        "ours": ours,
        "ours_holm": ours,
    }
    return pd.concat(
        [
            _with_chance(accuracy, n_steps=t, seed=i).assign(
                seed=lambda d, i=i: d["seed"] + 100 * i
            )
            for i, t in enumerate((8, 20))
        ],
        ignore_index=True,
    )


def _mcc_runs(mcc: dict[str, float], noise=0.01, steps=(8, 20)) -> pd.DataFrame:
    """Fig. 3-like runs on MCC (the best constant at 0), paired within each T."""
    return pd.concat(
        [
            _runs({**mcc, "best_constant": 0.0}, noise=noise, n_steps=t, seed=i)
            .assign(seed=lambda d, i=i: d["seed"] + 100 * i)
            .rename(columns={"accuracy": "mcc"})
            .assign(accuracy=lambda d: 0.5 + d["mcc"] / 2)
            for i, t in enumerate(steps)
        ],
        ignore_index=True,
    )


def test_beats_baseline_pools_the_panel_and_moves_with_the_numbers():
    runs = _mcc_runs({"cca": 0.3, "group_lasso": 0.5, "ours": 0.6})
    cca = readings.beats_baseline(runs, "cca")
    assert cca.verdict == "agrees" and cca.tally == "1 agree"
    assert "pooled over 2 values of T" in cca.key_number and "above on 16 of 16" in cca.key_number
    assert "accuracy:" in cca.key_number  # shown beside MCC, not used by the verdict
    behind = readings.beats_baseline(_mcc_runs({"group_lasso": 0.5, "ours": 0.4}), "group_lasso")
    assert behind.verdict == "disagrees"
    # a per-T gap the noise hides at each T alone is found once the panel is pooled
    small = _mcc_runs({"group_lasso": 0.5, "ours": 0.52}, noise=0.02, steps=(8, 10, 12, 14, 16))
    assert readings.beats_baseline(small, "group_lasso").verdict == "agrees"
    per_t = [
        readings.beats_baseline(part, "group_lasso").verdict for _, part in small.groupby("n_steps")
    ]
    assert "inconclusive" in per_t
    # level: every comparison a tie, so inconclusive
    level = _mcc_runs({"group_lasso": 0.5, "ours": 0.5}, noise=0.05)
    assert readings.beats_baseline(level, "group_lasso").verdict == "inconclusive"
    # both at chance: not testable, with the reason
    null = _mcc_runs({"cca": 0.0, "ours": 0.0}, noise=0.05)
    at = readings.beats_baseline(null, "cca")
    assert at.verdict == "not testable here" and "do not beat the best constant" in at.reason


def test_seltask_and_the_paper_chain_are_not_testable_here_unless_a_link_is_reversed():
    runs = _mcc_runs({"cca": 0.3, "group_lasso": 0.5, "seltask_unsup": 0.0, "ours": 0.6})
    sel = readings.beats_baseline(runs, "seltask")
    assert sel.verdict == "not testable here" and "blind to g" in sel.key_number
    assert "SelTask (unsupervised) − Best constant" in sel.key_number
    chain = readings.paper_chain(runs)
    assert chain.verdict == "not testable here" and chain.tally.startswith("for every link")
    reversed_ = readings.paper_chain(_mcc_runs({"cca": 0.5, "group_lasso": 0.3, "ours": 0.6}))
    assert reversed_.verdict == "disagrees"


def test_disconnected_readings_recovers_and_ahead_of_every_baseline():
    runs = _mcc_runs({"cca": 0.3, "local_test": 0.65, "ours": 0.6}).assign(fnr=0.0, fpr=0.3)
    rec = readings.beats_chance_pooled(runs)
    assert rec.verdict == "agrees" and "false-positive rate 0.30" in rec.key_number
    ahead = readings.beats_every_baseline(runs, ["cca", "local_test"])
    assert ahead.verdict == "disagrees" and ahead.tally == "for every baseline: 1 agree, 1 disagree"


def test_degrades_slowest_is_inconclusive_from_ties_and_untestable_at_chance():
    runs = _slope_runs({"ours": -0.03, "cca": -0.03, "group_lasso": -0.03}, noise=0.05)
    runs = pd.concat([runs, runs[runs["method"] == "ours"].assign(method="best_constant", mcc=0.0)])
    tied = readings.degrades_slowest(runs, ["cca", "group_lasso", "ours"])
    assert tied.verdict == "inconclusive" and tied.tally == "for every baseline: 2 tie"
    slow = _slope_runs({"ours": -0.01, "cca": -0.05})
    slow = pd.concat([slow, slow[slow["method"] == "ours"].assign(method="best_constant", mcc=0.0)])
    assert readings.degrades_slowest(slow, ["cca", "ours"]).verdict == "agrees"
    # both at chance (MCC about 0 throughout): their slopes say nothing, not testable
    flat = slow.copy()
    for m, s in (("cca", 1), ("ours", 2)):
        flat.loc[flat["method"] == m, "mcc"] = np.random.default_rng(s).normal(0, 0.01, 24)
    flat.loc[flat["method"] == "ours", "mcc"] -= (
        0.002 * flat.loc[flat["method"] == "ours", "n_tasks"]
    )
    reading = readings.degrades_slowest(flat, ["cca", "ours"])
    assert reading.verdict == "not testable here" and "at chance" in reading.reason


def test_degrades_slowest_is_not_testable_when_nothing_degrades():
    flat = _slope_runs({"ours": 0.0, "cca": 0.0}, noise=0.01)
    flat = pd.concat([flat, flat[flat["method"] == "ours"].assign(method="best_constant", mcc=0.0)])
    reading = readings.degrades_slowest(flat, ["cca", "ours"])
    assert reading.verdict == "not testable here" and "no degradation" in reading.reason
    # the reason is said once, before the slopes, not after every comparison
    assert reading.key_number.startswith("No method's MCC falls as the number of tasks M grows")
    assert reading.key_number.count("no degradation to compare") == 1
    assert "own MCC slopes per added task" in reading.key_number


def test_paper_chain_literal_rule_and_strict_recovery():
    runs = _mcc_runs(
        {"cca": 0.3, "group_lasso": 0.5, "seltask_unsup": 0.1, "seltask_shuffled": 0.1,
         "ours": 0.6}
    )  # fmt: skip
    by_design = readings.paper_chain(runs)
    assert (
        by_design.verdict == "not testable here" and "untestable by design" in by_design.key_number
    )
    assert "would count" in by_design.key_number  # the overridden links are shown
    literal = readings.paper_chain(runs, seltask="seltask_unsup")
    assert literal.verdict == "disagrees"  # Group Lasso works, SelTask sits at its reference
    exact = _mcc_runs({"ours": 0.6}).assign(
        accuracy=lambda d: np.where(d["seed"] % 4 == 0, 1.0, 0.9)
    )
    strict = readings.recovers_exactly(exact)
    assert strict.verdict == "disagrees" and "exact on 4 of 16" in strict.key_number
