"""Baselines of Fig. 3: CCA, Group Lasso and SelTask, adapted to output a segment × task matrix.

Every baseline has Algorithm 1's signature and output::

    fn(states, tasks, segment_length=2, *, alpha=0.05, seed=0, **options) -> bool (K, M)

comparable with ``discover_task_structure(...).segment_tasks``. The paper does not say how the
baselines were adapted; each module's docstring states our reconstruction, and the book's
"Reconstruction notes" page summarises them. :data:`BASELINES` maps the names used in figures
and parameter files to the functions. Backs: fig3_structure.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from specialist.baselines.cca import cca_structure
from specialist.baselines.group_lasso import group_lasso_structure
from specialist.baselines.seltask import seltask_structure

#: name -> baseline; every entry takes (states, tasks, segment_length, *, alpha, seed, ...)
BASELINES: dict[str, Callable[..., np.ndarray]] = {
    "cca": cca_structure,
    "group_lasso": group_lasso_structure,
    "seltask": seltask_structure,
}

__all__ = ["BASELINES", "cca_structure", "group_lasso_structure", "seltask_structure"]
