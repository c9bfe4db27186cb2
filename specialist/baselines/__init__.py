"""Baselines of Fig. 3 (CCA, Group Lasso, SelTask) and our own relatives, as segment × task matrices.

Every entry of :data:`BASELINES` has Algorithm 1's signature and output::

    fn(states, tasks, segment_length=2, *, alpha=0.05, seed=0, **options) -> bool (K, M)

comparable with ``discover_task_structure(...).segment_tasks``. The paper does not say how the
baselines were adapted; each module's docstring states our reconstruction, and the book's
"Reconstruction notes" page summarises them. :data:`BASELINES` maps the names used in figures
and parameter files to the functions:

- ``"cca"``, ``"group_lasso"``: :mod:`~specialist.baselines.cca`,
  :mod:`~specialist.baselines.group_lasso`;
- ``"pair_test"``: the pair test (IUT), local selection tests of pairs of steps given the task
  variables g (SelTask's selection test made supervised; not SelTask, which never sees g),
  :mod:`~specialist.baselines.pair_test`;
- ``"local_test"``: the ablation that tests each segment × task entry once,
  ``s_{r_k} ⟂ g_i | {s_{r_k ± 1}}``, :mod:`~specialist.baselines.local_test`.

:data:`NEEDS_ACTIONS_AND_TRUTH` holds the baselines that need more than the shared signature:
``"seltask_unsup"``, the original-like SelTask that never sees ``g``
(:mod:`~specialist.baselines.seltask_unsup`), takes the keyword-only ``actions`` (same shape as
``states``) and ``truth`` (bool (K, M), used only to label its unlabelled subgoals), besides
the shared arguments.

Backs
-----
fig3_structure
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from specialist.baselines.cca import cca_structure
from specialist.baselines.group_lasso import group_lasso_structure
from specialist.baselines.local_test import local_test_pvalues, local_test_structure
from specialist.baselines.pair_test import pair_test_structure
from specialist.baselines.seltask_unsup import (
    match_subgoals,
    seltask_unsupervised_structure,
    seltask_unsupervised_subgoals,
)

#: name -> baseline; every entry takes (states, tasks, segment_length, *, alpha, seed, ...)
BASELINES: dict[str, Callable[..., np.ndarray]] = {
    "cca": cca_structure,
    "group_lasso": group_lasso_structure,
    "pair_test": pair_test_structure,
    "local_test": local_test_structure,
}

#: name -> baseline taking the shared arguments plus keyword-only ``actions`` and ``truth``:
#: ``fn(states, tasks, segment_length=2, *, actions, truth, alpha=0.05, seed=0, ...)``
NEEDS_ACTIONS_AND_TRUTH: dict[str, Callable[..., np.ndarray]] = {
    "seltask_unsup": seltask_unsupervised_structure,
}

__all__ = [
    "BASELINES",
    "NEEDS_ACTIONS_AND_TRUTH",
    "cca_structure",
    "group_lasso_structure",
    "local_test_pvalues",
    "local_test_structure",
    "match_subgoals",
    "pair_test_structure",
    "seltask_unsupervised_structure",
    "seltask_unsupervised_subgoals",
]
