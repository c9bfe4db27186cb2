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
# # Beyond the paper — The sparsity path, and ℓ0 beside ℓ1
#
# {numref}`fig-fig5_l1_ablation` compares two points: no penalty and one ℓ1 weight λ. Two
# questions remain. **Where** along λ does the task-relevant block separate from the rest, and
# where does the penalty start to cut into the relevant block itself? And the paper's own
# limitation: ℓ1 is only a convex proxy of the support size $\|M\|_0$ that Theorem 2 constrains.
# We trace both penalties along a grid of weights on the same data sets:
#
# * **ℓ1**: the paper's penalty $\lambda \sum |m_{kj}|$ on a mask of magnitudes;
# * **ℓ0**: hard-concrete gates (Louizos, Welling & Kingma, 2018), whose penalty
#   $\lambda \sum P(m_{kj} > 0)$ is the expected number of open gates, a differentiable
#   surrogate of $\|M\|_0$; at prediction time a gate is exactly 0 or open.
#
# Besides R² relevant and R² irrelevant (defined with {numref}`fig-fig5_l1_ablation`) we score
# the recovered support itself: the F1 of the estimated task × latent mask against the true one, after
# matching learned to true latents (learned latents have no fixed order), and the mean block
# size against the true mean block size.

# %% tags=["parameters"]
profile = "paper"  # set by the runner: which parameter profile produced this page
output_dir = "../results/paper/fig5_l1_path"  # set by the runner: where outputs are written
l1_path = [0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0]  # ℓ1 weights λ
l0_path = [0.3, 1.0, 3.0, 10.0, 30.0, 100.0]  # ℓ0 (hard-concrete) weights λ
n_samples = 10000  # samples per data set
n_latent = 8  # latent dimension (true and learned)
n_tasks = 3  # tasks
epochs = 60  # training epochs
batch_size = 256  # mini-batch size
n_seeds = 3  # data sets; every weight is fitted on each
seed = 1  # base seed (Fig. 5 uses 0: these are other data sets)
n_jobs = 2  # worker processes

# %%
import matplotlib.pyplot as plt

from specialist.experiments.layer2 import PENALTY_LABELS, sparse_vae_run
from specialist.models import SparseTaskVAE
from specialist.plotting import BLUE, GREY, VERMILLION, legend_below, plot_mean_std, use_style
from specialist.report import Outputs, say
from specialist.simulate.mixing import default_support
from specialist.sweep import run_grid

default_support(n_latent, n_tasks)
for name, path in (("l1_path", l1_path), ("l0_path", l0_path)):
    if not path or min(path) <= 0:
        raise ValueError(f"{name} must be a non-empty list of positive weights, got {path!r}")
SparseTaskVAE(n_latent, l1=max(l1_path), epochs=epochs, batch_size=batch_size)
SparseTaskVAE(n_latent, l1=0.0, l0=max(l0_path), epochs=epochs, batch_size=batch_size)
out = Outputs(output_dir)
use_style()
common = {
    "n_samples": n_samples,
    "n_latent": n_latent,
    "n_tasks": n_tasks,
    "epochs": epochs,
    "batch_size": batch_size,
}
settings = [{**common, "penalty": "none", "strength": 0.0}]
settings += [{**common, "penalty": "l1", "strength": float(v)} for v in l1_path]
settings += [{**common, "penalty": "l0", "strength": float(v)} for v in l0_path]
runs = run_grid(
    sparse_vae_run,
    settings,
    n_seeds,
    base_seed=seed,
    n_jobs=n_jobs,
    seed_keys=["n_samples", "n_latent", "n_tasks"],  # every weight on the same data sets
)
out.table(runs, "runs")
colors = {"l1": VERMILLION, "l0": BLUE}
panels = [
    ("r2_relevant", "R² relevant (↑)"),
    ("r2_irrelevant", "R² irrelevant (↓)"),
    ("support_f1", "support F1 (↑)"),
    ("block_size", "mean block size"),
]

# %% mystnb={"figure": {"name": "fig-fig5_l1_path", "caption": "Along the penalty weight λ (log scale), for the ℓ1 mask and the hard-concrete ℓ0 gates: R² of the true task-relevant latents and of the other latents from each task's estimated block, F1 of the recovered task × latent support, and mean block size (dotted: the true mean block size). Mean ± one standard deviation over data sets; grey dashed: the generalist (no penalty)."}}
fig, axes = plt.subplots(1, 4, figsize=(14, 3.5))
general = runs[runs["penalty"] == "none"]
for ax, (metric, label) in zip(axes, panels, strict=True):
    penalised = runs[runs["penalty"] != "none"]
    plot_mean_std(
        ax, penalised, "strength", metric, "penalty", PENALTY_LABELS, colors, ["l1", "l0"]
    )
    ax.axhline(general[metric].mean(), color=GREY, ls="--", lw=1.2, label=PENALTY_LABELS["none"])
    if metric == "block_size":
        ax.axhline(runs["true_block_size"].iloc[0], color="black", ls=":", lw=1.2, label="true")
    ax.set_xscale("log")
    ax.set(xlabel="penalty weight λ", title=label)
    if metric != "block_size":
        ax.set_ylim(-0.05, 1.05)
legend_below(fig, axes[3])
out.figure(fig, "l1_path")
plt.show()


# %% [markdown]
# Where does each penalty separate the blocks, and where does it start to lose the relevant
# one? We read both off the means: *separation* is the smallest λ whose R² irrelevant is at most
# half the generalist's; *loss* is the smallest λ whose R² relevant falls more than 0.05 below
# the generalist's.


# %%
def first_weight(stats, condition):
    hits = stats.index[condition(stats)]
    return float(hits.min()) if len(hits) else None


base = general[["r2_relevant", "r2_irrelevant"]].mean()
findings, sentences = {}, []
for penalty in ("l1", "l0"):
    stats = (
        runs[runs["penalty"] == penalty]
        .groupby("strength")[["r2_relevant", "r2_irrelevant", "support_f1"]]
        .mean()
    )
    separate = first_weight(stats, lambda s: s["r2_irrelevant"] <= 0.5 * base["r2_irrelevant"])
    lose = first_weight(stats, lambda s: s["r2_relevant"] < base["r2_relevant"] - 0.05)
    best = stats["support_f1"].idxmax()
    findings[penalty] = {
        "separates_at": separate,
        "loses_relevant_at": lose,
        "best_support_f1": round(float(stats["support_f1"].max()), 3),
        "best_support_f1_at": float(best),
    }
    name = "ℓ1" if penalty == "l1" else "ℓ0"
    where = f"λ = {separate:g}" if separate is not None else "no weight on the grid"
    lost = f"from λ = {lose:g}" if lose is not None else "at no weight on the grid"
    sentences.append(
        f"{name}: the blocks separate at {where}; the relevant block starts to be lost {lost}; "
        f"the best support F1 is {stats['support_f1'].max():.2f} (at λ = {best:g})."
    )
sentence = " ".join(sentences)
say(*sentences)
out.metrics(path=findings, generalist=base.round(4).to_dict(), summary=sentence)
table = runs.groupby(["penalty", "strength"])[[m for m, _ in panels]].mean().round(3)
out.table(table, "summary")
table
