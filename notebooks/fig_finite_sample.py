# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Beyond the paper — How many samples does Algorithm 1 need?
#
# Theorem 1 is a population statement; Algorithm 1 runs $M K (K-1)/2$ finite-sample tests and
# marks a task on both segments of **any** pair it finds dependent. Two errors follow: with few
# samples, true dependences are missed; with many pairs at an uncorrected $\alpha = 0.05$
# (the paper's setting), false positives accumulate. We sweep the sample size on the paper's
# headline setting ($T = 20$, $M = 4$, linear-Gaussian, Fisher-z) and compare no correction with
# per-task Holm (family-wise error) and Benjamini–Hochberg (false discovery rate) corrections,
# and with the Simes rule (each segment × task entry's $K - 1$ pair p-values combined into one,
# so that $\alpha$ bounds each entry's false-positive rate). Intervals are 95% Student-t
# intervals of the mean over runs.

# %% tags=["parameters"]
profile = "paper"  # set by the runner: which parameter profile produced this page
output_dir = "../results/interactive/fig_finite_sample"  # a hand run writes here; the runner injects its own folder
sample_sizes = [100, 200, 500, 1000, 2000, 5000, 10000]  # samples per data set [each >= 10]
n_steps = 20  # sequence length T [>= 4]
n_tasks = 4  # number of tasks M [>= 1]
corrections = [
    "none",
    "holm",
    "fdr_bh",
    "simes",
]  # corrections of the paper's rule, and Simes [each one of: none, holm, fdr_bh, simes]
n_seeds = 10  # data sets per sample size [>= 1]
alpha = 0.05  # significance level [open 0..1]
seed = 0  # base seed [>= 0]
n_jobs = 2  # worker processes [>= 1]

# %%
import matplotlib.pyplot as plt

from specialist import claims
from specialist.experiments import comparisons
from specialist.experiments.layer1 import CHANCE, correction_recovery, runs_by_method
from specialist.outputs import notebook_outputs, say
from specialist.plotting import (
    BLACK,
    BLUE,
    GREEN,
    VERMILLION,
    legend_below,
    log_ticks,
    plot_chance,
    plot_mean_ci,
    use_style,
)
from specialist.stats import mean_interval
from specialist.sweep import run_grid

out = notebook_outputs("fig_finite_sample", globals())
use_style()
# one data set per (n, seed), scored under every correction
grid = {
    "n_samples": sample_sizes,
    "n_steps": [n_steps],
    "n_tasks": [n_tasks],
    "alpha": [alpha],
    "corrections": [corrections],
}
runs = (
    run_grid(correction_recovery, grid, n_seeds, base_seed=seed, n_jobs=n_jobs, blas_threads=1)
    .drop(columns=["corrections"])
    .pipe(runs_by_method)
    .rename(columns={"method": "correction"})
)
out.table(runs, "runs")
colors = {"none": VERMILLION, "holm": BLUE, "fdr_bh": GREEN, "simes": BLACK}
labels = {
    "none": "none (paper)",
    "holm": "Holm",
    "fdr_bh": "Benjamini–Hochberg",
    "simes": "Simes per entry",
}

# %% mystnb={"figure": {"name": "fig-fig_finite_sample", "caption": "Algorithm 1 with Fisher-z on linear-Gaussian collider sequences ($T = 20$, $M = 4$) against the sample size, without and with a per-task multiple-testing correction, and with the Simes rule (mean and 95% t interval over runs; dashed grey: the best constant matrix, the chance level, given the base rate). Left: accuracy of the segment × task matrix; right: F1 of its positive entries."}}
fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.8))
for ax, metric in zip(axes, ["accuracy", "f1"], strict=True):
    plot_mean_ci(ax, runs, "n_samples", metric, "correction", labels, colors, corrections)
    plot_chance(ax, runs.rename(columns={"correction": "method"}), "n_samples", metric, CHANCE)
    ax.set(
        xlabel="samples $n$",
        ylabel={"accuracy": "accuracy", "f1": "F1 of the positive entries"}[metric],
    )
    log_ticks(ax, sample_sizes)
    ax.tick_params(axis="x", labelrotation=45)
legend_below(fig, axes[0], ncol=3, title="multiple-testing correction (per task)")
out.figure(fig, "finite_sample")

# %%
table = runs.groupby(["correction", "n_samples"])[["accuracy", "mcc", "f1"]].mean().round(3)
out.table(table, "summary")
best = table["accuracy"].unstack("correction")
# every correction against the paper's rule on the same data sets (paired by seed), per n
vs_none = comparisons.compare(
    runs.rename(columns={"correction": "method"}),
    [c for c in corrections if c != "none"],
    ["none"],
    factors=["n_samples"],
    chance=CHANCE,
    labels=labels,
)
ends = (min(sample_sizes), max(sample_sizes))
paper_rule = {
    n: mean_interval(
        runs.loc[(runs["correction"] == "none") & (runs["n_samples"] == n), "accuracy"],
        bounds=(0, 1),
    )
    for n in ends
}
chance_acc = float(runs.loc[runs["correction"] == CHANCE, "accuracy"].mean())
differences = "; ".join(
    f"at n = {n:,}: " + comparisons.compare_text(vs_none, {"n_samples": n}, labels) for n in ends
)
finding = (
    f"Accuracy of each correction minus the paper's uncorrected rule, paired over the "
    f"{n_seeds} data sets of each n (95% t intervals; two rules at the best constant are no evidence, nor is a rule found ahead while at it): {differences}. The paper's rule "
    f"itself reaches {comparisons.mean_text(paper_rule[ends[0]])} at n = {ends[0]:,} and "
    f"{comparisons.mean_text(paper_rule[ends[1]])} at n = {ends[1]:,}; the best constant "
    f"scores {chance_acc:.2f} on the same data sets."
)
say(finding)
claims_list = [
    claims.claim(
        "Beyond the paper: how Algorithm 1's accuracy grows with the sample size, and whether "
        "a multiple-testing correction of the paper's uncorrected rule helps",
        claims.BEYOND,
        f"accuracy, correction − none: {differences}; none (paper) "
        f"{comparisons.mean_text(paper_rule[ends[0]])} → "
        f"{comparisons.mean_text(paper_rule[ends[1]])}",
        n_runs=int(n_seeds),
        chance=comparisons.chance_text(runs.rename(columns={"correction": "method"}))
        + " (mean over every n)",
        given={
            "Algorithm 1 under every rule": "the task variables g",
            "Best constant": "the true share of positive entries",
        },
        conditions=f"T = {n_steps}, M = {n_tasks}, linear-Gaussian, Fisher-z at α = {alpha:g}, "
        f"{n_seeds} data sets per n, n in {sample_sizes}; "
        + comparisons.compare_where(vs_none, "n_samples", "n", labels, lambda v: f"{int(v):,}"),
    )
]
out.metrics(
    accuracy={c: {int(n): float(v) for n, v in best[c].items()} for c in best.columns},
    claims=claims_list,
)
# one row per correction and metric, one column per sample size (fits the page's column)
words = {**labels, CHANCE: "best constant (chance)", "mcc": "MCC", "f1": "F1"}
table.rename_axis(columns="metric").stack().unstack("n_samples").rename(
    index=words, columns="n = {:,}".format
)
