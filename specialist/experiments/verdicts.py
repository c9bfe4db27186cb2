"""Layer-1 verdicts computed from runs: paired intervals, "tie" when an interval covers zero.

The runs are in long format (:func:`specialist.experiments.layer1.runs_by_method`): one row per
(data set, method). Every method of a run scored the same data set, identified by its
``seed`` column, so differences between methods are *paired* by seed and their intervals are
Student-t intervals over data sets (:func:`specialist.stats.paired_interval`). Where the runs
hold the chance reference (``"best_constant"``, :func:`specialist.experiments.layer1.best_constant`),
a link goes through the book's one chance rule (:func:`specialist.outcomes.gated_outcome`).

Backs
-----
fig3_structure, fig3_conditions, fig3_nonlinear
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from specialist.claims import beats_chance
from specialist.experiments.layer1_methods import CHANCE, METHOD_LABELS
from specialist.stats import Interval, paired_difference, paired_slopes, slope_difference, verdict

#: the ordering of Fig. 3 of the paper, worst to best (which SelTask stands in is an argument)
PAPER_CHAIN = ("cca", "group_lasso", "seltask", "ours")


def label(method: str) -> str:
    return METHOD_LABELS.get(method, method)


#: the range a difference of two scores cannot leave (scores in [0, 1]: ±1; MCC in [−1, 1]:
#: ±2; R² at most 1: at most 1 − (−∞)); paired intervals are clipped to it
DIFFERENCE_BOUNDS = {
    "accuracy": (-1.0, 1.0),
    "f1": (-1.0, 1.0),
    "fpr": (-1.0, 1.0),
    "fnr": (-1.0, 1.0),
    "mean_cc": (-1.0, 1.0),
    "mcc": (-2.0, 2.0),
    "success": (-1.0, 1.0),
    "other_flips": (-1.0, 1.0),
}


def paired(runs: pd.DataFrame, a: str, b: str, metric: str, key: str = "seed") -> Interval:
    """Mean of ``metric(a) - metric(b)`` over the data sets both methods scored, with interval.

    The interval is clipped to the range a difference of ``metric`` can take
    (:data:`DIFFERENCE_BOUNDS`). Raises a ``ValueError`` if the two methods did not score the
    same data sets.

    Backs
    -----
    fig3_nonlinear, fig3_structure
    """
    wide = runs.pivot_table(index=key, columns="method", values=metric, aggfunc="first")
    for m in (a, b):
        if m not in wide:
            raise ValueError(f"method {m!r} not in the runs; methods are {sorted(wide.columns)}")
    both = wide[[a, b]]
    if both.isna().any().any():
        raise ValueError(f"{a!r} and {b!r} did not score the same data sets: not paired")
    return paired_difference(
        both[a].to_numpy(), both[b].to_numpy(), bounds=DIFFERENCE_BOUNDS.get(metric)
    )


def chain_for(seltask: str, ours: str = "ours") -> tuple[str, ...]:
    """The paper's chain with ``seltask`` (``"pair_test"`` or ``"seltask_unsup"``) in it, and
    ``ours`` (the paper's rule by default, or another rule) standing for Ours.

    Backs
    -----
    fig3_conditions
    """
    swap = {"seltask": seltask, "ours": ours}
    return tuple(swap.get(m, m) for m in PAPER_CHAIN)


def ordering(
    runs: pd.DataFrame, metric: str, chain: Sequence[str], chance: str | None = None
) -> dict:
    """Does ``chain`` (worst to best) hold on ``runs``, link by link, with paired intervals?

    Returns ``{"links": [(worse, better, Interval, verdict)], "holds": bool, "reversed":
    [links whose interval lies below 0], "ties": [...], "untestable": [...]}``: the ordering
    *holds* when every link's difference (better − worse) has an interval above 0. With
    ``chance`` (a method of ``runs``), each link goes through the book's one chance rule
    (:func:`specialist.outcomes.gated_outcome`): a link between two methods at chance, or one
    whose method found ahead is at chance, is ``"untestable"``.
    """
    from specialist import claims as vocab

    at_chance = set()
    if chance is not None:
        at_chance = {m for m in chain if not beats_chance(paired(runs, m, chance, metric))}
    links = []
    for worse, better in zip(chain[:-1], chain[1:], strict=True):
        iv = paired(runs, better, worse, metric)
        word = verdict(iv, "holds", "reversed")
        if chance is not None:
            gated, _ = vocab.gated_outcome(iv, better not in at_chance, worse not in at_chance)
            word = "untestable" if gated == vocab.UNTESTABLE else word
        links.append((worse, better, iv, word))
    return {
        "links": links,
        "holds": all(v == "holds" for *_, v in links),
        "reversed": [(w, b) for w, b, _, v in links if v == "reversed"],
        "ties": [(w, b) for w, b, _, v in links if v == "tie"],
        "untestable": [(w, b) for w, b, _, v in links if v == "untestable"],
        "at_chance": sorted(at_chance),
    }


def ordering_sentence(runs: pd.DataFrame, metric: str, what: str, seltask: str) -> str:
    """One computed sentence on the paper's ordering at one setting (paired 95% intervals).

    ``runs``: long format, one setting, every method of the chain. ``what`` names the metric
    and setting for the reader, e.g. ``"accuracy at T = 20"``.

    Backs
    -----
    fig3_structure
    """
    chain = chain_for(seltask)
    means = runs.groupby("method")[metric].mean()
    shown = ", ".join(f"{label(m)} {means[m]:.2f}" for m in chain)
    chance = CHANCE if CHANCE in set(runs["method"]) else None
    if chance:
        shown += f" (chance: {label(chance)} {means[chance]:.2f})"
    result = ordering(runs, metric, chain, chance)
    parts = []
    for worse, better, iv, v in result["links"]:
        parts.append(f"{label(better)} − {label(worse)} {iv.text()} ({v})")
    n = result["links"][0][2].n
    if result["holds"]:
        end = "every link holds, so the paper's ordering is reproduced"
    elif result["reversed"]:
        rev = "; ".join(f"{label(b)} < {label(w)}" for w, b in result["reversed"])
        end = f"the paper's ordering is not reproduced: reversed for {rev}"
    elif result["untestable"]:
        at = ", ".join(label(m) for m in result["at_chance"])
        end = (
            f"the paper's ordering cannot be tested in full: {at} does not beat the best "
            "constant, so the links where it is found ahead, or where both are at chance, are "
            "no evidence"
        )
    else:
        end = "the paper's ordering is not reproduced: some links are ties, none is reversed"
    return (
        f"Mean {what} (with {label(seltask)} as SelTask): {shown}. Paired differences over "
        f"{n} data sets (95% t intervals): " + "; ".join(parts) + f"; {end}."
    )


def slope_differences(
    runs: pd.DataFrame,
    methods: Sequence[str],
    reference: str = "ours",
    x: str = "n_tasks",
    metric: str = "mcc",
) -> dict[str, Interval]:
    """Slope of ``reference`` minus the slope of each other method, paired over replicates.

    Least-squares slopes of ``metric`` on ``x``, one per replicate and method, so that slopes
    of one replicate pair across methods; the interval is a t interval over replicates. Above 0: ``reference`` loses ``metric``
    more slowly. Returns ``{method: Interval}`` for every method of ``methods`` but
    ``reference``.

    Backs
    -----
    fig3_structure
    """
    part = runs[runs["method"].isin(methods)]
    args = (part[x], part[metric], part["method"], part["replicate"])
    return {m: slope_difference(*args, reference, m) for m in methods if m != reference}


def degradation_sentence(
    runs: pd.DataFrame, methods: Sequence[str], x: str = "n_tasks", metric: str = "mcc"
) -> tuple[str, dict, dict]:
    """Which method loses ``metric`` most slowly as ``x`` grows: fitted slopes with intervals.

    The slope of each method is a least-squares fit over every run; its interval and the
    differences of slopes (Ours − each other method) are t intervals over replicates, each
    replicate's slopes fitted on the same data sets for every method (paired). The paper's claim is
    that Ours degrades most slowly; it holds when every difference has an interval above 0.
    Returns the sentence, ``{method: slope Interval}`` and the differences of slopes
    (:func:`slope_differences`, ``{other method: Interval}``).

    Backs
    -----
    fig3_structure
    """
    part = runs[runs["method"].isin(methods)]
    args = (part[x], part[metric], part["method"], part["replicate"])
    slopes = paired_slopes(*args)
    diffs = slope_differences(runs, methods, "ours", x, metric)
    slope_text = ", ".join(f"{label(m)} {slopes[m].text(3)}" for m in methods)
    diff_text = "; ".join(
        f"vs {label(m)} {iv.text(3)} ({verdict(iv, 'Ours slower', 'Ours faster')})"
        for m, iv in diffs.items()
    )
    verdicts = [verdict(iv) for iv in diffs.values()]
    if all(v == "better" for v in verdicts):
        claim = "as the paper claims, Ours degrades most slowly"
    elif any(v == "worse" for v in verdicts):
        faster = [label(m) for m, iv in diffs.items() if verdict(iv) == "worse"]
        claim = "unlike the paper's claim, Ours degrades faster than " + ", ".join(faster)
    else:
        claim = "the paper's claim that Ours degrades most slowly is not shown: some differences are ties"
    lo, hi = part[x].min(), part[x].max()
    sentence = (
        f"Fitted slope of {metric.upper() if metric == 'mcc' else metric} per added task "
        f"(M = {lo}..{hi}, 95% paired t intervals over replicates): {slope_text}. Difference of slopes, "
        f"Ours minus: {diff_text}; {claim}."
    )
    return sentence, slopes, diffs
