"""Paired intervals, tie verdicts, slopes and the atlas tables (Layer 1 verdict builders)."""

import numpy as np
import pandas as pd
import pytest

from specialist.experiments import atlas, verdicts
from specialist.experiments.layer1 import (
    ALL_METHODS,
    METHOD_LABELS,
    runs_by_method,
    span_range,
    structure_recovery,
)
from specialist.stats import (
    mean_interval,
    paired_difference,
    paired_slopes,
    slope_difference,
    verdict,
    wilson_interval,
)
from tests._paired import paired_runs

# -- stats ------------------------------------------------------------------------------------


def test_t_interval_of_a_bounded_metric_stays_in_its_bounds():
    iv = mean_interval([1.0, 1.0, 0.9, 1.0, 0.95], bounds=(0, 1))
    assert 0.85 <= iv.low <= iv.estimate <= iv.high <= 1.0
    assert mean_interval([0.7]).low == mean_interval([0.7]).high == 0.7


def test_paired_difference_sees_a_consistent_small_gain_that_unpaired_noise_hides():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.3, 0.9, 12)  # large variation between data sets
    iv = paired_difference(base + 0.02, base)
    assert verdict(iv) == "better" and iv.low > 0
    assert verdict(paired_difference(base, base + 0.02)) == "worse"
    noisy = base + rng.normal(0, 0.1, 12)
    assert verdict(paired_difference(noisy, base + 0.001)) == "tie"
    with pytest.raises(ValueError, match="same length"):
        paired_difference([1, 2], [1])


def test_slopes_and_their_difference():
    # method a loses 0.05 per step of x, b 0.01, over 6 replicates with noise
    rng = np.random.default_rng(1)
    rows = []
    for r in range(6):
        for x in (2, 4, 6, 8):
            rows += [("a", x, r, 1 - 0.05 * x + rng.normal(0, 0.01))]
            rows += [("b", x, r, 1 - 0.01 * x + rng.normal(0, 0.01))]
    df = pd.DataFrame(rows, columns=["g", "x", "r", "y"])
    slopes = paired_slopes(df["x"], df["y"], df["g"], df["r"])
    assert slopes["a"].low < -0.05 < slopes["a"].high  # the interval holds the true slope
    assert abs(slopes["a"].estimate + 0.05) < 0.01 and slopes["a"].high - slopes["a"].low < 0.02
    diff = slope_difference(df["x"], df["y"], df["g"], df["r"], "b", "a")
    assert verdict(diff) == "better" and abs(diff.estimate - 0.04) < 0.01


def test_wilson_interval():
    low, high = wilson_interval(0, 20)
    assert low == 0.0 and 0.1 < high < 0.2
    low, high = wilson_interval(20, 20)
    assert high == 1.0 and 0.8 < low < 0.9
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(3, 2)


# -- sentences on synthetic runs ---------------------------------------------------------------


_runs = paired_runs


def test_ordering_sentence_holds_reverses_and_ties():
    chain = {"cca": 0.6, "group_lasso": 0.7, "pair_test": 0.8, "ours": 0.9}
    s = verdicts.ordering_sentence(_runs(chain), "accuracy", "accuracy", "pair_test")
    assert "every link holds" in s and "Pair test (IUT)" in s
    rev = {**chain, "ours": 0.7}
    s = verdicts.ordering_sentence(_runs(rev), "accuracy", "accuracy", "pair_test")
    assert "reversed for Ours < Pair test (IUT)" in s
    tie = {**chain, "ours": 0.8}
    s = verdicts.ordering_sentence(_runs(tie, noise=0.05), "accuracy", "accuracy", "pair_test")
    assert "(tie)" in s and "reproduced: some links are ties" in s


def test_paired_refuses_unpaired_runs():
    runs = _runs({"a": 0.5, "b": 0.6})
    runs = runs[~((runs["method"] == "b") & (runs["seed"] == 0))]
    with pytest.raises(ValueError, match="not paired"):
        verdicts.paired(runs, "a", "b", "accuracy")


def test_degradation_sentence_uses_slopes_and_says_tie():
    rng = np.random.default_rng(2)
    rows = []
    for r in range(8):
        for m_tasks in (2, 4, 6):
            for m, slope in {"ours": -0.02, "cca": -0.02, "group_lasso": -0.08}.items():
                rows.append(
                    {
                        "replicate": r,
                        "n_tasks": m_tasks,
                        "method": m,
                        "mcc": 0.9 + slope * m_tasks + rng.normal(0, 0.02),
                    }
                )
    sentence, slopes, diffs = verdicts.degradation_sentence(
        pd.DataFrame(rows), ["cca", "group_lasso", "ours"]
    )
    assert "vs Group Lasso" in sentence and "(Ours slower)" in sentence
    assert "vs CCA" in sentence and "(tie)" in sentence
    assert "not shown: some differences are ties" in sentence
    assert set(slopes) == {"cca", "group_lasso", "ours"}
    assert set(diffs) == {"cca", "group_lasso"} and diffs["group_lasso"].low > 0
    assert diffs["cca"].covers_zero


