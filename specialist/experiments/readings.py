"""The Layer 1 claims read from runs (Fig. 3 and the studies beyond it), each into a
:class:`Reading` with the paired-comparison tables of :mod:`specialist.experiments.comparisons`.

**Readings.** :func:`beats_baseline` (Fig. 3a, one verdict per baseline),
:func:`paper_chain` (the paper's whole ordering), :func:`beats_chance_pooled` and
:func:`beats_every_baseline` (Fig. 3c) and :func:`degrades_slowest` (Fig. 3b) read a paper
claim from runs into a :class:`Reading` (verdict, key number, tally); the page calls the same
function for the main verdict and for every attack, so an attack differs from the main verdict
only by the choice it changes. A claim about a panel is decided on **all its data sets**: one
comparison pooled over the panel's settings, each setting weighing the same (a stratified t
interval, :func:`specialist.stats.stratified_interval`), on the Matthews MCC (accuracy rewards
predicting the majority when the share of positive entries is far from one half).

Backs
-----
fig3_structure
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from specialist import claims as vocab
from specialist.experiments.comparisons import (
    chance_table,
    difference_text,
    effect_of,
    interval,
    label,
    measure_name,
)
from specialist.experiments.layer1_methods import CHANCE, SELTASK_CHANCE
from specialist.stats import Interval, verdict


@dataclass(frozen=True)
class Reading:
    """A claim read from runs: its verdict, the number it rests on, the outcomes behind it
    (:func:`specialist.outcomes.tally`) and the table of comparisons it was read from."""

    verdict: str
    key_number: str
    tally: str
    table: pd.DataFrame
    where: str = ""
    measure: str = ""  #: what the table's ``difference`` measures ("MCC")

    @property
    def effect(self) -> vocab.Effect | None:
        """The comparison the verdict rests on (:func:`.comparisons.effect_of`)."""
        return effect_of(self.table, self.measure)

    @property
    def reason(self) -> str:
        """Why the claim is ``"not testable here"`` (empty otherwise): the reasons of its
        untestable comparisons, or too few runs."""
        if self.verdict != vocab.NOT_TESTABLE:
            return ""
        t = self.table
        if t.empty or int(t["n_runs"].min()) < vocab.MIN_RUNS:
            return (
                f"fewer than {vocab.MIN_RUNS} runs per comparison: the interval's coverage is "
                f"verified from {vocab.MIN_RUNS} runs on"
            )
        reasons = [r for r in dict.fromkeys(t.get("reason", pd.Series(dtype=str))) if r]
        return "no comparison could be tested" + (": " + "; ".join(reasons) if reasons else "")


#: Why a comparison with the paper's SelTask is "not testable here": the original SelTask never
#: sees g, and on our generator no method blind to g can beat chance (the tasks are sinks of
#: the graph: states and actions do not depend on the assignment; our unsupervised SelTask,
#: "seltask_unsup", scores at chance). The pair test ("pair_test") is given g and is not
#: SelTask.
SELTASK_REASON = (
    "SelTask never sees the task variables g, and in our generator the tasks are sinks "
    "(children of actions only): the states and actions do not depend on which segments serve "
    "which task, so no method blind to g can beat chance here (our unsupervised SelTask scores "
    "what its own subgoals score with the segments shuffled, both matched to the tasks on the "
    "truth); the pair test, given g, is our relative of SelTask's selection test, not SelTask"
)


#: the panel strata of pooled comparisons: settings that each weigh the same
STRATA = {"n_steps": "T", "n_tasks": "M", "n_samples": "n"}


#: the bounds of a pooled difference of each metric (a difference of two scores in [0, 1] or
#: of two MCCs in [-1, 1])
_DIFF_BOUNDS = {"mcc": (-2.0, 2.0)}


def pooled_difference(
    runs: pd.DataFrame, a: str, b: str, metric: str = "mcc", strata: str = "n_steps"
) -> tuple[Interval, int, int]:
    """``a − b`` pooled over a panel: the mean over ``strata`` levels of the paired mean
    differences, with its stratified t interval (:func:`specialist.stats.stratified_interval`),
    and the number of data sets on which ``a`` scores above / below ``b``.

    Raises a ``ValueError`` if the two methods did not score the same data sets.
    """
    from specialist.stats import stratified_interval

    wide = runs.pivot_table(
        index=[strata, "seed"], columns="method", values=metric, aggfunc="first"
    )
    for m in (a, b):
        if m not in wide:
            raise ValueError(f"method {m!r} not in the runs; methods are {sorted(wide.columns)}")
    both = wide[[a, b]]
    if both.isna().any().any():
        raise ValueError(f"{a!r} and {b!r} did not score the same data sets: not paired")
    diff = (both[a] - both[b]).to_numpy()
    level = both.index.get_level_values(strata).to_numpy()
    iv = stratified_interval(diff, level, bounds=_DIFF_BOUNDS.get(metric, (-1.0, 1.0)))
    return iv, int((diff > 0).sum()), int((diff < 0).sum())


def pooled_versus(
    runs: pd.DataFrame,
    method: str,
    other: str,
    metric: str = "mcc",
    strata: str = "n_steps",
    chance: str | None = CHANCE,
) -> dict:
    """One pooled comparison ``method − other`` over a panel, through the one chance rule.

    Returns ``{"outcome", "reason", "interval", "wins", "losses", "beats": {method: bool}}``:
    the outcome of :func:`specialist.outcomes.gated_outcome` on the stratified interval of
    :func:`pooled_difference`, each method's "beats chance" read from its own pooled
    difference from ``chance`` on the same data sets.
    """
    iv, wins, losses = pooled_difference(runs, method, other, metric, strata)
    beats = {}
    if chance is None:
        word, why = vocab.outcome(iv), ""
    else:
        for m in (method, other):
            beats[m] = vocab.beats_chance(pooled_difference(runs, m, chance, metric, strata)[0])
        word, why = vocab.gated_outcome(iv, beats[method], beats[other])
        if word == vocab.UNTESTABLE:
            why = vocab.explain(why, label(method), label(other), "the best constant")
    return {"outcome": word, "reason": why, "interval": iv, "wins": wins, "losses": losses,
            "beats": beats}  # fmt: skip


def pooled_text(result: dict, method: str, other: str, metric: str, digits: int = 2) -> str:
    """``"MCC: Ours − CCA +0.20 [+0.18, +0.22] (agree; Ours above on 66 of 70 data sets, below
    on 0)"``."""
    iv = result["interval"]
    name = "MCC" if metric == "mcc" else metric
    why = f": {result['reason']}" if result["reason"] else ""
    return (
        f"{name}: {label(method)} − {label(other)} {iv.text(digits)} ({result['outcome']}{why}; "
        f"{label(method)} above on {result['wins']} of {iv.n} data sets, below on "
        f"{result['losses']})"
    )


