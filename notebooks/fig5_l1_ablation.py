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
# # Fig. 5 — From generalist to specialist: the ℓ1 ablation
#
# Theorem 2 of the paper is about one step: latents $s$ with independent components are mixed
# into observations $o = f(s)$, and task $k$ depends only on a subset $I_k$ of the latents. A
# model that only fits the data (the **generalist**) keeps everything that matters for the
# tasks, but nothing forces a task's information into a block of its own: by Proposition 2 each
# task may read a superset of its latents. Adding the sparsity constraint on the task–latent
# Jacobian makes the block identifiable: the latents a task reads are an invertible function of
# $s_{I_k}$ and of nothing else. The paper implements the constraint as an ℓ1 penalty on a
# learnable task–latent mask of a VAE and reports, on synthetic nonlinear-MLP data:
#
# * without ℓ1, **R² relevant** and **R² irrelevant** are both high (the information is kept but
#   entangled);
# * with ℓ1, R² relevant stays high and R² irrelevant drops.
#
# For task $k$ with estimated block $\hat B_k$ (the support of row $k$ of the learned mask),
# *R² relevant* is how well a nonlinear regressor predicts the true $s_{I_k}$ from
# $\hat s_{\hat B_k}$ on held-out samples, and *R² irrelevant* how well it predicts the true
# latents outside $I_k$ from the same block; both are averaged over tasks. The generator, the
# model, the mask parameterisation and the regressor are our choices, listed on the
# [Reconstruction notes](../reconstruction.md) page. Each seed draws a new data set and both
# models are fitted on the same one with the same initialisation.

# %% tags=["parameters"]
profile = "paper"  # set by the runner: which parameter profile produced this page
output_dir = "../results/paper/fig5_l1_ablation"  # set by the runner: where outputs are written
n_samples = 10000  # samples per data set
n_latent = 8  # latent dimension (true and learned)
n_tasks = 3  # tasks; the default supports leave the last two latents irrelevant to all
l1 = 3.0  # weight of the ℓ1 penalty on the task–latent mask
epochs = 60  # training epochs
batch_size = 256  # mini-batch size
n_seeds = 10  # data sets (and initialisations)
seed = 0  # base seed
n_jobs = 2  # worker processes

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from specialist.experiments.layer2 import PENALTY_LABELS, sparse_vae_run
from specialist.models import SparseTaskVAE
from specialist.plotting import GREY, VERMILLION, bar_with_points, use_style
from specialist.report import Outputs, say
from specialist.simulate.mixing import default_support
from specialist.sweep import run_grid

# check every setting before any training starts (each raises an error naming the parameter)
default_support(n_latent, n_tasks)
SparseTaskVAE(n_latent, l1=l1, epochs=epochs, batch_size=batch_size)
out = Outputs(output_dir)
use_style()
grid = [
    {"penalty": "none", "strength": 0.0},
    {"penalty": "l1", "strength": l1},
]
common = {
    "n_samples": n_samples,
    "n_latent": n_latent,
    "n_tasks": n_tasks,
    "epochs": epochs,
    "batch_size": batch_size,
    "return_mask": True,
}
runs = run_grid(
    sparse_vae_run,
    [{**common, **g} for g in grid],
    n_seeds,
    base_seed=seed,
    n_jobs=n_jobs,
    seed_keys=["n_samples", "n_latent", "n_tasks"],  # paired: same data for both models
)
masks = runs.loc[runs["replicate"] == 0, ["penalty", "mask", "support"]].set_index("penalty")
runs = runs.drop(columns=["mask", "support", "return_mask"])
out.table(runs, "runs")
colors = {"none": GREY, "l1": VERMILLION}

