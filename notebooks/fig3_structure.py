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
# # Fig. 3 — Recovering which segments serve which task
#
# The paper's synthetic experiment: sequences drawn from the collider process (tasks are
# colliders of the actions of the steps that serve them), tasks interleaved at random over the
# segments, linear-Gaussian mechanisms, and Algorithm 1 with the Fisher-z test at
# $\alpha = 0.05$ (no multiple-testing correction, as in the paper). We score the estimated
# segment × task matrix against the truth:
#
# * **(a)** accuracy (fraction of correct entries) as the sequence grows, $T \in \{8, 10, \dots,
#   20\}$ with $M = \max(2, \mathrm{round}(T/5))$ tasks;
# * **(b)** Matthews correlation coefficient (MCC) on the same binary matrix as the number of
#   tasks grows, $M \in \{2, \dots, 10\}$ at $T = 20$.
#
# * **(c)** accuracy against $T$ as in (a), on sequences whose steps are each cut from the next
#   with probability `p_disconnect_c` (the paper's selling point: disconnected sequences).
#
# The baselines are our reconstructions; how each was turned into a segment × task estimate is
# on the [Reconstruction notes](../reconstruction.md) page. **Which information each one uses
# matters**: Ours, CCA, Group Lasso, the local test and "SelTask (sees g)" all use the task
# variables $g$; the original SelTask never sees them, and "SelTask (unsupervised)" is our
# original-like version (its subgoals are matched to the tasks on the truth, for scoring only).
# Known biases of our readings: CCA marks the ancestor segments of a task's steps (everything
# upstream correlates with $g_i$), Group Lasso the segment right after a relevant one (a child
# of a relevant action is in $g_i$'s Markov blanket), and SelTask (sees g) likewise the next
# segment (the leak $a_t \to s_{t+1}$).
#
# Each run draws one data set and scores every method on it, so comparisons are **paired**:
# intervals are 95% bootstrap intervals over runs and a difference whose interval covers 0 is
# a tie. Beside the paper's rule ("Ours": a segment gets a task if *any* of its $K-1$ pairs is
# dependent at $\alpha = 0.05$, no correction) we show two decision rules of our own: "Ours +
# Holm" (Holm over each task's pairs) and "Ours + Simes" (each entry's $K-1$ pair p-values
# combined into one, so that $\alpha$ bounds the per-entry error), and the "Local test"
# ablation, one test per entry. Without a combination, an entry that does not serve a task
# is tested $K - 1$ times and comes out "dependent" by chance with probability up to
# $1 - 0.95^{K-1}$ (37% at $K = 10$). How these verdicts move with the task density, the
# disconnection, the signal strength and $n$ is the subject of the
# [conditions atlas](fig3_conditions.ipynb).

# %% tags=["parameters"]
profile = "paper"  # set by the runner: which parameter profile produced this page
output_dir = "../results/interactive/fig3_structure"  # a hand run writes here; the runner injects its own folder
steps_grid = [8, 10, 12, 14, 16, 18, 20]  # panel (a): sequence lengths T
tasks_grid = [2, 3, 4, 5, 6, 7, 8, 9, 10]  # panel (b): numbers of tasks M
steps_b = 20  # panel (b): sequence length
p_disconnect_c = 1.0  # panel (c): probability that a step is cut from the next (1: i.i.d. steps)
n_samples = 10000  # samples per data set (paper: 10k)
n_seeds = 10  # random runs per setting (paper: 10)
alpha = 0.05  # significance level of every CI test (paper: 0.05)
seed = 0  # base seed; each run's seed derives from it and the setting
n_jobs = 2  # worker processes

# %%
import matplotlib.pyplot as plt
import pandas as pd

from specialist.experiments import claims
from specialist.experiments.layer1 import (
    ALL_METHODS,
    METHOD_LABELS,
    long_format,
    structure_recovery,
    tasks_for_steps,
)
from specialist.experiments.tables import split_timings
from specialist.experiments.verdicts import degradation_sentence, ordering_sentence, paired
from specialist.plotting import legend_below, plot_mean_ci, use_style
from specialist.report import Outputs, say
from specialist.stats import bootstrap_mean, verdict
from specialist.sweep import run_grid

out = Outputs(output_dir)
use_style()
common = {"n_samples": n_samples, "alpha": alpha}
grid_a = [{"n_steps": t, "n_tasks": tasks_for_steps(t), **common} for t in steps_grid]
grid_b = [{"n_steps": steps_b, "n_tasks": m, **common} for m in tasks_grid]
grid_c = [{**g, "p_disconnect": p_disconnect_c} for g in grid_a]


