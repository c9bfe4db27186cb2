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
# # Beyond the paper — Scaling of Algorithm 1 to long sequences and large samples
#
# Beyond the paper: its Table 2 ([our page](tab2_runtime.ipynb)) times Algorithm 1 at
# $T = 20$, $M = 4$. Here Fisher-z is taken far beyond those sizes.
#
# Two sweeps on collider data (`simulate_collider`: linear-Gaussian, scalar states, $L = 2$,
# the generator's default structure), with the settings of this profile's parameters:
#
# * **in $T$** (at fixed $M$ and $n$; the paper profile goes to $T = 1{,}000$, i.e. $K = 500$
#   segments and 1.25 million tests at $M = 10$, $n = 10{,}000$);
# * **in $n$** (at $T = 20$, $M = 4$, the paper's Table 2 setting; up to $n = 10^6$).
#
# A setting's time is the median wall time of whole runs of Algorithm 1 (the fit of the test
# included), measured for each of four **decision rules**: the paper's (an entry is marked if
# any of its $K - 1$ pair tests is dependent at $\alpha = 0.05$), the same with a Holm correction
# within each task, and the entry-wise Simes and Bonferroni combinations of the $K - 1$ pair
# p-values (see `discover_task_structure`). The rules share every pair test and differ only in
# the last, cheap step, so their times agree; each is timed on its own all the same. With scalar
# states the tests reach Fisher-z as arrays of column indices and are answered in stacks of a
# fixed number of submatrices, so memory does not grow with the number of tests beyond the
# result arrays. **Peak memory** is measured with `tracemalloc` (which sees NumPy's buffers):
# the peak of the memory allocated during one untimed run of the paper's rule, above what was
# held before it (the data set itself is not counted).
#
# The **exponent** of each sweep is the least-squares slope of $\log$ time on $\log T$ (or
# $\log n$), fitted on the upper part of the range only, where fixed per-run costs no longer
# dominate (the sentences below name the points used), and on each setting's fastest run of
# any rule: the rules do the same work, and the fastest run is the one least disturbed by
# other processes on the machine (the table shows every rule's median). **Accuracy** is the fraction of segment
# $\times$ task entries decided correctly, on the timed data sets and, as a second condition, on
# structures whose tasks are *local* (each spans 2 to a few segments, so a task's dependence on
# one step does not fade as $T$ grows). **causal-learn**'s `CIT(data, "fisherz")`, called once
# per query on the same queries, is the yardstick at the small settings, in two forms: one `CIT`
# object per run (its correlation matrix computed once) and a fresh `CIT` per query.

# %% tags=["parameters"]
profile = "paper"  # set by the runner: which parameter profile produced this page
output_dir = "../results/interactive/fig_scaling"  # a hand run writes here; the runner injects its own folder
seed = 0  # data seed
scaling_steps = [10, 20, 50, 100, 200, 500, 1000]  # T of the T sweep
scaling_tasks = 10  # M of the T sweep
scaling_samples = 10000  # n of the T sweep
samples_grid = [1000, 3000, 10000, 30000, 100000, 300000, 1000000]  # n of the n sweep
samples_steps = 20  # T of the n sweep
samples_tasks = 4  # M of the n sweep
fit_min_steps = 100  # the exponent in T is fitted on the points with T >= this
fit_min_samples = 100000  # the exponent in n is fitted on the points with n >= this
scaling_repeats = 5  # most timed runs per decision rule and setting (the median is reported)
scaling_budget_s = 1.0  # fewer runs once a rule's runs of a setting took this many seconds
local_max_segments = 4  # second accuracy condition: every task spans 2..this many segments
accuracy_seeds = 3  # data sets per (T, condition) for the accuracy; the first is the timed one
n_jobs = 2  # worker processes for the untimed accuracy runs (timings always run one by one)
causal_learn_max_steps = 20  # causal-learn is timed at the settings with T <= this
causal_learn_per_test_max_samples = 100000  # its fresh-CIT-per-query variant only at n <= this

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from specialist.experiments.scaling import RULE_LABELS, RULES, causal_learn_available, scaling_study
from specialist.experiments.scaling_readings import (
    accuracy_table,
    default_structures_note,
    exponent_fits,
    fisherz_width,
    rule_sentence,
    scaling_claims,
    scaling_metrics,
    scaling_table,
    stack_mb,
    timing_sentences,
)
from specialist.outputs import Outputs, say
from specialist.plotting import BLUE, GREEN, GREY, METHOD_COLORS, log_ticks, use_style

