"""Fig. 4 on simulated SportsHHI-style scenes: who interacts with whom, when, and how well.

The design (every choice is ours; see the Reconstruction notes)
---------------------------------------------------------------
Each run draws one play (:func:`~specialist.simulate.sports.random_scenario`) and two disjoint
sets of its episodes:

* *training episodes*: every representation is fitted on them (PCA, the sequential VAE, the
  supervised models, the regression of the linear control);
* *test episodes*: the fitted representations encode them, and Algorithm 1
  (:func:`~specialist.structure.discover_task_structure`, Fisher-z) runs on them, one *block*
  of test episodes at a time. Each block's p-values rank that block's candidates, so the
  ranking depends on the held-out data, and the detections of a block are scored with the
  evidence of that block only.

Methods (the features of each player at each keyframe; ``d`` = ``n_latent``)

``base``
    PCA of the player's crop pixels, ``d`` components (unsupervised; the paper's Base);
``leap``
    posterior means of a LEAP-style sequential VAE (:class:`~specialist.models.SequentialVAE`,
    a learned transition prior, no task information), ``d`` latents;
``linear``
    *supervised linear control*: a ridge regression of the outcomes ``g`` on the PCA features
    (``n_linear_components`` per crop) of every player and keyframe; the feature is the one
    direction of PCA space that the regression's coefficients share most (their first singular
    vector), so it is 1-dimensional. No VAE, no sparsity;
``dense``
    *dense supervised control*: the specialist's VAE with the same task weight and ``ℓ1 = 0``,
    restricted to the latents the package's support rule keeps for some task (the rule of
    :meth:`~specialist.models.SparseTaskVAE.relevant_latents`, the same as for ``ours``);
``dense_matched``
    *dimension-matched control*: the dense model's latents with the largest summed sensitivity
    (:attr:`~specialist.models.SparseTaskVAE.task_sensitivity_`), as many as ``ours`` keeps
    in the same run. It is given a number only the sparse model found, so it separates what
    the ℓ1 penalty does during training from choosing a small read-out after it;
``ours``
    the specialist (:class:`~specialist.models.SparseTaskVAE` with ``ℓ1 = l1``), restricted to
    the latents the rule keeps. ``dense`` and ``ours`` train as one batched ensemble
    (:meth:`~specialist.models.SparseTaskVAE.fit_path`): same initialisation, same batches,
    so the ℓ1 penalty is the only difference between them;
``oracle``
    the true states (an upper bound, not a method);
``chance``
    the trivial reference (:func:`chance_predictions`): Algorithm 1's evidence replaced by
    uniform random numbers, written in the same prediction format (the same candidate pairs,
    rows, keyframes and detected boxes) and scored by the same evaluator; its score in a run
    is the mean of :data:`CHANCE_DRAWS` draws (a seed stream of its own).

What each row is given (:data:`GIVEN`, shown with :func:`specialist.labels.with_given`):
Algorithm 1 conditions on the outcomes ``g`` of the test episodes for every feature-based
row, so every one of them is "given g"; ``linear``, ``dense``, ``dense_matched`` and ``ours``
are also *supervised* (their features are fitted with the training outcomes as targets), and
``dense_matched`` is given the size of Ours' block. Base and LEAP-style are not supervised, so
the paper's comparison is one across different information.

Test dimensions. Fisher-z on vector features is the multivariate Wilks–Bartlett test of
:class:`~specialist.ci.FisherZ`, whose χ² reference has ``d_x d_y`` degrees of freedom: every
method's p-values are calibrated whatever its dimension, and the dimension changes only the
power. Each run records every method's dimension (metric ``dims``).

Scoring. For every player ``p`` of a block, the evidence that ``p`` takes part in interaction
``i`` at segment ``k`` is the smallest pair p-value involving ``k``. Every pair of players is a
candidate for ``(i, k)`` with score ``−log10 max(evidence of its two players)`` (:func:`score_of`), emitted on every
keyframe of segment ``k`` of the block's first scored episodes, with the players' *detected*
boxes, in SportsHHI's prediction format, and scored by
:func:`~specialist.data.sportshhi.evaluation.evaluate_map` (official protocol) at each IoU threshold.

Difficulties (:data:`DIFFICULTIES`) change one thing each against ``"standard"``.

Verdicts. Every interval is a paired Student-t interval over plays (the same play and
episodes for every row). The paper's ordering Ours > LEAP > Base is decided by
:func:`verdict_of`: each link at each difficulty is one comparison under the book's one chance
rule (:func:`specialist.outcomes.gated_outcome`), the chain at a difficulty is the conjunction
of its links, and the difficulties are read by :func:`specialist.outcomes.combine`. The attacks (:func:`ordering_attacks`: the other IoU
threshold, the standard scenes alone, Recall@10) are decided by the same function.

Backs
-----
fig4_sportshhi
"""

