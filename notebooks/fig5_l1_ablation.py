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
# # Fig. 5 — From generalist to specialist: the ℓ1 ablation, scored fairly
#
# Theorem 2 of the paper is about one step: latents $s$ are mixed into observations
# $o = f(s)$, and task $k$ depends only on a subset $I_k$ of the latents. A model that only fits
# the data (the **generalist**) keeps everything that matters for the tasks, but by
# Proposition 2 each task may read a *superset* of its latents. With the sparsity constraint on
# the task–latent Jacobian, the latents a task reads become an invertible function of
# $s_{I_k}$ and of nothing else. The paper implements the constraint as an ℓ1 penalty on a
# learnable task–latent mask of a VAE and reports, on synthetic nonlinear-MLP data: without ℓ1,
# **R² relevant** and **R² irrelevant** are both high; with ℓ1, R² relevant stays high and
# R² irrelevant drops.
#
# **How every model's block is read.** The block $\hat B_k$ of task $k$ is the support of the
# task head's mean absolute Jacobian with respect to the latents, under one relative rule for
# every model (the generalist included: its block is whatever its heads actually read, not "all
# latents by construction"). *R² relevant* is how well a nonlinear regressor predicts the true
# $s_{I_k}$ from $\hat s_{\hat B_k}$; *R² irrelevant* is how well it predicts each latent
# outside $I_k$, reported as the mean and the **maximum** over those latents (a mean can hide one
# latent that leaks). All R² are computed on a **fresh draw from the same generator**; the models
# never saw those rows.
#
# **What is compared, on the same data and the same initialisation:**
#
# * the generalist with its Jacobian block;
# * the generalist's $|I_k|$ most-read latents: sparsity imposed only at read-out. This control
#   is *given the true block size*, which no user has;
# * ℓ1 with λ chosen from the data alone (`SparseTaskVAE(l1="auto")`, the package's default:
#   the largest λ whose held-out task and reconstruction losses stay within 0.05 of the dense
#   model's), which is what a user gets;
# * ℓ1 at a fixed, hand-set λ (set by looking at this generator, so it is shown, never used by
#   the verdict) and ℓ0 gates at a fixed weight;
# * the true block $s_{I_k}$ itself, the reference for R² irrelevant.
#
# The generator, the model and the regressor are our choices, listed on the
# [Reconstruction notes](../reconstruction.md) page. {numref}`fig-fig5_l1_path` shows the λ path
# and whether the verdict holds for scalar tasks, correlated latents and other mixing depths.

# %% tags=["parameters"]
profile = "paper"  # set by the runner: which parameter profile produced this page
output_dir = "../results/interactive/fig5_l1_ablation"  # a hand run writes here; the runner injects its own folder
n_samples = 10000  # training samples per data set [>= 10]
n_test = 5000  # samples of the fresh draw every R² is computed on [>= 10]
n_latent = 8  # latent dimension (true and learned) [>= 1]
n_tasks = 3  # tasks; the default supports leave the last two latents irrelevant to all [>= 1]
l1_fixed = (
    3.0  # the fixed, hand-set ℓ1 weight shown for comparison (not used by the verdict) [>= 0]
)
l0 = 3.0  # weight of the ℓ0 gates [>= 0]
epochs = 60  # training epochs [>= 1]
batch_size = 256  # mini-batch size [>= 1]
n_seeds = 10  # data sets (and initialisations) [>= 1]
seed = 0  # base seed [>= 0]
n_jobs = 2  # worker processes [>= 1]

# %%
import textwrap

import matplotlib.pyplot as plt
import numpy as np

from specialist import claims as verdicts
from specialist.experiments.layer2 import (
    METHODS,
    layer2_run,
    legend,
    method_summary,
    runs_by_method,
    separation_sentence,
    verdict_of,
)
from specialist.experiments.layer2.ablation import ablation_attacks, ablation_claim
from specialist.models import SparseTaskVAE
from specialist.models._common import support_from_sensitivity, support_matrix
from specialist.outputs import notebook_outputs, say
from specialist.plotting import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    VERMILLION,
    bar_with_points,
    use_style,
)
from specialist.simulate.mixing import default_support, simulate_mixing
from specialist.sweep import run_grid

