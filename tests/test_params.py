"""Declared ranges of notebook parameters: refused before anything runs, and checked again
inside a notebook run by hand, with the same messages; a hand run writes inside the clone."""

import json

import pytest

from specialist.outputs import notebook_outputs
from specialist.paths import NOTEBOOKS_DIR, REPO_ROOT
from specialist.pipeline.params import (
    ConfigError,
    check_namespace,
    declared_parameters,
    parse_parameters_cell,
)

CELL = """\
n = 10  # samples [>= 10]
alpha = 0.05  # level [open 0..1]
grid = [2, 4]  # sizes [each >= 2]
kind = "mlp"  # map [one of: identity, mlp]
free = 3  # no range here
"""


def test_ranges_are_read_from_the_comments_and_checked():
    p = parse_parameters_cell(CELL)
    assert p["n"].accepted == ">= 10" and p["grid"].accepted == "each >= 2"
    assert p["free"].accepted == "" and p["free"].coerce(-7, "x") == -7
    assert p["alpha"].coerce(0.5, "x") == 0.5 and p["grid"].coerce([2, 9], "x") == [2, 9]
    for name, bad, said in [
        ("n", -5, "n must be >= 10"),
        ("alpha", 1.0, "alpha must be open 0..1"),
        ("grid", [2, 1], "grid must be a list whose every item is >= 2"),
        ("kind", "linear", "kind must be one of: identity, mlp"),
    ]:
        with pytest.raises(ConfigError, match=said):
            p[name].coerce(bad, "--set")


def test_every_notebook_declares_ranges_its_profiles_respect():
    names = sorted(f.stem for f in NOTEBOOKS_DIR.glob("*.py"))
    for name in names:
        declared = declared_parameters(name)
        ranged = [p for p in declared.values() if p.accepted]
        assert ranged, f"{name} declares no range"
        for p in ranged:
            p.coerce(p.default, name)  # the defaults are in range


def test_a_hand_run_checks_its_values_and_writes_inside_the_clone(tmp_path, monkeypatch):
    namespace = dict(profile="paper", output_dir="../results/interactive/fig2_band_set", seed="abc")
    with pytest.raises(ConfigError, match=r"seed must be an integer .* got a string 'abc'"):
        check_namespace("fig2_band_set", namespace)
    namespace["seed"] = -1
    with pytest.raises(ConfigError, match="seed must be >= 0"):
        notebook_outputs("fig2_band_set", namespace)
    monkeypatch.chdir(tmp_path)  # a hand run from anywhere
    namespace["seed"] = 3
    out = notebook_outputs("fig2_band_set", namespace)
    assert out.dir == REPO_ROOT / "results" / "interactive" / "fig2_band_set"
    record = json.loads((out.dir / "provenance.json").read_text())
    assert record["parameters"]["seed"] == 3 and record["profile"].startswith("interactive")
    runner = notebook_outputs("fig2_band_set", {**namespace, "output_dir": str(tmp_path / "s")})
    assert runner.dir == tmp_path / "s" and not (runner.dir / "provenance.json").exists()
