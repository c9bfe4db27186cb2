"""Claims-page entries: verdicts follow the intervals, and move when the numbers move."""

import numpy as np
import pandas as pd
import pytest

from specialist.experiments import claims, verdicts
from specialist.stats import Interval
from tests._paired import paired_runs

_runs = paired_runs


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        (["better", "better"], "agrees"),
        (["better", "tie"], "mixed"),
        (["better", "worse"], "mixed"),
        (["tie", "tie"], "mixed"),
        (["tie", "worse"], "disagrees"),
        (["worse"], "disagrees"),
        ([], "not testable here"),
    ],
)
def test_combine(outcomes, expected):
    assert claims.combine(outcomes) == expected


def test_combine_takes_other_words_and_refuses_unknown_ones():
    assert claims.combine(["holds", "holds"], "holds", "reversed") == "agrees"
    assert claims.combine(["reversed"], "holds", "reversed") == "disagrees"
    with pytest.raises(ValueError, match="outcomes must be"):
        claims.combine(["better", "holds"])


def test_compare_verdict_moves_with_the_gap():
    baselines = {"cca": 0.6, "group_lasso": 0.7}
    ahead = claims.compare(_runs({**baselines, "ours": 0.9}), ["ours"], list(baselines))
    assert set(ahead["verdict"]) == {"better"} and claims.table_verdict(ahead) == "agrees"
    # Ours falls between the baselines: better than one, worse than the other
    between = claims.compare(_runs({**baselines, "ours": 0.65}), ["ours"], list(baselines))
    assert claims.table_verdict(between) == "mixed"
    behind = claims.compare(_runs({**baselines, "ours": 0.5}), ["ours"], list(baselines))
    assert claims.table_verdict(behind) == "disagrees"
    # the same gaps, drowned in per-method noise: ties, so neither the effect nor its absence
    noisy = claims.compare(_runs({**baselines, "ours": 0.71}, noise=0.2), ["ours"], ["group_lasso"])
    assert noisy["verdict"].tolist() == ["tie"] and claims.table_verdict(noisy) == "mixed"


def test_compare_per_condition_and_the_texts_name_the_conditions():
    runs = pd.concat(
        [
            _runs({"cca": 0.6, "ours": 0.9}, n_steps=8),
            _runs({"cca": 0.6, "ours": 0.4}, n_steps=20, seed=1),
        ]
    )
    table = claims.compare(runs, ["ours"], ["cca"], factors=["n_steps"])
    assert claims.table_verdict(table) == "mixed"
    assert claims.table_verdict(table[table["n_steps"] == 8]) == "agrees"
    text = claims.compare_text(table, {"n_steps": 20})
    assert text.startswith("Ours − CCA -0.") and text.endswith("(worse)")
    assert claims.compare_where(table, "n_steps", "T") == "Ours vs CCA (T = 8, 20): better, worse"
    with pytest.raises(ValueError, match="no comparison"):
        claims.compare_text(table, {"n_steps": 12})


def test_conjoin():
    assert claims.conjoin(["better", "better"]) == "better"
    assert claims.conjoin(["better", "tie"]) == "tie"
    assert claims.conjoin(["better", "better", "worse"]) == "worse"
    with pytest.raises(ValueError, match="need outcomes"):
        claims.conjoin([])


def test_beating_one_weak_baseline_does_not_offset_losing_to_the_others():
    runs = pd.concat(
        [
            _runs({"cca": 0.9, "weak": 0.5, "ours": 0.7}, n_steps=8),
            _runs({"cca": 0.9, "weak": 0.5, "ours": 0.7}, n_steps=20, seed=1),
        ]
    )
    table = claims.compare(runs, ["ours"], ["cca", "weak"], factors=["n_steps"])
    assert claims.table_verdict(table) == "mixed"  # pair by pair: one win, one loss
    cond = claims.per_condition(table, ["n_steps"])
    assert cond["verdict"].tolist() == ["worse", "worse"]
    assert claims.table_verdict(cond) == "disagrees"
    assert claims.compare_where(cond, "n_steps", "T", group=()) == "T = 8, 20: worse, worse"
    # move Ours ahead of both at one length only: the claim holds there, so "mixed"
    runs.loc[(runs["method"] == "ours") & (runs["n_steps"] == 8), "accuracy"] += 0.3
    cond = claims.per_condition(
        claims.compare(runs, ["ours"], ["cca", "weak"], factors=["n_steps"]), ["n_steps"]
    )
    assert cond["verdict"].tolist() == ["better", "worse"]
    assert claims.table_verdict(cond) == "mixed"


