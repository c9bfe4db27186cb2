"""The conditions atlas of Layer 1: where the paper's Fig. 3 ordering holds, and which rule wins.

Input: long-format runs (:func:`specialist.experiments.layer1.long_format`) of
:func:`~specialist.experiments.layer1.structure_recovery` over a grid of *conditions* (task
density, disconnection probability, task-signal strength, sample size), every method scored on
the same data set of each run. Each function below returns one row per condition, computed with
paired t intervals over the condition's data sets (:mod:`specialist.experiments.verdicts`).

Backs
-----
fig3_conditions
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd

from specialist.experiments.verdicts import label, ordering, paired
from specialist.stats import verdict

#: the atlas's condition columns, in display order
FACTORS = ("n_samples", "p_disconnect", "density", "noise_scale")
#: Algorithm 1's decision rules and the one-test-per-entry ablation, compared for "best rule"
RULES = ("ours", "ours_holm", "ours_simes", "local_test")


def _conditions(runs: pd.DataFrame, factors: Sequence[str]):
    for keys, part in runs.groupby(list(factors), sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        yield dict(zip(factors, keys, strict=True)), part


def versus(
    runs: pd.DataFrame,
    method: str,
    others: Sequence[str],
    metric: str = "accuracy",
    factors: Sequence[str] = FACTORS,
) -> pd.DataFrame:
    """Paired difference ``method − other`` per condition and other method, with its verdict.

    Backs
    -----
    fig3_conditions
    """
    rows = []
    for cond, part in _conditions(runs, factors):
        for other in others:
            iv = paired(part, method, other, metric)
            rows.append(
                {
                    **cond,
                    "other": other,
                    "difference": iv.estimate,
                    "low": iv.low,
                    "high": iv.high,
                    "n_runs": iv.n,
                    "verdict": verdict(iv, "better", "worse"),
                }
            )
    return pd.DataFrame(rows)


def chain_holds(
    runs: pd.DataFrame,
    chain: Sequence[str],
    metric: str = "accuracy",
    factors: Sequence[str] = FACTORS,
    chance: str | None = None,
) -> pd.DataFrame:
    """Per condition: does the ordering ``chain`` (worst to best) hold, link by link?

    ``status`` is ``"holds"`` (every link's paired interval above 0), ``"reversed"`` (at least
    one link's interval below 0), ``"at chance"`` (with ``chance``: no link reversed, and a
    link is no evidence under the book's one chance rule, :func:`specialist.claims.
    gated_outcome`: both its methods at chance, or the one found ahead at chance) or
    ``"ties"`` (otherwise); ``reversed`` and ``ties`` list the links, as
    ``"worse<better"`` method names, and ``at_chance`` the methods at chance.

    Backs
    -----
    fig3_conditions
    """
    rows = []
    for cond, part in _conditions(runs, factors):
        res = ordering(part, metric, chain, chance)
        if res["holds"]:
            status = "holds"
        elif res["reversed"]:
            status = "reversed"
        else:
            status = "at chance" if res["untestable"] else "ties"
        rows.append(
            {
                **cond,
                "status": status,
                "reversed": ", ".join(f"{w}<{b}" for w, b in res["reversed"]),
                "ties": ", ".join(f"{w}<{b}" for w, b in res["ties"]),
                "at_chance": ", ".join(res["at_chance"]),
            }
        )
    return pd.DataFrame(rows)


def _links(text: str) -> list[tuple[str, str]]:
    return [tuple(link.split("<")) for link in text.split(", ")] if text else []


def links_text(text: str) -> str:
    """A ``reversed`` or ``ties`` cell of :func:`chain_holds` for readers:
    ``"seltask_g<ours"`` -> ``"SelTask (sees g) < Ours"``.

    Backs
    -----
    fig3_conditions
    """
    return "; ".join(f"{label(w)} < {label(b)}" for w, b in _links(text))


def reversed_link_counts(chain: pd.DataFrame) -> Counter:
    """``{(worse, better): conditions in which that link of the chain is reversed}``.

    Backs
    -----
    fig3_conditions
    """
    return Counter(link for text in chain["reversed"] for link in _links(text))


def verdict_counts(vs: pd.DataFrame) -> pd.DataFrame:
    """Per other method of :func:`versus`: how many conditions are better / tie / worse.

    Backs
    -----
    fig3_conditions
    """
    counts = vs.groupby("other")["verdict"].value_counts().unstack(fill_value=0)
    return counts.reindex(columns=["better", "tie", "worse"], fill_value=0)


def best_rule(
    runs: pd.DataFrame,
    rules: Sequence[str] = RULES,
    metric: str = "accuracy",
    factors: Sequence[str] = FACTORS,
) -> pd.DataFrame:
    """Per condition: the rule with the highest mean ``metric`` and whether it is clearly best.

    ``clear`` is True when the best rule's paired difference to the runner-up has an interval
    above 0 (otherwise the two tie, and the page says so).

    Backs
    -----
    fig3_conditions
    """
    rows = []
    for cond, part in _conditions(runs, factors):
        means = part[part["method"].isin(rules)].groupby("method")[metric].mean()
        ranked = means.sort_values(ascending=False)
        best, second = ranked.index[0], ranked.index[1]
        iv = paired(part, best, second, metric)
        rows.append(
            {
                **cond,
                "best": best,
                "best_mean": ranked.iloc[0],
                "runner_up": second,
                "margin": iv.estimate,
                "low": iv.low,
                "high": iv.high,
                "clear": verdict(iv) == "better",
            }
        )
    return pd.DataFrame(rows)


def count_by(table: pd.DataFrame, column: str, value, factors: Sequence[str]) -> dict:
    """``{factor: {level: "k of n"}}``: how often ``table[column] == value`` per factor level.

    Backs
    -----
    fig3_conditions
    """
    out = {}
    for f in factors:
        hit = (table[column] == value).groupby(table[f]).agg(["sum", "size"])
        out[f] = {lvl: f"{int(r['sum'])} of {int(r['size'])}" for lvl, r in hit.iterrows()}
    return out


def describe_condition(cond: dict) -> str:
    """``"n = 10,000, p_disconnect = 0, mixed tasks, σ = 0.3"``, for sentences.

    Backs
    -----
    fig3_conditions
    """
    parts = []
    if "n_samples" in cond:
        parts.append(f"n = {int(cond['n_samples']):,}")
    if "p_disconnect" in cond:
        parts.append(f"p_disconnect = {cond['p_disconnect']:g}")
    if "density" in cond:
        parts.append(f"{cond['density']} tasks")
    if "noise_scale" in cond:
        parts.append(f"σ = {cond['noise_scale']:g}")
    return ", ".join(parts)


def rule_sentence(best: pd.DataFrame, factors: Sequence[str] = FACTORS) -> str:
    """How often each rule is best (clearly, or tied with the runner-up), over the atlas.

    Backs
    -----
    fig3_conditions
    """
    n = len(best)
    parts = []
    for rule, part in best.groupby("best"):
        clear = int(part["clear"].sum())
        parts.append(
            f"{label(rule)} in {len(part)} ({clear} clearly, the rest tied with the runner-up)"
        )
    return (
        f"Best decision rule by mean accuracy, over the {n} conditions: " + "; ".join(parts) + "."
    )