# %% mystnb={"figure": {"name": "fig-fig5_l1_ablation", "caption": "Left: the true task–latent support and the learned masks of one data set (columns of the learned masks matched to the true latents by their support pattern; darker = larger mask entry, dots = estimated support). Right: R² of predicting the true task-relevant latents (relevant) and the other latents (irrelevant) from each task's estimated block, averaged over tasks; one dot per data set, bars at the mean, whiskers ±1 standard deviation."}}
fig = plt.figure(figsize=(11, 3.9))
grid_spec = fig.add_gridspec(3, 2, width_ratios=[1.25, 1], hspace=0.9, wspace=0.25)
support = np.array(masks.loc["l1", "support"], dtype=float)
panels = [
    ("true support $I_k$", support),
    ("generalist mask", np.array(masks.loc["none", "mask"])),
    (f"ℓ1 mask (λ = {l1:g})", np.array(masks.loc["l1", "mask"])),
]
for row, (title, matrix) in enumerate(panels):
    ax = fig.add_subplot(grid_spec[row, 0])
    scaled = matrix / matrix.max() if matrix.max() > 0 else matrix
    ax.imshow(scaled, cmap="Greys", vmin=0, vmax=1, aspect="auto")
    if row > 0:  # mark the estimated support (the model's threshold rule, see notes)
        top = matrix.max(axis=1, keepdims=True)
        rows, cols = np.nonzero((matrix >= 0.1 * top) & (top > 0))
        ax.scatter(cols, rows, s=10, color=VERMILLION, marker="o")
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_yticks(range(n_tasks), [f"$g_{k + 1}$" for k in range(n_tasks)])
    ax.set_xticks(range(n_latent), [f"$s_{j + 1}$" for j in range(n_latent)] if row == 2 else [])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(True)
ax = fig.add_subplot(grid_spec[:, 1])
width = 0.36
for i, metric in enumerate(["r2_relevant", "r2_irrelevant"]):
    for j, penalty in enumerate(["none", "l1"]):
        values = runs.loc[runs["penalty"] == penalty, metric]
        label = PENALTY_LABELS[penalty] if i == 0 else None
        bar_with_points(ax, i + (j - 0.5) * width, values, colors[penalty], width * 0.9, label)
ax.axhline(0, color="black", lw=0.8)
ax.set_xticks([0, 1], ["R² relevant (↑)", "R² irrelevant (↓)"])
ax.set(ylabel="held-out R²", ylim=(-0.1, 1.08))
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
out.figure(fig, "l1_ablation")
plt.show()

# %% [markdown]
# The numbers behind the bars, and how they compare with the paper's claim:

# %%
metric_cols = ["r2_relevant", "r2_irrelevant", "support_f1", "block_size"]
summary = runs.groupby("penalty")[metric_cols].agg(["mean", "std"]).reindex(["none", "l1"])
out.table(summary, "summary")
mean = summary.xs("mean", axis=1, level=1)
std = summary.xs("std", axis=1, level=1)
gen, spec = mean.loc["none"], mean.loc["l1"]
# the paper's claim, read as: relevant information kept (within 0.05 of the generalist) and
# irrelevant information at most half of the generalist's
kept = spec["r2_relevant"] >= gen["r2_relevant"] - 0.05
separated = spec["r2_irrelevant"] <= 0.5 * gen["r2_irrelevant"]
verdict = "agrees with" if kept and separated else "does not agree with"
sentence = (
    f"Without ℓ1, R² relevant = {gen['r2_relevant']:.2f} ± {std.loc['none', 'r2_relevant']:.2f} "
    f"and R² irrelevant = {gen['r2_irrelevant']:.2f} ± {std.loc['none', 'r2_irrelevant']:.2f}; "
    f"with ℓ1 (λ = {l1:g}), R² relevant = {spec['r2_relevant']:.2f} ± "
    f"{std.loc['l1', 'r2_relevant']:.2f} and R² irrelevant = {spec['r2_irrelevant']:.2f} ± "
    f"{std.loc['l1', 'r2_irrelevant']:.2f} (mean ± std over {n_seeds} data sets). This "
    f"{verdict} the paper's claim (without ℓ1 both high; with ℓ1 relevant high, irrelevant low)."
)
say(sentence)
out.metrics(
    r2={p: {m: round(float(mean.loc[p, m]), 4) for m in metric_cols} for p in ("none", "l1")},
    r2_std={p: {m: round(float(std.loc[p, m]), 4) for m in metric_cols} for p in ("none", "l1")},
    claim_holds=bool(kept and separated),
    summary=sentence,
)
pd.DataFrame(
    {
        c: [f"{mean.loc[p, c]:.3f} ± {std.loc[p, c]:.3f}" for p in ("none", "l1")]
        for c in metric_cols
    },
    index=[PENALTY_LABELS[p] for p in ("none", "l1")],
)
