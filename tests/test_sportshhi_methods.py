"""Fig. 4's pipeline: detections in the official format, scored by the official rule, oracle
checks, the controls, held-out blocks, and verdicts that follow the numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from specialist.data.sportshhi import PREDICTION_COLUMNS, evaluate_map
from specialist.experiments import interactions as study
from specialist.experiments.interactions import (
    base_features,
    block_predictions,
    chance_predictions,
    distinct_scores,
    linear_features,
    play_run,
    player_evidence,
    predictions,
    scored_episodes,
)
from specialist.simulate.sports import coupled_jerseys, random_scenario, simulate_sports
from tests._hhi_cases import difference, our_numbers, reference_numbers, simulated_cases

SMALL = {
    "n_train": 300,
    "n_test": 120,
    "n_blocks": 2,
    "n_scored": 20,
    "n_players": 4,
    "n_steps": 12,
    "n_interactions": 4,
    "n_classes": 3,
    "n_latent": 2,
    "n_linear_components": 5,
    "l1_path": (30.0, 300.0),
    "task_weight": 100.0,
    "epochs": 1,
    "box_noise": 0.005,
    "iou_thresholds": (0.5,),
}


@pytest.fixture(scope="module")
def play():
    scenario = random_scenario(seed=0)
    return simulate_sports(scenario, 1600, box_noise=0.0, seed=0)


def truth_evidence(scenario) -> np.ndarray:
    """p-value-like evidence from the true structure: 0 where a player takes part, 1 elsewhere."""
    ev = np.ones((scenario.n_players, scenario.n_interactions, scenario.n_segments))
    for p in range(scenario.n_players):
        ev[p] = np.where(scenario.player_assignment(p).T, 0.0, 1.0)
    return ev


def test_true_structure_gives_perfect_map(play):
    test = np.arange(1500, 1600)
    gt = play.annotations[play.annotations["video_id"].isin(np.asarray(play.video_ids)[test])]
    pred = predictions(truth_evidence(play.scenario), play, test)
    assert list(pred.columns) == list(PREDICTION_COLUMNS)
    # −log10 of the larger p-value, floored at 300; ties broken downwards by float32 steps
    # (distinct_scores), so the many rows at 0 (p = 1) sit at or just below it
    assert pred["score"].max() == 300 and pred["score"].min() > -1e-30
    assert np.unique(pred["score"].to_numpy(np.float32)).size == len(pred)  # no two alike
    result = evaluate_map(gt, pred, iou_threshold=0.9)
    assert result.map == pytest.approx(1.0)
    # no information at all (every candidate scored alike) is far from perfect
    flat = predictions(np.full_like(truth_evidence(play.scenario), 0.5), play, test)
    assert evaluate_map(gt, flat).map < 0.5


def test_scores_keep_tiny_p_values_apart_in_float32():
    """The official evaluator reads scores as float32: 1 − p would tie every p below ~6e-8."""
    from specialist.experiments.interactions import score_of

    p = [1e-12, 1e-9, 1e-7, 1e-3, 0.5, 1.0]
    scores = np.array([score_of(x, x) for x in p], dtype=np.float32)
    assert (np.diff(scores) < 0).all() and scores[-1] == 0.0
    old_rule = (1.0 - np.array(p[:2])).astype(np.float32)  # 1 − p, as the evaluator reads it
    assert old_rule[0] == old_rule[1] == 1.0
    assert score_of(0.0, 0.0) == 300.0 and score_of(1e-5, 0.2) == score_of(0.2, 0.2)


def test_prediction_scores_are_distinct_and_keep_the_order_of_distinct_scores(play):
    """No two prediction rows share a score, in float64 or float32, so the official
    evaluator's ranking never falls to NumPy's tie order; ties are broken in row order and
    distinct scores keep their order."""
    raw = np.array([300.0, 300.0, 5.0, 0.5, 0.5 + 1e-12, 0.0, 0.0, 300.0, 2.0])
    out = distinct_scores(raw)
    assert np.unique(out.astype(np.float32)).size == raw.size
    ranking = np.argsort(-raw, kind="stable")  # decreasing score, ties in row order
    assert (np.diff(out[ranking]) < 0).all() and np.abs(out - raw).max() < 1e-4
    assert out[4] > out[3]  # 0.5 + 1e-12 > 0.5, although both are 0.5 in float32
    spread = np.array([3.0, 1.0, 2.0])
    assert np.array_equal(distinct_scores(spread), spread)  # nothing to break: unchanged
    episodes = np.arange(1000, 1600)
    truth = predictions(truth_evidence(play.scenario), play, episodes[:20])
    strong = truth["score"] > 150  # raw scores are 300 (p = 0) or 0 (p = 1)
    assert truth.loc[strong, "score"].min() > truth.loc[~strong, "score"].max()
    writers = [
        truth,
        block_predictions(play.states[episodes][..., None], play, episodes, 2, 10),
        chance_predictions(play, episodes, 2, 10, np.random.default_rng(0)),
    ]
    for pred in writers:
        assert np.unique(pred["score"].to_numpy(np.float32)).size == len(pred)


@pytest.fixture(scope="module")
def simulated():
    return simulated_cases(seed=0)


@pytest.mark.parametrize(
    "iou, pred_max, classes",
    [(0.5, None, None), (0.9, None, None), (0.5, 20, None), (0.9, 50, [2])],
)
def test_official_protocol_equals_the_official_code_on_simulated_files(
    tmp_path, simulated, iou, pred_max, classes
):
    """Files of the simulator and Fig. 4's writers (Algorithm 1 on the true states, random
    evidence, a random score per row; each also with its scores rounded to one decimal, ties
    everywhere) scored by evaluate_map and by the transcription of the official code: mAP,
    per-class AP and Recall@K agree to 1e-12."""
    settings = {"iou": iou, "pred_max": pred_max, "classes": classes, "recall_at": (1, 10)}
    for name, gt, pred in simulated:
        expected = reference_numbers(gt, pred, tmp_path / name, **settings)
        assert difference(our_numbers(gt, pred, **settings), expected) <= 1e-12, name


def test_algorithm1_on_true_states_ranks_the_truth_first(play):
    train = np.arange(1500)
    evidence = player_evidence(play.states[train][..., None], play.outcomes[train], 2)
    truth = truth_evidence(play.scenario) == 0
    # every true (player, interaction, segment) has stronger evidence than every false one
    assert evidence[truth].max() < 1e-3 < evidence[~truth].min()


def test_features_are_fitted_on_training_crops_and_applied_to_test_crops(play):
    crops = play.crops(12)
    train, test = crops[:300], crops[300:350]
    assert base_features(train, test, 3, seed=0).shape == (50, 12, 4, 3)
    linear = linear_features(train, play.outcomes[:300], test, 10, seed=0)
    assert linear.shape == (50, 12, 4, 1)


def test_the_supervised_linear_control_reads_the_state(play):
    """One direction regressed on g recovers the state (the arm angle) from the pixels."""
    crops = play.crops(12)
    feature = linear_features(crops[:1200], play.outcomes[:1200], crops[1200:1500], 20, seed=0)
    r = np.corrcoef(feature.ravel(), play.states[1200:1500].ravel())[0, 1]
    assert abs(r) > 0.8


def test_each_block_is_ranked_by_its_own_episodes(play):
    """Changing the features of the second block changes its detections and nothing else."""
    episodes = np.arange(1000, 1600)
    feats = play.states[episodes][..., None].copy()
    pred = block_predictions(feats, play, episodes, n_blocks=2, n_scored=10)
    shown = scored_episodes(episodes, 2, 10)
    assert list(shown) == [*range(1000, 1005), *range(1300, 1305)]
    assert sorted(pred["video_id"].unique()) == [play.video_ids[e] for e in shown]
    noise = np.random.default_rng(0).standard_normal(feats[300:].shape)
    feats[300:] = noise  # block 2 loses its information
    other = block_predictions(feats, play, episodes, n_blocks=2, n_scored=10)
    first = pred["video_id"].isin([play.video_ids[e] for e in range(1000, 1005)])
    pd.testing.assert_frame_equal(pred[first], other[first])
    assert not np.allclose(pred.loc[~first, "score"], other.loc[~first, "score"])


def test_chance_is_random_evidence_in_the_same_prediction_format(play):
    """The chance row has the rows, keyframes, pairs and boxes of a method's detections; only
    the scores differ, drawn from its generator; it scores far below the truth."""
    episodes = np.arange(1000, 1600)
    feats = play.states[episodes][..., None]
    method = block_predictions(feats, play, episodes, n_blocks=2, n_scored=10)
    chance = chance_predictions(play, episodes, 2, 10, np.random.default_rng(0))
    same = [c for c in PREDICTION_COLUMNS if c != "score"]
    pd.testing.assert_frame_equal(method[same], chance[same])
    assert not np.allclose(method["score"], chance["score"])
    again = chance_predictions(play, episodes, 2, 10, np.random.default_rng(0))
    pd.testing.assert_frame_equal(chance, again)  # seeded
    shown = np.asarray(play.video_ids)[scored_episodes(episodes, 2, 10)]
    gt = play.annotations[play.annotations["video_id"].isin(shown)]
    at_chance = evaluate_map(gt, chance, iou_threshold=0.5).map
    assert 0 < at_chance < evaluate_map(gt, method, iou_threshold=0.5).map - 0.3


def test_a_small_run_reports_every_method_on_disjoint_episodes():
    result = play_run("standard", **SMALL, seed=0)
    everything = pd.DataFrame(result["rows"])
    rows = everything[everything["method"] != "path"]
    assert set(rows["method"]) == {*study.METHODS, study.ROW_CHANCE}
    maps = rows[rows["metric"] == "map"].set_index("method")["value"]
    assert maps.between(0, 1).all() and len(maps) == len(study.METHODS) + 1
    dims = rows[rows["metric"] == "dims"].set_index("method")["value"]
    assert dims["base"] == dims["leap"] == dims["dense"] == SMALL["n_latent"]
    assert dims["linear"] == dims["oracle"] == 1
    assert dims["chance"] == 0  # random evidence: no feature at all
    assert 1 <= dims["ours"] <= SMALL["n_latent"] and dims["dense_matched"] == dims["ours"]
    seconds = rows[rows["metric"] == "seconds"]
    assert set(seconds["method"]) == {"base", "leap", "linear", "dense", "ours"}
    # the path: the dense model and every λ, validation and test scores, one chosen λ
    path = everything[everything["method"] == "path"]
    assert sorted(set(path["l1"])) == [0.0, 30.0, 300.0]
    chosen = path[path["metric"] == "chosen"].set_index("l1")["value"]
    assert chosen.sum() == 1  # Ours: the label-free rule's pick (the dense model if none)
    lam = float(chosen.idxmax())
    excess = path[path["metric"] == "val_worst_excess"].set_index("l1")["value"]
    closed = path[path["metric"] == "closed"].set_index("l1")["value"]
    qualifies = path[path["metric"] == "qualifies"].set_index("l1")["value"]
    assert [bool(qualifies[v]) for v in (30.0, 300.0)] == [
        excess[v] <= 0.05 and not closed[v] for v in (30.0, 300.0)
    ]
    qualifying = [
        v for v in (0.0, 30.0, 300.0) if v == 0.0 or (excess[v] <= 0.05 and not closed[v])
    ]
    assert lam == max(qualifying)  # the largest λ within tolerance whose mask keeps a latent
    assert closed[0.0] == 0  # the dense model's mask is fixed open
    old = path[path["metric"] == "chosen_closed"].set_index("l1")["value"]
    allowed = [v for v in (0.0, 30.0, 300.0) if v == 0.0 or excess[v] <= 0.05]
    assert old.sum() == 1 and float(old.idxmax()) == max(allowed)  # closed masks allowed
    annotated = path[path["metric"] == "chosen_annotated"].set_index("l1")["value"]
    val = path[path["metric"] == "val_map"].set_index("l1")["value"]
    assert annotated.sum() == 1 and annotated[0.0] == 0
    best = val[[30.0, 300.0]].max()
    assert float(annotated.idxmax()) == max(v for v in (30.0, 300.0) if val[v] == best)
    test_map = path[path["metric"] == "map"].set_index("l1")["value"]
    assert test_map[lam] == maps["ours"] and test_map[0.0] == maps["dense"]
    block = path[path["metric"] == "block"].set_index("l1")["value"]
    assert block[lam] == dims["ours"] and block[0.0] == dims["dense"]


def test_the_study_is_tidy_and_pairs_plays_across_difficulties():
    settings = {**SMALL, "n_train": 200}
    result = study.run_study(settings, ["standard", "nuisance"], n_seeds=1)
    scores, timings = result.scores, result.timings
    assert list(scores.columns) == [
        "difficulty", "replicate", "seed", "method", "iou", "metric", "value",
    ]  # fmt: skip
    assert set(scores["metric"]) == {"map", "recall10", "dims"}
    assert list(timings.columns) == ["difficulty", "replicate", "seed", "method", "seconds"]
    assert list(result.path.columns) == [
        "difficulty", "replicate", "seed", "fit", "l1", "iou", "metric", "value",
    ]  # fmt: skip
    assert set(result.path["metric"]) == {
        "map", "val_map", "val_worst_excess", "block", "chosen", "chosen_annotated",
        "chosen_closed", "qualifies", "closed",
    }  # fmt: skip
    rules = study.rule_contrasts(result.path, scores, 0.5)
    assert set(rules["rule"]) == set(study.LAMBDA_RULES)
    # the test-tuned λ is at least as good on the test plays as any other rule's pick
    for _, part in rules.groupby("difficulty"):
        best = part.set_index("rule")["mean"]
        assert best["test_tuned"] >= best["random"] - 1e-12
    assert scores.groupby("difficulty")["seed"].first().nunique() == 1  # the same play
    # the true states do not depend on the jersey shades: the oracle scores agree
    oracle = scores[(scores["method"] == "oracle") & (scores["metric"] == "map")]
    assert oracle["value"].nunique() == 1


def test_refits_are_averaged_per_play_and_the_first_fit_is_the_single_fit_run():
    settings = {**SMALL, "n_train": 200}
    one = study.run_study(settings, ["standard"], n_seeds=1)
    two = study.run_study({**settings, "n_fits": 2}, ["standard"], n_seeds=1)
    fits = two.fits[two.fits["metric"] == "map"]
    assert set(fits["fit"]) == {0, 1} and set(fits["method"]) == set(study.REFITTED)
    first = fits[fits["fit"] == 0].set_index(["method", "iou"])["value"]
    single = one.scores[one.scores["method"].isin(study.REFITTED) & (one.scores["metric"] == "map")]
    assert np.allclose(
        first.sort_index(), single.set_index(["method", "iou"])["value"].sort_index()
    )
    mean = fits.groupby(["method", "iou"])["value"].mean()
    got = two.scores[two.scores["method"].isin(study.REFITTED) & (two.scores["metric"] == "map")]
    assert np.allclose(got.set_index(["method", "iou"])["value"].sort_index(), mean.sort_index())
    # a method fitted once keeps its score; the path has every fit, one chosen λ per fit
    base = [s[(s["method"] == "base") & (s["metric"] == "map")]["value"].to_numpy()
            for s in (one.scores, two.scores)]  # fmt: skip
    assert np.array_equal(*base)
    chosen = two.path[two.path["metric"] == "chosen"].groupby("fit")["value"].sum()
    assert chosen.to_dict() == {0: 1.0, 1: 1.0}
    assert study.path_table(two.path, 0.5)["chosen"].sum() == 2  # counted over plays × fits


def test_the_fit_variance_split_recovers_known_components():
    rng = np.random.default_rng(0)
    n, k, sd_play, sd_fit = 400, 3, 0.2, 0.05
    play = rng.normal(0.5, sd_play, n)
    values = play[:, None] + rng.normal(0, sd_fit, (n, k))
    fits = pd.DataFrame(
        [{"difficulty": "standard", "replicate": r, "fit": f, "method": "ours", "iou": 0.5,
          "metric": "map", "value": values[r, f]} for r in range(n) for f in range(k)]
    )  # fmt: skip
    row = study.fit_variance(fits, 0.5).iloc[0]
    assert abs(row["sd_plays"] - sd_play) < 0.02 and abs(row["sd_fits"] - sd_fit) < 0.005
    assert abs(row["share_fits"] - sd_fit**2 / (sd_fit**2 + sd_play**2)) < 0.02
    assert (row["n_plays"], row["n_fits"]) == (n, k)
    single = study.fit_variance(fits[fits["fit"] == 0], 0.5).iloc[0]
    assert np.isnan(single["share_fits"])  # one fit per play: the split is not measured
    assert "fitted once" in study.fit_variance_sentence(
        study.fit_variance(fits[fits["fit"] == 0], 0.5), 0.5
    )


def test_state_dependent_noise_change_the_noise_but_not_the_covariances():
    scenario = random_scenario(seed=1)
    plain = simulate_sports(scenario, 20000, image_size=16, seed=5)
    leap = simulate_sports(
        scenario, 20000, image_size=16, transitions="state_dependent_laplace", seed=5
    )
    for sample in (plain, leap):
        x = sample.states.reshape(len(sample.states), -1)
        assert np.allclose(x.var(axis=0), 1.0, atol=0.08)
    cov = [np.cov(s.states[:, :, 0].T) for s in (plain, leap)]
    assert np.abs(cov[0] - cov[1]).max() < 0.06  # the same covariances, hence structure
    x = leap.states[:, 1:, 0]
    kurtosis = ((x - x.mean(0)) ** 4).mean(0) / x.var(0) ** 2
    assert kurtosis.min() > 4.5  # Laplace-like tails (Gaussian: 3)
    # the innovation's scale follows the previous state: larger after a positive state
    for sample, ratio in ((plain, (0.8, 1.25)), (leap, (2.0, np.inf))):
        before, after = sample.states[:, 4, 0], sample.states[:, 5, 0]
        resid = after - np.polyval(np.polyfit(before, after, 1), before)
        spread = resid[before > 0.5].var() / resid[before < -0.5].var()
        assert ratio[0] < spread < ratio[1]
    with pytest.raises(ValueError, match="transitions must be one of"):
        simulate_sports(scenario, 10, transitions="cauchy")


def test_jersey_coupling_makes_the_nuisance_follow_the_state():
    scenario = random_scenario(seed=1)
    plain = simulate_sports(scenario, 30, seed=3)
    same = simulate_sports(scenario, 30, jersey_coupling=0.0, seed=3)
    assert np.array_equal(plain.frames, same.frames)  # the default draws are untouched
    rng = np.random.default_rng(0)
    states = simulate_sports(scenario, 3000, image_size=16, seed=4).states
    shades = rng.uniform(0.1, 0.55, size=(3000, 4))
    for coupling, low, high in ((0.0, -0.1, 0.1), (0.4, 0.5, 0.9), (1.0, 0.95, 1.0)):
        coupled = coupled_jerseys(shades, states, 0.6, coupling)
        assert coupled.min() >= 0.1 and coupled.max() <= 0.55
        r = np.corrcoef(coupled.ravel(), states.mean(axis=1).ravel())[0, 1]
        assert low < r < high, (coupling, r)
    with pytest.raises(ValueError, match="jersey_coupling"):
        simulate_sports(scenario, 2, jersey_coupling=1.5)


@pytest.mark.parametrize(
    "change, match",
    [
        ({"n_blocks": 0}, "n_blocks"),
        ({"n_test": 120, "n_blocks": 3}, "n_test // n_blocks"),
        ({"n_scored": 1}, "n_scored"),
        ({"iou_thresholds": ()}, "iou_thresholds"),
        ({"iou_thresholds": (1.5,)}, "iou_thresholds"),
        ({"n_linear_components": 0}, "n_linear_components"),
        ({"n_steps": 5}, "n_steps"),
        ({"few_fraction": 0.0}, "few_fraction"),
        ({"l1_path": ()}, "l1_path"),
        ({"l1_path": (30.0, -1.0)}, "l1_path"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"validation_fraction": 0.001}, "validation_fraction"),
        ({"nuisance_coupling": 1.2}, "nuisance_coupling"),
        ({"strong_coupling": -0.1}, "strong_coupling"),
    ],
)
def test_bad_settings_are_refused_before_any_compute(change, match):
    with pytest.raises((ValueError, TypeError), match=match):
        study.run_study({**SMALL, **change}, ["standard"], n_seeds=1)


def test_unknown_difficulties_are_refused():
    with pytest.raises(ValueError, match="difficulties must be"):
        study.check_difficulties(["standard", "hard"])
    with pytest.raises(TypeError, match="difficulties"):
        study.check_difficulties("standard")


def synthetic_scores(maps: dict[str, list[float]], difficulty: str = "standard") -> pd.DataFrame:
    """Scores of :func:`run_study`'s shape from given per-play mAPs."""
    rows = [
        {
            "difficulty": difficulty,
            "replicate": r,
            "seed": 100 + r,
            "method": m,
            "iou": 0.5,
            "metric": "map",
            "value": v,
        }
        for m, values in maps.items()
        for r, v in enumerate(values)
    ]
    return pd.DataFrame(rows)