# -- experiment function and atlas -------------------------------------------------------------


def test_span_ranges():
    assert span_range("sparse", 10) == (2, 3)
    assert span_range("mixed", 10) == (2, 10)
    assert span_range("dense", 10) == (7, 10)
    with pytest.raises(ValueError, match="density must be one of"):
        span_range("medium", 10)


def test_structure_recovery_scores_every_method_on_one_data_set():
    out = structure_recovery(12, 3, 2000, seed=3, density="sparse", p_disconnect=1.0)
    for m in ALL_METHODS:
        for metric in ("accuracy", "mcc", "mean_cc", "f1", "fpr", "fnr", "runtime_s"):
            assert f"{m}:{metric}" in out
        assert 0 <= out[f"{m}:accuracy"] <= 1
    # sparse tasks at K = 6: ceil(0.3 * 6) = 2, so every task spans exactly 2 segments
    assert out["positive_share"] == pytest.approx(2 / 6)
    # the chance reference: "no task anywhere" on sparse tasks, scored on the same data set
    assert out["best_constant:accuracy"] == pytest.approx(1 - 2 / 6)
    assert out["best_constant:mcc"] == 0.0 and out["best_constant:f1"] == 0.0
    # on i.i.d. steps the local test is exact by d-separation; at n = 2000 it is near exact
    assert out["local_test:accuracy"] >= 0.9
    with pytest.raises(ValueError, match="methods must be a non-empty list"):
        structure_recovery(12, 3, 200, seed=0, methods=["ours", "magic"])
    with pytest.raises(ValueError, match="is scored on every data set"):
        structure_recovery(12, 3, 200, seed=0, methods=["best_constant"])


def test_atlas_tables_on_synthetic_conditions():
    parts = []
    for density, ours in (("sparse", 0.95), ("dense", 0.5)):
        r = _runs(
            {
                "cca": 0.6,
                "group_lasso": 0.7,
                "pair_test": 0.8,
                "ours": ours,
                "ours_holm": 0.7,
                "ours_simes": 0.75,
                "local_test": 0.7,
            }
        )
        parts.append(r.assign(density=density))
    runs = pd.concat(parts)
    chain = atlas.chain_holds(runs, verdicts.chain_for("pair_test"), factors=["density"])
    assert chain.set_index("density")["status"].to_dict() == {
        "sparse": "holds",
        "dense": "reversed",
    }
    vs = atlas.versus(runs, "ours", ["cca"], factors=["density"]).set_index("density")
    assert vs.loc["sparse", "verdict"] == "better" and vs.loc["dense", "verdict"] == "worse"
    best = atlas.best_rule(runs, metric="accuracy", factors=["density"]).set_index("density")
    assert best.loc["sparse", "best"] == "ours" and best.loc["sparse", "clear"]
    assert best.loc["dense", "best"] == "ours_simes"
    assert "Ours in 1" in atlas.rule_sentence(best.reset_index(), ["density"])
    assert atlas.count_by(chain, "status", "holds", ["density"]) == {
        "density": {"dense": "0 of 1", "sparse": "1 of 1"}
    }

    # the one chance rule. Best constant at 0.65: CCA (0.6) is below it, but Group Lasso (0.7)
    # is above it and ahead, so the sparse chain still holds; in the dense condition Ours
    # (0.5) is below it while SelTask (0.8) works and is ahead: the reversal is evidence
    def gated(level):
        with_chance = pd.concat(
            [runs, runs[runs["method"] == "ours"].assign(method="best_constant", accuracy=level)]
        )
        return atlas.chain_holds(
            with_chance, verdicts.chain_for("pair_test"), factors=["density"],
            chance="best_constant",
        ).set_index("density")  # fmt: skip

    at_65 = gated(0.65)
    assert at_65["status"].to_dict() == {"sparse": "holds", "dense": "reversed"}
    assert at_65["at_chance"].to_dict() == {"sparse": "cca", "dense": "cca, ours"}
    # best constant at 0.72: CCA and Group Lasso both at chance, so their link is no evidence
    at_72 = gated(0.72)
    assert at_72.loc["sparse", "status"] == "at chance"
    assert at_72.loc["dense", "status"] == "reversed"


def test_long_format_round_trip_keeps_pairing():
    from specialist.sweep import run_grid

    wide = run_grid(
        structure_recovery,
        {"n_steps": [8], "n_tasks": [2], "n_samples": [500], "methods": [["ours", "ours_simes"]]},
        2,
    )
    runs = runs_by_method(wide.drop(columns=["methods"]))
    # the best constant (chance) is scored on every data set beside the methods asked for
    assert set(runs["method"]) == {"ours", "ours_simes", "best_constant"}
    assert runs.groupby("seed")["method"].nunique().eq(3).all()
    assert all(m in METHOD_LABELS for m in runs["method"])