def beats_baseline(
    runs: pd.DataFrame,
    baseline: str,
    metric: str = "mcc",
    ours: str = "ours",
    strata: str = "n_steps",
    chance: str | None = CHANCE,
    also: Sequence[str] = ("accuracy",),
) -> Reading:
    """Fig. 3's "Ours beats ``baseline``", from all data sets of a panel.

    One comparison pooled over the levels of ``strata`` (each level weighs the same; the
    stratified t interval of :func:`pooled_difference`), through the book's one chance rule
    (:func:`pooled_versus`); its outcome is the verdict (:func:`specialist.outcomes.combine`).
    The key number shows ``metric`` and, for the reader, the metrics of ``also`` (not used
    by the verdict). ``baseline="seltask"`` (the paper's SelTask) is not testable on this
    generator (:data:`SELTASK_REASON`).

    Backs
    -----
    fig3_structure
    """
    shown = STRATA.get(strata, strata)
    n_levels = runs[strata].nunique()
    if baseline == "seltask":
        table = pd.DataFrame(
            [{"method": ours, "other": "seltask", "verdict": vocab.UNTESTABLE,
              "n_runs": int(runs["seed"].nunique()), "reason": SELTASK_REASON}]
        )  # fmt: skip
        measured = []
        present = set(runs["method"])
        for ref in (SELTASK_CHANCE, chance):
            if "seltask_unsup" in present and ref in present:
                iv, _, _ = pooled_difference(runs, "seltask_unsup", ref, metric, strata)
                measured.append(f"{label('seltask_unsup')} − {label(ref)} {iv.text()}")
        if "pair_test" in set(runs["method"]):
            result = pooled_versus(runs, ours, "pair_test", metric, strata, chance)
            measured.append(
                "our relative given g, not SelTask: "
                + pooled_text(result, ours, "pair_test", metric)
            )
        key = (
            "not testable: SelTask never sees g, and here no method blind to g can beat chance"
            + (
                f"; pooled over {n_levels} values of {shown}: " + "; ".join(measured)
                if measured
                else ""
            )
        )
        return Reading(vocab.NOT_TESTABLE, key, "1 untestable", table)
    result = pooled_versus(runs, ours, baseline, metric, strata, chance)
    key = f"pooled over {n_levels} values of {shown}: " + pooled_text(
        result, ours, baseline, metric
    )
    for extra in (m for m in also if m != metric):
        other = pooled_versus(runs, ours, baseline, extra, strata, chance)
        key += "; " + pooled_text(other, ours, baseline, extra)
    iv = result["interval"]
    table = pd.DataFrame(
        [{"method": ours, "other": baseline, "difference": iv.estimate, "low": iv.low,
          "high": iv.high, "n_runs": iv.n, "verdict": result["outcome"],
          "reason": result["reason"]}]
    )  # fmt: skip
    verdict_ = vocab.combine([result["outcome"]]) if iv.n >= vocab.MIN_RUNS else vocab.NOT_TESTABLE
    tallied = vocab.tally([result["outcome"]])
    return Reading(verdict_, key, tallied, table, measure=measure_name(metric))