out = Outputs(output_dir)
use_style()
HAVE_CL = causal_learn_available()
by_steps, by_samples, accuracy_runs = scaling_study(
    scaling_steps, scaling_tasks, scaling_samples, samples_grid, samples_steps, samples_tasks,
    scaling_repeats, scaling_budget_s, local_max_segments, accuracy_seeds,
    causal_learn_max_steps, causal_learn_per_test_max_samples, seed, n_jobs,
)  # fmt: skip
out.table(pd.concat([by_steps.assign(sweep="T"), by_samples.assign(sweep="n")]), "scaling_runs")
accuracy = accuracy_table(accuracy_runs)
out.table(accuracy, "scaling_accuracy")

# %%
RULE_COLORS = {"any": METHOD_COLORS["ours"], "any_holm": METHOD_COLORS["ours_holm"],
               "simes": BLUE, "bonferroni": GREEN}  # fmt: skip
# Simes and Bonferroni often make the same decisions: different markers and lines keep both seen
RULE_MARKERS = {"any": "o", "any_holm": "X", "simes": "D", "bonferroni": "v"}
RULE_LINES = {"any": "-", "any_holm": "-", "simes": "-", "bonferroni": "--"}
scaling = pd.concat(
    [scaling_table(by_steps, "T"), scaling_table(by_samples, "n")], ignore_index=True
)
out.table(scaling, "scaling")
scaling.style.format(
    {
        **{f"{r} (s)": "{:.4f}" for r in RULES},
        "peak MB": "{:.1f}",
        "data MB": "{:.1f}",
        "causal-learn, one CIT per run (s)": "{:.4f}",
        "causal-learn, one CIT per test (s)": "{:.3f}",
        "ours / causal-learn per run": "{:.3f}",
        "ours / causal-learn per test": "{:.4f}",
        "tests": "{:,}",
        "n": "{:,}",
    },
    na_rep="–",
).hide(axis="index")

# %%
fits = {
    "T": exponent_fits(by_steps, "n_steps", fit_min_steps),
    "n": exponent_fits(by_samples, "n_samples", fit_min_samples),
}
width = fisherz_width()  # scalar states and tasks: the largest submatrix of a query

# %% mystnb={"figure": {"name": "fig-fig_scaling", "caption": "Scaling of Algorithm 1 with Fisher-z on this machine. Top: against the sequence length $T$ (fixed $M$, $n$); bottom: against the number of samples $n$ ($T = 20$, $M = 4$). Left: median wall time per run (test fitting included) for each decision rule, causal-learn's per-query Fisher-z at the small settings, and the least-squares fit of $\\log$ time on $\\log T$ (or $\\log n$) over the points it is drawn on. Middle and top right: accuracy per rule; the grey dotted line is the fraction of relevant entries, the accuracy of marking every entry. Bottom right: peak memory of one run (tracemalloc) against $T$, next to the size of the data and of one unchunked stack of all submatrices."}}
fig, axes = plt.subplots(2, 3, figsize=(14, 8))


def time_panel(ax, runs, x, fit, label):
    for rule in RULES:
        ax.plot(
            runs[x],
            runs[f"{rule}:seconds"],
            RULE_MARKERS[rule],
            ms=5,
            color=RULE_COLORS[rule],
            label=RULE_LABELS[rule],
            alpha=0.8,
        )
    for key, marker, name in [
        ("causal_learn:seconds", "s", "causal-learn, one CIT per run"),
        ("causal_learn_per_test:seconds", "^", "causal-learn, one CIT per test"),
    ]:
        part = runs[runs[key].notna()]
        if len(part):
            ax.plot(part[x], part[key], marker, ms=7, mfc="white", color=GREY, label=name)
    grid = np.geomspace(fit["x_min"], fit["x_max"], 20)
    ax.plot(
        grid,
        np.exp(fit["intercept"]) * grid ** fit["exponent"],
        "--",
        color="black",
        lw=1.2,
        label="least-squares fit, fastest run per setting",
    )
    ax.text(0.97, 0.05, f"slope {fit['exponent']:.2f}", transform=ax.transAxes, ha="right")
    log_ticks(ax, sorted(set(runs[x])))
    log_ticks(ax, axis="y")
    ax.set(xlabel=label, ylabel="seconds per run")
    ax.tick_params(axis="x", labelrotation=45)