PAPER_LIKE = {
    "base": [0.10, 0.11, 0.12, 0.10, 0.11],
    "leap": [0.20, 0.22, 0.21, 0.23, 0.20],
    "linear": [0.15, 0.16, 0.15, 0.17, 0.16],
    "dense": [0.21, 0.23, 0.22, 0.20, 0.21],
    "dense_matched": [0.22, 0.22, 0.23, 0.21, 0.20],
    "ours": [0.40, 0.42, 0.45, 0.41, 0.43],
    "oracle": [0.90, 0.88, 0.91, 0.90, 0.89],
    "chance": [0.05, 0.06, 0.05, 0.04, 0.05],
}


def verdict(maps, difficulty="standard", **kw):
    return study.verdict_of(synthetic_scores(maps, difficulty), 0.5, **kw)


def test_contrasts_and_the_ordering_verdict_follow_the_numbers():
    scores = synthetic_scores(PAPER_LIKE)
    table = study.contrasts(scores, 0.5)
    c = table.set_index("contrast")
    assert c.loc["sparsity", "verdict"] == "better"
    assert c.loc["sparsity", "estimate"] == pytest.approx(0.208, abs=1e-9)
    assert c.loc["base_vs_chance", "verdict"] == "better"
    main = study.verdict_of(scores, 0.5)
    assert main.verdict == "agrees" and main.tally == "the chain at each difficulty: 1 agree"
    assert "chance 0.05" in main.key_number
    # LEAP behind Base, Ours ahead of LEAP: the chain is broken at this difficulty
    behind = {**PAPER_LIKE, "leap": [v - 0.01 for v in PAPER_LIKE["base"]]}
    assert verdict(behind).verdict == "disagrees"
    # the chain holds at one difficulty and is broken at another: the conditions disagree
    two = pd.concat([synthetic_scores(PAPER_LIKE), synthetic_scores(behind, "nuisance")])
    assert study.verdict_of(two, 0.5).verdict == "mixed"
    # the whole ordering reversed, every method above chance: disagrees
    reversed_ = {**PAPER_LIKE, "ours": PAPER_LIKE["base"], "base": PAPER_LIKE["ours"]}
    assert verdict(reversed_).verdict == "disagrees"
    # all three the same up to noise: every link a tie
    noise = [0.01, -0.01, 0.02, -0.02, 0.0]
    tied = {**PAPER_LIKE, "leap": [b + e for b, e in zip(PAPER_LIKE["base"], noise, strict=True)],
            "ours": [b - e for b, e in zip(PAPER_LIKE["base"], noise, strict=True)]}  # fmt: skip
    assert verdict(tied).verdict == "inconclusive"
    # random evidence scores above LEAP and Base: no link can be evidence
    above = {**PAPER_LIKE, "chance": [0.25, 0.26, 0.24, 0.25, 0.25]}
    v = verdict(above)
    # Ours beats chance and LEAP: that link counts; LEAP > Base, both at chance, does not, so
    # the chain cannot be shown
    assert v.verdict == "not testable here"
    assert list(v.links["outcome"]) == ["agree", "untestable"]
    assert "LEAP-style, Base" in v.reason and "chance" in v.reason
    # one difficulty where LEAP is at chance: its links drop out, the other decides
    both = pd.concat([synthetic_scores(PAPER_LIKE), synthetic_scores(above, "nuisance")])
    v = study.verdict_of(both, 0.5)
    assert (
        v.verdict == "agrees" and v.tally == "the chain at each difficulty: 1 agree, 1 untestable"
    )
    assert study.verdict_of(both, 0.5, difficulties=["nuisance"]).verdict == "not testable here"
    with pytest.raises(ValueError, match="iou"):
        study.contrasts(scores, 0.9)


