"""The figure of the scaling page (Fig. B1): time, accuracy and memory of Algorithm 1 with
Fisher-z against the sequence length ``T`` and the number of samples ``n``.

The four decision rules keep the colours and markers of the rules of Ours on every page
(:data:`specialist.plotting.METHOD_COLORS`): the paper's rule is "Ours", and so on.

Backs
-----
fig_scaling
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from specialist.experiments.scaling import RULE_LABELS, RULES
from specialist.experiments.scaling_readings import stack_mb
from specialist.plotting import GREY, METHOD_COLORS, METHOD_MARKERS, METHOD_STYLES, log_ticks

#: each decision rule of the scaling study as the method of Ours it is on the other pages
RULE_METHOD = {"any": "ours", "any_holm": "ours_holm", "simes": "ours_simes"}
RULE_METHOD["bonferroni"] = "ours_bonferroni"


def _rule_style(rule: str) -> dict:
    method = RULE_METHOD[rule]
    return {"color": METHOD_COLORS[method], "marker": METHOD_MARKERS[method]}


def _time_panel(ax, runs, x, fit, label):
    for rule in RULES:
        ax.plot(runs[x], runs[f"{rule}:seconds"], ls="", ms=5, alpha=0.85, **_rule_style(rule),
                label=RULE_LABELS[rule])  # fmt: skip
    for key, marker, name in [
        ("causal_learn:seconds", "s", "causal-learn, one CIT per run"),
        ("causal_learn_per_test:seconds", "^", "causal-learn, a new CIT per test"),
    ]:
        part = runs[runs[key].notna()] if key in runs else runs.iloc[:0]
        if len(part):
            ax.plot(part[x], part[key], marker, ms=7, mfc="white", color=GREY, label=name)
    grid = np.geomspace(fit["x_min"], fit["x_max"], 20)
    ax.plot(grid, np.exp(fit["intercept"]) * grid ** fit["exponent"], "--", color="black",
            lw=1.2, label="power-law fit to the fastest run per setting")  # fmt: skip
    ax.text(0.97, 0.05, f"slope {fit['exponent']:.2f}", transform=ax.transAxes, ha="right")
    log_ticks(ax, sorted(set(runs[x])))
    log_ticks(ax, axis="y")
    ax.set(xlabel=label, ylabel="seconds per run")


def _accuracy_panel(ax, part, x, xlabel, title):
    means = part.groupby(["rule", x])[["accuracy", "relevant"]].mean().reset_index()
    for rule in RULES:
        r = means[means["rule"] == rule]
        ax.plot(r[x], r["accuracy"], ms=4, ls=METHOD_STYLES.get(RULE_METHOD[rule], "-"),
                **_rule_style(rule), label=RULE_LABELS[rule])  # fmt: skip
    rel = means[means["rule"] == "any"]
    ax.plot(rel[x], rel["relevant"], ":", color=GREY,
            label="share of relevant entries (accuracy of\nmarking every entry)")  # fmt: skip
    log_ticks(ax, sorted(set(part[x])))
    ax.set(xlabel=xlabel, ylabel="accuracy", ylim=(-0.02, 1.02), title=title)


def scaling_figure(
    by_steps: pd.DataFrame,
    by_samples: pd.DataFrame,
    accuracy: pd.DataFrame,
    fits: dict,
    settings: dict,
    width: int,
) -> plt.Figure:
    """Six panels, three rows of two: time against ``T`` and against ``n`` (a, b), accuracy of
    the default structures against ``T`` and ``n`` (c, d), accuracy of local tasks against
    ``T`` (e) and peak memory against ``T`` (f); one legend below.

    ``fits``: ``{"T": …, "n": …}`` of :func:`~specialist.experiments.scaling_readings.exponent_fits`
    (the ``"fastest"`` fit is drawn); ``settings``: ``scaling_tasks``, ``scaling_samples``,
    ``samples_steps``, ``samples_tasks``, ``local_max_segments``; ``width``: the side of
    Fisher-z's largest submatrix (:func:`~specialist.experiments.scaling_readings.fisherz_width`).

    Backs
    -----
    fig_scaling
    """
    s = settings
    fig, axes = plt.subplots(3, 2, figsize=(7.6, 9.4), layout="constrained")
    sweep_t = f"$M$ = {s['scaling_tasks']}, $n$ = {s['scaling_samples']:,}"
    sweep_n = f"$T$ = {s['samples_steps']}, $M$ = {s['samples_tasks']}"
    _time_panel(axes[0, 0], by_steps, "n_steps", fits["T"]["fastest"], "sequence length $T$")
    axes[0, 0].set_title(f"(a) time against $T$ ({sweep_t})")
    _time_panel(axes[0, 1], by_samples, "n_samples", fits["n"]["fastest"], "samples $n$")
    axes[0, 1].set_title(f"(b) time against $n$ ({sweep_n})")
    default = accuracy[accuracy["condition"] == "default"]
    _accuracy_panel(axes[1, 0], default, "T", "sequence length $T$",
                    "(c) accuracy against $T$, default structures")  # fmt: skip
    n_acc = pd.DataFrame(
        [
            {"n": r["n_samples"], "rule": rule, "accuracy": r[f"{rule}:accuracy"],
             "relevant": r["true_rate"]}
            for r in by_samples.to_dict("records")
            for rule in RULES
        ]
    )  # fmt: skip
    _accuracy_panel(axes[1, 1], n_acc, "n", "samples $n$",
                    "(d) accuracy against $n$, default structures")  # fmt: skip
    local = accuracy[accuracy["condition"] == "local"]
    _accuracy_panel(axes[2, 0], local, "T", "sequence length $T$",
                    f"(e) accuracy against $T$, local tasks (2 to {s['local_max_segments']} "
                    "segments)")  # fmt: skip
    ax = axes[2, 1]
    ax.plot(by_steps["n_steps"], by_steps["data_mb"], "s--", ms=8, color=GREY, mfc="white",
            label="the data (states and tasks)")  # fmt: skip
    ax.plot(by_steps["n_steps"], by_steps["peak_mb"], "o-", color=METHOD_COLORS["ours"],
            label="peak memory of one run")  # fmt: skip
    ax.plot(by_steps["n_steps"], stack_mb(by_steps["n_tests"], width), ":", color="black",
            label="one stack of every test (estimate)")  # fmt: skip
    log_ticks(ax, sorted(set(by_steps["n_steps"])))
    log_ticks(ax, axis="y")
    ax.set(xlabel="sequence length $T$", ylabel="MB", title="(f) peak memory against $T$")
    ax.legend(loc="upper left", fontsize=8)
    for ax in axes.flat:
        ax.tick_params(axis="x", labelrotation=45)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    h2, l2 = axes[1, 0].get_legend_handles_labels()
    fig.legend(handles + h2[-1:], labels + l2[-1:], loc="outside lower center", ncol=2)
    return fig
