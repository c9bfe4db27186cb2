"""Layer-2 experiments (Fig. 5): does a sparse task–latent mask separate the task-relevant latents?

Every run draws one generator (:func:`~specialist.simulate.mixing.simulate_mixing`: the task
maps and the mixing are fixed by ``seed``), a training draw and a fresh test draw from it. All
models of a run are trained side by side on the same training rows from the same
initialisation (:meth:`SparseTaskVAE.fit_path`), ``l1="auto"`` chooses λ on held-out training
rows exactly as ``SparseTaskVAE(l1="auto")`` does, and every score is computed on the fresh
draw. The ways of reading a task block that a run compares (:data:`METHODS`):

* ``generalist``: the dense model (no penalty), its block = the support of its heads' Jacobian
  (the package's one support rule; Proposition 2 predicts a superset of ``I_k``);
* ``generalist_top``: the same dense model, its ``|I_k|`` most-read latents (sparsity imposed
  only at read-out; it is *given* the true block size, which no user has);
* ``l1_auto``: the default ``SparseTaskVAE`` (λ chosen from the data alone);
* ``l1_fixed``: ℓ1 at a fixed, hand-set λ (shown, never used by a verdict);
* ``l0``: hard-concrete ℓ0 gates at a fixed weight;
* ``truth``: the true latents ``s_{I_k}`` themselves, the reference for R² irrelevant (which is
  above 0 when latents are correlated);
* ``random``: the chance level: a random Gaussian projection of the observations to ``d``
  dimensions (no training), each task's block as many of its columns as the ℓ1-auto model's
  block holds, read by the same regressor on the same fresh draw (paired per data set).

With ``attacks=True`` a run also scores the alternative choices the claims page attacks the
verdict with (:func:`verdict_of` reads them the same way): the support threshold
(:data:`ATTACK_THRESHOLDS`, methods ``"<method>@t<thr>"``), the penalty one path step below
and above the λ that "auto" chose (``l1_down``, ``l1_up``, each with its own chance block
``random:l1_down``, ``random:l1_up``) and a linear reader of R² (ridge on the block's codes,
methods ``"<method>@linear"``).

Per task and method, R² of each true latent is computed from the block's codes on the test draw
(:func:`specialist.metrics.block_r2_columns`); *R² relevant* averages the columns of ``I_k``,
*R² irrelevant* is reported as the mean and the maximum over the other latents; all are then
averaged over tasks. Module-level functions of keyword settings and ``seed`` for
:func:`specialist.sweep.run_grid`.

The package by concept: :mod:`~specialist.experiments.layer2.design` (methods, what each is
given, the accepted settings), :mod:`~specialist.experiments.layer2.runs` (one run and many:
the models and their scores) and :mod:`~specialist.experiments.layer2.verdicts` (the two
comparisons of the claim, their sentences and summaries). Every public name is importable from
here.

Backs
-----
fig5_l1_ablation, fig5_l1_path
"""

from specialist.experiments.layer2.design import (
    ATTACK_THRESHOLDS,
    CHANCE_OF,
    DATA_KEYS,
    GIVEN,
    METHODS,
    METRICS,
    MODEL_KEYS,
    READERS,
    check_settings,
    given_of,
    legend,
)
from specialist.experiments.layer2.runs import (
    block_scores,
    first_blocks,
    fit_run_models,
    fit_runs_models,
    layer2_run,
    layer2_runs,
    random_codes,
    runs_by_method,
    top_blocks,
)
from specialist.experiments.layer2.verdicts import (
    KEEP_MARGIN,
    PARTS,
    auto_vs_oracle,
    chance_text,
    method_summary,
    separation,
    separation_sentence,
    verdict_of,
)

__all__ = [
    "ATTACK_THRESHOLDS",
    "CHANCE_OF",
    "DATA_KEYS",
    "GIVEN",
    "KEEP_MARGIN",
    "METHODS",
    "METRICS",
    "MODEL_KEYS",
    "PARTS",
    "READERS",
    "auto_vs_oracle",
    "block_scores",
    "chance_text",
    "check_settings",
    "first_blocks",
    "fit_run_models",
    "fit_runs_models",
    "given_of",
    "layer2_run",
    "layer2_runs",
    "legend",
    "method_summary",
    "random_codes",
    "runs_by_method",
    "separation",
    "separation_sentence",
    "top_blocks",
    "verdict_of",
]
