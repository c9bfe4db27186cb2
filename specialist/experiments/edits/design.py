"""The edit study's design: the GAN settings it passes through, the edit methods and their
chance references, what each is given, and the measures.

Backs
-----
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

from specialist.simulate.cats import (
    ACCESSORIES,
    IDENTITY_FACTORS,
)

#: settings of TaskMaskGAN that the experiments pass through
GAN_KEYS = (
    "width", "beta", "noise_var", "adv_weight", "task_weight", "head_decay", "epochs",
    "batch_size", "lr", "mask_lr_scale", "head_lr_scale",
    "l1_warmup", "threshold",
    "disc_width",
)  # fmt: skip


#: edit methods, in the order of the table, with their labels
METHODS: dict[str, str] = {
    "l1_block": "ℓ1 block transplant",
    "dense_block": "dense Jacobian-block transplant",
    "dense_top": "dense top-|B_k| transplant",
    "all_latents": "all latents (donor's code)",
    "direction_l1": "head-direction edit, ℓ1 block",
    "direction_dense": "head-direction edit, dense block",
    "procedural": "procedural edit (reference)",
    "random_block": "random block of |B_k| latents, ℓ1 model (chance)",
    "random_dense": "random block of the dense block's size, dense model (chance)",
    "random_dense_top": "random block of |B_k| latents, dense model (chance)",
}


#: the chance reference of each compared edit: a random block of its size in its own model
CHANCE_OF: dict[str, str] = {
    "l1_block": "random_block",
    "dense_block": "random_dense",
    "dense_top": "random_dense_top",
}


#: what each method is given beyond the observations (keys of
#: :data:`specialist.labels.INFORMATION`): both GANs are trained with the accessories'
#: presence and attributes as task targets; the dense top-|B_k| block and the random block are
#: also given the size of the ℓ1 block; the procedural edit renders from the true factors
GIVEN: dict[str, tuple[str, ...]] = {
    "l1_block": ("supervision",),
    "dense_block": ("supervision",),
    "dense_top": ("supervision", "size"),
    "all_latents": ("supervision",),
    "direction_l1": ("supervision",),
    "direction_dense": ("supervision",),
    "procedural": ("truth",),
    "random_block": ("supervision", "size"),
    "random_dense": ("supervision", "size"),
    "random_dense_top": ("supervision", "size"),
}


#: measures of an edit, with their labels (arrows: which way is more specific)
METRICS: dict[str, str] = {
    "success": "target success ↑",
    "identity": "identity change ↓",
    **{f"identity:{g}": f"{g} change ↓" for g in IDENTITY_FACTORS},
    "other_flips": "other accessories flipped ↓",
    "attribute_error": "attribute error vs donor ↓",
    "outside_inside": "pixel change outside / inside envelope ↓",
    "block_size": "coordinates edited",
}


#: accessories of the runs' columns, plus their mean
ACCESSORY_KEYS = (*ACCESSORIES, "mean")
