"""Layer-2 experiments: does a sparse task–latent mask separate the task-relevant latents?

Module-level functions of keyword settings and ``seed`` returning flat mappings of numbers, for
:func:`specialist.sweep.run_grid`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from specialist import metrics
from specialist.models import SparseTaskVAE
from specialist.simulate.mixing import MixingSample, simulate_mixing

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
    "threshold",
)
#: penalty name -> label used in figures and tables
PENALTY_LABELS = {"none": "generalist (no penalty)", "l1": "ℓ1 mask (paper)", "l0": "ℓ0 gates"}


def fit_model(
    sample: MixingSample, penalty: str, strength: float, seed: int, **model_settings
) -> SparseTaskVAE:
    """A SparseTaskVAE fitted on ``sample``: ``penalty`` ``"l1"`` or ``"l0"`` of weight
    ``strength``, or ``"none"`` (the generalist; ``strength`` must then be 0)."""
    if penalty not in PENALTY_LABELS:
        raise ValueError(f"penalty must be one of {tuple(PENALTY_LABELS)}, got {penalty!r}")
    if penalty == "none" and strength != 0:
        raise ValueError(f"penalty='none' needs strength=0, got {strength!r}")
    unknown = set(model_settings) - set(MODEL_KEYS)
    if unknown:
        raise ValueError(f"unknown model setting(s) {sorted(unknown)}; accepted: {MODEL_KEYS}")
    weights = {"l1": 0.0, "l0": 0.0}
    if penalty != "none":
        weights[penalty] = strength
    model = SparseTaskVAE(sample.latents.shape[1], seed=seed, **weights, **model_settings)
    return model.fit(sample.observations, [sample.task(k) for k in range(sample.n_tasks)])


def block_scores(model: SparseTaskVAE, sample: MixingSample, seed: int = 0) -> dict[str, float]:
    """R² relevant / irrelevant of a fitted model, averaged over tasks, and support scores.

    For task ``k`` with estimated block ``B_k`` (the mask's support) and true support ``I_k``:
    ``r2_relevant`` predicts ``s_{I_k}`` from ``s_hat_{B_k}`` and ``r2_irrelevant`` predicts
    the latents outside ``I_k`` from the same block (:func:`specialist.metrics.block_r2`, on a
    held-out split). Also returns the support-recovery F1 (up to a permutation of the latents),
    the mean block size and the true mean block size.
    """
    latents_hat = model.transform(sample.observations)
    blocks = model.relevant_latents()
    relevant, irrelevant = [], []
    for k, block in enumerate(blocks):
        source = latents_hat[:, block]
        true = sample.support[k]
        relevant.append(metrics.block_r2(source, sample.latents[:, true], seed=seed))
        if (~true).any():
            irrelevant.append(metrics.block_r2(source, sample.latents[:, ~true], seed=seed))
    return {
        "r2_relevant": float(np.mean(relevant)),
        "r2_irrelevant": float(np.mean(irrelevant)) if irrelevant else float("nan"),
        "support_f1": metrics.support_f1(sample.support, model.support_matrix()),
        "block_size": float(np.mean([b.size for b in blocks])),
        "true_block_size": float(sample.support.sum(axis=1).mean()),
    }


def sparse_vae_run(
    n_samples: int,
    n_latent: int,
    n_tasks: int,
    penalty: str,
    strength: float,
    seed: int,
    return_mask: bool = False,
    **model_settings,
) -> dict[str, Any]:
    """Fit one model (:func:`fit_model`) on one simulated data set and score it
    (:func:`block_scores`).

    The data set and the initialisation depend on ``seed`` only, so with
    ``run_grid(..., seed_keys=[...])`` runs that differ only in the penalty are paired. With
    ``return_mask`` the result also holds ``"mask"`` (the learned mask, columns matched to the
    true latents) and ``"support"`` (the true support), as nested lists, for display.
    Backs: fig5_l1_ablation, fig5_l1_path.
    """
    sample = simulate_mixing(n_samples, n_latent, n_tasks, seed=seed)
    model = fit_model(sample, penalty, strength, seed, **model_settings)
    scores: dict[str, Any] = block_scores(model, sample, seed=seed)
    scores["final_loss"] = float(model.loss_history_[-1, 0])
    if return_mask:
        order = metrics.match_latents(sample.support, model.support_matrix())
        scores["mask"] = model.task_mask_[:, order].tolist()
        scores["support"] = sample.support.tolist()
    return scores