def test_one_run_per_comparison_is_not_testable():
    one = claims.compare(_runs({"cca": 0.6, "ours": 0.9}, n=1), ["ours"], ["cca"])
    assert one["n_runs"].tolist() == [1]
    assert claims.table_verdict(one) == "not testable here"


def _slope_runs(slopes: dict[str, float], n=6, noise=0.01):
    rng = np.random.default_rng(3)
    rows = []
    for r in range(n):
        for m_tasks in (2, 4, 6, 8):
            for m, slope in slopes.items():
                mcc = 0.9 + slope * m_tasks + rng.normal(0, noise)
                rows.append({"replicate": r, "n_tasks": m_tasks, "method": m, "mcc": mcc})
    return pd.DataFrame(rows)


def test_slope_verdict_moves_when_ours_degrades_faster():
    slow = verdicts.slope_differences(_slope_runs({"ours": -0.01, "cca": -0.05}), ["cca", "ours"])
    assert slow["cca"].low > 0 and claims.slopes_verdict(slow) == "agrees"
    fast = verdicts.slope_differences(_slope_runs({"ours": -0.05, "cca": -0.01}), ["cca", "ours"])
    assert fast["cca"].high < 0 and claims.slopes_verdict(fast) == "disagrees"
    assert claims.slopes_verdict({}) == "not testable here"
    # slower than one method, faster than another: "most slowly" is contradicted
    split = verdicts.slope_differences(
        _slope_runs({"ours": -0.03, "cca": -0.05, "group_lasso": -0.01}),
        ["cca", "group_lasso", "ours"],
    )
    assert split["cca"].low > 0 and split["group_lasso"].high < 0
    assert claims.slopes_verdict(split) == "disagrees"
    same = verdicts.slope_differences(
        _slope_runs({"ours": -0.03, "cca": -0.05, "group_lasso": -0.03}, noise=0.05),
        ["cca", "group_lasso", "ours"],
    )
    assert same["group_lasso"].covers_zero and claims.slopes_verdict(same) == "mixed"


def test_against_level():
    assert claims.against_level(0.68, 1.0, 0.05) == "above"
    assert claims.against_level(0.0, 0.32, 0.05) == "at"
    assert claims.against_level(0.0, 0.04, 0.05) == "below"
    with pytest.raises(ValueError, match="low <= high"):
        claims.against_level(0.5, 0.4, 0.05)


def _rates(collider: tuple[float, float], confounder: tuple[float, float]):
    rows = []
    for n in (300, 3000):
        rows.append({"task_role": "collider", "n_samples": n, "low": collider[0],
                     "high": collider[1]})  # fmt: skip
        rows.append({"task_role": "confounder", "n_samples": n, "low": confounder[0],
                     "high": confounder[1]})  # fmt: skip
    return pd.DataFrame(rows)


def test_role_pattern_follows_the_rates():
    as_remark = claims.role_pattern(_rates((0.68, 1.0), (0.0, 0.32)), 0.05, ["collider"])
    assert as_remark["as_predicted"].all()
    assert as_remark["collider"].tolist() == ["above", "above"]
    # a confounder whose segments are also declared dependent breaks the pattern
    both = claims.role_pattern(_rates((0.68, 1.0), (0.4, 0.9)), 0.05, ["collider"])
    assert not both["as_predicted"].any()
    # so does a collider whose dependence is not detected
    weak = claims.role_pattern(_rates((0.01, 0.3), (0.0, 0.32)), 0.05, ["collider"])
    assert not weak["as_predicted"].any()
    with pytest.raises(ValueError, match="not in the rates"):
        claims.role_pattern(_rates((0.68, 1.0), (0.0, 0.32)), 0.05, ["mediator"])


def test_texts():
    iv = Interval(0.17, 0.1, 0.25, 8)
    assert claims.difference_text("Ours − CCA", iv, "better") == (
        "Ours − CCA +0.17 [+0.10, +0.25] (better)"
    )
    assert claims.mean_text(Interval(0.82, 0.79, 0.85, 8)) == "0.82 [0.79, 0.85]"


def test_entry_checks_its_fields():
    e = claims.entry("a claim", "agrees", "+0.1 [+0.0, +0.2]", "n = 10")
    assert list(e) == list(claims.FIELDS) and e["verdict"] == "agrees"
    with pytest.raises(ValueError, match="verdict must be one of"):
        claims.entry("a claim", "tie", "1", "n = 10")
    with pytest.raises(ValueError, match="empty claims field"):
        claims.entry("a claim", "agrees", " ", "n = 10")