def paper_chain(
    runs: pd.DataFrame,
    metric: str = "mcc",
    ours: str = "ours",
    strata: str = "n_steps",
    chance: str | None = CHANCE,
    seltask: str | None = None,
) -> Reading:
    """Fig. 3's whole ordering CCA < Group Lasso < SelTask < Ours, link by link, pooled over a
    panel (:func:`pooled_versus`), as a conjunction (:func:`specialist.outcomes.universal`): one
    reversed link breaks it.

    The links with SelTask: with ``seltask=None`` (the page's reading) they are set
    "untestable" by design (:data:`SELTASK_REASON`): on this generator no method blind to g
    can beat chance, so any working method given g is ahead of any SelTask, a reversal forced
    by the generator, not found. This overrides the one chance rule, which would count such a
    link as reversed; the key number shows the measured links with a stand-in
    (``"seltask_unsup"``) so the reader sees what is overridden. With ``seltask="seltask_unsup"``
    the links are read by the one rule like every other (the attack "the one chance rule
    applied literally"), the unsupervised SelTask's chance reference being its own shuffled
    subgoals (:data:`specialist.experiments.layer1.SELTASK_CHANCE`) where the runs hold it.

    Backs
    -----
    fig3_structure
    """
    result = pooled_versus(runs, "group_lasso", "cca", metric, strata, chance)
    shown = f"pooled over {runs[strata].nunique()} values of {STRATA.get(strata, strata)}: "
    key = shown + pooled_text(result, "group_lasso", "cca", metric)
    stand_in = seltask or "seltask_unsup"
    measured = []
    if stand_in in set(runs["method"]):
        ref = SELTASK_CHANCE if SELTASK_CHANCE in set(runs["method"]) else chance
        links = []
        for a, b in (("group_lasso", stand_in), (stand_in, ours)):
            # the stand-in's chance reference is its own; the other method's the best constant
            iv, wins, losses = pooled_difference(runs, b, a, metric, strata)
            beats = {
                m: vocab.beats_chance(
                    pooled_difference(runs, m, ref if m == stand_in else chance, metric, strata)[0]
                )
                for m in (a, b)
            }
            word, why = vocab.gated_outcome(iv, beats[b], beats[a])
            links.append(word)
            measured.append(
                f"{label(b)} − {label(a)} {iv.text()} ({word}"
                + (f": {vocab.explain(why, label(b), label(a), 'chance')}" if why else "")
                + ")"
            )
    if seltask is None:
        outcomes = [result["outcome"], vocab.UNTESTABLE, vocab.UNTESTABLE]
        key += "; Group Lasso < SelTask and SelTask < Ours: untestable by design" + (
            " (measured with our unsupervised SelTask, which the one chance rule would count: "
            + "; ".join(measured)
            + ")"
            if measured
            else ""
        )
    else:
        outcomes = [result["outcome"], *links]
        key += "; " + "; ".join(measured)
    verdict_, tally = vocab.universal(outcomes, over="link")
    n = result["interval"].n
    table = pd.DataFrame(
        [
            {"method": "group_lasso", "other": "cca", "verdict": result["outcome"],
             "n_runs": n, "reason": result["reason"]},
            {"method": "seltask", "other": "group_lasso", "verdict": outcomes[1],
             "n_runs": n, "reason": SELTASK_REASON if seltask is None else ""},
            {"method": ours, "other": "seltask", "verdict": outcomes[2],
             "n_runs": n, "reason": SELTASK_REASON if seltask is None else ""},
        ]
    )  # fmt: skip
    return Reading(verdict_, key, tally, table)


