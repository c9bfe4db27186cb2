"""The Fig. 5 claim's two comparisons (:func:`separation`, read by :func:`verdict_of`), their
chance text and sentences, the method summary, and how "auto" compares with the λ the truth
would pick (:func:`auto_vs_oracle`).

Backs
-----
fig5_l1_ablation, fig5_l1_path
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from specialist import claims
from specialist.experiments.layer2.design import CHANCE_OF, METHODS, METRICS
from specialist.stats import Interval, mean_interval, paired_difference

#: how much R² relevant the sparse model may lose against the generalist and still "keep" the
#: relevant block (a non-inferiority margin, in R²)
KEEP_MARGIN = 0.05
#: the two comparisons behind the Fig. 5 claim
PARTS = ("irrelevant", "relevant")


def _shift(iv: Interval, by: float) -> Interval:
    return Interval(iv.estimate + by, iv.low + by, iv.high + by, iv.n)


def separation(
    long: pd.DataFrame,
    sparse: str = "l1_auto",
    dense: str = "generalist",
    chance: str | Mapping[str, str] | None = None,
    margin: float = KEEP_MARGIN,
) -> dict:
    """The comparisons behind the Fig. 5 claim on one condition, paired per data set.

    ``long`` is :func:`runs_by_method` output of one condition (one row per run and method;
    ``seed`` identifies the data set). Four paired t intervals (:func:`specialist.stats.
    paired_difference`):

    * ``chance:<method>``: R² relevant of ``sparse`` and of ``dense`` minus that of its chance
      reference (a random representation with blocks of *that method's* size, same reader,
      same rows: ``chance`` maps method → reference, default :data:`CHANCE_OF`; a string
      gives both the same). A method *beats chance* (:func:`specialist.outcomes.beats_chance`)
      when the interval lies above 0;
    * ``irrelevant``: R² irrelevant max of ``dense`` minus that of ``sparse`` (> 0: the sparse
      blocks leak less about the other latents); its outcome (:func:`specialist.claims.
      outcome`) is the first comparison;
    * ``relevant``: R² relevant of ``sparse`` minus that of ``dense``; the second comparison
      is non-inferiority: its outcome is read from the interval shifted up by ``margin``
      (*agree*: the relevant block is kept within ``margin``; *disagree*: it is lost by more
      than ``margin``; *tie*: the data cannot tell).

    Each comparison goes through the book's one chance rule
    (:func:`specialist.outcomes.gated_outcome`, chance judged on R² relevant): it is
    *untestable* when neither model beats its chance block, or when the model found better is
    at chance itself.
    The claim needs both parts, so the condition's outcome is their conjunction
    (:func:`specialist.outcomes.conjoin`: separation shown but the relevant block undecided is a
    tie, not half an agreement).

    Returns
    -------
    dict
        ``irrelevant``, ``relevant`` and ``chance`` (by method) intervals, ``outcomes`` (by
        part), ``outcome`` (their conjunction), ``reason`` (why untestable, else ``""``) and
        ``verdict`` (:func:`specialist.outcomes.combine` of ``outcome``).

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    from specialist.experiments.verdicts import paired

    refs = _chance_refs(chance, sparse, dense)
    above = {m: paired(long, m, refs[m], "r2_relevant") for m in (sparse, dense)}
    irrelevant = paired(long, dense, sparse, "r2_irrelevant_max")
    relevant = paired(long, sparse, dense, "r2_relevant")
    beats = {m: claims.beats_chance(above[m]) for m in (sparse, dense)}
    # both parts read with the sparse model as "a": above 0 means it is the better one (it
    # leaks less; it keeps the relevant block within the margin)
    names = (METHODS.get(sparse, sparse), METHODS.get(dense, dense))
    outcomes, reasons = {}, []
    for part, iv in (("irrelevant", irrelevant), ("relevant", _shift(relevant, margin))):
        outcomes[part], why = claims.gated_outcome(iv, beats[sparse], beats[dense])
        text = claims.explain(why, *names, "a random block of its size on R² relevant")
        if text and text not in reasons:
            reasons.append(text)
    reason = "; ".join(reasons)
    if reason:
        reason += (
            " ("
            + "; ".join(f"{METHODS.get(m, m)} − chance {above[m].text()}" for m in (sparse, dense))
            + ")"
        )
    return {
        "irrelevant": irrelevant,
        "relevant": relevant,
        "chance": above,
        "outcomes": outcomes,
        "outcome": claims.conjoin(outcomes.values()),
        "reason": reason,
        "verdict": claims.combine([claims.conjoin(outcomes.values())]),
    }


def _chance_refs(chance, sparse: str, dense: str) -> dict[str, str]:
    """``{method: chance reference}`` for :func:`separation` (see there).

    A variant ``"<method>@<suffix>"`` (an attack's threshold or reader) gets its method's
    reference with the same suffix (``"l1_auto@t0.2"`` → ``"random@t0.2"``).
    """
    if isinstance(chance, str):
        return {sparse: chance, dense: chance}
    table = {**CHANCE_OF, **(chance or {})}
    refs = {}
    for m in (sparse, dense):
        base, at, suffix = m.partition("@")
        if m in table:
            refs[m] = table[m]
        elif base in table:
            refs[m] = table[base] + (at + suffix if at else "")
        else:
            raise ValueError(f"no chance reference for {m!r}; pass chance={{method: reference}}")
    return refs