def sweep(grid):
    return long_format(
        run_grid(structure_recovery, grid, n_seeds, base_seed=seed, n_jobs=n_jobs, blas_threads=1)
    )


runs_a, runs_b, runs_c = sweep(grid_a), sweep(grid_b), sweep(grid_c)
runs = pd.concat(
    [runs_a.assign(panel="a"), runs_b.assign(panel="b"), runs_c.assign(panel="c")],
    ignore_index=True,
)
# measured wall times (and warning counts) differ between machines: they go to their own table
runs, timings = split_timings(
    runs, keys=["panel", "n_steps", "n_tasks", "replicate", "seed", "method"]
)
out.table(runs, "runs")
out.table(timings, "timings")
order = list(ALL_METHODS)
print(f"{len(runs) // len(order)} data sets, {len(order)} methods each")

# %% mystnb={"figure": {"name": "fig-fig3_structure", "caption": "Structure recovery on simulated collider sequences (mean and 95% bootstrap interval over runs; parameters in the provenance table). (a) Accuracy of the segment × task matrix against the sequence length $T$, with $M = \\max(2, \\mathrm{round}(T/5))$ tasks. (b) Matthews correlation coefficient against the number of tasks $M$ at $T = 20$. (c) Accuracy against $T$ as in (a) on disconnected sequences. SelTask (sees g) uses the task variables, which the original SelTask never sees."}}
fig, (ax_a, ax_b, ax_c) = plt.subplots(1, 3, figsize=(14, 4.0))
plot_mean_ci(ax_a, runs_a, "n_steps", "accuracy", "method", METHOD_LABELS, order=order)
ax_a.set(xlabel="sequence length $T$", ylabel="accuracy", title="(a) accuracy vs $T$")
plot_mean_ci(ax_b, runs_b, "n_tasks", "mcc", "method", METHOD_LABELS, order=order)
ax_b.set(
    xlabel="number of tasks $M$", ylabel="Matthews MCC", title=f"(b) MCC vs $M$ ($T$ = {steps_b})"
)
plot_mean_ci(ax_c, runs_c, "n_steps", "accuracy", "method", METHOD_LABELS, order=order)
ax_c.set(
    xlabel="sequence length $T$",
    ylabel="accuracy",
    title=f"(c) accuracy vs $T$, p_disconnect = {p_disconnect_c:g}",
)
legend_below(fig, ax_a, ncol=4)
fig.tight_layout(rect=(0, 0.13, 1, 1))
out.figure(fig, "structure")
plt.show()

# %% [markdown]
# ## Summary at the paper's headline setting
#
# Mean and 95% bootstrap interval over the runs at the largest $T$ of panel (a); "mean_cc" is
# the other reading of the paper's "MCC": the mean absolute correlation between true and
# estimated task columns after Hungarian matching (as in LEAP). A task column that is constant
# (a task on every segment) has no correlation, so this reading can be below 1 for an exact
# estimate.

# %%
last_t = max(steps_grid)
at_t = runs_a[runs_a["n_steps"] == last_t]
rows = []
for m in order:
    part = at_t[at_t["method"] == m]
    row = {"method": METHOD_LABELS[m]}
    for metric in ("accuracy", "mcc", "mean_cc", "f1", "fpr", "fnr"):
        iv = bootstrap_mean(part[metric].to_numpy())
        row[metric] = f"{iv.estimate:.3f} [{iv.low:.3f}, {iv.high:.3f}]"
    rows.append(row)
summary = pd.DataFrame(rows).set_index("method")
out.table(summary, "summary")
summary

# %% [markdown]
# ## Verdicts (computed from this run)

# %%
sentences = [
    ordering_sentence(at_t, "accuracy", f"accuracy at T = {last_t}", "seltask_g"),
    ordering_sentence(at_t, "accuracy", f"accuracy at T = {last_t}", "seltask_unsup"),
]
deg, slopes, slope_diffs = degradation_sentence(runs_b, ["cca", "group_lasso", "seltask_g", "ours"])
sentences.append(deg)
rule_parts = []
for m in ("ours_holm", "ours_simes", "local_test"):
    iv = paired(at_t, m, "ours", "accuracy")
    rule_parts.append(f"{METHOD_LABELS[m]} − Ours {iv.text()} ({verdict(iv)})")
