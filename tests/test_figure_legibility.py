"""Figures a reader can read: every figure is shown at most a column wide, from a PNG of at least
150 dpi that the book links to, and its smallest text is at least 9 CSS pixels high as shown.

The unit tests measure the package's chart functions on small synthetic inputs, saved through
:class:`specialist.outputs.Outputs` as a notebook saves them; the pipeline test reads the
measurement every figure of the quick run carries on its page.
"""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from specialist import display  # noqa: E402
from specialist.outputs import Outputs  # noqa: E402
from specialist.plotting import (  # noqa: E402
    METHOD_COLORS,
    METHOD_MARKERS,
    legend_below,
    panel_heatmaps,
    plot_chance,
    plot_mean_ci,
    plot_rates_wilson,
    use_style,
)


@pytest.fixture(autouse=True)
def _style():
    with matplotlib.rc_context():
        use_style()
        yield
    plt.close("all")


class _Kernel:
    """Stands in for IPython's kernel: ``Outputs.figure`` displays what it saved."""

    def __init__(self, monkeypatch):
        import IPython
        import IPython.display

        self.shown = []
        monkeypatch.setattr(IPython, "get_ipython", lambda: object())
        monkeypatch.setattr(IPython.display, "display", lambda obj: self.shown.append(obj))


def _save(tmp_path, fig, monkeypatch, name="fig"):
    """Save through Outputs in a (stand-in) notebook: (displayed width, metadata, PNG width)."""
    kernel = _Kernel(monkeypatch)
    Outputs(tmp_path).figure(fig, name)
    (image,) = kernel.shown
    data, meta = image._repr_png_()
    with Image.open(tmp_path / f"{name}.png") as png:
        px = png.size[0]
    return meta["width"], meta["specialist"], px


# -- the measurement ----------------------------------------------------------------------------


def test_smallest_text_is_measured_at_the_displayed_size(tmp_path):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("big", fontsize=12)
    ax.text(0.5, 0.5, "tiny", fontsize=6)
    ax.set_xticks([])
    ax.set_yticks([])
    # a 4-inch figure is shown at its natural size: 6 pt are 8 CSS pixels
    px, text = display.smallest_text_px(fig, 200, 800)
    assert text == "tiny" and px == pytest.approx(8.0)
    # the same figure 16 inches wide (3,200 px at 200 dpi) is scaled down to the 768-px column
    px, _ = display.smallest_text_px(fig, 200, 3200)
    assert px == pytest.approx(6 * 200 / 72 * 768 / 3200)


def test_only_drawn_text_counts(tmp_path):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.text(0.5, 0.5, "hidden", fontsize=2, visible=False)
    ax.text(0.5, 0.5, "   ", fontsize=2)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("shown", fontsize=10)
    assert display.drawn_texts(fig) == [("shown", 10.0)]


def test_display_width_is_the_natural_size_capped_at_the_column():
    assert display.display_width(1000, 200) == 480
    assert display.display_width(4000, 200) == display.COLUMN_PX
    with pytest.raises(ValueError, match="dpi"):
        display.display_width(100, 0)


# -- what Outputs.figure shows --------------------------------------------------------------------


def test_a_figure_is_shown_at_the_column_from_a_high_resolution_png(tmp_path, monkeypatch):
    fig, ax = plt.subplots(figsize=(7.6, 3))
    ax.plot([0, 1], [0, 1], label="a line")
    ax.legend()
    width, meta, px = _save(tmp_path, fig, monkeypatch)
    assert width <= display.COLUMN_PX
    assert px / width * display.CSS_PX_PER_INCH >= 150, "embedded at 150 dpi or more"
    assert meta["smallest_text_px"] >= display.MIN_TEXT_PX
    assert (tmp_path / "fig.svg").is_file()
    assert not plt.fignum_exists(fig.number), "closed, so that the cell does not show it twice"


def test_a_figure_with_unreadable_text_is_named_in_a_warning(tmp_path, monkeypatch):
    fig, ax = plt.subplots(figsize=(15, 4))  # scaled to half its size in the column
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("far too small", fontsize=8)
    with pytest.warns(UserWarning, match="far too small"):
        width, meta, _ = _save(tmp_path, fig, monkeypatch)
    assert width == display.COLUMN_PX and meta["smallest_text_px"] < display.MIN_TEXT_PX


def test_low_resolution_is_refused(tmp_path):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="dpi"):
        Outputs(tmp_path).figure(fig, "f", dpi=100)


def test_outside_a_notebook_nothing_is_shown_and_the_figure_stays_open(tmp_path):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1])
    Outputs(tmp_path).figure(fig, "f")
    assert plt.fignum_exists(fig.number)
    with Image.open(tmp_path / "f.png") as png:
        assert png.info["dpi"][0] == pytest.approx(display.SAVE_DPI, abs=1)


# -- the package's charts on synthetic inputs ------------------------------------------------------


def _runs(methods, xs, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        [
            {"method": m, "T": x, "mcc": rng.uniform(0.6, 1.0), "hit": int(rng.random() < 0.5)}
            for m in methods
            for x in xs
            for _ in range(4)
        ]
    )


