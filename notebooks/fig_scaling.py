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
seed = 0  # data seed [>= 0]
scaling_steps = [10, 20, 50, 100, 200, 500, 1000]  # T of the T sweep [each >= 4]
scaling_tasks = 10  # M of the T sweep [>= 1]
scaling_samples = 10000  # n of the T sweep [>= 10]
samples_grid = [1000, 3000, 10000, 30000, 100000, 300000, 1000000]  # n of the n sweep [each >= 10]
samples_steps = 20  # T of the n sweep [>= 4]
samples_tasks = 4  # M of the n sweep [>= 1]
fit_min_steps = 100  # the exponent in T is fitted on the points with T >= this [>= 1]
fit_min_samples = 100000  # the exponent in n is fitted on the points with n >= this [>= 1]
scaling_repeats = 5  # most timed runs per decision rule and setting (the median is reported) [>= 1]
scaling_budget_s = 1.0  # fewer runs once a rule's runs of a setting took this many seconds [> 0]
local_max_segments = 4  # second accuracy condition: every task spans 2..this many segments [>= 1]
accuracy_seeds = (
    3  # data sets per (T, condition) for the accuracy; the first is the timed one [>= 1]
)
n_jobs = 2  # worker processes for the untimed accuracy runs (timings always run one by one) [>= 1]
causal_learn_max_steps = 20  # causal-learn is timed at the settings with T <= this [>= 0]
causal_learn_per_test_max_samples = (
    100000  # its fresh-CIT-per-query variant only at n <= this [>= 0]
)

# %%
import pandas as pd

from specialist.experiments.scaling import RULES, causal_learn_available, scaling_study
from specialist.experiments.scaling_figure import scaling_figure
from specialist.experiments.scaling_readings import (
    accuracy_table,
    default_structures_note,
    exponent_fits,
    fisherz_width,
    rule_sentence,
    scaling_claims,
    scaling_metrics,
    scaling_table,
    timing_sentences,
)
from specialist.outputs import notebook_outputs, say
from specialist.plotting import use_style

out = notebook_outputs("fig_scaling", globals())
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

# %% mystnb={"figure": {"name": "fig-fig_scaling", "caption": "Scaling of Algorithm 1 with Fisher-z on this machine. (a, b) Median wall time per run (test fitting included) against the sequence length $T$ (at fixed $M$ and $n$) and against the number of samples $n$ (at $T = 20$, $M = 4$), for each decision rule (colours and markers of the rules of Ours on every page), with causal-learn's Fisher-z, called once per query, at the small settings; dashed: the power law fitted (least squares of $\\log$ time on $\\log T$ or $\\log n$) to the fastest run of each setting over the points it is drawn on, its slope in the corner. (c, d) Accuracy per rule on the timed structures against $T$ and against $n$; (e) accuracy on structures whose tasks are local; dotted grey: the share of relevant entries, the accuracy of a rule that marks every entry. (f) Peak memory of one run (tracemalloc) against $T$, next to the size of the data and of one stack holding every test's submatrix at once."}}
settings = {
    "scaling_tasks": scaling_tasks,
    "scaling_samples": scaling_samples,
    "samples_steps": samples_steps,
    "samples_tasks": samples_tasks,
    "local_max_segments": local_max_segments,
    "accuracy_seeds": accuracy_seeds,
}
fig = scaling_figure(by_steps, by_samples, accuracy, fits, settings, width)
out.figure(fig, "scaling")

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
