"""Tidy tables from sweep results: the one reshaping the experiments share.

A run function returns flat mappings whose scored entries are named by ``:``-joined parts, e.g.
``"ours:accuracy"`` or ``"r2_relevant:generalist"``. :func:`scores_long` turns a table of such
runs into one row per run and per combination of the non-metric parts, with a column per
metric (parts are split from the left, and rows whose metrics are all missing are dropped).
Backs: fig3_structure, fig3_conditions, fig3_nonlinear, fig5_l1_ablation, fig5_l1_path.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def scores_long(
    runs: pd.DataFrame,
    scored: Sequence[str],
    parts: Sequence[str],
    keys: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Columns ``scored`` of ``runs``, named ``"<part 1>:<part 2>[:…]"`` after ``parts`` (one of
    them ``"metric"``), as one row per ``keys`` (default: every column without a ``:``) and
    per value of the other parts, with a column per metric."""
    parts = list(parts)
    if "metric" not in parts:
        raise ValueError(f"parts must name the 'metric' part, got {parts!r}")
    keys = [c for c in runs.columns if ":" not in c] if keys is None else list(keys)
    melted = runs.melt(id_vars=keys, value_vars=list(scored), var_name="key", value_name="value")
    melted[parts] = melted["key"].str.split(":", n=len(parts) - 1, expand=True)
    index = [*keys, *(p for p in parts if p != "metric")]
    wide = melted.pivot_table(
        index=index, columns="metric", values="value", aggfunc="first"
    ).reset_index()
    wide.columns.name = None
    return wide
