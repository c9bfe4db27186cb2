"""The conditions atlas of Layer 1: where the paper's Fig. 3 ordering holds, and which rule wins.

Input: long-format runs (:func:`specialist.experiments.layer1.runs_by_method`) of
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

from specialist.experiments.layer1 import CHANCE
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


def versus_controlled(
    runs: pd.DataFrame,
    method: str,
    others: Sequence[str],
    metric: str = "mcc",
    factors: Sequence[str] = FACTORS,
    chance: str | None = CHANCE,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """``method − other`` per condition, with a multiplicity control over the conditions.

    For every other method the conditions form one family: the paired t test of each
    condition (:func:`specialist.stats.paired_p_value`) is Holm-adjusted over the family
    (:func:`specialist.pvalues.adjust_pvalues`), and ``verdict`` is ``"better"`` / ``"worse"``
    when the adjusted p-value is below ``alpha`` (by the sign of the difference), ``"tie"``
    otherwise, so that "better in 20 of 54 conditions" is not the sum of 54 uncontrolled
    tests. With ``chance``, the book's one chance rule then applies per condition
    (:func:`specialist.outcomes.gated_outcome`, each method's paired interval against
    ``chance`` in that condition): ``"untestable"`` where neither method beats chance or the
    one found ahead does not. Columns: the factors, ``other``, ``difference``, ``low``,
    ``high`` (the unadjusted 95% interval), ``n_runs``, ``p``, ``p_holm``, ``verdict``,
    ``chance_method`` and ``chance_other`` (whether each beats chance there).

    Backs
    -----
    fig3_conditions
    """
    from specialist import claims as vocab
    from specialist.pvalues import adjust_pvalues
    from specialist.stats import paired_p_value

    rows = []
    for cond, part in _conditions(runs, factors):
        wide = part.pivot_table(index="seed", columns="method", values=metric, aggfunc="first")
        beats = {}
        if chance is not None:
            for m in (method, *others):
                beats[m] = vocab.beats_chance(paired(part, m, chance, metric))
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
                    "p": paired_p_value((wide[method] - wide[other]).to_numpy()),
                    "chance_method": beats.get(method, True),
                    "chance_other": beats.get(other, True),
                }
            )
    table = pd.DataFrame(rows)
    table["p_holm"] = table.groupby("other")["p"].transform(lambda p: adjust_pvalues(p, "holm"))
    words = []
    for _, r in table.iterrows():
        if r["p_holm"] >= alpha:
            word = "tie"
        else:
            word = "better" if r["difference"] > 0 else "worse"
        if chance is not None:
            ahead = {"better": r["chance_method"], "worse": r["chance_other"]}.get(word)
            if not (r["chance_method"] or r["chance_other"]) or ahead is False:
                word = vocab.UNTESTABLE
        words.append(word)
    return table.assign(verdict=words)


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
    ``"pair_test<ours"`` -> ``"Pair test (IUT) < Ours"``.

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
    metric: str = "mcc",
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


def rule_sentence(best: pd.DataFrame, factors: Sequence[str] = FACTORS, metric: str = "MCC") -> str:
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
        f"Best decision rule by mean {metric}, over the {n} conditions (unadjusted paired "
        "intervals against the runner-up): " + "; ".join(parts) + "."
    )
