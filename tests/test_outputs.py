"""Outputs: what notebooks write through; names checked, metrics merged, nothing returned."""

import json

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from specialist.outputs import Outputs  # noqa: E402


def test_outputs_write_figures_tables_and_merged_metrics(tmp_path):
    out = Outputs(tmp_path / "art")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    assert out.figure(fig, "line") is None  # a trailing call must not print a path on the page
    plt.close(fig)
    assert out.table(pd.DataFrame({"a": [1, 2]}), "tab") is None
    out.metrics(x=1, y=[1, 2])
    out.metrics(y=3)
    files = {p.name for p in (tmp_path / "art").iterdir()}
    assert files == {"line.png", "line.svg", "tab.csv", "metrics.json"}  # no temporary files
    assert json.loads(out.path("metrics.json").read_text()) == {"x": 1, "y": 3}
    assert out.path("tab.csv").read_text().splitlines() == ["a", "1", "2"]


def test_outputs_creates_a_missing_folder_and_its_parents(tmp_path):
    # a hand run's default, ../results/interactive/<artefact>, may not exist yet
    target = tmp_path / "results" / "interactive" / "art"
    out = Outputs(target)
    assert target.is_dir() and out.dir == target
    out.metrics(x=1)
    assert json.loads((target / "metrics.json").read_text()) == {"x": 1}


@pytest.mark.parametrize("name", ["", "Fig 1", "../escape", "a/b"])
def test_output_names_are_checked(tmp_path, name):
    with pytest.raises(ValueError, match="must be non-empty lower-case letters"):
        Outputs(tmp_path).table(pd.DataFrame({"a": [1]}), name)


def test_say_prints_outside_a_notebook(capsys):
    from specialist.outputs import say

    say("One finding.")
    say("First.", "Second.")
    assert capsys.readouterr().out == "One finding.\n- First.\n- Second.\n"
    with pytest.raises(ValueError, match="non-empty strings"):
        say()


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_result_files_get_the_umasks_permissions(tmp_path, umask, mode):
    # what a plain open(path, "w") would give, not the temporary file's owner-only 0o600
    import os

    old = os.umask(umask)
    try:
        out = Outputs(tmp_path / "art")
        fig, ax = plt.subplots()
        out.figure(fig, "f")
        plt.close(fig)
        out.table(pd.DataFrame({"a": [1]}), "t")
        out.metrics(x=1)
    finally:
        os.umask(old)
    for path in (tmp_path / "art").iterdir():
        assert path.stat().st_mode & 0o777 == mode, path.name
