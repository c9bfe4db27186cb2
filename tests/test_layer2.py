"""Layer-2 experiments: one run scores every method on a fresh draw, "auto" in the experiment is
what a user gets, and the separation verdict follows its intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from specialist.experiments.layer2 import (
    METHODS,
    auto_vs_oracle,
    fit_run_models,
    layer2_run,
    layer2_runs,
    runs_by_method,
    separation,
    top_blocks,
    verdict_of,
)
from specialist.models import SparseTaskVAE
from specialist.simulate.mixing import simulate_mixing

SMALL = {"n_samples": 800, "n_test": 600, "n_latent": 8, "n_tasks": 3, "epochs": 8}


@pytest.fixture(scope="module")
def run():
    return layer2_run(
        seed=0, score_path=True, attacks=True, auto_path=[0.3, 3.0], l1_fixed=3.0, **SMALL
    )


def test_run_scores_every_method_and_the_path(run):
    for method in METHODS:
        for metric in ("r2_relevant", "r2_irrelevant", "r2_irrelevant_max", "block_size"):
            assert np.isfinite(run[f"{metric}:{method}"]), (metric, method)
        assert run[f"r2_irrelevant_max:{method}"] >= run[f"r2_irrelevant:{method}"] - 1e-12
    assert run["auto_l1"] in (0.0, 0.3, 3.0) and run["oracle_l1"] in (0.0, 0.3, 3.0)
    for lam in ("0", "0.3", "3"):
        assert f"support_f1:path={lam}" in run
    # the top-|I_k| read-out has exactly the true block sizes
    assert run["block_size:generalist_top"] == run["true_block_size"]
    assert run["r2_relevant:truth"] == pytest.approx(1.0, abs=0.02)
    # the chance reference has the ℓ1-auto block sizes; the attacks are scored too
    assert run["block_size:random"] == run["block_size:l1_auto"]
    for method in ("l1_auto@t0.2", "generalist@linear", "random@linear", "l1_down", "l1_up",
                   "random:l1_up"):  # fmt: skip
        assert np.isfinite(run[f"r2_relevant:{method}"]), method
    assert run["l1_down_l1"] <= run["auto_l1"] <= run["l1_up_l1"]


def test_runs_of_several_seeds_at_once_equal_the_single_runs(run):
    # seed 0 beside seed 5 in one ensemble: seed 0's run is the fixture's, to the last digit
    kwargs = {"score_path": True, "attacks": True, "auto_path": [0.3, 3.0], "l1_fixed": 3.0}
    together = layer2_runs([0, 5], **kwargs, **SMALL)
    assert together[0].keys() == run.keys()
    for key, value in run.items():
        assert together[0][key] == pytest.approx(value, abs=1e-9, nan_ok=True), key
    assert together[1]["r2_relevant:l1_auto"] != run["r2_relevant:l1_auto"]


def test_experiment_auto_is_what_a_user_gets():
    train = simulate_mixing(800, seed=3)
    models, table, _ = fit_run_models(
        train, 3, l1_fixed=3.0, l0=0.0, epochs=8, auto_path=[0.3, 3.0]
    )
    user = SparseTaskVAE(8, seed=3, epochs=8, auto_path=[0.3, 3.0])
    user.fit(train.observations, [train.task(k) for k in range(3)])
    assert user.l1_ == table.loc[table["chosen"], "l1"].item()
    assert np.allclose(user.task_mask_, models["l1_auto"].task_mask_, atol=1e-5)


def test_top_blocks_take_the_most_read_latents():
    class Fake:
        task_sensitivity_ = np.array([[0.1, 0.9, 0.5, 0.0], [1.0, 0.0, 0.0, 2.0]])

    assert [b.tolist() for b in top_blocks(Fake, [2, 1])] == [[1, 2], [3]]


def _long(irr_gap, rel_gap, n=6, seed=0, chance=0.2):
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n):
        noise = rng.normal(0, 0.01, 3)
        rows.append(
            {"seed": s, "method": "generalist", "r2_relevant": 0.95, "r2_irrelevant_max": 0.9}
        )
        rows.append(
            {
                "seed": s,
                "method": "l1_auto",
                "r2_relevant": 0.95 + rel_gap + noise[0],
                "r2_irrelevant_max": 0.9 - irr_gap + noise[1],
            }
        )
        for ref in ("random", "random_dense"):  # each model's own chance block
            rows.append(
                {
                    "seed": s,
                    "method": ref,
                    "r2_relevant": chance + noise[2],
                    "r2_irrelevant_max": 0.1,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "irr_gap, rel_gap, chance, expected",
    [
        (0.8, 0.0, 0.2, "agrees"),
        (0.8, -0.3, 0.2, "disagrees"),  # separated, but the relevant block is lost
        (0.0, -0.3, 0.2, "disagrees"),  # a tie on one part, lost on the other
        (0.8, -0.03, 0.2, "agrees"),  # kept within the 0.05 margin
        (0.0, -0.03, 0.2, "inconclusive"),  # both parts ties (0.05 margin covered)
        (-0.3, -0.3, 0.2, "disagrees"),  # leaks more and loses the block
        (0.8, 0.0, 0.97, "not testable here"),  # neither model beats its chance block
        (0.8, -0.5, 0.7, "disagrees"),  # ℓ1 at chance, the generalist above: the block is lost
    ],
)
def test_separation_verdict_follows_the_intervals(irr_gap, rel_gap, chance, expected):
    long = _long(irr_gap, rel_gap, chance=chance)
    if expected == "inconclusive":  # noisy data: neither part can be told apart
        rng = np.random.default_rng(1)
        long.loc[long["method"] == "l1_auto", "r2_irrelevant_max"] += rng.normal(0, 0.2, 6)
        long.loc[long["method"] == "l1_auto", "r2_relevant"] += rng.normal(0, 0.2, 6)
    result = separation(long)
    assert result["verdict"] == expected
    verdict, key, tally, _ = verdict_of({"c": long})
    assert verdict == expected and "paired t" in key
    if expected == "not testable here":
        assert "do not beat a random block" in result["reason"] and tally == "1 untestable"


def test_verdict_of_combines_the_conditions():
    verdict, key, tally, results = verdict_of({"a": _long(0.8, 0.0), "b": _long(-0.3, -0.3)})
    assert verdict == "mixed" and tally == "1 agree, 1 disagree"
    assert key == "a: agrees; b: disagrees" and set(results) == {"a", "b"}


def test_long_format_has_one_row_per_run_and_method(run):
    runs = pd.DataFrame([{**run, "replicate": 0, "seed": 0}, {**run, "replicate": 1, "seed": 1}])
    long = runs_by_method(runs)
    assert set(METHODS) <= set(long["method"])
    assert len(long) == 2 * long["method"].nunique()


def test_bad_settings_are_refused_before_training():
    with pytest.raises(ValueError, match="unknown model setting"):
        layer2_run(seed=0, depth=3, **SMALL)
    with pytest.raises(ValueError, match="task_kind must be one of"):
        layer2_run(seed=0, task_kind="matrix", **SMALL)


def test_auto_vs_oracle_pairs_each_data_set(run):
    runs = pd.DataFrame([{**run, "seed": 0}, {**run, "seed": 1}])
    found = auto_vs_oracle(runs, [0.3, 3.0])
    assert found["same"] == 2 * (run["auto_l1"] == run["oracle_l1"])
    assert found["at_edge"] == 2 * (run["auto_l1"] == 3.0)
    edge = auto_vs_oracle(runs.assign(auto_l1=[3.0, 0.3]), [0.3, 3.0])
    assert edge["at_edge"] == 1  # the largest λ of the path, once
    oracle = f"path={run['oracle_l1']:g}"
    expected = run["r2_relevant:l1_auto"] - run[f"r2_relevant:{oracle}"]
    assert found["relevant"].estimate == pytest.approx(expected)
    assert found["relevant"].n == 2