def test_threshold_sentence_names_verdicts_that_move():
    low = study.contrasts(synthetic_scores(PAPER_LIKE), 0.5).assign(iou=0.5)
    same = pd.concat([low, low.assign(iou=0.9)])
    assert study.threshold_sentence(same, [0.5, 0.9]).startswith("Every paired verdict")
    moved = low.assign(iou=0.9)
    moved.loc[moved["contrast"] == "sparsity", "verdict"] = "tie"
    text = study.threshold_sentence(pd.concat([low, moved]), [0.5, 0.9])
    assert "Ours − dense VAE at standard (better at 0.5, tie at 0.9)" in text


def test_sentences_and_claims_are_computed_from_the_run():
    scores = synthetic_scores(PAPER_LIKE)
    table = study.contrasts(scores, 0.5)
    means = study.map_table(scores)
    assert set(means["method"]) == set(study.METHODS)
    assert means.set_index("method").loc["ours", "paper"] == study.PAPER_MAP["ours"]
    (sentence,) = study.sparsity_sentences(table, means, 0.5)
    assert "Ours 0.42 against" in sentence and "the ℓ1 penalty adds +0.208 [" in sentence
    assert "ahead" in sentence  # Ours against the linear control
    assert "Random evidence scores 0.05: Ours is above chance" in sentence
    shown = study.summary_table(means, scores, 0.5)
    assert list(shown.index) == [study.given_label(m) for m in study.METHODS]
    assert shown.loc["Ours (ℓ1 VAE) (given g, supervised)", "standard"].startswith("0.422 [")
    assert shown.loc["LEAP-style (given g)", "standard"].startswith("0.212 [")
    assert shown.loc["random evidence (chance) (format only)", "standard"].startswith("0.050 [")
    with pytest.raises(ValueError, match="iou"):
        study.summary_table(means, scores, 0.9)
    worse = {**PAPER_LIKE, "ours": PAPER_LIKE["dense"]}
    table = study.contrasts(synthetic_scores(worse), 0.5)
    (sentence,) = study.sparsity_sentences(table, study.map_table(synthetic_scores(worse)), 0.5)
    assert "changes nothing shown (a tie)" in sentence


