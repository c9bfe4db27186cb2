"""The Layer-2 comparison's design: the ways of reading a task block (:data:`METHODS`), the
chance reference of each (:data:`CHANCE_OF`), what each is given (:data:`GIVEN`), the metrics,
and the settings the experiments accept.

Backs
-----
fig5_l1_ablation, fig5_l1_path
"""

from __future__ import annotations

from specialist import labels

#: settings of SparseTaskVAE that the experiments pass through
MODEL_KEYS = (
    "hidden",
    "beta",
    "task_weight",
    "noise_var",
    "head_decay",
    "epochs",
    "batch_size",
    "lr",
    "mask_lr_scale",
    "l1_warmup",
    "threshold",
    "auto_tolerance",
    "auto_path",
)
#: settings of the generator that the experiments pass through
DATA_KEYS = ("task_kind", "latent_correlation", "mixing_layers")
#: method -> label used in figures and tables
METHODS = {
    "generalist": "generalist (Jacobian block)",
    "generalist_top": "generalist, top-|I_k| latents (given |I_k|)",
    "l1_auto": "ℓ1, λ auto (default)",
    "l1_fixed": "ℓ1, fixed λ",
    "l0": "ℓ0 gates, fixed λ",
    "truth": "true block s_I (reference)",
    "random": "random projection, same block size (chance)",
    "random_dense": "random projection, the generalist's block size (chance)",
    "random_top": "random projection, the true block size (chance)",
}
#: the chance reference of each compared block: a random block of that block's own size
CHANCE_OF = {
    "l1_auto": "random",
    "l1_fixed": "random",
    "l0": "random",
    "generalist": "random_dense",
    "generalist_top": "random_top",
    "l1_down": "random:l1_down",
    "l1_up": "random:l1_up",
}
#: what each method is given beyond the observations (keys of :data:`specialist.labels.INFORMATION`):
#: every VAE is trained with the tasks as targets (its heads fit them), so both the sparse and
#: the dense model are *supervised*; the read-out control is also given the true block size
GIVEN = {
    "generalist": ("supervision",),
    "generalist_top": ("supervision", "size"),
    "l1_auto": ("supervision",),
    "l1_fixed": ("supervision",),
    "l0": ("supervision",),
    "truth": ("truth",),
    "random": ("size",),
    "random_dense": ("size",),
    "random_top": ("size",),
}
#: the support thresholds scored besides the model's own (0.1), for the attacks
ATTACK_THRESHOLDS = (0.05, 0.2)
#: the metrics every method gets in a run
METRICS = ("r2_relevant", "r2_irrelevant", "r2_irrelevant_max", "block_size", "support_f1")


def check_settings(model_settings: dict, data_settings: dict) -> None:
    unknown = set(model_settings) - set(MODEL_KEYS)
    if unknown:
        raise ValueError(f"unknown model setting(s) {sorted(unknown)}; accepted: {MODEL_KEYS}")
    unknown = set(data_settings) - set(DATA_KEYS)
    if unknown:
        raise ValueError(f"unknown data setting(s) {sorted(unknown)}; accepted: {DATA_KEYS}")


#: readers of R² (:func:`specialist.metrics.block_r2_columns`): the nonlinear one of the page
#: and the linear one of the attack
READERS = ("nonlinear", "linear")


def given_of(*methods: str) -> dict[str, str]:
    """The ``given`` field of a claims entry for ``methods`` (:data:`GIVEN`).

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    return labels.given_map({METHODS[m]: GIVEN[m] for m in methods})


def legend(method: str) -> str:
    """A method's label with what it is given (:func:`specialist.labels.with_given`).

    Backs
    -----
    fig5_l1_ablation
    """
    return labels.with_given(METHODS[method], GIVEN[method])
