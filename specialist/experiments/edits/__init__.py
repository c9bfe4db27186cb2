"""Figs. 6–7 and the edit-specificity table: edits by intervention on the latents of a GAN.

Design
------
Two :class:`~specialist.models.gan.TaskMaskGAN` are trained per seed on the same procedural
cats (:mod:`specialist.simulate.cats`) from the same initialisation: one with an ℓ1 penalty on
its task–latent masks (*sparse*), one without (*dense*). A task is a vector: an accessory's
presence and its attributes (hat colour, height and offset; glasses size and frame colour; tie
colour and length). In the training cats the identity factors may be correlated with the
accessories (``correlation``: hats mostly on dark cats, glasses mostly with blue eyes, ties
mostly on large cats); the test cats come from the same generator with every factor
independent.

An edit puts accessory ``k`` on a held-out cat that does not wear it. The edits by
*intervention on coordinates* transplant a block ``B`` of latent coordinates from a *donor*, a
held-out cat that wears ``k`` (one random donor per cat, the same for every method):
``z'_B = z_donor,B`` and ``z'_j = z_j`` elsewhere (:func:`transplant`). The methods
(:data:`METHODS`):

* ``l1_block``: the sparse model's block of task ``k`` (its Jacobian support, the rule of
  :mod:`specialist.models._common`);
* ``dense_block``: the dense model's block under the same rule;
* ``dense_top``: the dense model's ``|B_k|`` latents of largest sensitivity, ``|B_k|`` being
  the sparse model's block size: sparsity imposed at edit time only, not during training
  (Theorem 2 is about the latter);
* ``all_latents``: every coordinate, i.e. the donor's whole code (the literal "no mask");
* ``direction_l1``, ``direction_dense``: a second edit operator, the direction edit
  (:meth:`~specialist.models.gan.TaskMaskGAN.edit_latents`: the code moves along the head's
  presence direction on the model's block, no donor);
* ``procedural``: the perfect edit, rendered from the true factors with the donor's
  accessory (:meth:`~specialist.simulate.cats.CatFactors.with_accessory_from`); a reference
  for the measures, not a model;
* ``random_block``, ``random_dense``, ``random_dense_top``: the chance levels, one per compared
  block (:data:`CHANCE_OF`): a random block of the same model's coordinates, as many as the
  compared block holds (the ℓ1 block; the dense Jacobian block; the dense top-|B_k| block),
  transplanted the same way and scored the same way.

Measures (per method and accessory, :data:`METRICS`), comparing each edit with the model's
reconstruction of the same cat (the original image for ``procedural``), so that
reconstruction error is not counted as an effect of the edit:

* ``success``: the readers see accessory ``k`` on the edit;
* ``identity``: the mean change of the identity factors read from the image (fur colour, eye
  colour, pose, ears, background; each change in standard deviations of the factor over
  independent cats), and each group on its own;
* ``other_flips``: share of the two other accessories whose presence, as read, changes;
* ``attribute_error``: mean absolute error of the edit's attributes, as read, against the
  donor's (standard deviations of each attribute; none for direction edits);
* ``outside_inside``: mean pixel change outside the accessory's envelope (every place it can
  take on this cat, :func:`~specialist.simulate.cats.accessory_envelope`) over the mean change
  inside it; 0 for a perfect edit;
* ``block_size``: the number of coordinates the edit may change.

The readers (:class:`AttributeReaders`) are a small convolutional network trained on
procedural cats with their true factors (independent factors; half of the training images
blurred, so that it reads a GAN's blurrier output).

Backs
-----
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

from specialist.experiments.edits.design import (
    ACCESSORY_KEYS,
    CHANCE_OF,
    GAN_KEYS,
    GIVEN,
    METHODS,
    METRICS,
)
from specialist.experiments.edits.operators import (
    donor_pairs,
    edit_images,
    edit_measures,
    pictured_edits,
    top_block,
    transplant,
)
from specialist.experiments.edits.study import (
    MODEL_COLUMNS,
    data_seeds,
    edit_runs,
    edit_study_run,
    fit_pair,
    held_out_cats,
    measures_of,
    pair_of,
    score_edits,
    study_setting,
    train_model_run,
)
from specialist.experiments.edits.verdicts import (
    attack_specs,
    claim_parts,
    compare,
    counter_evidence,
    edit_claim,
    given_of,
    parts_sentence,
    runs_by_edit,
    specificity_verdict,
    summary_table,
    verdict_of,
    verdict_sentence,
)
from specialist.models.readers import AttributeReaders, trained_readers

__all__ = [
    "ACCESSORY_KEYS",
    "AttributeReaders",
    "CHANCE_OF",
    "GAN_KEYS",
    "GIVEN",
    "METHODS",
    "METRICS",
    "MODEL_COLUMNS",
    "attack_specs",
    "claim_parts",
    "compare",
    "counter_evidence",
    "data_seeds",
    "donor_pairs",
    "edit_claim",
    "edit_images",
    "edit_measures",
    "edit_runs",
    "edit_study_run",
    "fit_pair",
    "given_of",
    "held_out_cats",
    "runs_by_edit",
    "measures_of",
    "pair_of",
    "parts_sentence",
    "pictured_edits",
    "score_edits",
    "specificity_verdict",
    "study_setting",
    "summary_table",
    "top_block",
    "train_model_run",
    "trained_readers",
    "transplant",
    "verdict_of",
    "verdict_sentence",
]