def test_claims_carry_chance_given_and_attacks_that_move_with_the_numbers():
    # two difficulties, two thresholds: at IoU 0.9 LEAP and Base fall to chance
    at_09 = {**PAPER_LIKE, "leap": PAPER_LIKE["chance"], "base": PAPER_LIKE["chance"]}
    scores = pd.concat(
        [
            synthetic_scores(PAPER_LIKE),
            synthetic_scores(PAPER_LIKE, "nuisance"),
            synthetic_scores(at_09).assign(iou=0.9),
            synthetic_scores(at_09, "nuisance").assign(iou=0.9),
        ]
    )
    settings = {**SMALL, "iou_thresholds": (0.5, 0.9)}
    ordering, sparsity = study.claims(scores, 0.5, [0.5, 0.9], settings)
    assert ordering.verdict == "agrees" and ordering.n_runs == 5
    # the key number leads with the chain's outcome, then the links it rests on
    assert ordering.key_number.startswith(
        "the chain at each difficulty: 2 agree; the tested links: Ours > LEAP-style at standard"
    )
    assert "below chance" not in ordering.key_number  # no method detects less than chance
    # the sentence counts the difficulties it rests on
    assert "holds at each of the 2 difficulties" in study.chain_sentence(scores, 0.5)
    one = scores[scores["difficulty"] == "standard"]
    assert "holds at the one difficulty where" in study.chain_sentence(one, 0.5)
    assert sparsity.verdict == "beyond the paper"
    assert ordering.chance.startswith("random evidence in the same prediction format")
    assert "LEAP-style (given g)" in ordering.given
    assert ordering.given["Ours (ℓ1 VAE) (given g, supervised)"].endswith("training targets")
    assert "across different information" in ordering.conditions
    attacks = {a.choice: a for a in ordering.attacks}
    holm = (
        "chance gates Holm-corrected over the three methods of each difficulty (not one "
        "uncorrected gate per method)"
    )
    assert list(attacks) == [
        "IoU ≥ 0.9 instead of 0.5",
        "standard scenes only, not every difficulty",
        holm,
    ]
    assert attacks[holm].verdict == "agrees"  # every gate clears its Holm threshold here
    # the other chance reference: per-row random scores above LEAP and Base at IoU 0.5
    rows = synthetic_scores({"chance_rows": [0.3] * 5})
    with_rows = pd.concat([scores, rows, rows.assign(difficulty="nuisance")])
    (ordering_rows, _) = study.claims(with_rows, 0.5, [0.5, 0.9], settings)
    last = next(a for a in ordering_rows.attacks if a.choice.startswith("chance as a random"))
    assert last.verdict == "not testable here" and ordering_rows.verdict == "agrees"
    assert attacks["IoU ≥ 0.9 instead of 0.5"].verdict == "not testable here"
    assert attacks["standard scenes only, not every difficulty"].verdict == "agrees"
    text = study.attacks_sentence(ordering.verdict, ordering.attacks)
    assert (
        text
        == "The verdict (agrees) moves under 1 of 3 attacks: IoU ≥ 0.9 instead of 0.5 gives not testable here."
    )
    assert list(study.attacks_table(ordering.attacks).columns) == [
        "choice",
        "verdict",
        "key number",
    ]
    # the main verdict not testable: the claim carries its reason
    at_05 = pd.concat([synthetic_scores(at_09), synthetic_scores(at_09, "nuisance")])
    (ordering, _) = study.claims(at_05, 0.5, [0.5], SMALL)
    assert ordering.verdict == "not testable here" and "no evidence" in ordering.reason
    sentence = study.chain_sentence(at_05, 0.5)
    assert (
        "cannot be tested here" in sentence and "LEAP-style and Base do not beat chance" in sentence
    )


