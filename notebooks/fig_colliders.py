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
# # Remark 1 — Why tasks are modelled as colliders
#
# The paper's Remark 1 argues that a task must be a **collider** of the actions that serve it:
# two steps of one coordinated plan become *dependent* once the plan is known, just as two
# causes of a common effect become dependent given the effect. If instead the task were a
# **confounder** (the task causes the actions) or a **mediator** (early actions cause the task,
# which causes later actions), the two steps would be *independent* given the task, and
# Algorithm 1's test would never fire.
#
# We draw the same interleaved structure under the three task roles (see the
# [Reconstruction notes](../reconstruction.md) for how each role is simulated), take two steps of
# one task, and ask the Fisher-z test whether their representative states are independent
# given the band set, with and without the task in the conditioning set. This is our
# illustration of the remark; the paper makes the argument in words.

# %% tags=["parameters"]
profile = "paper"  # set by the runner: which parameter profile produced this page
output_dir = "../results/paper/fig_colliders"  # set by the runner: where outputs are written
sample_sizes = [100, 300, 1000, 3000, 10000]  # samples per data set
roles = ["collider", "confounder", "mediator"]  # how the task enters the graph
n_seeds = 20  # data sets per (role, sample size)
alpha = 0.05  # significance level
seed = 0  # base seed
n_jobs = 2  # worker processes

# %%
import matplotlib.pyplot as plt

from specialist.experiments.layer1 import task_role_pvalue
from specialist.plotting import (
    BLUE,
    GREEN,
    ORANGE,
    VERMILLION,
    legend_below,
    log_ticks,
    plot_mean_std,
    use_style,
)
from specialist.report import Outputs, say
from specialist.sweep import run_grid

out = Outputs(output_dir)
use_style()
runs = run_grid(
    task_role_pvalue,
    {"task_role": roles, "n_samples": sample_sizes},
    n_seeds,
    base_seed=seed,
    n_jobs=n_jobs,
)
runs["dependent_given_task"] = (runs["pvalue_given_task"] < alpha).astype(float)
runs["dependent_band_only"] = (runs["pvalue_band_only"] < alpha).astype(float)
out.table(runs, "runs")
colors = {"collider": VERMILLION, "confounder": BLUE, "mediator": GREEN}

# %% mystnb={"figure": {"name": "fig-fig_colliders", "caption": "Fraction of data sets in which the Fisher-z test declares two steps of one task dependent (p < α), given the band set and the task (left) or the band set only (right), for three ways a task can enter the graph. Mean ± one standard deviation of the per-run indicator; the dotted line is α."}}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
for ax, col, title in [
    (axes[0], "dependent_given_task", "given band set and task $g_i$"),
    (axes[1], "dependent_band_only", "given band set only"),
]:
    plot_mean_std(ax, runs, "n_samples", col, "task_role", colors=colors, order=roles)
    ax.axhline(alpha, color=ORANGE, ls=":", lw=1.2)
    ax.set(xlabel="samples $n$", title=title, ylim=(-0.05, 1.05))
    log_ticks(ax, sample_sizes)
axes[0].set_ylabel("fraction declared dependent")
legend_below(fig, axes[0])
out.figure(fig, "task_roles")
plt.show()

# %%
table = (
    runs.groupby(["task_role", "n_samples"])[["dependent_given_task", "dependent_band_only"]]
    .mean()
    .unstack("n_samples")
    .round(2)
)
out.table(
    runs.groupby(["task_role", "n_samples"])[
        ["dependent_given_task", "dependent_band_only"]
    ].mean(),
    "rejection_rates",
)
largest = max(sample_sizes)
rates = runs[runs["n_samples"] == largest].groupby("task_role")["dependent_given_task"].mean()
sentence = (
    f"At n = {largest}, the two steps are declared dependent given the task in "
    + ", ".join(f"{rates[r]:.0%} of {r} runs" for r in roles)
    + "."
)
say(sentence)
out.metrics(dependent_given_task_at_max_n=rates.round(3).to_dict(), summary=sentence)
table