# check every setting before any training starts (each raises an error naming the parameter)
default_support(n_latent, n_tasks)
simulate_mixing(n_test, n_latent, n_tasks)
SparseTaskVAE(n_latent, l1=l1_fixed, epochs=epochs, batch_size=batch_size).check_params()
SparseTaskVAE(n_latent, l1=0.0, l0=l0 if l0 > 0 else 1.0).check_params()
out = notebook_outputs("fig5_l1_ablation", globals())
use_style()
setting = {
    "n_samples": n_samples,
    "n_test": n_test,
    "n_latent": n_latent,
    "n_tasks": n_tasks,
    "l1_fixed": l1_fixed,
    "l0": l0,
    "epochs": epochs,
    "batch_size": batch_size,
    "return_mask": True,
    "attacks": True,
}
runs = run_grid(layer2_run, [setting], n_seeds, base_seed=seed, n_jobs=n_jobs, blas_threads=1)
shown = runs.iloc[0]
runs = runs.drop(columns=[c for c in runs.columns if c.startswith("sensitivity:")])
runs = runs.drop(columns=["support", "return_mask", "attacks"])
out.table(runs, "runs")
long = runs_by_method(runs)
colors = {
    "generalist": GREY,
    "generalist_top": PURPLE,
    "l1_auto": VERMILLION,
    "l1_fixed": ORANGE,
    "l0": BLUE,
    "truth": GREEN,
    "random": "0.6",
    "random_dense": "0.75",
}
order = ["generalist", "generalist_top", "l1_auto", "l1_fixed", "l0", "truth", "random",
         "random_dense"]  # fmt: skip

# %% mystnb={"figure": {"name": "fig-fig5_l1_ablation", "caption": "Top: the true task–latent support and, for one data set, how strongly each task head reads each latent (its mean absolute Jacobian times the latent's spread, per row relative to its largest entry, grey scale in the colour bar; columns matched to the true latents; dots = the block under the support rule) for the generalist and the default ℓ1 model (λ chosen from the data). Bottom: on a fresh draw, R² of the true task-relevant latents from each task's block, and R² of the other latents (mean and maximum over them); averaged over tasks; one dot per data set, bars at the mean, whiskers the 95% t interval; dotted lines: the chance level, a random projection of the observations with blocks of the ℓ1 model's size (the generalist's own chance block is in the table), read by the same regressor. Legend: what each method is given beyond the observations (every VAE is trained with the tasks as targets)."}}
fig = plt.figure(figsize=(7.6, 6.4), layout="constrained")
top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.9])
heat_axes = top.subplots(1, 3, sharey=True)
support = np.array(shown["support"], dtype=float)
panels = [
    ("true support $I_k$", support),
    ("generalist", np.array(shown["sensitivity:generalist"])),
    (f"ℓ1, λ auto (= {shown['auto_l1']:g})", np.array(shown["sensitivity:l1_auto"])),
]
for row, (ax, (title, matrix)) in enumerate(zip(heat_axes, panels, strict=True)):
    peak = matrix.max(axis=1, keepdims=True)
    scaled = np.divide(matrix, peak, out=np.zeros_like(matrix), where=peak > 0)
    image = ax.imshow(scaled, cmap="Greys", vmin=0, vmax=1, aspect="auto")
    if row > 0:  # the block under the package's support rule
        blocks = support_matrix(support_from_sensitivity(matrix, threshold=0.1), n_latent)
        rows, cols = np.nonzero(blocks)
        ax.scatter(cols, rows, s=10, color=VERMILLION, marker="o")
    ax.set_title(title, fontsize=8.5)
    ax.set_yticks(range(n_tasks), [f"$g_{k + 1}$" for k in range(n_tasks)])
    ax.set_xticks(range(n_latent), [str(j + 1) for j in range(n_latent)], fontsize=7.5)
    ax.set_xlabel("latent $s_j$")
    ax.tick_params(length=0)
    ax.spines[:].set_visible(True)
top.colorbar(image, ax=heat_axes, label="sensitivity,\nrelative to the row's largest")
ax = bottom.subplots()
width = 0.11
metrics_shown = [
    ("r2_relevant", "R² relevant (↑)"),
    ("r2_irrelevant", "R² irrelevant, mean (↓)"),
    ("r2_irrelevant_max", "R² irrelevant, max (↓)"),
]
for i, (metric, _) in enumerate(metrics_shown):
    for j, method in enumerate(order):
        values = long.loc[long["method"] == method, metric]
        if method == "truth" and metric == "r2_relevant":
            continue  # 1 by definition
        x = i + (j - (len(order) - 1) / 2) * width
        label = legend(method) if i == 1 else None
        bar_with_points(ax, x, values, colors[method], width * 0.9, label, interval="ci")
ax.axhline(0, color="black", lw=0.8)
for i, (metric, _) in enumerate(metrics_shown):  # the chance level: a random block's mean
    level = long.loc[long["method"] == "random", metric].mean()
    ax.hlines(level, i - 0.45, i + 0.45, color="black", ls=":", lw=1.2,
              label="chance (random projection, mean)" if i == 0 else None)  # fmt: skip
ax.set_xticks(range(len(metrics_shown)), [t for _, t in metrics_shown])
ax.set(ylabel="R² on a fresh draw", ylim=(-0.1, 1.08))
handles, names = ax.get_legend_handles_labels()
names = [textwrap.fill(n, 44) for n in names]
bottom.legend(handles, names, loc="outside lower center", ncol=2, fontsize=8)
out.figure(fig, "l1_ablation")

