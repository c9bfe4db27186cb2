"""The Layer 1 methods' names, labels and what each is given: names only, no computation, so
that the verdict code and the pages can name the methods without importing the experiments
(:mod:`specialist.experiments.layer1` re-exports them).

Backs
-----
fig3_conditions, fig3_nonlinear, fig3_structure, fig_colliders, fig_finite_sample, tab2_runtime
"""

from __future__ import annotations

#: method name -> label used in figures and tables. "Ours" is the paper's Algorithm 1 and its
#: decision rules. "Pair test (IUT)" is a local selection test per pair of steps given g,
#: combined by an intersection-union rule (SelTask's selection test turned into a supervised
#: test; not SelTask, which never sees g: :mod:`specialist.baselines.pair_test`).
METHOD_LABELS = {
    "cca": "CCA",
    "group_lasso": "Group Lasso",
    "seltask_unsup": "SelTask (unsupervised)",
    "pair_test": "Pair test (IUT)",
    "local_test": "Local test",
    "ours": "Ours",
    "ours_holm": "Ours + Holm",
    "ours_simes": "Ours + Simes",
    "ours_bonferroni": "Ours + Bonferroni",
    "best_constant": "Best constant",
    "seltask_shuffled": "Shuffled subgoals (matched on the truth)",
}

#: the chance reference of every Layer 1 score: the best constant segment × task matrix of the
#: data set (all entries 0 or all 1, whichever is more accurate on the truth). It is given the
#: base rate (the true share of positive entries); its MCC is 0.
CHANCE = "best_constant"

#: method -> what it uses beyond the observations (keys of :data:`specialist.labels.INFORMATION`).
#: SelTask (unsupervised) never sees g; the true structure matches its subgoals to the tasks,
#: for scoring only.
METHOD_GIVEN = {
    "cca": ("g",),
    "group_lasso": ("g",),
    "seltask_unsup": ("actions", "truth"),
    "pair_test": ("g",),
    "local_test": ("g",),
    "ours": ("g",),
    "ours_holm": ("g",),
    "ours_simes": ("g",),
    "ours_bonferroni": ("g",),
    "best_constant": ("base_rate",),
    "seltask_shuffled": ("actions", "truth"),
}

#: the chance reference of the unsupervised SelTask, which the truth labels: its own subgoals
#: with the segments shuffled, matched to the tasks on the truth in the same way (what the
#: matching alone scores)
SELTASK_CHANCE = "seltask_shuffled"
