"""The study's tables and computed sentences: mAP means, paired contrasts, and the split of
Ours' variance between fits and plays (the ℓ1 path: :mod:`~specialist.experiments.interactions.path`).

Backs
-----
fig4_sportshhi
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from specialist import claims as vocab
from specialist.experiments.interactions.design import (
    DIFFICULTIES,
    GIVEN,
    METHOD_LABELS,
    METHODS,
    PAPER_MAP,
    SCORED,
    SHORT_LABELS,
    capital,
)
from specialist.labels import with_given
from specialist.stats import Interval, mean_interval, paired_difference, verdict


def map_table(scores: pd.DataFrame, metric: str = "map") -> pd.DataFrame:
    """Mean and 95% Student-t interval over plays, per difficulty, method and IoU threshold.

    Columns ``difficulty, method, iou, mean, low, high, n, paper`` (``paper``: the value the
    paper reports on real SportsHHI for Base, LEAP and Ours, else NaN). The interval is
    :func:`specialist.stats.mean_interval` clipped to ``[0, 1]``.
    """
    part = scores[scores["metric"] == metric]
    rows = []
    for (difficulty, method, iou), group in part.groupby(
        ["difficulty", "method", "iou"], sort=False
    ):
        iv = mean_interval(group["value"], bounds=(0.0, 1.0))
        rows.append(
            {
                "difficulty": difficulty,
                "method": method,
                "iou": iou,
                "mean": round(iv.estimate, 4),
                "low": round(iv.low, 4),
                "high": round(iv.high, 4),
                "n": iv.n,
                "paper": PAPER_MAP.get(method, np.nan),
            }
        )
    return pd.DataFrame(rows)


def mean_dims(scores: pd.DataFrame) -> dict[str, float]:
    """Mean feature dimension Algorithm 1 saw, per method, over every run."""
    dims = scores[scores["metric"] == "dims"].groupby("method")["value"].mean()
    return {m: round(float(dims[m]), 3) for m in METHODS if m in dims}


def given_label(method: str) -> str:
    """The table and legend label of a row with what it is given: ``"Ours (ℓ1 VAE) (given g,
    supervised)"`` (:func:`specialist.labels.with_given`)."""
    return with_given(METHOD_LABELS[method], GIVEN[method])