def verdict_of(
    conditions: Mapping[str, pd.DataFrame],
    sparse: str = "l1_auto",
    dense: str = "generalist",
    chance: str | Mapping[str, str] | None = None,
    margin: float = KEEP_MARGIN,
) -> tuple[str, str, str, dict]:
    """The one verdict rule of the Fig. 5 claim, for the main verdict and every attack.

    ``conditions`` maps a condition's name to its :func:`runs_by_method` rows; every condition
    gives one outcome (:func:`separation`: the conjunction of its two comparisons), and the
    verdict is :func:`specialist.outcomes.combine` of the conditions' outcomes ("mixed" when the
    conditions disagree).

    Returns
    -------
    tuple
        ``(verdict, key_number, tally, results by condition)``.

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    results = {
        name: separation(part, sparse, dense, chance, margin) for name, part in conditions.items()
    }
    outcomes = [r["outcome"] for r in results.values()]
    verdict = claims.combine(outcomes)
    if len(results) == 1:
        r = next(iter(results.values()))
        key = (
            f"R² irrelevant max lower by {r['irrelevant'].text()}, R² relevant changed by "
            f"{r['relevant'].text()} ({METHODS.get(sparse, sparse)} − "
            f"{METHODS.get(dense, dense)}; paired t, {r['irrelevant'].n} data sets)"
        )
        if r["reason"]:
            key += f"; untestable: {r['reason']}"
    else:
        key = "; ".join(f"{name}: {r['verdict']}" for name, r in results.items())
    return verdict, key, claims.tally(outcomes), results


def chance_text(
    long: pd.DataFrame, chance: str | Sequence[str] = ("random", "random_dense")
) -> str:
    """``"random projection …: R² relevant 0.31 [0.25, 0.37], R² irrelevant max …"``: what
    each chance reference scores on these runs (t intervals over data sets, at most 1).

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    parts = []
    for ref in [chance] if isinstance(chance, str) else chance:
        part = long[long["method"] == ref]
        if part.empty:
            continue
        rel = mean_interval(part["r2_relevant"], bounds=(-np.inf, 1.0))
        irr = mean_interval(part["r2_irrelevant_max"], bounds=(-np.inf, 1.0))
        parts.append(
            f"{METHODS.get(ref, ref)}: R² relevant {rel.estimate:.2f} [{rel.low:.2f}, "
            f"{rel.high:.2f}], R² irrelevant max {irr.estimate:.2f} [{irr.low:.2f}, "
            f"{irr.high:.2f}] ({rel.n} data sets)"
        )
    if not parts:
        raise ValueError(f"no chance reference {chance!r} in the runs")
    return "; ".join(parts)


def method_summary(long: pd.DataFrame, methods=None) -> pd.DataFrame:
    """Mean and 95% t interval of every metric per method (rows: method, metric).

    Backs
    -----
    fig5_l1_ablation
    """
    rows = []
    methods = methods or [m for m in METHODS if m in set(long["method"])]
    for method in methods:
        part = long[long["method"] == method]
        for metric in METRICS:
            if metric not in part or part[metric].isna().all():
                continue
            iv = mean_interval(part[metric])
            rows.append(
                {
                    "method": method,
                    "metric": metric,
                    "mean": round(iv.estimate, 4),
                    "low": round(iv.low, 4),
                    "high": round(iv.high, 4),
                    "n": iv.n,
                }
            )
    return pd.DataFrame(rows)


def separation_sentence(result: dict, sparse: str, dense: str, where: str) -> str:
    """One computed sentence for a :func:`separation` result.

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    irr, rel = result["irrelevant"], result["relevant"]
    chance = "; ".join(
        f"{METHODS.get(m, m)} − chance on R² relevant {iv.text()}"
        for m, iv in result["chance"].items()
    )
    outcomes = result["outcomes"]
    if result["reason"]:
        how = f"the comparison is not testable: {result['reason']}"
    else:
        how = (
            f"separation of the blocks: {outcomes['irrelevant']}; relevant block kept within "
            f"{KEEP_MARGIN:g}: {outcomes['relevant']}"
        )
    return (
        f"{where}: {METHODS.get(sparse, sparse)} against {METHODS.get(dense, dense)}: R² "
        f"irrelevant max lower by {irr.text()}, R² relevant changed by {rel.text()} (paired 95% "
        f"t intervals over {irr.n} data sets; {chance}); {how}; verdict: {result['verdict']}."
    )


def auto_vs_oracle(runs: pd.DataFrame, path: Sequence[float]) -> dict:
    """Where ``l1="auto"`` landed on runs of :func:`layer2_run` (with ``score_path``), against
    the λ the truth picks (``oracle_l1``), paired per data set.

    Returns the λ values of both, how many agree, how many auto choices sit on the path's
    largest λ, the largest of ``path`` (``at_edge``: the rule might have gone further on a
    longer path), and t intervals of the differences
    auto − oracle of R² relevant and of R² irrelevant max (the oracle's model is the path's
    model at its λ, fitted on the same rows).

    Backs
    -----
    fig5_l1_path
    """

    def at_oracle(metric: str) -> np.ndarray:
        return np.array([row[f"{metric}:path={row['oracle_l1']:g}"] for _, row in runs.iterrows()])

    return {
        "auto": runs["auto_l1"].tolist(),
        "oracle": runs["oracle_l1"].tolist(),
        "same": int((runs["auto_l1"] == runs["oracle_l1"]).sum()),
        # the largest λ of the path: a larger one might have qualified too
        "at_edge": int((runs["auto_l1"] >= max(path)).sum()),
        "relevant": paired_difference(runs["r2_relevant:l1_auto"], at_oracle("r2_relevant")),
        "irrelevant_max": paired_difference(
            runs["r2_irrelevant_max:l1_auto"], at_oracle("r2_irrelevant_max")
        ),
    }
