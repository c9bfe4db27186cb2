"""What the λ path page reads from its runs: where "auto" lands against the λ the truth would
pick, the verdict over conditions per task kind, the attacks, and the page's two entries (both
beyond the paper).

Backs
-----
fig5_l1_path
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from specialist import claims
from specialist.experiments.layer2.design import given_of
from specialist.experiments.layer2.verdicts import auto_vs_oracle, chance_text, verdict_of

#: the settings that make a condition of the path page
CONDITION_KEYS = ["task_kind", "latent_correlation", "mixing_layers"]


def condition_label(c: dict) -> str:
    """``"vector tasks, independent latents, mixing depth 3"``.

    Backs
    -----
    fig5_l1_path
    """
    rho = c["latent_correlation"]
    latents = "independent latents" if rho == 0 else f"correlated latents (ρ = {rho:g})"
    return f"{c['task_kind']} tasks, {latents}, mixing depth {c['mixing_layers']}"


def in_condition(frame: pd.DataFrame, c: dict) -> np.ndarray:
    """The rows of ``frame`` that belong to condition ``c``.

    Backs
    -----
    fig5_l1_path
    """
    return np.logical_and.reduce([frame[k] == c[k] for k in CONDITION_KEYS])


def landing_table(runs: pd.DataFrame, conditions: Sequence[dict], path) -> pd.DataFrame:
    """Per condition: the λ "auto" chose and the λ the truth would pick (per data set), how
    often they are the same and how often auto took the path's largest λ, and what the choice
    costs (auto − the truth's model, paired; :func:`auto_vs_oracle`).

    Backs
    -----
    fig5_l1_path
    """
    rows = []
    for c in conditions:
        found = auto_vs_oracle(runs[in_condition(runs, c)], path)
        rows.append(
            {
                "condition": condition_label(c),
                "auto λ": ", ".join(f"{v:g}" for v in found["auto"]),
                "truth's λ": ", ".join(f"{v:g}" for v in found["oracle"]),
                "same λ": found["same"],
                "auto at the largest λ": found["at_edge"],
                "R² relevant, auto − oracle": found["relevant"].text(),
                "R² irrelevant max, auto − oracle": found["irrelevant_max"].text(),
            }
        )
    return pd.DataFrame(rows)


def auto_facts(runs: pd.DataFrame, landing: pd.DataFrame, path) -> dict:
    """How auto's λ compares with the truth's: ``same`` (data sets where they match),
    ``best_constant`` and ``best_count`` (the truth's most frequent λ and how often it is the
    truth's), ``at_edge`` (data sets where auto took the path's largest λ) and ``sentence``.

    Backs
    -----
    fig5_l1_path
    """
    same = int(landing["same λ"].sum())
    truth_counts = runs["oracle_l1"].value_counts()
    best_constant, best_count = float(truth_counts.idxmax()), int(truth_counts.max())
    at_edge = int(landing["auto at the largest λ"].sum())
    edge_text = (
        f"on {at_edge} of {len(runs)} data sets it chose the path's largest λ ({max(path):g}), "
        "at the edge of the path: a longer path might have let it go further"
        if at_edge
        else f"it never chose the path's largest λ ({max(path):g})"
    )
    sentence = (
        f"λ chosen from the data matched the truth's λ on {same} of {len(runs)} data sets (the "
        f"best constant, always λ = {best_constant:g}, matches on {best_count}); "
        f"{edge_text}. Where auto and the truth differ, the table above shows what it costs."
    )
    return {
        "same": same,
        "best_constant": best_constant,
        "best_count": best_count,
        "at_edge": at_edge,
        "sentence": sentence,
    }


def headline(condition_verdicts: Sequence[dict], overall: str, overall_tally: str) -> str:
    """One sentence: on how many conditions the Fig. 5 verdict holds, and where it does not.

    Backs
    -----
    fig5_l1_path
    """
    agree_where = [condition_label(v) for v in condition_verdicts if v["verdict"] == "agrees"]
    other_where = [
        f"{condition_label(v)} ({v['verdict']})"
        for v in condition_verdicts
        if v["verdict"] != "agrees"
    ]
    return (
        f"The Fig. 5 verdict (sparsity separates the blocks and keeps the relevant one) holds on "
        f"{len(agree_where)} of {len(condition_verdicts)} conditions"
        + (f"; it does not on: {'; '.join(other_where)}" if other_where else "")
        + f". Over all conditions the comparisons give: {overall_tally} (verdict: {overall})."
    )


def kind_tally(results: dict, conditions: Sequence[dict], task_kinds: Sequence[str]) -> str:
    """Outcomes of the conditions, per task kind.

    Backs
    -----
    fig5_l1_path
    """
    parts = []
    for kind in task_kinds:
        names = [condition_label(c) for c in conditions if c["task_kind"] == kind]
        words = pd.Series([results[n]["outcome"] for n in names]).value_counts()
        parts.append(
            f"{kind} tasks " + ", ".join(f"{w} {n}" for w, n in words.items()) + f" of {len(names)}"
        )
    return "; ".join(parts)


def path_attacks(
    by_condition: dict, conditions: Sequence[dict], task_kinds: Sequence[str]
) -> list[claims.Attack]:
    """The verdict over conditions under our own alternative choices: the generalist's
    top-|I_k| latents as the comparator, and no loss of the relevant block allowed.

    Backs
    -----
    fig5_l1_path
    """
    out = []
    for choice, options in (
        ("comparator: the generalist's top-|I_k| latents (given the true block sizes), not "
         "its Jacobian block", {"dense": "generalist_top"}),
        ("keeping the relevant block: no loss allowed (margin 0, not 0.05)", {"margin": 0.0}),
    ):  # fmt: skip
        v, _, t, res = verdict_of(by_condition, **options)
        out.append(
            claims.attack(
                choice, v, f"{t}; by task kind: {kind_tally(res, conditions, task_kinds)}"
            )
        )
    return out


def path_claims(
    by_condition: dict,
    verdict: tuple[str, str, str, dict],
    attacks: Sequence[claims.Attack],
    facts: dict,
    n_runs: int,
    n_data: int,
    settings: dict,
) -> list[claims.Claim]:
    """The page's two entries, both beyond the paper: the separation across task kind, latent
    correlation and mixing depth (``verdict``: what :func:`verdict_of` returns over
    ``by_condition``), and λ chosen from the data (``facts``: :func:`auto_facts`).
    ``settings``: the page's ``conditions``, ``task_kinds``, ``n_seeds``, ``n_samples`` and
    ``l1_path``.

    Backs
    -----
    fig5_l1_path
    """
    s = settings
    overall, overall_key, overall_tally, results = verdict
    n_cond, size = len(s["conditions"]), len(s["l1_path"]) + 1
    return [
        claims.claim(
            "Sparsity on the task–latent mask separates the task block (Thm. 2) across task "
            "kind, latent correlation and mixing depth",
            claims.BEYOND,
            f"over conditions: {overall} ({overall_tally}); by task kind: "
            f"{kind_tally(results, s['conditions'], s['task_kinds'])}; {overall_key}",
            n_runs=n_data,
            chance="; ".join(f"{name}: {chance_text(part)}" for name, part in by_condition.items()),
            given=given_of("l1_auto", "generalist", "random", "random_dense"),
            conditions=f"{n_cond} conditions × {s['n_seeds']} data sets, n = "
            f"{s['n_samples']:,}; both models trained with the tasks as targets; scalar tasks, "
            "correlated latents and deeper mixing lie outside Theorem 2's assumptions (Theory "
            "page)",
            attacks=list(attacks),
            tally=overall_tally,
        ),
        claims.claim(
            "λ can be chosen from the data alone (held-out task and reconstruction losses "
            "within 0.05 of the dense model's)",
            claims.BEYOND,
            f"auto's λ = the truth's λ on {facts['same']} of {n_runs} data sets; at the path's "
            f"largest λ on {facts['at_edge']}",
            n_runs=int(n_runs),
            chance=f"the best constant: always λ = {facts['best_constant']:g} (the truth's most "
            f"frequent λ, chosen knowing the truth) matches on {facts['best_count']} of "
            f"{n_runs}; a random pick of the {size} path models (λ = 0 included) matches with "
            f"probability {1 / size:.2f}",
            given=given_of("l1_auto"),
            conditions=f"{n_cond} conditions × {s['n_seeds']} data sets, n = {s['n_samples']:,}",
        ),
    ]
