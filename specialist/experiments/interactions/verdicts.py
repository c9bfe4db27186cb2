"""The verdicts of Fig. 4: the paper's ordering Ours > LEAP > Base under the book's one chance
rule and its attacks (the claims entries are in :mod:`.entries`).

Backs
-----
fig4_sportshhi
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from specialist import claims as vocab
from specialist.experiments.interactions.design import (
    DIFFICULTIES,
    ROW_CHANCE,
    SHORT_LABELS,
)
from specialist.experiments.interactions.tables import (
    ORDERING_LINKS,
    beats_chance,
    below_chance,
    contrasts,
    holm_beats_chance,
    interval_of,
)
from specialist.stats import Interval


@dataclass(frozen=True)
class OrderingVerdict:
    """What :func:`verdict_of` decides.

    Attributes
    ----------
    verdict : one of :data:`specialist.outcomes.VERDICTS` (:func:`specialist.outcomes.combine`)
    key_number : the numbers it rests on, as text
    tally : the outcomes behind it (:func:`specialist.outcomes.tally`)
    reason : why no link could be tested (only for ``"not testable here"``)
    links : one row per (difficulty, link): ``difficulty, link, outcome, estimate, low, high,
        n, why`` (``why``: the methods that do not beat chance, for an untestable link)
    """

    verdict: str
    key_number: str
    tally: str
    reason: str
    links: pd.DataFrame


def verdict_of(
    scores: pd.DataFrame,
    iou: float,
    metric: str = "map",
    difficulties: Sequence[str] | None = None,
    chance: str = "chance",
    gates: str = "each",
) -> OrderingVerdict:
    """The verdict on the paper's ordering Ours > LEAP > Base, from the runs' ``scores``.

    At every difficulty each link (:data:`ORDERING_LINKS`) is one paired comparison over
    plays, read by the book's one chance rule (:func:`specialist.outcomes.gated_outcome`,
    chance = random evidence): two methods at chance are no evidence, and a method found
    ahead counts only if it beats chance itself. The
    ordering is a chain, so at one difficulty it holds only if both links do
    (:func:`specialist.outcomes.conjoin`: one untestable link leaves the chain untestable); the
    difficulties' outcomes are read by :func:`specialist.outcomes.combine`. The main verdict
    and every attack call this one function.

    Parameters
    ----------
    scores : :attr:`InteractionStudy.scores`
    iou : the IoU threshold
    metric : ``"map"`` or ``"recall10"``
    difficulties : the difficulties that count (default: every one in ``scores``)
    chance : the chance reference: ``"chance"`` (random evidence, the main one) or
        :data:`ROW_CHANCE` (a random score per prediction row)
    gates : ``"each"`` (every method's chance gate on its own, the main reading) or
        ``"holm"`` (the three gates of a difficulty as one family, Holm-corrected:
        :func:`holm_beats_chance`; an attack)
    """
    if chance != "chance":
        scores = scores[scores["method"] != "chance"].replace({"method": {chance: "chance"}})
    table = contrasts(scores, iou, metric)
    if difficulties is not None:
        table = table[table["difficulty"].isin(list(difficulties))]
        if table.empty:
            raise ValueError(f"no runs at difficulties {list(difficulties)!r}")
    name = "mAP@" if metric == "map" else "Recall@10 at IoU "
    rows, failing = [], []
    for difficulty, group in table.groupby("difficulty", sort=False):
        c = group.set_index("contrast")
        if gates == "holm":
            passed = holm_beats_chance(group, difficulty, ("ours", "leap", "base"))
            below = [m for m in ("ours", "leap", "base") if m not in passed]
        else:
            below = [m for m in ("ours", "leap", "base") if not beats_chance(group, difficulty, m)]
        failing.append((difficulty, below))
        for high, low in ORDERING_LINKS:
            row = c.loc[f"{high}_vs_{low}"]
            outcome, why = vocab.gated_outcome(
                interval_of(row), high not in below, low not in below
            )
            why = vocab.explain(why, SHORT_LABELS[high], SHORT_LABELS[low])
            rows.append(
                {
                    "difficulty": difficulty,
                    "link": f"{SHORT_LABELS[high]} > {SHORT_LABELS[low]}",
                    "outcome": outcome,
                    **{k: row[k] for k in ("estimate", "low", "high", "n")},
                    "why": why,
                }
            )
    links = pd.DataFrame(rows)
    outcomes = [
        vocab.conjoin(group["outcome"]) for _, group in links.groupby("difficulty", sort=False)
    ]
    result = vocab.combine(outcomes)
    reason = ""
    if result == vocab.NOT_TESTABLE:
        parts = [
            f"{DIFFICULTIES[d]['label']}: {', '.join(SHORT_LABELS[m] for m in below)}"
            for d, below in failing
            if below
        ]
        reason = (
            f"at every difficulty a link of the ordering involves a method whose {name}{iou:g} "
            f"does not beat random evidence in the same prediction format (paired over plays; "
            f"{'; '.join(parts)}): an ordering among methods at chance is no evidence"
        )
    first = table["difficulty"].iloc[0]
    c = table[table["difficulty"] == first].set_index("contrast")
    means = {
        m: float(
            scores[
                (scores["metric"] == metric)
                & np.isclose(scores["iou"], iou)
                & (scores["difficulty"] == first)
                & (scores["method"] == m)
            ]["value"].mean()
        )
        for m in ("ours", "leap", "base", "chance")
    }
    key = (
        f"{DIFFICULTIES[first]['label']}, {name}{iou:g}: Ours {means['ours']:.2f}, LEAP-style "
        f"{means['leap']:.2f}, Base {means['base']:.2f}, chance {means['chance']:.2f}; "
        + ", ".join(
            f"{SHORT_LABELS[m]} − chance {interval_of(c.loc[f'{m}_vs_chance']).text()}"
            for m in ("ours", "leap", "base")
        )
        + f"; links over {links['difficulty'].nunique()} difficult"
        + ("y" if links["difficulty"].nunique() == 1 else "ies")
        + f": {vocab.tally(links['outcome'])}; the chain by difficulty: {vocab.tally(outcomes)}"
    )
    tally = "the chain at each difficulty: " + vocab.tally(outcomes)
    tested = links[links["outcome"] != vocab.UNTESTABLE]
    if len(tested):  # after the chain's outcome: the links it rests on, wherever they are
        key = (
            f"{tally}; "
            + ("the tested link: " if len(tested) == 1 else "the tested links: ")
            + ", ".join(
                f"{r.link} at {DIFFICULTIES[r.difficulty]['label']} "
                f"{Interval(r.estimate, r.low, r.high, int(r.n)).text()} ({r.outcome})"
                for r in tested.itertuples()
            )
            + "; "
            + key
        )
    else:
        key = f"{tally}; {key}"
    below = below_chance(table)
    if below:  # a method that detects less than random evidence is reported as such
        key += "; below chance: " + ", ".join(below)
    return OrderingVerdict(result, key, tally, reason, links)


def holm_attack(scores: pd.DataFrame, iou: float):
    """The ordering verdict with the chance gates Holm-corrected per difficulty, as an attack."""
    v = verdict_of(scores, iou, gates="holm")
    return vocab.attack(
        "chance gates Holm-corrected over the three methods of each difficulty (not one "
        "uncorrected gate per method)",
        v.verdict,
        v.key_number,
    )


def ordering_attacks(scores: pd.DataFrame, iou: float, ious: Sequence[float]) -> list:
    """The attacks on the ordering claim: our own choices changed, each decided by
    :func:`verdict_of` (the same code as the main verdict at ``iou``, every difficulty, mAP).

    * every other IoU threshold of the run (0.9, the official default, against our 0.5);
    * the verdict on the standard scenes only, instead of over every difficulty;
    * Recall@10 instead of mAP;
    * the other chance reference, :data:`ROW_CHANCE` (a random score per prediction row).

    Returns a list of :func:`specialist.claims.attack` records.
    """
    out = []
    for other in ious:
        if not np.isclose(other, iou):
            v = verdict_of(scores, other)
            out.append(vocab.attack(f"IoU ≥ {other:g} instead of {iou:g}", v.verdict, v.key_number))
    present = list(dict.fromkeys(scores["difficulty"]))
    if "standard" in present and len(present) > 1:
        v = verdict_of(scores, iou, difficulties=["standard"])
        out.append(
            vocab.attack("standard scenes only, not every difficulty", v.verdict, v.key_number)
        )
    if "recall10" in set(scores["metric"]):
        v = verdict_of(scores, iou, metric="recall10")
        out.append(vocab.attack("Recall@10 instead of mAP", v.verdict, v.key_number))
    if ROW_CHANCE in set(scores["method"]):
        v = verdict_of(scores, iou, chance=ROW_CHANCE)
        out.append(
            vocab.attack(
                "chance as a random score per prediction row, not random evidence",
                v.verdict,
                v.key_number,
            )
        )
    return out


def attacks_table(attacks: Sequence) -> pd.DataFrame:
    """The page's table of attacks: ``choice, verdict, key number``."""
    return pd.DataFrame(
        [{"choice": a.choice, "verdict": a.verdict, "key number": a.key_number} for a in attacks]
    )


def attacks_sentence(main: str, attacks: Sequence) -> str:
    """Whether the verdict ``main`` moves under any attack, computed from their verdicts."""
    moved = [a for a in attacks if a.verdict != main]
    if not attacks:
        return "No attack was run."
    if not moved:
        return (
            f"The verdict ({main}) does not move under any of the {len(attacks)} attacks "
            f"({'; '.join(a.choice for a in attacks)})."
        )
    return (
        f"The verdict ({main}) moves under {len(moved)} of {len(attacks)} attacks: "
        + "; ".join(f"{a.choice} gives {a.verdict}" for a in moved)
        + "."
    )


def chain_sentence(scores: pd.DataFrame, iou: float) -> str:
    """The computed sentence on the paper's ordering (:func:`verdict_of`) at ``iou``."""
    v = verdict_of(scores, iou)
    tested = v.links.loc[v.links["outcome"] != vocab.UNTESTABLE, "difficulty"].nunique()
    where = (
        "at the one difficulty where it could be tested"
        if tested == 1
        else f"at each of the {tested} difficulties where it could be tested"
    )
    words = {
        vocab.AGREES: f"holds {where}",
        vocab.DISAGREES: f"is reversed or absent {where}",
        vocab.MIXED: "holds under some conditions and not under others",
        vocab.INCONCLUSIVE: "is a tie wherever it could be tested",
        vocab.NOT_TESTABLE: "cannot be tested here",
    }[v.verdict]
    untested = v.links[v.links["outcome"] == vocab.UNTESTABLE]
    why = (
        " Untestable links: "
        + "; ".join(
            f"{r.link} at {DIFFICULTIES[r.difficulty]['label']} ({r.why})"
            for r in untested.itertuples()
        )
        + "."
        if len(untested)
        else ""
    )
    return (
        f"The paper's ordering, Ours > LEAP > Base, {words} at IoU ≥ {iou:g} (verdict: "
        f"{v.verdict}; {v.tally}). A link between two methods that do not beat random evidence "
        f"in the same prediction format is no evidence, nor is one whose method found ahead "
        f"does not.{why} The absolute values are not comparable "
        "with the paper's: these are simulated scenes, not SportsHHI."
    )
