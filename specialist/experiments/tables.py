"""Tidy tables from sweep results: the one reshaping the experiments share.

A run function returns flat mappings whose scored entries are named by ``:``-joined parts, e.g.
``"ours:accuracy"`` or ``"r2_relevant:generalist"``. :func:`scores_long` turns a table of such
runs into one row per run and per combination of the non-metric parts, with a column per
metric (parts are split from the left, and rows whose metrics are all missing are dropped).

Some entries are measured on the machine rather than computed from the data: wall times
(``"<method>:runtime_s"``) and the number of warnings a method raised. :func:`split_timings`
keeps them out of the result tables, so that one profile gives byte-identical tables on every
machine and executor; they go to the artefact's own ``timings.csv``.

Backs
-----
fig3_structure, fig3_conditions, fig3_nonlinear, fig5_l1_ablation, fig5_l1_path
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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


#: metric names of measured, machine-dependent entries: wall time in seconds and the count of
#: warnings raised (a diagnostic, e.g. an iteration limit reached; not a result)
TIMED_METRICS = ("runtime_s", "warnings")


def timed_columns(columns: Iterable[str], metrics: Sequence[str] = TIMED_METRICS) -> list[str]:
    """The columns named ``<metric>`` or ``"…:<metric>"`` for a metric in ``metrics``."""
    return [c for c in columns if any(c == m or c.endswith(f":{m}") for m in metrics)]


def split_timings(
    runs: pd.DataFrame,
    keys: Sequence[str] | None = None,
    metrics: Sequence[str] = TIMED_METRICS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(results, timings)``: ``runs`` without its timed columns (:func:`timed_columns`), and
    ``keys`` followed by those columns (the rows of both in the order of ``runs``).

    Works on wide runs (``"ours:runtime_s"``) and on long ones (a ``runtime_s`` column).
    ``keys`` defaults to every column without a ``:`` of a wide table; a long table, whose
    metric columns have no ``:`` either, must name its identifying columns.

    Backs
    -----
    fig3_conditions, fig3_nonlinear, fig3_structure
    """
    timed = timed_columns(runs.columns, metrics)
    if keys is None:
        if any(":" not in c for c in timed):
            raise ValueError(
                f"a long table (timed columns {timed}) needs its identifying columns as keys"
            )
        keys = [c for c in runs.columns if ":" not in c]
    keys = list(keys)
    clash = [k for k in keys if k in timed or k not in runs.columns]
    if clash:
        raise ValueError(f"keys must be columns of runs that are not timed, got {clash}")
    return runs.drop(columns=timed), runs[[*keys, *timed]].copy()