def beats_every_baseline(
    runs: pd.DataFrame,
    baselines: Sequence[str],
    metric: str = "mcc",
    ours: str = "ours",
    strata: str = "n_steps",
    chance: str | None = CHANCE,
) -> Reading:
    """ "Ours is ahead of every baseline of ``baselines``" from a panel's pooled comparisons
    (:func:`pooled_versus`), a conjunction over the baselines
    (:func:`specialist.outcomes.universal`).

    Backs
    -----
    fig3_structure
    """
    results = {b: pooled_versus(runs, ours, b, metric, strata, chance) for b in baselines}
    outcomes = [r["outcome"] for r in results.values()]
    n = min(r["interval"].n for r in results.values())
    if n < vocab.MIN_RUNS:
        verdict_, tally = vocab.NOT_TESTABLE, vocab.tally(outcomes)
    else:
        verdict_, tally = vocab.universal(outcomes, over="baseline")
    key = f"pooled over {runs[strata].nunique()} values of {STRATA.get(strata, strata)}: " + (
        "; ".join(pooled_text(r, ours, b, metric) for b, r in results.items())
    )
    table = pd.DataFrame(
        [
            {"method": ours, "other": b, "difference": r["interval"].estimate,
             "low": r["interval"].low, "high": r["interval"].high, "n_runs": r["interval"].n,
             "verdict": r["outcome"], "reason": r["reason"]}
            for b, r in results.items()
        ]
    )  # fmt: skip
    return Reading(verdict_, key, tally, table, measure=measure_name(metric))


def beats_chance_pooled(
    runs: pd.DataFrame,
    method: str = "ours",
    metric: str = "mcc",
    strata: str = "n_steps",
    chance: str = CHANCE,
) -> Reading:
    """ "``method`` recovers the structure" read as: its ``metric`` beats the chance reference,
    pooled over a panel (:func:`pooled_difference`). The key number adds its mean rates of
    false negatives and false positives (where the runs hold them).

    Backs
    -----
    fig3_structure
    """
    iv, wins, losses = pooled_difference(runs, method, chance, metric, strata)
    word = vocab.outcome(iv)
    verdict_ = vocab.combine([word]) if iv.n >= vocab.MIN_RUNS else vocab.NOT_TESTABLE
    part = runs[runs["method"] == method]
    exact = ""
    if "accuracy" in part:
        hits = int((part["accuracy"] >= 1.0).sum())
        exact = f"exact recovery on {hits} of {len(part)} data sets; "
    rates = exact + ", ".join(
        f"{name} {part[col].mean():.2f}"
        for col, name in (("fnr", "false-negative rate"), ("fpr", "false-positive rate"))
        if col in part
    )
    key = (
        f"pooled over {runs[strata].nunique()} values of {STRATA.get(strata, strata)}: "
        f"{'MCC' if metric == 'mcc' else metric} {label(method)} − {label(chance)} "
        f"{iv.text()} ({word}; above on {wins} of {iv.n} data sets)"
        + (f"; {label(method)}: {rates}" if rates else "")
    )
    table = pd.DataFrame(
        [{"method": method, "other": chance, "difference": iv.estimate, "low": iv.low,
          "high": iv.high, "n_runs": iv.n, "verdict": word, "reason": ""}]
    )  # fmt: skip
    return Reading(verdict_, key, vocab.tally([word]), table, measure=measure_name(metric))


def recovers_exactly(runs: pd.DataFrame, method: str = "ours") -> Reading:
    """ "``method`` recovers the structure" read strictly: the matrix is exact (accuracy 1) on
    more than half of the data sets, decided by the Wilson 95% interval of that share (above
    one half: agrees; below: disagrees; covering it: a tie).

    Backs
    -----
    fig3_structure
    """
    from specialist.stats import wilson_interval

    part = runs[runs["method"] == method]
    hits, n = int((part["accuracy"] >= 1.0).sum()), len(part)
    low, high = wilson_interval(hits, n)
    word = vocab.AGREE if low > 0.5 else vocab.DISAGREE if high < 0.5 else vocab.TIE
    verdict_ = vocab.combine([word]) if n >= vocab.MIN_RUNS else vocab.NOT_TESTABLE
    key = (
        f"{label(method)} exact on {hits} of {n} data sets ({hits / max(n, 1):.0%}, Wilson 95% "
        f"{low:.0%} to {high:.0%}; the rule asks for more than half)"
    )
    table = pd.DataFrame([{"method": method, "other": "exact", "verdict": word, "n_runs": n,
                           "reason": ""}])  # fmt: skip
    return Reading(verdict_, key, vocab.tally([word]), table)