def test_mean_ci_with_a_legend_below_is_legible(tmp_path, monkeypatch):
    methods = ["cca", "group_lasso", "seltask_unsup", "pair_test", "local_test", "ours"]
    methods += ["ours_holm", "ours_simes"]
    runs = pd.concat([_runs(methods, [8, 12, 16, 20]), _runs(["best_constant"], [8, 20])])
    fig, axes = plt.subplots(2, 2, figsize=(7.6, 6.6), sharey=True)
    for ax in axes.flat:
        plot_mean_ci(ax, runs, "T", "mcc", "method", order=methods, bounds=(-1, 1), dodge=0.6)
        plot_chance(ax, runs, "T", "mcc")
        ax.set(title="(a) a panel title", xlabel="sequence length $T$")
    legend_below(fig, axes[0, 0], ncol=3)
    _, meta, _ = _save(tmp_path, fig, monkeypatch)
    assert meta["smallest_text_px"] >= display.MIN_TEXT_PX, meta


def test_methods_keep_distinct_colours_and_markers():
    layer1 = ["cca", "group_lasso", "seltask_unsup", "pair_test", "local_test", "ours"]
    layer1 += ["ours_holm", "ours_simes"]
    assert len({METHOD_COLORS[m] for m in layer1}) == len(layer1)
    assert len({METHOD_MARKERS[m] for m in layer1}) == len(layer1)


def test_dodged_groups_sit_side_by_side(tmp_path):
    runs = _runs(["ours", "cca"], [8, 10])
    fig, ax = plt.subplots()
    plot_mean_ci(ax, runs, "T", "mcc", "method", dodge=0.5)
    first, second = (line.get_xdata() for line in ax.get_lines()[:2])
    assert np.all(np.asarray(first) < [8, 10]) and np.all(np.asarray(second) > [8, 10])
    with pytest.raises(ValueError, match="dodge"):
        plot_mean_ci(ax, runs, "T", "mcc", "method", dodge=1.5)


def test_wilson_rates_are_legible(tmp_path, monkeypatch):
    runs = _runs(["fisherz", "cmi"], [100, 300, 1000])
    fig, ax = plt.subplots(figsize=(7.6, 3.2))
    plot_rates_wilson(ax, runs, "T", "hit", "method")
    ax.set(xlabel="samples n", ylabel="rate")
    ax.legend()
    _, meta, _ = _save(tmp_path, fig, monkeypatch)
    assert meta["smallest_text_px"] >= display.MIN_TEXT_PX


def test_heatmap_panels_are_legible_and_keep_the_whole_colour_scale(tmp_path, monkeypatch):
    rows, cols = [f"method {i}" for i in range(9)], [(d, s) for d in "abc" for s in (1, 2, 3)]
    values = {(r, c): (i * 9 + j) / 80 for i, r in enumerate(rows) for j, c in enumerate(cols)}
    fig = panel_heatmaps(
        lambda a, b, r, c: (values[(r, c)], f"{values[(r, c)]:.2f}"),
        ([0.0, 0.5, 1.0], [1000, 10000]),
        rows,
        cols,
        row_labels=rows,
        col_labels=[f"{d}, σ = {s}" for d, s in cols],
        panel_title=lambda a, b: f"n = {b:,}, disconnection {a:g}",
        colorbar="accuracy",
    )
    image = fig.axes[0].images[0]
    assert image.get_clim() == (0.0, 1.0)
    _, meta, _ = _save(tmp_path, fig, monkeypatch)
    assert meta["smallest_text_px"] >= display.MIN_TEXT_PX, meta


def test_the_collider_dag_is_legible(tmp_path, monkeypatch):
    from specialist.dag_drawing import draw_collider_dag
    from specialist.simulate import ColliderStructure

    assignment = np.zeros((5, 2), dtype=bool)
    assignment[[1, 3], 0] = True
    assignment[[0, 2, 3, 4], 1] = True
    fig, ax = plt.subplots(figsize=(7.6, 3.4))
    draw_collider_dag(ax, ColliderStructure(10, 2, 2, assignment), highlight=(1, 3, 0))
    _, meta, _ = _save(tmp_path, fig, monkeypatch)
    assert meta["smallest_text_px"] >= display.MIN_TEXT_PX, meta


# -- the quick run ------------------------------------------------------------------------------


@pytest.mark.pipeline
def test_every_figure_of_the_quick_run_is_legible_as_shown(quick_workspace, quick_outcomes):
    from specialist.pipeline import plan as plans

    seen = 0
    for name in plans.discover(quick_workspace):
        nb = json.loads(
            (quick_workspace.artefact_dir("quick", name) / "notebook.ipynb").read_text()
        )
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                if "image/png" not in output.get("data", {}):
                    continue
                meta = output.get("metadata", {}).get("image/png", {})
                info = meta.get("specialist", {})
                assert info, f"{name}: a figure not shown through Outputs.figure"
                assert int(meta["width"]) <= display.COLUMN_PX, (name, info)
                assert info["dpi"] >= display.MIN_DPI, (name, info)
                small = info["smallest_text_px"]
                assert small is None or small >= display.MIN_TEXT_PX, (name, info)
                seen += 1
    assert seen >= 20