def test_the_validation_rule_takes_the_best_validation_map_and_breaks_ties_to_sparser():
    assert study.choose_l1([0.2, 0.5, 0.3], [30.0, 100.0, 300.0]) == 1
    assert study.choose_l1([0.5, 0.2, 0.5], [30.0, 100.0, 300.0]) == 2  # tie: larger λ
    assert study.choose_l1([0.5, 0.5], [300.0, 30.0]) == 0  # by λ, not by position
    with pytest.raises(ValueError, match="validation_map"):
        study.choose_l1([0.5, float("nan")], [30.0, 100.0])
    with pytest.raises(ValueError, match="validation_map"):
        study.choose_l1([0.5], [30.0, 100.0])


def test_scores_with_rule_puts_the_rules_model_in_ours_place():
    rows = []
    for rep in (0, 1):
        for lam, value in ((0.0, 0.1), (10.0, 0.2 + rep), (100.0, 0.4)):
            rows.append(dict(difficulty="standard", replicate=rep, seed=rep, l1=lam, iou=0.5,
                             metric="map", value=value))  # fmt: skip
            picked = lam == (10.0 if rep == 0 else 100.0)
            rows.append(dict(difficulty="standard", replicate=rep, seed=rep, l1=lam,
                             iou=float("nan"), metric="chosen_annotated", value=float(picked)))  # fmt: skip
            for metric, flag in (("qualifies", 1.0), ("closed", float(rep == 0 and lam == 100.0))):
                rows.append(dict(difficulty="standard", replicate=rep, seed=rep, l1=lam,
                                 iou=float("nan"), metric=metric, value=flag))  # fmt: skip
    path = pd.DataFrame(rows)
    scores = pd.DataFrame(
        [
            dict(
                difficulty="standard",
                replicate=r,
                seed=r,
                method=m,
                iou=0.5,
                metric="map",
                value=0.0,
            )
            for r in (0, 1)
            for m in ("ours", "leap")
        ]  # fmt: skip
    )

    def ours(frame):
        return frame[frame["method"] == "ours"].sort_values("replicate")["value"].tolist()

    assert ours(study.scores_with_rule(scores, path, "chosen_annotated", 0.5)) == [0.2, 0.4]
    assert ours(study.scores_with_rule(scores, path, "random", 0.5)) == pytest.approx([0.3, 0.8])
    # the best mean test mAP over plays: λ = 10 (0.7) beats λ = 100 (0.4)
    assert ours(study.scores_with_rule(scores, path, "test_tuned", 0.5)) == [0.2, 1.2]
    # the path cut at λ: the largest qualifying λ up to the cut whose mask is open
    assert ours(study.scores_with_rule(scores, path, "end:100", 0.5)) == [0.2, 0.4]
    assert ours(study.scores_with_rule(scores, path, "end:10", 0.5)) == [0.2, 1.2]
    assert ours(study.scores_with_rule(scores, path, "end:5", 0.5)) == [0.1, 0.1]  # dense
    leap = study.scores_with_rule(scores, path, "random", 0.5)
    assert leap[leap["method"] == "leap"]["value"].eq(0.0).all()  # others untouched
    with pytest.raises(ValueError, match="rule must be one of"):
        study.scores_with_rule(scores, path, "oracle", 0.5)