sentences.append(
    f"Decision rules at T = {last_t} (paired accuracy differences against the paper's rule): "
    + "; ".join(rule_parts)
    + "."
)
at_tc = runs_c[runs_c["n_steps"] == last_t]
sentences.append(
    ordering_sentence(
        at_tc,
        "accuracy",
        f"accuracy at T = {last_t}, p_disconnect = {p_disconnect_c:g}",
        "seltask_g",
    )
)
say(*sentences)
acc = {
    m: bootstrap_mean(at_t.loc[at_t["method"] == m, "accuracy"].to_numpy()).as_dict() for m in order
}
# the claims page, from the same paired intervals. "Ours beats the baselines" is a conjunction,
# judged per T and per reading of SelTask (sees g; unsupervised, the original-like one)
readings = {r: ["cca", "group_lasso", r] for r in ("seltask_g", "seltask_unsup")}


def beats_baselines(runs_panel):
    vs = pd.concat(
        [
            claims.compare(runs_panel, ["ours"], b, factors=["n_steps"]).assign(seltask=r)
            for r, b in readings.items()
        ],
        ignore_index=True,
    )
    return vs, claims.per_condition(vs, ["seltask", "n_steps"])


def pairs(vs):
    return vs.drop_duplicates(["other", "n_steps"])


vs_a, cond_a = beats_baselines(runs_a)
vs_c, cond_c = beats_baselines(runs_c)
ours_c = bootstrap_mean(at_tc.loc[at_tc["method"] == "ours", "accuracy"].to_numpy())
where = (
    f"n = {n_samples:,}, {n_seeds} data sets per setting, Fisher-z at α = {alpha:g} without "
    "correction; SelTask (sees g) is given the task variables, which the original never sees"
)
ahead = "Ours ahead of CCA, Group Lasso and SelTask, by SelTask reading: "
claims_list = [
    claims.entry(
        "Ours recovers which segments serve which task more accurately than CCA, Group Lasso "
        "and SelTask (Fig. 3a: accuracy against T)",
        claims.table_verdict(cond_a),
        f"accuracy at T = {last_t}: " + claims.compare_text(pairs(vs_a), {"n_steps": last_t}),
        f"connected sequences, T in {steps_grid}, M = max(2, round(T/5)); {where}; "
        + ahead
        + claims.compare_where(cond_a, "n_steps", "T", group=["seltask"]),
    ),
    claims.entry(
        "Ours degrades most slowly as the number of tasks grows (Fig. 3b: MCC against M)",
        claims.slopes_verdict(slope_diffs),
        "fitted MCC slope per added task, Ours minus: "
        + "; ".join(
            claims.difference_text(
                METHOD_LABELS[m], iv, verdict(iv, "Ours slower", "Ours faster"), 3
            )
            for m, iv in slope_diffs.items()
        ),
        f"T = {steps_b}, M in {tasks_grid}; {where}; slopes fitted over all runs, paired "
        "bootstrap over replicates",
    ),
    claims.entry(
        "Algorithm 1 also recovers the structure of disconnected sequences, ahead of the "
        "baselines (the paper's setting allows i.i.d. steps; panel (c) is our test of it)",
        claims.table_verdict(cond_c),
        f"accuracy at T = {last_t}, p_disconnect = {p_disconnect_c:g}: Ours "
        f"{claims.mean_text(ours_c)}; " + claims.compare_text(pairs(vs_c), {"n_steps": last_t}),
        f"each step cut from the next with probability {p_disconnect_c:g}, T in {steps_grid}, "
        f"M = max(2, round(T/5)); {where}; "
        + ahead
        + claims.compare_where(cond_c, "n_steps", "T", group=["seltask"]),
    ),
]
out.metrics(
    accuracy_at_max_T=acc,
    mcc_by_M={
        m: {int(k): round(v, 4) for k, v in g.groupby("n_tasks")["mcc"].mean().items()}
        for m, g in runs_b.groupby("method")
    },
    mcc_slope_per_task={m: iv.as_dict() for m, iv in slopes.items()},
    comparison=sentences,
    n_runs=int(len(runs) // len(order)),
    claims=claims_list,
)

# %% [markdown]
# **Reading the result.** The sentences above are computed from this run, not written by
# hand: each states a paired difference with its 95% interval and calls it a tie when the
# interval covers 0. The paper's ordering is said to hold only when *every* link of the chain
# CCA < Group Lasso < SelTask < Ours is an interval above 0. Which SelTask stands in the chain
# changes the verdict: the paper's SelTask never saw $g$, ours "sees g" (a stronger baseline
# than the original) or is unsupervised (on this generator it cannot do better than chance,
# since the tasks are sinks of the graph and leave no trace in states and actions). The
# A verdict whose interval ends near 0 can change with the data sets drawn: to check one, run
# the same artefact on another seed stream, e.g.
# `python -m specialist reproduce --profile paper --only fig3_structure --set fig3_structure.seed=1`.
# The `timings.csv` table holds wall times and, per run and method, the warnings raised (SelTask's
# NMF step sometimes stops at its iteration limit).
