"""What the Fig. 5 ablation page reads from its runs beyond the comparisons themselves: its
attacks (our own choices, each changed once and read by the same verdict rule) and its claim.

Backs
-----
fig5_l1_ablation
"""

from __future__ import annotations

import pandas as pd

from specialist import claims
from specialist.experiments.layer2.design import given_of
from specialist.experiments.layer2.verdicts import chance_text, verdict_of


def attack_specs(runs: pd.DataFrame) -> list[tuple[str, dict]]:
    """``(choice, arguments of verdict_of)`` of every attack: the support threshold (0.05 and
    0.2), the penalty one path step below and above the λ "auto" chose (the λ values used are
    read from ``runs``: the path's ends clip the step), a linear reader of R², the
    generalist's top-|I_k| latents as the comparator, and the non-inferiority margin (0 and
    0.1).

    Backs
    -----
    fig5_l1_ablation
    """

    def lambdas_of(column: str) -> str:
        return ", ".join(f"{v:g}" for v in sorted(runs[column].unique()))

    return [
        ("support threshold 0.05", dict(sparse="l1_auto@t0.05", dense="generalist@t0.05")),
        ("support threshold 0.2", dict(sparse="l1_auto@t0.2", dense="generalist@t0.2")),
        (f"λ one path step below auto (λ = {lambdas_of('l1_down_l1')}; 0 is the generalist)",
         dict(sparse="l1_down")),
        (f"λ one path step above auto (λ = {lambdas_of('l1_up_l1')})", dict(sparse="l1_up")),
        ("linear reader of R²", dict(sparse="l1_auto@linear", dense="generalist@linear")),
        ("comparator: generalist's top-|I_k| (given |I_k|)", dict(dense="generalist_top")),
        ("non-inferiority margin 0 instead of 0.05", dict(margin=0.0)),
        ("non-inferiority margin 0.1 instead of 0.05", dict(margin=0.1)),
    ]  # fmt: skip


def ablation_attacks(
    one: dict[str, pd.DataFrame], runs: pd.DataFrame
) -> tuple[list[claims.Attack], pd.DataFrame]:
    """Every attack of :func:`attack_specs` read by :func:`verdict_of` on ``one`` (the runs as
    one condition): the attacks and their table (``choice, verdict, outcomes, key number``).

    Backs
    -----
    fig5_l1_ablation
    """
    attacks, rows = [], []
    for choice, arguments in attack_specs(runs):
        v, k, t, _ = verdict_of(one, **arguments)
        attacks.append(claims.attack(choice, v, k))
        rows.append({"choice": choice, "verdict": v, "outcomes": t, "key number": k})
    return attacks, pd.DataFrame(rows)


def ablation_claim(
    long: pd.DataFrame,
    verdict: tuple[str, str, str, dict],
    attacks: list[claims.Attack],
    n_runs: int,
    where: str,
) -> claims.Claim:
    """The paper's Fig. 5 claim from the main reading ``verdict`` (:func:`verdict_of` on the
    runs as one condition ``"all"``) and its ``attacks``; ``where`` describes the runs.

    Backs
    -----
    fig5_l1_ablation
    """
    decided, key_number, tally, found = verdict
    return claims.claim(
        "Without sparsity a task reads a superset of its latents; with the ℓ1 mask the task "
        "block keeps the relevant latents and drops the irrelevant ones (Thm. 2, Fig. 5)",
        decided,
        key_number,
        n_runs=int(n_runs),
        chance=chance_text(long),
        given=given_of("l1_auto", "generalist", "random", "random_dense"),
        conditions=(
            f"{where}; scored on a fresh draw; both models trained with the tasks as targets; "
            "see the λ path page for scalar tasks, correlated latents and mixing depth"
        ),
        attacks=attacks,
        reason=found["all"]["reason"] if decided == claims.NOT_TESTABLE else "",
        tally=tally,
        effect=claims.effect(
            "irrelevant-latent R² (largest), generalist − ℓ1 (part 1 of 2: the leak)",
            found["all"]["irrelevant"],
        ),
    )
