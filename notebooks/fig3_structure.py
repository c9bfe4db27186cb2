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
# intervals are 95% Student-t intervals over runs and a difference whose interval covers 0 is
# a tie. **Chance level**: every data set also scores the *best constant* matrix (all entries
# 0 or all 1, whichever is more accurate on the truth; it is given the base rate). On sparse
# tasks "no task anywhere" scores well above 0.5 in accuracy, and its MCC is 0; it is the
# dashed grey line of every panel. Two methods at the best constant are no evidence about each
# other, and neither is a method found ahead while at it (paired intervals): such a comparison
# is "untestable". Beside the paper's rule ("Ours": a segment gets a task if *any* of its $K-1$ pairs is
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
attack_seed = (
    1000  # attack "seed stream 1": panels (a), (c) rerun with base seed seed + attack_seed
)
n_jobs = 2  # worker processes

# %%
import matplotlib.pyplot as plt
import pandas as pd

from specialist import claims, labels
from specialist.experiments import comparisons
from specialist.experiments.layer1 import (
    ALL_METHODS,
    CHANCE,
    METHOD_GIVEN,
    METHOD_LABELS,
    legend_label,
    long_format,
    structure_recovery,
    tasks_for_steps,
)
from specialist.experiments.tables import split_timings
from specialist.experiments.verdicts import degradation_sentence, ordering_sentence, paired
from specialist.plotting import legend_below, plot_chance, plot_mean_ci, use_style
from specialist.report import Outputs, say
from specialist.stats import mean_interval, verdict
from specialist.sweep import run_grid

out = Outputs(output_dir)
use_style()
common = {"n_samples": n_samples, "alpha": alpha}
grid_a = [{"n_steps": t, "n_tasks": tasks_for_steps(t), **common} for t in steps_grid]
grid_b = [{"n_steps": steps_b, "n_tasks": m, **common} for m in tasks_grid]
grid_c = [{**g, "p_disconnect": p_disconnect_c} for g in grid_a]


