"""What the conditions atlas page reads from its runs: the verdict counts of each rule of Ours
against each baseline, the selection table and sentence, the findings and the page's two
entries (both beyond the paper). The comparisons themselves are
:func:`~specialist.experiments.atlas.versus_controlled` and
:func:`~specialist.experiments.atlas.best_rule`.

Backs
-----
fig3_conditions
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from specialist import claims, labels
from specialist.experiments.atlas import FACTORS, count_by, describe_condition, rule_sentence
from specialist.experiments.layer1 import ALL_METHODS
from specialist.experiments.layer1_methods import CHANCE, METHOD_GIVEN, METHOD_LABELS
from specialist.stats import mean_interval

#: the verdict words of a controlled comparison, in the order the tables show them
VERDICT_ORDER = ["better", "tie", "worse", "untestable"]


def verdict_counts(controlled: pd.DataFrame) -> pd.DataFrame:
    """How many conditions each (rule, baseline) comparison finds better, tie, worse or
    untestable (rows ``(method, other)``).

    Backs
    -----
    fig3_conditions
    """
    return (
        controlled.groupby(["method", "other"])["verdict"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=VERDICT_ORDER, fill_value=0)
    )


def count_text(counts: pd.DataFrame, rule: str, baseline: str) -> str:
    """``"CCA: better in 3, worse in 1, tie in 50"`` for one comparison of :func:`verdict_counts`.

    Backs
    -----
    fig3_conditions
    """
    c = counts.loc[(rule, baseline)]
    return (
        f"{METHOD_LABELS[baseline]}: better in {c['better']}, worse in {c['worse']}, tie in "
        f"{c['tie']}" + (f", untestable in {c['untestable']}" if c["untestable"] else "")
    )


def selection_table(both: pd.DataFrame) -> pd.DataFrame:
    """Each method with and without selection: mean and 95% t interval of MCC, false-positive
    and false-negative rate over the data sets (rows: selection, method).

    Backs
    -----
    fig3_conditions
    """
    rows = []
    for (sel, m), part in both.groupby(["selection", "method"], sort=False):
        row = {
            "selection": sel,
            "method": METHOD_LABELS[m],
            "given": labels.given_text(METHOD_GIVEN[m]),
        }
        for metric, bounds in (("mcc", (-1, 1)), ("fpr", (0, 1)), ("fnr", (0, 1))):
            iv = mean_interval(part[metric].to_numpy(), bounds=bounds)
            row[metric] = f"{iv.estimate:.2f} [{iv.low:.2f}, {iv.high:.2f}]"
        rows.append(row)
    return pd.DataFrame(rows)


def selection_sentence(sel_means: pd.DataFrame, thresholds: Sequence[float], methods) -> str:
    """Mean MCC of each method without and with selection (``sel_means``: mean ``mcc`` and
    ``fpr`` per (selection, method); the selection labels are ``"none"`` and ``str(c)``).

    Backs
    -----
    fig3_conditions
    """
    return (
        "Selection at Fig. 3's setting (every task above the threshold), mean MCC without → "
        "with: "
        + "; ".join(
            f"{METHOD_LABELS[m]} {sel_means.loc[('none', m), 'mcc']:.2f} → "
            + ", ".join(
                f"{sel_means.loc[(str(c), m), 'mcc']:.2f} (c = {c:g}; false-positive rate "
                f"{sel_means.loc[(str(c), m), 'fpr']:.2f})"
                for c in thresholds
            )
            for m in [*methods, CHANCE]
        )
        + "."
    )


def _by_text(counts_: dict, factor: str, fmt=str) -> str:
    return ", ".join(f"{fmt(lvl)}: {v}" for lvl, v in counts_[factor].items())


def atlas_findings(
    controlled: pd.DataFrame,
    counts: pd.DataFrame,
    best: pd.DataFrame,
    n_cond: int,
    rules: Sequence[str],
    baselines: Sequence[str],
    fig3_setting: dict,
    has_fig3: bool,
    sel_sentence: str,
) -> list[str]:
    """The page's computed findings: the controlled counts of every rule against every
    baseline, where Ours (the paper's rule) loses most, Fig. 3's setting, the best rule per
    condition and the selection sentence.

    Backs
    -----
    fig3_conditions
    """
    ours_c = controlled[controlled["method"] == "ours"]
    worst = max(baselines, key=lambda b: counts.loc[("ours", b), "worse"])
    worse_by = count_by(ours_c[ours_c["other"] == worst], "verdict", "worse", FACTORS)
    if has_fig3:
        at_fig3 = ours_c.set_index(list(FACTORS)).loc[tuple(fig3_setting[f] for f in FACTORS)]
        fig3_text = (
            f"At Fig. 3's setting ({describe_condition(fig3_setting)}), Ours (paper's rule) − "
            + "; ".join(
                f"{METHOD_LABELS[r['other']]} {r['difference']:+.2f} ({r['verdict']})"
                for _, r in at_fig3.iterrows()
            )
            + "."
        )
    else:
        fig3_text = (
            f"Fig. 3's setting ({describe_condition(fig3_setting)}) is not in this profile's grid."
        )
    return [
        f"On MCC, with Holm's control over the {n_cond} conditions of each comparison: "
        + " | ".join(
            f"{METHOD_LABELS[r]} against " + "; ".join(count_text(counts, r, b) for b in baselines)
            for r in rules
        )
        + ".",
        f"Ours with the paper's rule loses to {METHOD_LABELS[worst]} in "
        f"{counts.loc[('ours', worst), 'worse']} of {n_cond} conditions; where, by factor "
        f"level: density {_by_text(worse_by, 'density')}; p_disconnect "
        f"{_by_text(worse_by, 'p_disconnect', lambda v: f'{v:g}')}; σ "
        f"{_by_text(worse_by, 'noise_scale', lambda v: f'{v:g}')}; n "
        f"{_by_text(worse_by, 'n_samples', lambda v: f'{int(v):,}')}.",
        fig3_text,
        rule_sentence(best, metric="MCC"),
        sel_sentence,
    ]


def atlas_claims(
    runs: pd.DataFrame,
    counts: pd.DataFrame,
    baselines: Sequence[str],
    n_cond: int,
    sel_sentence: str,
    settings: dict,
) -> list[claims.Claim]:
    """The page's two entries, both beyond the paper: Ours' rules against each baseline across
    the conditions, and the methods under selection. ``settings``: the page's ``n_steps``,
    ``n_tasks``, ``alpha``, ``n_seeds``, ``densities``, ``p_disconnects``, ``noise_scales``,
    ``sample_sizes``, ``fig3_setting`` and ``selection_thresholds``.

    Backs
    -----
    fig3_conditions
    """
    s = settings
    chance_runs = runs[runs["method"] == CHANCE].groupby(list(FACTORS))
    chance_mcc, chance_acc = chance_runs["mcc"].mean(), chance_runs["accuracy"].mean()
    given = labels.given_map({METHOD_LABELS[m]: METHOD_GIVEN[m] for m in [*ALL_METHODS, CHANCE]})
    return [
        claims.claim(
            "Beyond the paper: how Ours (each decision rule) fares against each baseline given "
            "g when task density, disconnection, task-signal strength and sample size change",
            claims.BEYOND,
            f"MCC, Holm over the {n_cond} conditions of each comparison; Ours (paper's rule) "
            "against " + "; ".join(count_text(counts, "ours", b) for b in baselines),
            n_runs=int(s["n_seeds"]),
            chance=f"best constant (given the base rate): MCC 0 on every data set whose truth "
            f"has both values (mean per condition {chance_mcc.min():.2f} to "
            f"{chance_mcc.max():.2f}: a data set whose truth is all positive scores 1 by "
            f"convention), accuracy {chance_acc.min():.2f} to {chance_acc.max():.2f}; a "
            "comparison counts only where the one chance rule lets it count",
            given=given,
            conditions=f"T = {s['n_steps']}, M = {s['n_tasks']}, Fisher-z at α = "
            f"{s['alpha']:g}, {s['n_seeds']} data sets per condition; density "
            f"{s['densities']}, p_disconnect {s['p_disconnects']}, σ {s['noise_scales']}, n "
            f"{s['sample_sizes']}; Ours + Holm: "
            + "; ".join(count_text(counts, "ours_holm", b) for b in baselines)
            + "; Ours + Simes: "
            + "; ".join(count_text(counts, "ours_simes", b) for b in baselines),
        ),
        claims.claim(
            "Beyond the paper: under selection (SelTask's model of subgoals: only sequences "
            "that meet every task are observed), which methods still recover the structure?",
            claims.BEYOND,
            sel_sentence,
            n_runs=int(s["n_seeds"]),
            chance="best constant (given the base rate): MCC 0",
            given=given,
            conditions=f"Fig. 3's setting ({describe_condition(s['fig3_setting'])}), T = "
            f"{s['n_steps']}, M = {s['n_tasks']}, selection thresholds "
            f"{s['selection_thresholds']}, {s['n_seeds']} data sets each",
        ),
    ]
