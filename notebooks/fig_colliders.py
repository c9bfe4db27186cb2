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
# [Reconstruction notes](../reconstruction.md) for how each role is simulated): $T = 10$,
# $L = 2$, task $g_1$ on segments $S_2, S_4$ and task $g_2$ on $S_1, S_3, S_5$, so that the two
# segments of $g_1$ are not adjacent and a segment of $g_2$ lies between them. We take the
# representative states of $g_1$'s two segments, $s_4$ and $s_8$, and ask the Fisher-z test
# whether they are independent given the band set $\{s_3, s_5, s_7, s_9\}$, with and without
# $g_1$ in the conditioning set. This is our illustration of the remark; the paper makes the
# argument in words. A rate is the fraction of data sets with $p < \alpha$; its band and
# brackets are a Wilson 95% score interval over the data sets, which, unlike a mean ± SD band,
# stays inside $[0, 1]$.

# %% tags=["parameters"]
profile = "paper"  # set by the runner: which parameter profile produced this page
output_dir = "../results/interactive/fig_colliders"  # a hand run writes here; the runner injects its own folder
sample_sizes = [100, 300, 1000, 3000, 10000]  # samples per data set [each >= 10]
roles = [
    "collider",
    "confounder",
    "mediator",
]  # how the task enters the graph [each one of: collider, confounder, mediator]
n_seeds = 20  # data sets per (role, sample size) [>= 1]
alpha = 0.05  # significance level [open 0..1]
seed = 0  # base seed [>= 0]
n_jobs = 2  # worker processes [>= 1]

# %%
import matplotlib.pyplot as plt
import pandas as pd

from specialist import claims
from specialist.experiments import comparisons
from specialist.experiments.layer1 import task_role_pvalue
from specialist.outputs import notebook_outputs, say
from specialist.plotting import (
    BLUE,
    GREEN,
    ORANGE,
    VERMILLION,
    legend_below,
    log_ticks,
    plot_rates_wilson,
    use_style,
)
from specialist.sweep import run_grid

out = notebook_outputs("fig_colliders", globals())
use_style()
runs = run_grid(
    task_role_pvalue,
    {"task_role": roles, "n_samples": sample_sizes},
    n_seeds,
    base_seed=seed,
    n_jobs=n_jobs,
    blas_threads=1,
)
runs["dependent_given_task"] = (runs["pvalue_given_task"] < alpha).astype(float)
runs["dependent_band_only"] = (runs["pvalue_band_only"] < alpha).astype(float)
out.table(runs, "runs")
colors = {"collider": VERMILLION, "confounder": BLUE, "mediator": GREEN}

# %% mystnb={"figure": {"name": "fig-fig_colliders", "caption": "Fraction of data sets in which the Fisher-z test declares the two segments of one task dependent (p < α), given the band set and the task (left) or the band set only (right), for three ways a task can enter the graph. Bands: Wilson 95% interval of the rate over the data sets at each sample size; the dotted line is α."}}
fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.6), sharey=True)
rates = {}
for ax, col, title in [
    (axes[0], "dependent_given_task", "given band set and task $g_i$"),
    (axes[1], "dependent_band_only", "given band set only"),
]:
    rates[col] = plot_rates_wilson(
        ax, runs, "n_samples", col, "task_role", colors=colors, order=roles
    )
    ax.axhline(alpha, color=ORANGE, ls=":", lw=1.2)
    ax.set(xlabel="samples $n$", title=title, ylim=(-0.03, 1.03))
    log_ticks(ax, sample_sizes)
axes[0].set_ylabel("fraction declared dependent")
legend_below(fig, axes[0], title="how the task enters the graph")
out.figure(fig, "task_roles")


# %%
def rate_text(row) -> str:
    """``"97% [92%, 99%]"``: the rate and its Wilson 95% interval."""
    return f"{row['rate']:.0%} [{row['low']:.0%}, {row['high']:.0%}]"


# one row per (role, n): runs, and for each conditioning set the rate with its Wilson interval
keys = ["task_role", "n_samples"]
given, band = (
    rates[c].set_index(keys).drop(columns="trials")
    for c in ("dependent_given_task", "dependent_band_only")
)
rejection = pd.concat({"given_task": given, "band_only": band}, axis=1)
rejection.columns = [f"{cond}_{stat}" for cond, stat in rejection.columns]
rejection.insert(0, "runs", rates["dependent_given_task"].set_index(keys)["trials"])
out.table(rejection.round(4), "rejection_rates")

largest = max(sample_sizes)
at_max = rates["dependent_given_task"].set_index("task_role")
at_max = at_max[at_max["n_samples"] == largest]
sentence = (
    f"At n = {largest} ({int(at_max['trials'].iloc[0])} data sets per role), the two segments "
    "are declared dependent given the task in "
    + ", ".join(f"{rate_text(at_max.loc[r])} of {r} runs" for r in roles)
    + " (rate [Wilson 95% interval])."
)
say(sentence)
# Remark 1 predicts dependence given g only for the collider, and without g only for the others
given_ok = comparisons.role_pattern(rates["dependent_given_task"], alpha, ["collider"])
band_ok = comparisons.role_pattern(
    rates["dependent_band_only"], alpha, [r for r in roles if r != "collider"]
)
claims_list = [
    claims.claim(
        "Remark 1, illustrated: given the band set and the task, a task's two segments are "
        "dependent if the task is a collider, independent if it is a confounder or a mediator",
        claims.BEYOND,
        f"declared dependent given g at n = {largest:,}: "
        + ", ".join(f"{r} {rate_text(at_max.loc[r])}" for r in roles)
        + f" (Wilson 95%, α = {alpha:g}); only the collider above α at "
        f"{int(given_ok['as_predicted'].sum())} of {len(given_ok)} sample sizes, and without g "
        f"only the other roles at {int(band_ok['as_predicted'].sum())} of {len(band_ok)}",
        n_runs=int(at_max["trials"].iloc[0]),
        chance=f"α = {alpha:g}: the rate at which a test at level α declares an independent "
        "pair dependent (the dotted line of the figure); a rate whose Wilson interval lies "
        "above α shows dependence",
        given={
            "Fisher-z test of the two segments": "the band set and, on the left, the task "
            "variable g_i",
        },
        conditions=f"our simulators of the three roles (Reconstruction notes): T = 10, L = 2, g_1 on S_2 "
        f"and S_4, Fisher-z, {n_seeds} data sets per role and n, n in {sample_sizes}; an "
        "illustration, not a test of the paper: the paper argues Remark 1 in words and we "
        "chose each role's graph, so the rates check our generators against the argument and "
        "cannot show whether real tasks are colliders",
    )
]
out.metrics(
    dependent_given_task_at_max_n=at_max["rate"].round(3).to_dict(),
    dependent_given_task_at_max_n_wilson95={
        r: [round(at_max.loc[r, "low"], 3), round(at_max.loc[r, "high"], 3)] for r in roles
    },
    summary=sentence,
    claims=claims_list,
)
shown = pd.DataFrame(
    {
        "runs": rejection["runs"],
        "given band set and task": given.apply(rate_text, axis=1),
        "given band set only": band.apply(rate_text, axis=1),
    }
)
shown
