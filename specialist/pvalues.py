"""Families of p-values: multiple-testing corrections and per-entry combinations.

Algorithm 1 (:func:`specialist.structure.discover_task_structure`) decides each segment x task
entry from its ``K - 1`` pair tests. :func:`combine_pvalues` turns those into one entry p-value
(the decision rule), :func:`adjust_pvalues` corrects one family of p-values, and
:func:`smallest_threshold` says how small a single p-value must be for a rule and correction
to mark anything (which a permutation test's floor ``1 / (B + 1)`` must reach). The names are
re-exported by :mod:`specialist.structure`.

Backs
-----
fig3_structure, fig3_conditions, fig_finite_sample, tab2_runtime
"""

from __future__ import annotations

import numpy as np

CORRECTIONS = ("none", "bonferroni", "holm", "fdr_bh")
#: decision rules, i.e. how the pair tests of a segment x task entry decide it (see
#: discover_task_structure)
COMBINES = ("any", "simes", "bonferroni")


def adjust_pvalues(pvalues: np.ndarray, method: str = "none") -> np.ndarray:
    """Multiple-testing adjustment of one family of p-values (1-D, any order).

    ``"none"`` (the paper's setting), ``"bonferroni"``, ``"holm"`` (step-down, controls the
    family-wise error) or ``"fdr_bh"`` (Benjamini–Hochberg step-up, controls the false
    discovery rate). Adjusted values are capped at 1.

    Backs
    -----
    fig3_structure
    """
    if method not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}, got {method!r}")
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    if method == "none" or m == 0:
        return p.copy()
    if method == "bonferroni":
        return np.minimum(1.0, m * p)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        # p_(j) * (m - j + 1), made monotone from the smallest p upwards
        adj = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * ranked))
    else:
        # p_(j) * m / j, made monotone from the largest p downwards
        adj = np.minimum.accumulate((m / np.arange(1, m + 1) * ranked)[::-1])[::-1]
        adj = np.minimum(1.0, adj)
    out = np.empty(m)
    out[order] = adj
    return out


def combine_pvalues(pvalues: np.ndarray, method: str = "simes") -> np.ndarray:
    """Combine the ``m`` p-values in the last axis of ``pvalues`` into one (NaN ignored).

    ``"any"``: the minimum (no combination; the paper's rule thresholds it directly).
    ``"bonferroni"``: ``min(1, m * min_j p_j)``, valid under any dependence.
    ``"simes"``: ``min_j m p_(j) / j`` (Simes, 1986), a test of the global null "all ``m`` null"
    that is valid for independent or positively dependent p-values (PRDS) and more powerful
    than Bonferroni when several of them are small. ``m`` counts the finite entries of each
    row (a row of NaN gives NaN).

    Backs
    -----
    fig3_structure, fig3_conditions
    """
    if method not in COMBINES:
        raise ValueError(f"combine must be one of {COMBINES}, got {method!r}")
    p = np.sort(np.asarray(pvalues, dtype=float), axis=-1)  # NaN sort last
    m = np.sum(np.isfinite(p), axis=-1)
    with np.errstate(invalid="ignore"):
        if method == "any":
            out = p[..., 0]
        elif method == "bonferroni":
            out = np.minimum(1.0, m * p[..., 0])
        else:
            ranks = np.arange(1, p.shape[-1] + 1)
            scaled = np.where(np.isfinite(p), m[..., None] * p / ranks, np.inf)
            out = np.minimum(1.0, scaled.min(axis=-1))
    return np.where(m > 0, out, np.nan)


def smallest_threshold(
    n_segments: int, n_tasks: int, alpha: float, correction: str, combine: str
) -> tuple[float, float]:
    """How small a raw pair p-value must be for any entry to be marked, in the best case.

    Returns ``(threshold, factor)``: an entry can only be marked if some pair p-value ``p``
    has ``factor * p < threshold``. ``threshold`` is ``alpha`` divided by the size of the
    corrected family (``alpha`` itself without a correction; the first step of Holm and
    Benjamini–Hochberg is the Bonferroni one), ``factor`` is ``K - 1`` for the Bonferroni
    combination (its smallest value is ``(K - 1)`` times the smallest pair p-value) and 1
    otherwise (Simes reaches the pair p-value when all ``K - 1`` pairs share it). Used to refuse
    a permutation test whose smallest p-value cannot reach it.

    Backs
    -----
    fig3_structure
    """
    family = n_segments * (n_segments - 1) // 2 if combine == "any" else n_segments * n_tasks
    threshold = alpha if correction == "none" else alpha / family
    return threshold, float(n_segments - 1 if combine == "bonferroni" else 1)