def summary_table(means: pd.DataFrame, scores: pd.DataFrame, iou: float) -> pd.DataFrame:
    """The page's table at ``iou``: ``mean [low, high]`` mAP per method (rows, labelled with
    what each is given, the chance row last) and difficulty (columns), with each method's mean
    dimension and the paper's value on real SportsHHI."""
    part = means[np.isclose(means["iou"], iou)]
    if part.empty:
        raise ValueError(f"no rows at iou={iou!r}; thresholds are {_ious(means)}")
    methods = [m for m in METHODS if m in set(part["method"])]
    difficulties = list(dict.fromkeys(part["difficulty"]))
    cell = {
        (r.method, r.difficulty): f"{r.mean:.3f} [{r.low:.3f}, {r.high:.3f}]"
        for r in part.itertuples()
    }
    dims = mean_dims(scores)
    rows = {
        given_label(m): {
            "dimension": f"{dims[m]:.1f}" if m in dims and m != "chance" else "",
            "paper (real data)": PAPER_MAP.get(m, ""),
            **{DIFFICULTIES[d]["label"]: cell.get((m, d), "") for d in difficulties},
        }
        for m in methods
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.columns.name = f"mAP@{iou:g}"
    return table


#: the paired contrasts the page reports: name -> (a, b, what a − b measures); every scored
#: row is also compared with the chance reference (``<method>_vs_chance``)
CONTRASTS = {
    "sparsity": ("ours", "dense", "what the ℓ1 penalty adds to the same supervised VAE"),
    "sparsity_matched": (
        "ours",
        "dense_matched",
        "what the penalty adds beyond reading the dense model at Ours' dimension",
    ),
    "supervision": ("linear", "base", "what supervision adds to PCA features, linearly"),
    "ours_vs_linear": ("ours", "linear", "Ours against the supervised linear control"),
    "ours_vs_leap": ("ours", "leap", "Ours against LEAP-style (the paper's comparison)"),
    "leap_vs_base": ("leap", "base", "LEAP-style against Base (the paper's comparison)"),
    **{
        f"{m}_vs_chance": (m, "chance", f"{SHORT_LABELS[m]} against random evidence")
        for m in SCORED
    },
}


#: the paper's Fig. 4 ordering as links (higher, lower): Ours > LEAP > Base
ORDERING_LINKS = (("ours", "leap"), ("leap", "base"))


def contrasts(scores: pd.DataFrame, iou: float, metric: str = "map") -> pd.DataFrame:
    """Every :data:`CONTRASTS` entry per difficulty at ``iou``: paired intervals over plays.

    Columns ``difficulty, contrast, a, b, estimate, low, high, n, verdict`` (``"better"``
    when the Student-t interval of a − b over plays (:func:`specialist.stats.paired_difference`,
    clipped to ``[-1, 1]``) lies above 0, ``"worse"`` below, ``"tie"`` if it covers 0). A
    contrast whose methods are not in ``scores`` is left out.
    """
    part = scores[(scores["metric"] == metric) & np.isclose(scores["iou"], iou)]
    if part.empty:
        raise ValueError(f"no {metric!r} rows at iou={iou!r}; thresholds are {_ious(scores)}")
    rows = []
    for difficulty, group in part.groupby("difficulty", sort=False):
        wide = group.pivot_table(index="seed", columns="method", values="value", aggfunc="first")
        for name, (a, b, _) in CONTRASTS.items():
            if not {a, b} <= set(wide.columns):
                continue
            both = wide[[a, b]]
            if both.isna().any().any():
                raise ValueError(f"{a!r} and {b!r} did not score the same plays: not paired")
            # paired by seed (the same play and episodes); a difference of scores in [0, 1]
            iv = paired_difference(both[a], both[b], bounds=(-1.0, 1.0))
            rows.append(
                {
                    "difficulty": difficulty,
                    "contrast": name,
                    "a": a,
                    "b": b,
                    **iv.as_dict(),
                    "verdict": verdict(iv),
                }
            )
    return pd.DataFrame(rows)


def contrast_label(name: str) -> str:
    """``"Ours − dense VAE"`` for a :data:`CONTRASTS` name."""
    a, b, _ = CONTRASTS[name]
    return f"{SHORT_LABELS[a]} − {SHORT_LABELS[b]}"


def _ious(scores: pd.DataFrame) -> list[float]:
    return sorted(float(v) for v in scores["iou"].dropna().unique())


def interval_of(row) -> Interval:
    return Interval(row["estimate"], row["low"], row["high"], int(row["n"]))


def contrast_effect(table: pd.DataFrame, difficulty: str, contrast: str, label: str):
    """One contrast of :func:`contrasts` at one difficulty as the claims page's
    :class:`~specialist.claims.Effect` (``None`` if it was not run)."""
    rows = table[(table["difficulty"] == difficulty) & (table["contrast"] == contrast)]
    return None if rows.empty else vocab.effect(label, interval_of(rows.iloc[0]))


_WORDS = {"better": "adds", "worse": "costs", "tie": "changes nothing shown (a tie):"}


_SIDE = {"better": "ahead", "worse": "behind", "tie": "a tie"}


_CHANCE = {"better": "above chance", "worse": "below chance", "tie": "at chance (a tie)"}


def beats_chance(table: pd.DataFrame, difficulty: str, method: str) -> bool:
    """Whether ``method``'s paired interval against the chance reference lies above 0 at
    ``difficulty`` (:func:`specialist.outcomes.beats_chance`); ``table`` is :func:`contrasts`
    output."""
    row = table[(table["difficulty"] == difficulty) & (table["contrast"] == f"{method}_vs_chance")]
    if row.empty:
        raise ValueError(f"no chance contrast for {method!r} at {difficulty!r}")
    return vocab.beats_chance(interval_of(row.iloc[0]))


def one_sided_p(iv: Interval) -> float:
    """The one-sided p-value of "the mean difference is above 0" read back from a paired
    Student-t interval (95%, two-sided): its standard error is the half-width over
    ``t_{0.975, n - 1}``."""
    from scipy import stats

    if iv.n < 2 or not np.isfinite(iv.low) or iv.high == iv.low:
        return 1.0 if iv.estimate <= 0 else 0.0
    se = (iv.high - iv.low) / (2 * stats.t.ppf(0.975, iv.n - 1))
    return float(stats.t.sf(iv.estimate / se, iv.n - 1))


def holm_beats_chance(table: pd.DataFrame, difficulty: str, methods) -> set[str]:
    """The ``methods`` that beat chance at ``difficulty`` when their gates are one family:
    Holm's step-down over the methods' one-sided p-values (:func:`one_sided_p`) at 2.5%, the
    one-sided level of the book's uncorrected gate (a 95% interval above 0)."""
    ps = {}
    for m in methods:
        row = table[(table["difficulty"] == difficulty) & (table["contrast"] == f"{m}_vs_chance")]
        iv = interval_of(row.iloc[0])
        ps[m] = one_sided_p(iv) if iv.n >= vocab.MIN_RUNS else 1.0
    passed = set()
    for rank, (m, p) in enumerate(sorted(ps.items(), key=lambda kv: kv[1])):
        if p > 0.025 / (len(ps) - rank):
            break
        passed.add(m)
    return passed


def below_chance(table: pd.DataFrame) -> list[str]:
    """``"Ours at strong nuisance −0.03 [−0.05, −0.00]"`` for every method whose paired
    interval against chance lies entirely below 0: it detects less than random evidence."""
    out = []
    for r in table[table["contrast"].str.endswith("_vs_chance")].itertuples():
        iv = interval_of(pd.Series(r._asdict()))
        if iv.n >= vocab.MIN_RUNS and iv.high < 0:
            method = r.contrast.removesuffix("_vs_chance")
            out.append(
                f"{SHORT_LABELS[method]} at {DIFFICULTIES[r.difficulty]['label']} {iv.text()}"
            )
    return out


def sparsity_sentences(table: pd.DataFrame, means: pd.DataFrame, iou: float) -> list[str]:
    """The computed sentences on what sparsity adds beyond supervision, one per difficulty.

    ``table`` is :func:`contrasts` output at ``iou``; ``means`` is :func:`map_table` output.
    Each says where the compared methods stand against the chance reference.
    """
    out = []
    n = int(table["n"].iloc[0])
    for difficulty, group in table.groupby("difficulty", sort=False):
        c = {r["contrast"]: r for _, r in group.iterrows()}
        m = means[(means["difficulty"] == difficulty) & np.isclose(means["iou"], iou)]
        mean = dict(zip(m["method"], m["mean"], strict=True))
        iv = {name: interval_of(row).text(3) for name, row in c.items()}
        word, why = vocab.gated_outcome(
            interval_of(c["sparsity"]),
            beats_chance(table, difficulty, "ours"),
            beats_chance(table, difficulty, "dense"),
        )
        penalty = (
            f"cannot be judged ({vocab.explain(why, 'Ours', 'the dense VAE')}):"
            if why
            else _WORDS[c["sparsity"]["verdict"]]
        )
        out.append(
            f"{capital(DIFFICULTIES[difficulty]['label'])} (IoU ≥ {iou:g}, paired 95% "
            f"intervals over {n} plays): Ours {mean['ours']:.2f} against the dense supervised "
            f"VAE {mean['dense']:.2f}, so the ℓ1 penalty {penalty} "
            f"{iv['sparsity']} mAP ({iv['sparsity_matched']} against the dense VAE read at "
            f"Ours' dimension). Supervision alone, in a linear read-out, moves Base by "
            f"{iv['supervision']} (to {mean['linear']:.2f}), and Ours against that linear "
            f"control is {iv['ours_vs_linear']}, {_SIDE[c['ours_vs_linear']['verdict']]}. "
            f"Random evidence scores {mean['chance']:.2f}: Ours is "
            f"{_CHANCE[c['ours_vs_chance']['verdict']]}, the dense VAE "
            f"{_CHANCE[c['dense_vs_chance']['verdict']]}, Base "
            f"{_CHANCE[c['base_vs_chance']['verdict']]} and LEAP-style "
            f"{_CHANCE[c['leap_vs_chance']['verdict']]}. True states: {mean['oracle']:.2f}."
        )
    return out


def fit_variance(
    fits: pd.DataFrame, iou: float, methods: Sequence[str] = ("ours", "dense")
) -> pd.DataFrame:
    """How much of a refitted method's spread is between plays and how much between the fits of
    one play (a one-way random-effects analysis of variance of mAP at ``iou``).

    With ``k`` fits per play, the within-play mean square estimates the fit-to-fit variance and
    ``(MS_between − MS_within) / k`` (floored at 0) the play-to-play variance. Columns
    ``difficulty, method, mean, sd_plays, sd_fits, share_fits`` (the fits' share of the two
    variances), ``widest`` (the largest gap between two fits of one play), ``F`` (the ratio of
    the between-plays to the within-play mean square; near 1, plays differ no more than fits
    do, and the split says little), ``n_plays, n_fits``. A negative estimate of the
    between-plays variance is floored at 0.
    """
    rows = []
    sel = fits[
        fits["method"].isin(methods) & (fits["metric"] == "map") & np.isclose(fits["iou"], iou)
    ]
    for (difficulty, method), part in sel.groupby(["difficulty", "method"], sort=False):
        table = part.pivot_table(index="replicate", columns="fit", values="value")
        n, k = table.shape
        if k < 2 or n < 2:
            var_fit = var_play = ratio = math.nan
        else:
            var_fit = float(table.var(axis=1, ddof=1).mean())
            between = k * float(table.mean(axis=1).var(ddof=1))
            ratio = between / var_fit if var_fit > 0 else math.inf
            var_play = max(0.0, (between - var_fit) / k)  # floored at 0
        total = var_fit + var_play
        rows.append(
            {
                "difficulty": difficulty,
                "method": method,
                "mean": float(table.to_numpy().mean()),
                "sd_plays": math.sqrt(var_play) if var_play == var_play else math.nan,
                "sd_fits": math.sqrt(var_fit) if var_fit == var_fit else math.nan,
                "share_fits": var_fit / total if total > 0 else math.nan,
                "widest": float((table.max(axis=1) - table.min(axis=1)).max()),
                "F": ratio,
                "n_plays": n,
                "n_fits": k,
            }
        )
    return pd.DataFrame(rows)


def fit_variance_sentence(table: pd.DataFrame, iou: float) -> str:
    """One computed sentence on where Ours' spread comes from (:func:`fit_variance`)."""
    ours = table[table["method"] == "ours"]
    if ours.empty or not np.isfinite(ours["share_fits"]).any():
        return (
            "Each play's path was fitted once, so the spread between fits of one play is not "
            "measured here (set n_fits ≥ 2)."
        )
    parts = [
        f"{DIFFICULTIES[r.difficulty]['label']} {r.share_fits:.0%} (sd between fits "
        f"{r.sd_fits:.2f}, between plays {r.sd_plays:.2f}; widest gap between two fits of one "
        f"play {r.widest:.2f}; F = {r.F:.2f})"
        for r in ours.itertuples()
    ]
    k = int(ours["n_fits"].iloc[0])
    return (
        f"Refitting: every play's path was fitted {k} times from different seeds on the same "
        f"episodes. The share of Ours' variance in mAP@{iou:g} that lies between fits of one "
        "play, not between plays: " + "; ".join(parts) + f". With {k} fits of "
        f"{int(ours['n_plays'].iloc[0])} plays the split is rough (F near 1: plays differ no more "
        "than fits do; a negative between-plays estimate is floored at 0). It is the split of "
        "the model the rule chose; every interval on this page is over plays, each play's "
        "score the mean over its fits."
    )


def threshold_sentence(paired: pd.DataFrame, ious: Sequence[float]) -> str:
    """Do the verdicts of every contrast agree across the IoU thresholds of ``paired``?

    ``paired`` is :func:`contrasts` output for several thresholds, with an ``iou`` column.
    """
    ious = [float(v) for v in ious]
    if len(ious) < 2:
        return f"Only one IoU threshold ({ious[0]:g}) was run."
    key = ["difficulty", "contrast"]
    first = paired[np.isclose(paired["iou"], ious[0])].set_index(key)["verdict"]
    changed = []
    for iou in ious[1:]:
        other = paired[np.isclose(paired["iou"], iou)].set_index(key)["verdict"]
        for (d, name), v in first.items():
            if other.get((d, name)) != v:
                changed.append(
                    f"{contrast_label(name)} at {DIFFICULTIES[d]['label']}"
                    f" ({v} at {ious[0]:g}, {other.get((d, name))} at {iou:g})"
                )
    thresholds = ", ".join(f"{v:g}" for v in ious)
    if not changed:
        return f"Every paired verdict is the same at IoU ≥ {thresholds}."
    return f"The paired verdicts differ between IoU thresholds for: {'; '.join(changed)}."


def fit_variance_display(spread: pd.DataFrame) -> pd.DataFrame:
    """:func:`fit_variance`'s table as the page shows it: difficulty and method by their labels,
    readable column names, three decimals.

    Backs
    -----
    fig4_sportshhi
    """
    return (
        spread.assign(
            difficulty=spread["difficulty"].map(lambda d: DIFFICULTIES[d]["label"]),
            method=spread["method"].map(SHORT_LABELS),
        )
        .round(3)
        .rename(
            columns={
                "sd_plays": "sd between plays",
                "sd_fits": "sd between fits",
                "share_fits": "share between fits",
                "widest": "widest gap (one play)",
            }
        )
    )