def degrades_slowest(
    runs: pd.DataFrame,
    methods: Sequence[str],
    reference: str = "ours",
    metric: str = "mcc",
    x: str = "n_tasks",
    chance: str | None = CHANCE,
) -> Reading:
    """Fig. 3b's "``reference`` degrades most slowly as ``x`` grows", read from runs.

    Slope differences ``reference − other`` paired by replicate
    (:func:`specialist.experiments.verdicts.slope_differences`), each read as an outcome;
    with ``chance``, a difference goes through the one chance rule on
    ``metric`` over the panel's data sets, under the book's one chance rule
    (:func:`specialist.outcomes.gated_outcome`). "Slower than every one" is a conjunction over
    the baselines (:func:`specialist.outcomes.universal`).

    Backs
    -----
    fig3_structure
    """
    from specialist.experiments.verdicts import slope_differences

    others = [m for m in methods if m != reference]
    diffs = slope_differences(runs, [*others, reference], reference, x, metric)
    beats = {}
    if chance is not None:
        ct = chance_table(runs, [reference, *others], metric, (), chance)
        beats = dict(zip(ct["method"], ct["beats"], strict=True))
    rows, outcomes = [], []
    for m, iv in diffs.items():
        word = verdict(iv, "better", "worse")
        reason = ""
        if beats:
            gated, why = vocab.gated_outcome(iv, bool(beats[reference]), bool(beats[m]))
            if gated == vocab.UNTESTABLE:
                word = vocab.UNTESTABLE
                reason = vocab.explain(why, label(reference), label(m), f"chance on {metric}")
        outcomes.append(vocab.from_word(word))
        rows.append(
            {
                "method": reference,
                "other": m,
                "difference": iv.estimate,
                "low": iv.low,
                "high": iv.high,
                "n_runs": iv.n,
                "verdict": word,
                "reason": reason,
            }
        )
    table = pd.DataFrame(rows)
    # "degrades most slowly" presupposes that something degrades: without a method whose own
    # slope lies below 0 there is nothing to compare
    from specialist.stats import paired_slopes

    part = runs[runs["method"].isin([reference, *others])]
    own = paired_slopes(part[x], part[metric], part["method"], part["replicate"])
    degrading = [m for m, iv in own.items() if iv.n >= vocab.MIN_RUNS and iv.high < 0]
    nothing = ""
    if not diffs or min(iv.n for iv in diffs.values()) < vocab.MIN_RUNS:
        result, tally = vocab.NOT_TESTABLE, vocab.tally(outcomes)
    elif not degrading:
        result, tally = vocab.NOT_TESTABLE, "no method degrades"
        what = {"n_tasks": "the number of tasks M"}.get(x, x)
        nothing = (
            f"no method's {'MCC' if metric == 'mcc' else metric} falls as {what} grows here "
            "(no slope interval below 0): there is no degradation to compare"
        )
        table["reason"] = nothing
    else:
        result, tally = vocab.universal(outcomes, over="baseline")
    name = "MCC" if metric == "mcc" else metric
    own_text = ", ".join(f"{label(m)} {own[m].text(3)}" for m in [reference, *others] if m in own)
    key = f"own {name} slopes per added task: {own_text}; {label(reference)} minus: " + "; ".join(
        difference_text(
            label(r["other"]),
            interval(r),
            {"better": f"{label(reference)} slower", "worse": f"{label(reference)} faster"}.get(
                r["verdict"], r["verdict"]
            )
            + (f": {r['reason']}" if r["reason"] and not nothing else ""),
            3,
        )
        for _, r in table.iterrows()
    )
    if nothing:  # said once, not after every comparison
        key = f"{nothing[0].upper()}{nothing[1:]}. {key}"
    per = f"{measure_name(metric)} slope per added {STRATA.get(x, x)}"
    return Reading(result, key, tally, table, measure=per)
