"""Tidy tables: the long reshaping of sweep results and the split of measured times from them."""

import pandas as pd
import pytest

from specialist.experiments import layer1
from specialist.experiments.layer1 import runs_by_method, structure_recovery
from specialist.experiments.tables import scores_long, split_timings, timed_columns


def _wide():
    return pd.DataFrame(
        {
            "n_steps": [8, 8],
            "replicate": [0, 1],
            "seed": [11, 12],
            "ours:accuracy": [0.9, 1.0],
            "ours:runtime_s": [0.013, 0.021],
            "ours:warnings": [0, 2],
            "cca:accuracy": [0.5, 0.6],
            "cca:runtime_s": [0.002, 0.003],
            "cca:warnings": [0, 0],
        }
    )


def test_timed_columns_match_the_metric_part_only():
    cols = ["runtime_s", "ours:runtime_s", "ours:accuracy", "runtime_s_total", "warnings"]
    assert timed_columns(cols) == ["runtime_s", "ours:runtime_s", "warnings"]
    assert timed_columns(cols, ["runtime_s"]) == ["runtime_s", "ours:runtime_s"]


def test_split_timings_of_wide_runs_keeps_results_and_timings_apart():
    wide = _wide()
    results, timings = split_timings(wide)
    assert list(results.columns) == [
        "n_steps",
        "replicate",
        "seed",
        "ours:accuracy",
        "cca:accuracy",
    ]
    assert list(timings.columns) == [
        "n_steps",
        "replicate",
        "seed",
        "ours:runtime_s",
        "ours:warnings",
        "cca:runtime_s",
        "cca:warnings",
    ]
    assert list(wide.columns) == list(_wide().columns)  # the input is left alone
    # long format of each part: scores without times, times with the same identifying columns
    long_results, long_timings = runs_by_method(results), runs_by_method(timings)
    assert "runtime_s" not in long_results and "warnings" not in long_results
    assert list(long_timings.columns) == [
        "n_steps",
        "replicate",
        "seed",
        "method",
        "runtime_s",
        "warnings",
    ]
    assert long_timings.set_index(["seed", "method"]).loc[(12, "ours"), "runtime_s"] == 0.021
    assert len(long_results) == len(long_timings) == 4


def test_split_timings_of_long_runs_needs_keys():
    long = runs_by_method(_wide())
    assert {"runtime_s", "warnings"} <= set(long.columns)  # runs_by_method keeps them
    with pytest.raises(ValueError, match="needs its identifying columns"):
        split_timings(long)
    with pytest.raises(ValueError, match="not timed"):
        split_timings(long, keys=["seed", "runtime_s"])
    with pytest.raises(ValueError, match="not timed"):
        split_timings(long, keys=["seed", "panel"])
    results, timings = split_timings(long, keys=["replicate", "seed", "method"])
    assert list(timings.columns) == ["replicate", "seed", "method", "runtime_s", "warnings"]
    assert "runtime_s" not in results and "warnings" not in results
    assert list(results["accuracy"]) == list(long["accuracy"])
    pd.testing.assert_frame_equal(
        results, long.drop(columns=["runtime_s", "warnings"]), check_like=False
    )


def test_split_timings_without_timed_columns_is_a_no_op():
    scores = pd.DataFrame({"seed": [1], "ours:accuracy": [1.0]})
    results, timings = split_timings(scores)
    pd.testing.assert_frame_equal(results, scores)
    assert list(timings.columns) == ["seed"]


def test_scores_long_needs_a_metric_part():
    with pytest.raises(ValueError, match="metric"):
        scores_long(_wide(), ["ours:accuracy"], ("method", "what"))


def test_layer1_runs_split_into_identical_results_and_a_timings_table():
    """The measured entries of structure_recovery and test_recovery are exactly the timed
    columns; everything else is recomputed identically on a second call."""
    kw = {"n_steps": 8, "n_tasks": 2, "n_samples": 400, "seed": 3}
    first = structure_recovery(**kw, methods=["ours", "cca"])
    second = structure_recovery(**kw, methods=["ours", "cca"])
    timed = timed_columns(first)
    # the chance reference costs nothing and is recorded as such (0 s, no warning)
    assert sorted(timed) == sorted(
        f"{m}:{t}" for m in ("ours", "cca", "best_constant") for t in ("runtime_s", "warnings")
    )
    assert first["best_constant:runtime_s"] == 0.0
    assert {k: v for k, v in first.items() if k not in timed} == {
        k: v for k, v in second.items() if k not in timed
    }
    fz = layer1.test_recovery(**kw, tests=["fisherz"], kind="linear")
    assert timed_columns(fz) == ["fisherz:runtime_s", "best_constant:runtime_s"]
