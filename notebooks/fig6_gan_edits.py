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
# # Figs. 6–7 — Editing cats through task masks, with and without sparsity
#
# The paper's controllable-generation result: a GAN's latents are edited through a
# task-specific mask to make a cat *wear glasses*, *wear a hat* or *wear a tie*. With a sparse
# mask (Fig. 6) an edit changes only its accessory; without sparsity (Fig. 7) other factors,
# such as fur colour and identity, change too. The paper's cats were generated with FLUX; no
# such model runs here, so our cats are drawn procedurally, with every factor known
# (`specialist.simulate.cats`). The GAN is a VAE-GAN with an encoder, so that real images
# can be edited, and linear accessory heads that read its latents through masks
# (`specialist.models.gan.TaskMaskGAN`; architecture, losses and λ are on the
# [Reconstruction notes](../reconstruction.md) page).
#
# Both models below are trained on the same images with the same initialisation; they differ
# only in the ℓ1 penalty on the masks. An edit for accessory $k$ moves the latent code along the
# head's direction restricted to the mask's support until the head is confident that the
# accessory is present (or a maximum step is reached). {numref}`fig-tab_edit_specificity`
# measures what these edits change.

# %% tags=["parameters"]
profile = "paper"  # set by the runner: which parameter profile produced this page
output_dir = "../results/paper/fig6_gan_edits"  # set by the runner: where outputs are written
n_train = 5000  # training images
size = 32  # image side in pixels (32 or 64)
n_latent = 16  # latent dimension
l1 = 1.0  # ℓ1 weight of the sparse model's masks (the dense model has none)
epochs = 20  # training epochs
n_show = 6  # cats shown (held out, without any accessory)
seed = 0  # seed of the data and of both models

# %%
import matplotlib.pyplot as plt
import numpy as np

from specialist.models.gan import TaskMaskGAN
from specialist.plotting import use_style
from specialist.report import Outputs
from specialist.simulate.cats import ACCESSORIES, simulate_cats

# check the settings before any training (each raises an error naming the parameter)
TaskMaskGAN(n_latent, l1=l1, epochs=epochs)
if size not in (32, 64):
    raise ValueError(f"size must be 32 or 64, got {size!r}")
out = Outputs(output_dir)
use_style()
data = simulate_cats(n_train + 500, size=size, seed=seed)
train_x, train_y = data.images[:n_train], data.attributes[:n_train]
held_out = data.images[n_train:]
bare = np.flatnonzero(~data.attributes[n_train:].any(axis=1))[:n_show]

# %% [markdown]
# The training data: procedural cats with every factor known. Fur colour, eye colour, head
# size, position and ear angle, the background and the three accessories are drawn
# independently; each accessory is worn by half of the cats.

# %% mystnb={"figure": {"name": "fig-fig6_gan_edits-data", "caption": "Sixteen training images of procedural cats, titled by the accessories they wear."}}
fig, axes = plt.subplots(2, 8, figsize=(12, 3.4))
for ax, image, attrs in zip(axes.flat, data.images, data.attributes, strict=False):
    ax.imshow(image, interpolation="nearest")
    ax.set_title(", ".join(a for a, on in zip(ACCESSORIES, attrs, strict=True) if on) or "none",
                 fontsize=8)  # fmt: skip
    ax.axis("off")
fig.tight_layout()
out.figure(fig, "training_cats")
plt.show()

# %%
models = {
    "sparse": TaskMaskGAN(n_latent, l1=l1, epochs=epochs, seed=seed).fit(train_x, train_y),
    "dense": TaskMaskGAN(n_latent, l1=0.0, epochs=epochs, seed=seed).fit(train_x, train_y),
}


# %%
def edit_grid(model):
    """Rows: cats; columns: original, reconstruction, +glasses, +hat, +tie."""
    z = model.encode(held_out[bare])
    columns = [held_out[bare], model.decode(z)]
    columns += [model.decode(model.edit_latents(z, k)) for k in range(len(ACCESSORIES))]
    return columns


titles = ["original", "reconstruction", *[f"+{a}" for a in ACCESSORIES]]
grids = {name: edit_grid(model) for name, model in models.items()}

# %% mystnb={"figure": {"name": "fig-fig6_gan_edits", "caption": "Edits of held-out procedural cats (rows) through the accessory masks: left, the model trained with an ℓ1 penalty on its masks (the paper's Fig. 6); right, the same model without it (the paper's Fig. 7). Columns: the input image, its reconstruction, and the reconstruction edited towards each accessory."}}
fig, axes = plt.subplots(n_show, 11, figsize=(13, 1.25 * n_show + 0.6))
for half, name in enumerate(["sparse", "dense"]):
    for col, images in enumerate(grids[name]):
        for row in range(n_show):
            ax = axes[row, half * 6 + col]
            ax.imshow(np.clip(images[row], 0, 1), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(titles[col], fontsize=9)
for row in range(n_show):
    axes[row, 5].axis("off")
fig.text(0.27, 1.0, f"with ℓ1 on the masks (λ = {l1:g})", ha="center", fontsize=12)
fig.text(0.76, 1.0, "without sparsity", ha="center", fontsize=12)
fig.tight_layout()
out.figure(fig, "gan_edits")
plt.show()

# %% [markdown]
# The learned masks: which latent dimensions each accessory's head reads (darker = larger mask
# entry; the dense model's masks are fixed at 1).

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 1.8))
for ax, name in zip(axes, ["sparse", "dense"], strict=True):
    mask = models[name].task_mask_
    ax.imshow(mask / mask.max(), cmap="Greys", vmin=0, vmax=1, aspect="auto")
    ax.set_yticks(range(len(ACCESSORIES)), ACCESSORIES)
    ax.set_xticks(range(0, n_latent, 2), [f"z{j + 1}" for j in range(0, n_latent, 2)])
    ax.set_title(f"{name} masks", fontsize=10)
fig.tight_layout()
out.figure(fig, "masks")
plt.show()
supports = {name: [int(b.size) for b in model.relevant_latents()] for name, model in models.items()}
out.metrics(mask_support=supports, final_recon_loss={
    name: round(float(model.loss_history_[-1, 0]), 2) for name, model in models.items()
})  # fmt: skip
supports