from __future__ import annotations

from specialist.experiments.interactions.design import (
    CHANCE_DRAWS,
    DIFFICULTIES,
    DIFFICULTY_DEFAULTS,
    GIVEN,
    METHOD_LABELS,
    METHODS,
    MIN_BLOCK,
    PAPER_MAP,
    REFITTED,
    ROW_CHANCE,
    SCORED,
    SHORT_LABELS,
    check_difficulties,
    check_settings,
)
from specialist.experiments.interactions.detections import (
    block_predictions,
    chance_predictions,
    distinct_scores,
    player_evidence,
    predictions,
    score_of,
    scored_episodes,
)
from specialist.experiments.interactions.entries import claims, difficulty_conditions
from specialist.experiments.interactions.features import (
    base_features,
    choose_l1,
    encode,
    fit_seeds,
    kept_latents,
    leap_features,
    linear_features,
    specialist_features,
    specialist_paths,
)
from specialist.experiments.interactions.path import (
    LAMBDA_RULES,
    path_sentences,
    path_table,
    rule_contrasts,
    scores_with_rule,
)
from specialist.experiments.interactions.study import (
    InteractionStudy,
    play_run,
    run_study,
)
from specialist.experiments.interactions.tables import (
    CONTRASTS,
    ORDERING_LINKS,
    beats_chance,
    below_chance,
    contrast_label,
    contrasts,
    fit_variance,
    fit_variance_display,
    fit_variance_sentence,
    given_label,
    holm_beats_chance,
    map_table,
    mean_dims,
    one_sided_p,
    sparsity_sentences,
    summary_table,
    threshold_sentence,
)
from specialist.experiments.interactions.verdicts import (
    OrderingVerdict,
    attacks_sentence,
    attacks_table,
    chain_sentence,
    holm_attack,
    ordering_attacks,
    verdict_of,
)

__all__ = [
    "one_sided_p",
    "holm_beats_chance",
    "below_chance",
    "CHANCE_DRAWS",
    "CONTRASTS",
    "DIFFICULTIES",
    "DIFFICULTY_DEFAULTS",
    "GIVEN",
    "LAMBDA_RULES",
    "METHODS",
    "METHOD_LABELS",
    "MIN_BLOCK",
    "ORDERING_LINKS",
    "OrderingVerdict",
    "PAPER_MAP",
    "REFITTED",
    "ROW_CHANCE",
    "SCORED",
    "SHORT_LABELS",
    "InteractionStudy",
    "attacks_sentence",
    "attacks_table",
    "base_features",
    "beats_chance",
    "block_predictions",
    "chance_predictions",
    "check_difficulties",
    "check_settings",
    "choose_l1",
    "claims",
    "contrast_label",
    "contrasts",
    "difficulty_conditions",
    "distinct_scores",
    "encode",
    "fit_seeds",
    "fit_variance",
    "fit_variance_display",
    "fit_variance_sentence",
    "given_label",
    "kept_latents",
    "leap_features",
    "linear_features",
    "map_table",
    "mean_dims",
    "ordering_attacks",
    "holm_attack",
    "chain_sentence",
    "path_sentences",
    "path_table",
    "player_evidence",
    "predictions",
    "rule_contrasts",
    "score_of",
    "scored_episodes",
    "scores_with_rule",
    "sparsity_sentences",
    "specialist_features",
    "specialist_paths",
    "play_run",
    "run_study",
    "summary_table",
    "threshold_sentence",
    "verdict_of",
]