def accuracy_panel(ax, part, x, title):
    means = part.groupby(["rule", x])[["accuracy", "relevant"]].mean().reset_index()
    for rule in RULES:
        r = means[means["rule"] == rule]
        ax.plot(
            r[x],
            r["accuracy"],
            RULE_MARKERS[rule] + RULE_LINES[rule],
            ms=4,
            color=RULE_COLORS[rule],
            label=RULE_LABELS[rule],
        )
    rel = means[means["rule"] == "any"]
    ax.plot(rel[x], rel["relevant"], ":", color=GREY, label="fraction of relevant entries")
    log_ticks(ax, sorted(set(part[x])))
    ax.set(
        xlabel=x if x != "T" else "sequence length T",
        ylabel="accuracy",
        ylim=(-0.02, 1.02),
        title=title,
    )
    ax.tick_params(axis="x", labelrotation=45)


time_panel(axes[0, 0], by_steps, "n_steps", fits["T"]["fastest"], "sequence length T")
axes[0, 0].set_title(f"time, M = {scaling_tasks}, n = {scaling_samples:,}")
accuracy_panel(
    axes[0, 1], accuracy[accuracy["condition"] == "default"], "T", "accuracy, default structures"
)
accuracy_panel(
    axes[0, 2],
    accuracy[accuracy["condition"] == "local"],
    "T",
    f"accuracy, local tasks (2..{local_max_segments} segments)",
)
time_panel(axes[1, 0], by_samples, "n_samples", fits["n"]["fastest"], "samples n")
axes[1, 0].set_title(f"time, T = {samples_steps}, M = {samples_tasks}")
n_acc = pd.DataFrame(
    [
        {
            "n": r["n_samples"],
            "rule": rule,
            "accuracy": r[f"{rule}:accuracy"],
            "relevant": r["true_rate"],
        }
        for r in by_samples.to_dict("records")
        for rule in RULES
    ]
)
accuracy_panel(axes[1, 1], n_acc, "n", "accuracy, default structures")
axes[1, 1].set_xlabel("samples n")
ax = axes[1, 2]
unchunked = stack_mb(by_steps["n_tests"], width)  # one stack of every submatrix and inverse
ax.plot(
    by_steps["n_steps"],
    by_steps["data_mb"],
    "s--",
    ms=9,
    color=GREY,
    mfc="white",
    label="data (states and tasks)",
)
ax.plot(
    by_steps["n_steps"],
    by_steps["peak_mb"],
    "o-",
    color=METHOD_COLORS["ours"],
    label="peak memory of one run",
)
ax.plot(by_steps["n_steps"], unchunked, ":", color="black", label="one unchunked stack (est.)")
log_ticks(ax, sorted(set(by_steps["n_steps"])))
log_ticks(ax, axis="y")
ax.set(xlabel="sequence length T", ylabel="MB", title="peak memory (tracemalloc)")
ax.tick_params(axis="x", labelrotation=45)
ax.legend(fontsize=8, loc="upper left")
handles, labels = axes[0, 0].get_legend_handles_labels()
h2, l2 = axes[0, 1].get_legend_handles_labels()
fig.legend(
    handles + h2[-1:], labels + l2[-1:], loc="lower center", ncol=4, bbox_to_anchor=(0.5, -0.01)
)
fig.tight_layout(rect=(0, 0.09, 1, 1))
out.figure(fig, "scaling")
plt.show()

# %%
sentences = timing_sentences(
    by_steps,
    by_samples,
    fits,
    {
        "T": f"M = {scaling_tasks}, n = {scaling_samples:,}",
        "n": f"T = {samples_steps}, M = {samples_tasks}",
    },
    width,
    causal_learn_max_steps if HAVE_CL else None,
)
say(*sentences)

# %%
default_text, default_mean = rule_sentence(
    accuracy, "default", "Default structures (each task on 2 to K segments)"
)
local_text, local_mean = rule_sentence(
    accuracy, "local", f"Local tasks (each on 2 to {local_max_segments} segments)"
)
note = default_structures_note(default_mean, accuracy["T"].max(), scaling_samples)
say(default_text, local_text, note)

# %%
settings = {
    "scaling_tasks": scaling_tasks,
    "scaling_samples": scaling_samples,
    "samples_steps": samples_steps,
    "samples_tasks": samples_tasks,
    "local_max_segments": local_max_segments,
    "accuracy_seeds": accuracy_seeds,
}
claims_list = scaling_claims(by_steps, accuracy, fits, local_mean, settings)
out.metrics(
    scaling=scaling_metrics(
        by_steps,
        by_samples,
        fits,
        {"default": default_mean, "local": local_mean},
        HAVE_CL,
        " ".join(sentences + [default_text, local_text, note]),
    ),
    claims=claims_list,
)