def test_panel_heatmaps_lays_out_panels_cells_and_the_mark():
    import matplotlib

    matplotlib.use("agg")
    from specialist.plotting import panel_heatmaps

    seen = []

    def cell(a, b, row, col):
        seen.append((a, b, row, col))
        return float(row == col), f"{a}{b}{row}{col}"

    fig = panel_heatmaps(
        cell,
        (["r1", "r2"], ["c1", "c2", "c3"]),
        [0, 1],
        [0, 1, 2],
        row_labels=["zero", "one"],
        col_labels=["a", "b", "c"],
        panel_title=lambda a, b: f"{a}/{b}",
        mark=lambda a, b: 1 if (a, b) == ("r2", "c3") else None,
        colorbar="value",
    )
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) == 6 and len(seen) == 6 * 2 * 3
    boxed = [ax.get_title() for ax in panels if ax.patches]
    assert boxed == ["r2/c3"]
    texts = {t.get_text() for t in panels[0].texts}
    assert texts == {f"r1c1{i}{j}" for i in range(2) for j in range(3)}


def test_atlas_link_helpers_and_chain_substitution():
    assert verdicts.chain_for("pair_test") == ("cca", "group_lasso", "pair_test", "ours")
    assert verdicts.chain_for("seltask_unsup", "ours_simes")[2:] == ("seltask_unsup", "ours_simes")
    chain = pd.DataFrame({"reversed": ["pair_test<ours", "", "pair_test<ours, cca<group_lasso"]})
    assert atlas.reversed_link_counts(chain) == {
        ("pair_test", "ours"): 2,
        ("cca", "group_lasso"): 1,
    }
    assert atlas.links_text("pair_test<ours") == "Pair test (IUT) < Ours"
    assert atlas.links_text("") == ""
    vs = pd.DataFrame(
        {"other": ["cca", "cca", "group_lasso"], "verdict": ["better", "tie", "better"]}
    )
    counts = atlas.verdict_counts(vs)
    assert list(counts.columns) == ["better", "tie", "worse"]
    assert counts.loc["cca"].tolist() == [1, 1, 0] and counts.loc["group_lasso", "worse"] == 0


def test_stats_refuse_bad_input():
    with pytest.raises(ValueError, match="at least one finite value"):
        mean_interval([np.nan])
    with pytest.raises(ValueError, match=r"level must be in \(0, 1\)"):
        mean_interval([1.0, 2.0], level=1.5)
    with pytest.raises(ValueError, match="two distinct x values"):
        paired_slopes([1, 1], [0.1, 0.2], ["a", "a"], [0, 1])
    with pytest.raises(ValueError, match="aligned 1-D arrays"):
        paired_slopes([1, 2], [0.1], ["a", "a"], [0, 1])
    with pytest.raises(ValueError, match="group 'c' not found"):
        slope_difference([1, 2], [0.1, 0.2], ["a", "a"], [0, 0], "a", "c")


def test_versus_controlled_counts_conditions_under_holm_and_the_chance_rule():
    rng = np.random.default_rng(5)
    rows = []
    # 20 conditions: Ours 0.05 ahead of CCA in every one, with noise that makes a single
    # condition's test significant now and then but rarely after Holm over the 20
    for c in range(20):
        for s in range(8):
            shift = rng.normal(0, 0.05)
            for m, mcc in (("ours", 0.55), ("cca", 0.5), ("best_constant", 0.0)):
                noise = 0.0 if m == "best_constant" else rng.normal(0, 0.04)
                rows.append({"density": c, "seed": 100 * c + s, "method": m,
                             "mcc": mcc + shift * (m != "best_constant") + noise})  # fmt: skip
    runs = pd.DataFrame(rows)
    table = atlas.versus_controlled(runs, "ours", ["cca"], factors=["density"])
    assert len(table) == 20 and (table["p_holm"] >= table["p"]).all()
    raw = int((table["p"] < 0.05).sum())
    assert int((table["verdict"] == "better").sum()) <= raw
    # a clear gap survives the control in every condition
    runs.loc[runs["method"] == "ours", "mcc"] += 0.3
    strong = atlas.versus_controlled(runs, "ours", ["cca"], factors=["density"])
    assert set(strong["verdict"]) == {"better"}
    # both at or below chance: untestable
    below = rng.normal(-0.2, 0.05, len(runs))
    null = runs.assign(mcc=np.where(runs["method"] == "best_constant", 0.0, below))
    assert set(atlas.versus_controlled(null, "ours", ["cca"], factors=["density"])["verdict"]) == {
        "untestable"
    }