def sweep(grid, base_seed=seed):
    return long_format(
        run_grid(
            structure_recovery, grid, n_seeds, base_seed=base_seed, n_jobs=n_jobs, blas_threads=1
        )
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
legend = {m: legend_label(m) for m in [*order, CHANCE]}
print(f"{runs['seed'].nunique()} data sets, {len(order)} methods and the best constant on each")

# %% mystnb={"figure": {"name": "fig-fig3_structure", "caption": "Structure recovery on simulated collider sequences (mean and 95% t interval over runs; parameters in the provenance table). (a) Accuracy of the segment × task matrix against the sequence length $T$, with $M = \\max(2, \\mathrm{round}(T/5))$ tasks. (b) Matthews correlation coefficient against the number of tasks $M$ at $T = 20$. (c) Accuracy against $T$ as in (a) on disconnected sequences. Dashed grey: the best constant matrix (chance level, given the base rate). Each legend entry says what the method is given beyond the observations; the original SelTask never sees g."}}
fig, (ax_a, ax_b, ax_c) = plt.subplots(1, 3, figsize=(14, 4.2))
panels = [
    (ax_a, runs_a, "n_steps", "accuracy"),
    (ax_b, runs_b, "n_tasks", "mcc"),
    (ax_c, runs_c, "n_steps", "accuracy"),
]
for ax, panel_runs, x, y in panels:
    bounds = (-1, 1) if y == "mcc" else (0, 1)  # the metric's range: no band leaves it
    plot_mean_ci(ax, panel_runs, x, y, "method", legend, order=order, bounds=bounds)
    plot_chance(ax, panel_runs, x, y, CHANCE, legend[CHANCE])
ax_a.set(xlabel="sequence length $T$", ylabel="accuracy", title="(a) accuracy vs $T$")
ax_b.set(
    xlabel="number of tasks $M$", ylabel="Matthews MCC", title=f"(b) MCC vs $M$ ($T$ = {steps_b})"
)
ax_c.set(
    xlabel="sequence length $T$",
    ylabel="accuracy",
    title=f"(c) accuracy vs $T$, p_disconnect = {p_disconnect_c:g}",
)
legend_below(fig, ax_a, ncol=4)
fig.tight_layout(rect=(0, 0.16, 1, 1))
out.figure(fig, "structure")
plt.show()

# %% [markdown]
# ## Summary at the paper's headline setting
#
# Mean and 95% t interval over the runs at the largest $T$ of panel (a), with the best
# constant (chance) as a row and, per method, its paired accuracy difference from it;
# "mean_cc" is the other reading of the paper's "MCC": the mean absolute correlation between
# true and estimated task columns after Hungarian matching (as in LEAP). A task column that is
# constant (a task on every segment, or the best constant itself) has no correlation, so this
# reading can be below 1 for an exact estimate.

# %%
last_t = max(steps_grid)
at_t = runs_a[runs_a["n_steps"] == last_t]
rows = []
for m in [*order, CHANCE]:
    part = at_t[at_t["method"] == m]
    row = {"method": METHOD_LABELS[m], "given": labels.given_text(METHOD_GIVEN[m])}
    for metric in ("accuracy", "mcc", "mean_cc", "f1", "fpr", "fnr"):
        iv = mean_interval(part[metric].to_numpy(), bounds=(-1, 1) if metric == "mcc" else (0, 1))
        row[metric] = f"{iv.estimate:.3f} [{iv.low:.3f}, {iv.high:.3f}]"
    row["accuracy − best constant"] = (
        "" if m == CHANCE else paired(at_t, m, CHANCE, "accuracy").text(3)
    )
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
degrading = ["cca", "group_lasso", "seltask_g", "ours"]
deg, slopes, slope_diffs = degradation_sentence(runs_b, degrading)
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

# %% [markdown]
# ## Claims, and our own choices attacked
#
# Each claim is read by one function from the runs (``comparisons.beats_baselines`` for
# panels (a) and (c), ``comparisons.paper_ordering`` for the paper's whole chain in panel (a),
# ``comparisons.degrades_slowest`` for (b)); the attacks call the same
# function with one of our choices changed: the decision rule (Ours + Holm instead of the
# paper's uncorrected rule), the metric the claim is decided on, and, for panels (a) and (c),
# a second seed stream (the panel rerun on other data sets).

# %%
# the second seed stream reruns panels (a) and (c) (the cheap ones; panel (b) costs as much
# as both together at the paper's scale)
runs_a1, runs_c1 = sweep(grid_a, seed + attack_seed), sweep(grid_c, seed + attack_seed)
seed_note = f"seed stream 1 (panel rerun, base seed {seed + attack_seed})"
readings = {
    "3a": {
        "main": comparisons.beats_baselines(runs_a),
        "Ours + Holm as Ours": comparisons.beats_baselines(runs_a, ours="ours_holm"),
        "decided on MCC instead of accuracy": comparisons.beats_baselines(runs_a, "mcc"),
        seed_note: comparisons.beats_baselines(runs_a1),
    },
    "3b": {
        "main": comparisons.degrades_slowest(runs_b, degrading),
        "Ours + Holm as Ours": comparisons.degrades_slowest(
            runs_b, [*degrading[:-1], "ours_holm"], "ours_holm"
        ),
        "decided on accuracy instead of MCC": comparisons.degrades_slowest(
            runs_b, degrading, metric="accuracy"
        ),
    },
    "order": {
        "main": comparisons.paper_ordering(runs_a),
        "Ours + Holm as Ours": comparisons.paper_ordering(runs_a, ours="ours_holm"),
        "decided on MCC instead of accuracy": comparisons.paper_ordering(runs_a, "mcc"),
        seed_note: comparisons.paper_ordering(runs_a1),
    },
    "3c": {
        "main": comparisons.beats_baselines(runs_c),
        "Ours + Holm as Ours": comparisons.beats_baselines(runs_c, ours="ours_holm"),
        "decided on MCC instead of accuracy": comparisons.beats_baselines(runs_c, "mcc"),
        seed_note: comparisons.beats_baselines(runs_c1),
    },
}


def attacks_of(claim_id):
    return [
        claims.attack(choice, r.verdict, r.key_number)
        for choice, r in readings[claim_id].items()
        if choice != "main"
    ]


# %%
where = (
    f"n = {n_samples:,}, {n_seeds} data sets per setting, Fisher-z at α = {alpha:g} without "
    "correction; Ours, CCA, Group Lasso and SelTask (sees g) are given the task variables g, "
    "which the original SelTask never sees; SelTask (unsupervised) is not (it is given the "
    "actions, and the truth matches its subgoals to tasks) and is left out of the verdicts: "
    "on this generator it has nothing to find, so a comparison with it cannot fail; two methods at the best constant are no evidence, and a method found ahead counts only if it beats the best constant"
)
given_a = labels.given_map(
    {
        METHOD_LABELS[m]: METHOD_GIVEN[m]
        for m in ("ours", "cca", "group_lasso", "seltask_g", "seltask_unsup", CHANCE)
    }
)
given_b = labels.given_map({METHOD_LABELS[m]: METHOD_GIVEN[m] for m in [*degrading, CHANCE]})


r_a, r_o, r_b, r_c = (readings[c]["main"] for c in ("3a", "order", "3b", "3c"))
ours_c = mean_interval(at_tc.loc[at_tc["method"] == "ours", "accuracy"].to_numpy(), bounds=(0, 1))
claims_list = [
    claims.claim(
        "Ours recovers which segments serve which task more accurately than CCA, Group Lasso "
        "and SelTask (Fig. 3a: accuracy against T)",
        r_a.verdict,
        r_a.key_number,
        n_runs=int(n_seeds),  # data sets behind each comparison (one setting)
        chance=comparisons.chance_text(at_t) + f" at T = {last_t}",
        given=given_a,
        conditions=f"connected sequences, T in {steps_grid}, M = max(2, round(T/5)); {where}; "
        + r_a.where,
        attacks=attacks_of("3a"),
        tally=r_a.tally,
        reason=r_a.reason,
    ),
    claims.claim(
        "The paper's ordering of the methods: CCA < Group Lasso < SelTask < Ours, every link "
        "(Fig. 3a)",
        r_o.verdict,
        r_o.key_number,
        n_runs=int(n_seeds),
        chance=comparisons.chance_text(at_t) + f" at T = {last_t}",
        given=given_a,
        conditions=f"connected sequences, T in {steps_grid}, M = max(2, round(T/5)); {where}; "
        + r_o.where,
        attacks=attacks_of("order"),
        tally=r_o.tally,
        reason=r_o.reason,
    ),
    claims.claim(
        "Ours degrades most slowly as the number of tasks grows (Fig. 3b: MCC against M)",
        r_b.verdict,
        r_b.key_number,
        n_runs=int(runs_b["replicate"].nunique()),  # replicates: one slope per method each
        chance=comparisons.chance_text(runs_b) + f" over M in {tasks_grid} (its slope is 0)",
        given=given_b,
        conditions=f"T = {steps_b}, M in {tasks_grid}; {where}; slopes fitted per replicate, "
        "paired t intervals over replicates; 'most slowly' is a conjunction over the baselines",
        attacks=attacks_of("3b"),
        tally=r_b.tally,
        reason=r_b.reason,
    ),
    claims.claim(
        "Algorithm 1 also recovers the structure of disconnected sequences, ahead of the "
        "baselines (the paper's setting allows i.i.d. steps; panel (c) is our test of it)",
        r_c.verdict,
        f"Ours {comparisons.mean_text(ours_c)}; " + r_c.key_number,
        n_runs=int(n_seeds),
        chance=comparisons.chance_text(at_tc) + f" at T = {last_t}",
        given=given_a,
        conditions=f"each step cut from the next with probability {p_disconnect_c:g}, T in "
        f"{steps_grid}, M = max(2, round(T/5)); {where}; " + r_c.where,
        attacks=attacks_of("3c"),
        tally=r_c.tally,
        reason=r_c.reason,
    ),
]
acc = {
    m: mean_interval(at_t.loc[at_t["method"] == m, "accuracy"].to_numpy(), bounds=(0, 1)).as_dict()
    for m in [*order, CHANCE]
}
out.metrics(
    accuracy_at_max_T=acc,
    mcc_by_M={
        m: {int(k): round(v, 4) for k, v in g.groupby("n_tasks")["mcc"].mean().items()}
        for m, g in runs_b.groupby("method")
    },
    mcc_slope_per_task={m: iv.as_dict() for m, iv in slopes.items()},
    comparison=sentences,
    n_runs=int(runs["seed"].nunique()),
    claims=claims_list,
)
attack_table = claims.attacks_frame(claims_list)
out.table(attack_table, "attacks")
say(*(claims.robustness_sentence(c) for c in claims_list))
attack_table[["choice", "verdict", "moved"]].assign(claim=attack_table["claim"].str[:60])

# %% [markdown]
# **Reading the result.** The sentences and verdicts above are computed from this run, not
# written by hand: each states a paired difference with its 95% t interval and calls it a tie
# when the interval covers 0. A claim's verdict comes from one rule over its comparisons:
# "agrees" when every tested comparison agrees, "inconclusive" when every one is a tie,
# "mixed" when the conditions disagree with each other. The paper's ordering is said to hold
# only when *every* link of the chain CCA < Group Lasso < SelTask < Ours is an interval above
# 0; a link between two methods at the best constant is no evidence, and neither is a method
# found ahead while at the best constant. Which SelTask stands in the chain changes the
# verdict: the paper's SelTask never saw $g$, ours "sees g" (a stronger baseline than the
# original) or is unsupervised. On this generator the tasks are sinks of the graph and leave no
# trace in states and actions, so the unsupervised SelTask has nothing to find: the paper's
# SelTask comparison, with a SelTask that never sees $g$, is not one this generator can test
# (the summary table above shows where it lands against the best constant). The attacks table
# shows whether a verdict survives our own alternative choices.
# The `timings.csv` table holds wall times and, per run and method, the warnings raised (SelTask's
# NMF step sometimes stops at its iteration limit).
