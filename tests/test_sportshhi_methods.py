"""Fig. 4's pipeline: detections in the official format, scored by the official rule, and an
oracle check that true structure gives perfect mAP while no information gives little."""

from __future__ import annotations

import numpy as np
import pytest

from specialist.data.sportshhi import PREDICTION_COLUMNS, evaluate_map
from specialist.experiments.sportshhi import (
    base_features,
    player_evidence,
    predictions,
    sportshhi_run,
)
from specialist.simulate.sports import random_scenario, simulate_sports


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
    assert pred["score"].between(0, 1).all()
    result = evaluate_map(gt, pred, iou_threshold=0.9)
    assert result.map == pytest.approx(1.0)
    # no information at all (every candidate scored alike) is far from perfect
    flat = predictions(np.full_like(truth_evidence(play.scenario), 0.5), play, test)
    assert evaluate_map(gt, flat).map < 0.5


def test_algorithm1_on_true_states_ranks_the_truth_first(play):
    train = np.arange(1500)
    evidence = player_evidence(play.states[train][..., None], play.outcomes[train], 2)
    truth = truth_evidence(play.scenario) == 0
    # every true (player, interaction, segment) has stronger evidence than every false one
    assert evidence[truth].max() < 1e-3 < evidence[~truth].min()


def test_features_have_the_requested_shape(play):
    crops = play.crops(12)[:200]
    assert base_features(crops, 3, seed=0).shape == (200, 12, 4, 3)


def test_a_small_run_reports_every_method():
    result = sportshhi_run(300, 40, 4, 12, 4, 3, 2, 300.0, 100.0, 1, 0.005, (0.5,), seed=0)
    for method in ("base", "leap", "ours", "oracle"):
        assert 0.0 <= result[f"map_{method}_0.5"] <= 1.0
        assert 0.0 <= result[f"recall10_{method}_0.5"] <= 1.0
    assert 1 <= result["ours_kept"] <= 2