# %% [markdown]
# The numbers behind the bars (mean and 95% t interval over data sets), and the paired
# comparisons that the verdict rests on. The verdict reads two comparisons, ℓ1 auto against the
# generalist's Jacobian block, each a paired t interval over data sets: *separation* (R²
# irrelevant max lower) and *keeping the relevant block* (R² relevant not lower by more than
# 0.05). Each model is held against its own chance level on R² relevant (a random projection
# of the observations with blocks of that model's size, read by the same regressor on the same
# rows); if neither beats it the comparison is not testable. The claim needs both parts, so
# they are read together: both agree → *agrees*; one lost → *disagrees*; one undecided →
# *inconclusive*. Proposition 2 predicts that
# the generalist's block is at least as large as the true one; the block sizes below check that.

# %%
summary = method_summary(long, order)
out.table(summary, "summary")
one = {"all": long}
verdict, key_number, tally, found = verdict_of(one)
main = found["all"]
control = verdict_of(one, "l1_auto", "generalist_top")[3]["all"]
fixed = verdict_of(one, "l1_fixed", "generalist")[3]["all"]
where = f"{n_seeds} data sets, vector tasks, independent latents"
sentences = [
    separation_sentence(main, "l1_auto", "generalist", "Against the generalist's own block"),
    separation_sentence(
        control, "l1_auto", "generalist_top", "Against sparsity imposed only at read-out"
    ),
    separation_sentence(fixed, "l1_fixed", "generalist", f"With the fixed λ = {l1_fixed:g}"),
]
gen_size = long.loc[long["method"] == "generalist", "block_size"]
true_size = float(runs["true_block_size"].iloc[0])
superset = float(runs["superset_share:generalist"].mean())
sentences.append(
    f"The generalist's heads read {gen_size.mean():.1f} latents per task on average (range "
    f"{gen_size.min():.1f}–{gen_size.max():.1f}) against {true_size:.2f} true ones; its block "
    f"was at least as large as the truth for {superset:.0%} of the tasks, as Proposition 2 "
    "predicts."
)
auto = runs["auto_l1"]
sentences.append(
    f"λ chosen from the data: {', '.join(f'{v:g} ({(auto == v).sum()}×)' for v in sorted(auto.unique()))}."
)
say(*sentences)

# %% [markdown]
# ## Attacks: does the verdict survive our own choices?
#
# Each of the choices below is ours, and another defensible one is scored on the same runs and
# read by the same verdict rule: the support threshold of a block (0.05 and 0.2 instead of 0.1
# of a head's largest sensitivity; the ℓ1 mask's unused entries are exactly 0, so its block
# moves only where an open entry is small), the penalty weight (one step of the λ path below and above the λ
# that "auto" chose, about a factor 3; at the path's ends the step is clipped and the label
# lists the λ values used), the reader of R² (a linear ridge regression instead of the kernel
# one), the comparator (the generalist's top-|I_k| latents, which is given the true block
# size) and the non-inferiority margin of the second comparison (0 and 0.1 instead of 0.05).
# Each block has its own chance block of its own size.


# %%
attacks, attack_table = ablation_attacks(one, runs)
out.table(attack_table, "attacks")
attack_table

# %%
paper_claim = ablation_claim(
    long, (verdict, key_number, tally, found), attacks, runs["seed"].nunique(),
    f"{where}; n = {n_samples:,}",
)  # fmt: skip
say(verdicts.robustness_sentence(paper_claim))
out.metrics(
    summary_table=summary.to_dict(orient="records"),
    separation={
        name: {
            "irrelevant": r["irrelevant"].as_dict(),
            "relevant": r["relevant"].as_dict(),
            "chance": {m: iv.as_dict() for m, iv in r["chance"].items()},
            "outcomes": r["outcomes"],
            "verdict": r["verdict"],
        }
        for name, r in (("vs_generalist", main), ("vs_readout_top", control), ("fixed", fixed))
    },
    generalist_block_size=round(float(gen_size.mean()), 3),
    true_block_size=true_size,
    superset_share=round(superset, 4),
    auto_l1=[float(v) for v in auto],
    claim_holds=verdict == "agrees",
    attacks=attack_table.to_dict(orient="records"),
    findings=sentences,
    summary=" ".join(sentences),
    claims=[paper_claim],
)
pivot = summary.assign(
    value=[
        f"{m:.3f} [{lo:.3f}, {hi:.3f}]" for m, lo, hi in summary[["mean", "low", "high"]].to_numpy()
    ]
).pivot(index="method", columns="metric", values="value")
pivot.reindex([m for m in order if m in pivot.index]).rename(index=METHODS)