def test_holm_gates_and_below_chance_are_computed_from_the_intervals():
    from specialist.experiments.interactions.tables import interval_of

    # LEAP-style and Base each beat chance on their own (one-sided p about 0.02 < 0.025), but
    # not as a family of three gates under Holm (0.02 > 0.025 / 2 at the second step)
    weak = [0.12, 0.11, 0.13, 0.10, 0.115]
    scores = synthetic_scores({**PAPER_LIKE, "chance": [0.10] * 5, "base": weak, "leap": weak})
    table = study.contrasts(scores, 0.5)
    p_leap = study.one_sided_p(interval_of(table.set_index("contrast").loc["leap_vs_chance"]))
    assert 0.025 / 2 < p_leap < 0.025
    assert all(study.beats_chance(table, "standard", m) for m in ("ours", "leap", "base"))
    assert study.holm_beats_chance(table, "standard", ("ours", "leap", "base")) == {"ours"}
    # uncorrected: Ours > LEAP agrees, LEAP > Base ties, so the chain ties; under Holm the
    # LEAP > Base link is between two methods at chance, and the chain is untestable
    assert study.verdict_of(scores, 0.5).verdict == "inconclusive"
    assert study.verdict_of(scores, 0.5, gates="holm").verdict == "not testable here"
    # a method reliably below the random-evidence row is named as such in the key number
    below = synthetic_scores({**PAPER_LIKE, "base": [0.01, 0.02, 0.01, 0.02, 0.015]})
    assert "below chance: Base at standard" in study.verdict_of(below, 0.5).key_number
    iv = interval_of(study.contrasts(below, 0.5).set_index("contrast").loc["base_vs_chance"])
    assert iv.high < 0 and study.one_sided_p(iv) > 0.9
