"""The Fig. 4 page's three charts: mAP per method, difficulty and IoU threshold
(:func:`map_figure`), the paired contrasts (:func:`contrasts_figure`) and the specialist's ℓ1
path (:func:`path_figure`). Each returns the figure; the page saves and shows it.

Backs
-----
fig4_sportshhi
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from specialist.experiments.interactions.design import (
    DIFFICULTIES,
    GIVEN,
    METHODS,
    PAPER_MAP,
    SHORT_LABELS,
)
from specialist.experiments.interactions.tables import CONTRASTS, contrast_label
from specialist.labels import with_given
from specialist.plotting import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    VERMILLION,
    bar_with_points,
)

#: the methods the mAP figure shows (the oracle and chance are lines), with their colours
METHOD_COLORS = {
    "base": GREY,
    "leap": BLUE,
    "linear": GREEN,
    "dense": SKY_BLUE,
    "dense_matched": PURPLE,
    "ours": VERMILLION,
}


def map_figure(
    scores: pd.DataFrame, difficulties: Sequence[str], iou_thresholds: Sequence[float]
) -> plt.Figure:
    """mAP per difficulty (rows) and IoU threshold (columns): one dot per play, bars at the
    mean with 95% t intervals, the paper's values as black ticks, the true states dashed and
    chance dotted; under each bar what the method is given.

    Backs
    -----
    fig4_sportshhi
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    methods = [m for m in METHODS if m not in ("oracle", "chance")]
    scores = scores[scores["metric"] == "map"]
    fig, axes = plt.subplots(
        len(difficulties), len(iou_thresholds), figsize=(7.6, 1.75 * len(difficulties) + 1.9),
        sharex=True, sharey=True, squeeze=False, layout="constrained",
    )  # fmt: skip
    for r, difficulty in enumerate(difficulties):
        for c, iou in enumerate(iou_thresholds):
            ax = axes[r, c]
            part = scores[(scores["difficulty"] == difficulty) & np.isclose(scores["iou"], iou)]
            for j, m in enumerate(methods):
                values = part.loc[part["method"] == m, "value"]
                bar_with_points(ax, j, values, METHOD_COLORS[m], interval="ci")
                if m in PAPER_MAP:
                    ax.plot([j - 0.3, j + 0.3], [PAPER_MAP[m]] * 2, color="black", lw=2)
            oracle = part.loc[part["method"] == "oracle", "value"].mean()
            ax.axhline(oracle, color=GREY, ls="--", lw=1.2)
            chance = part.loc[part["method"] == "chance", "value"].mean()
            ax.axhline(chance, color="black", ls=":", lw=1.4)
            ax.set_xticks(range(len(methods)), [SHORT_LABELS[m] for m in methods])
            ax.tick_params(axis="x", labelrotation=40)
            ax.set(ylim=(0, 1.05))
            ax.set_title(f"{DIFFICULTIES[difficulty]['label']}, IoU ≥ {iou:g}", fontsize=8.5)
            if c == 0:
                ax.set_ylabel("mAP")
    handles = [Patch(color=METHOD_COLORS[m], alpha=0.6, label=with_given(SHORT_LABELS[m], GIVEN[m]))
               for m in methods]  # fmt: skip
    handles += [
        Line2D([], [], color="black", lw=2, label="paper (real SportsHHI)"),
        Line2D([], [], color=GREY, ls="--", label="Algorithm 1 on the true states"),
        Line2D([], [], color="black", ls=":", label="chance (random evidence)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=8)
    return fig


def contrasts_figure(first: pd.DataFrame, difficulties: Sequence[str], iou: float) -> plt.Figure:
    """The paired contrasts at one IoU threshold (``first``: :func:`contrasts` rows at it),
    per difficulty: mean and 95% t interval of each, chance contrasts last.

    Backs
    -----
    fig4_sportshhi
    """
    names = [n for n in CONTRASTS if not n.endswith("_vs_chance")]
    names += ["ours_vs_chance", "leap_vs_chance", "base_vs_chance"]
    fig, ax = plt.subplots(
        figsize=(7.6, 0.2 * len(names) * (len(difficulties) + 1) + 1.6), layout="constrained"
    )
    marker_colors = [VERMILLION, ORANGE, GREEN, BLUE, PURPLE, GREY]
    for c, difficulty in enumerate(difficulties):
        part = first[first["difficulty"] == difficulty].set_index("contrast")
        for j, name in enumerate(names):
            y = j * (len(difficulties) + 1) + c
            row = part.loc[name]
            ax.errorbar(
                row["estimate"], y,
                xerr=[[row["estimate"] - row["low"]], [row["high"] - row["estimate"]]],
                fmt="o", color=marker_colors[c % len(marker_colors)], capsize=3,
                label=DIFFICULTIES[difficulty]["label"] if j == 0 else None,
            )  # fmt: skip
    ax.axvline(0, color=GREY, lw=1)
    ticks = [j * (len(difficulties) + 1) + (len(difficulties) - 1) / 2 for j in range(len(names))]
    ax.set_yticks(ticks, [contrast_label(n) for n in names])
    ax.invert_yaxis()
    ax.set_xlabel(f"mAP difference at IoU ≥ {iou:g} (paired, 95% interval)")
    fig.legend(loc="outside lower center", ncol=3, title="difficulty")
    return fig


def path_figure(
    path: pd.DataFrame, scores: pd.DataFrame, difficulties: Sequence[str], iou: float
) -> plt.Figure:
    """The specialist's ℓ1 path per difficulty (``path``: :func:`path_table` at ``iou``): test
    and validation mAP against λ with chance dotted and how often the rule chose each λ
    (top), and the number of latents kept (bottom).

    Backs
    -----
    fig4_sportshhi
    """
    import textwrap

    fig, axes = plt.subplots(
        2, len(difficulties), figsize=(7.6, 5.0), sharex=True, sharey="row", squeeze=False,
        gridspec_kw={"height_ratios": [2.2, 1]}, layout="constrained",
    )  # fmt: skip
    lambdas = sorted(path["l1"].unique())
    xpos = {lam: j for j, lam in enumerate(lambdas)}
    for c, difficulty in enumerate(difficulties):
        part = path[path["difficulty"] == difficulty].sort_values("l1")
        x = [xpos[v] for v in part["l1"]]
        ax = axes[0, c]
        ax.errorbar(
            x, part["test_map"],
            yerr=[part["test_map"] - part["low"], part["high"] - part["test_map"]],
            fmt="o-", color=VERMILLION, capsize=3, label="test episodes",
        )  # fmt: skip
        ax.plot(x, part["val_map"], "s--", color=VERMILLION, alpha=0.55,
                label="validation episodes (the annotated rule reads them)")  # fmt: skip
        chance = scores[
            (scores["difficulty"] == difficulty)
            & (scores["method"] == "chance")
            & (scores["metric"] == "map")
            & np.isclose(scores["iou"], iou)
        ]["value"].mean()
        ax.axhline(chance, color="black", ls=":", lw=1.4, label="chance")
        for xi, n_chosen in zip(x, part["chosen"], strict=True):
            if n_chosen:
                ax.annotate(f"{n_chosen}×", (xi, 1.0), ha="center", va="bottom", fontsize=7.5)
        title = textwrap.fill(DIFFICULTIES[difficulty]["label"], 18)
        ax.set_title(title, fontsize=8.5)
        ax.set(ylim=(0, 1.15))
        if c == 0:
            ax.set_ylabel(f"mAP (IoU ≥ {iou:g})")
        colours = [GREY if v == 0 else VERMILLION for v in part["l1"]]
        axes[1, c].bar(x, part["block"], color=colours)
        labels = ["dense" if v == 0 else f"{v:g}" for v in lambdas]
        axes[1, c].set_xticks(range(len(lambdas)), labels, rotation=90)
        axes[1, c].set_xlabel("λ")
        if c == 0:
            axes[1, c].set_ylabel("latents kept")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, frameon=False)
    return fig


def frames_figure(scenario, sample, n_frames: int = 6) -> plt.Figure:
    """The first ``n_frames`` keyframes of ``sample``'s first episode of play ``scenario``: every
    player labelled P1, P2, … at its box, the two players of each ground-truth interaction boxed
    in that interaction's colour, and a legend of the interactions (class and players).

    Backs
    -----
    fig4_sportshhi
    """
    from matplotlib import patheffects
    from matplotlib.patches import Patch, Rectangle

    colors = [VERMILLION, BLUE, ORANGE, GREEN, PURPLE, SKY_BLUE]
    n_cols = min(3, n_frames)
    n_rows = -(-n_frames // n_cols)
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(7.0, 2.45 * n_rows + 0.7), squeeze=False, layout="constrained"
    )
    size = sample.frames.shape[-1]
    outline = [patheffects.withStroke(linewidth=2, foreground="black")]
    for t, ax in enumerate(axes.flat):
        ax.axis("off")
        if t >= n_frames:
            continue
        ax.imshow(sample.frames[0, t], cmap="gray", vmin=0, vmax=1)
        boxed = [0] * scenario.n_players  # a player in two interactions gets two nested boxes
        for i, inter in enumerate(scenario.interactions):
            if not scenario.step_assignment[t, i]:
                continue
            for p in inter.players:
                x1, y1, x2, y2 = sample.boxes[0, t, p] * size - 0.5
                pad = 0.8 * boxed[p]
                boxed[p] += 1
                box = Rectangle((x1 - pad, y1 - pad), x2 - x1 + 2 * pad, y2 - y1 + 2 * pad,
                                fill=False, lw=1.6, ec=colors[i])  # fmt: skip
                ax.add_patch(box)
        for p in range(scenario.n_players):
            x1, y1, _, _ = sample.boxes[0, t, p] * size - 0.5
            above = y1 - 0.3 - 0.8 * max(0, boxed[p] - 1)  # above the outer box
            ax.text(x1, above, f"P{p + 1}", color="white", fontsize=7.5, ha="left", va="bottom",
                    path_effects=outline)  # fmt: skip
        active = int(scenario.step_assignment[t].sum())
        ax.set_title(f"keyframe {t + 1}" + ("" if active else " (no interaction)"), fontsize=8.5)
    handles = [
        Patch(fill=False, ec=colors[i], lw=1.6,
              label=f"{scenario.class_names[x.label]}: P{x.p1 + 1}–P{x.p2 + 1}")
        for i, x in enumerate(scenario.interactions)
    ]  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", ncol=min(4, len(handles)),
               title="boxed: the two players of an interaction at that keyframe")  # fmt: skip
    return fig
