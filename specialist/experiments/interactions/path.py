"""The specialist's ℓ1 path on the study's plays: the path per difficulty and λ, and the rules
that choose Ours' λ from it (the page's label-free rule and the attacks), compared on the test
plays.

Backs
-----
fig4_sportshhi
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from specialist.experiments.interactions.design import DIFFICULTIES, capital
from specialist.stats import mean_interval, paired_difference, verdict


def with_fit(path: pd.DataFrame) -> pd.DataFrame:
    """``path`` with a ``fit`` column (0 where it has none: one fit per play)."""
    return path if "fit" in path else path.assign(fit=0)


def path_table(path: pd.DataFrame, iou: float) -> pd.DataFrame:
    """The specialist's path per difficulty and λ (λ = 0 is the dense model), at ``iou``.

    Columns ``difficulty, l1, test_map, low, high, n, val_map, block, chosen,
    chosen_annotated, test_best``: the mean test mAP with its 95% Student-t interval over plays
    (shown, never used to choose), the mean validation mAP (what :func:`choose_l1` reads, at
    the first IoU threshold), the mean block size, in how many runs the label-free rule
    (Ours) and the annotated rule (:func:`choose_l1`, an attack) chose this λ, and whether this
    λ has the best mean test mAP of the path (a choice *tuned on the test plays*). With several
    fits per play, a play's test mAP is the mean over its fits (the interval is over plays) and
    the choices are counted over plays × fits.
    """
    path = with_fit(path)
    rows = []
    for difficulty, part in path.groupby("difficulty", sort=False):
        test = part[(part["metric"] == "map") & np.isclose(part["iou"], iou)]
        for lam, group in test.groupby("l1"):
            per_play = group.groupby("replicate")["value"].mean()
            iv = mean_interval(per_play, bounds=(0.0, 1.0))
            same = part[part["l1"] == lam]
            rows.append(
                {
                    "difficulty": difficulty,
                    "l1": float(lam),
                    "test_map": iv.estimate,
                    "low": iv.low,
                    "high": iv.high,
                    "n": iv.n,
                    "val_map": same.loc[same["metric"] == "val_map", "value"].mean(),
                    "block": same.loc[same["metric"] == "block", "value"].mean(),
                    "chosen": int(same.loc[same["metric"] == "chosen", "value"].sum()),
                    "chosen_annotated": int(
                        same.loc[same["metric"] == "chosen_annotated", "value"].sum()
                    ),
                }
            )
    table = pd.DataFrame(rows)
    sparse = table["l1"] > 0
    best = table[sparse].groupby("difficulty")["test_map"].transform("max")
    table["test_best"] = False
    table.loc[sparse, "test_best"] = table.loc[sparse, "test_map"] == best
    return table


def path_sentences(table: pd.DataFrame, iou: float) -> list[str]:
    """Computed sentences on Ours' λ: what the label-free rule chose, what it scored, and what
    the λ tuned on the test plays would have scored (one sentence per difficulty)."""
    out = []
    for difficulty, part in table.groupby("difficulty", sort=False):
        sparse = part[part["l1"] > 0]
        runs = int(part["chosen"].sum())
        picks = ", ".join(
            f"{'the dense model' if r.l1 == 0 else f'λ = {r.l1:g}'} in {int(r.chosen)}"
            for r in part.itertuples()
            if r.chosen
        )
        annotated = ", ".join(
            f"λ = {r.l1:g} in {int(r.chosen_annotated)}"
            for r in sparse.itertuples()
            if r.chosen_annotated
        )
        best = sparse[sparse["test_best"]].iloc[0]
        dense = part[part["l1"] == 0].iloc[0]
        kept = float((part["block"] * part["chosen"]).sum() / max(runs, 1))
        out.append(
            f"{capital(DIFFICULTIES[difficulty]['label'])}: the label-free rule chose "
            f"{picks} of {runs} fits (plays × fits; the annotated rule, an attack: "
            f"{annotated}); the models "
            f"it chose keep {kept:.1f} latents on average (the dense model {dense.block:.1f}; "
            f"a mask that closes entirely falls back to every latent). On the "
            f"test episodes (mAP at IoU ≥ {iou:g}, mean over "
            f"plays) the path runs from {sparse['test_map'].min():.2f} to "
            f"{sparse['test_map'].max():.2f}, the dense model {dense.test_map:.2f}; the best "
            f"fixed λ, tuned on the test plays (shown, never used), is {best.l1:g} with "
            f"{best.test_map:.2f} and a block of {best.block:.1f} latents."
        )
    return out


#: the ways of choosing Ours' λ that :func:`rule_contrasts` compares (the first is the page's)
LAMBDA_RULES = {
    "chosen": "λ by held-out losses (label-free; the page's Ours)",
    "chosen_annotated": "λ by validation mAP (given the play's annotations, which are the test's "
    "labels: every episode of a play shares its interaction structure)",
    "test_tuned": "λ tuned on the test plays (the best mean test mAP of the path)",
    "random": "λ drawn at random from the path (the path's mean)",
    "chosen_closed": "λ by held-out losses with closed masks allowed "
    "(a mask that keeps no latent falls back to every latent)",
}
#: a path-end rule: the label-free rule on the path cut at λ = ``cap`` (``"end:<cap>"``)
PATH_END = "end:"


def path_end_flags(path: pd.DataFrame, cap: float) -> pd.DataFrame:
    """The label-free rule on the path cut at λ = ``cap``: per run and fit, the largest λ ≤ cap
    that qualifies and keeps an open mask (the dense model if none does); columns
    ``difficulty, replicate, fit, l1``."""
    path = with_fit(path)
    keys = ["difficulty", "replicate", "fit", "l1"]
    ok = path[path["metric"] == "qualifies"].merge(
        path[path["metric"] == "closed"][keys + ["value"]], on=keys, suffixes=("", "_closed")
    )
    ok = ok[(ok["l1"] <= cap) & (ok["value"] == 1) & (ok["value_closed"] == 0)]
    return ok.groupby(keys[:-1], as_index=False)["l1"].max()


def rule_contrasts(path: pd.DataFrame, scores: pd.DataFrame, iou: float) -> pd.DataFrame:
    """Test mAP of the path's model picked by each rule of :data:`LAMBDA_RULES`, against the
    dense model and against chance, paired over plays, per difficulty.

    Columns ``difficulty, rule, mean, vs_dense_*`` and ``vs_chance_*`` (``estimate``, ``low``,
    ``high``, ``n``) and ``verdict`` (Student-t intervals, :func:`paired_difference`).
    """
    path = with_fit(path)
    rows = []
    maps = path[(path["metric"] == "map") & np.isclose(path["iou"], iou)]
    chance = scores[
        (scores["method"] == "chance")
        & (scores["metric"] == "map")
        & np.isclose(scores["iou"], iou)
    ]
    for difficulty, part in maps.groupby("difficulty", sort=False):
        table = part.pivot_table(index=["replicate", "fit"], columns="l1", values="value")
        sparse = [v for v in table.columns if v > 0]
        plays = table.index.get_level_values("replicate")

        def per_play(values, plays=plays) -> np.ndarray:  # the mean over a play's fits
            return pd.Series(np.asarray(values), index=plays).groupby(level=0).mean().to_numpy()

        play_index = np.unique(plays)
        reference = chance[chance["difficulty"] == difficulty].set_index("replicate")["value"]
        reference = reference.reindex(play_index)
        picks = {}
        for rule in ("chosen", "chosen_annotated", "chosen_closed"):
            flags = path[(path["difficulty"] == difficulty) & (path["metric"] == rule)]
            flags = flags.pivot_table(index=["replicate", "fit"], columns="l1", values="value")
            picks[rule] = per_play(
                table.to_numpy()[
                    np.arange(len(table)),
                    flags.reindex(table.index)[table.columns].to_numpy().argmax(1),
                ]
            )
        picks["test_tuned"] = per_play(table[table[sparse].mean().idxmax()])
        picks["random"] = per_play(table[sparse].mean(axis=1))
        dense = per_play(table[0.0])
        for rule, values in picks.items():
            vs_dense = paired_difference(values, dense)
            vs_chance = paired_difference(values, reference.to_numpy())
            rows.append(
                {
                    "difficulty": difficulty,
                    "rule": rule,
                    "mean": float(np.mean(values)),
                    **{
                        f"vs_dense_{k}": getattr(vs_dense, k)
                        for k in ("estimate", "low", "high", "n")
                    },
                    **{
                        f"vs_chance_{k}": getattr(vs_chance, k)
                        for k in ("estimate", "low", "high", "n")
                    },
                    "verdict": verdict(vs_dense),
                }
            )
    return pd.DataFrame(rows)


def scores_with_rule(scores: pd.DataFrame, path: pd.DataFrame, rule: str, iou: float):
    """``scores`` with Ours' mAP rows replaced by the path's model another rule of
    :data:`LAMBDA_RULES` picks, per play and difficulty (``"random"``: the mean over the path's
    sparse models; ``"test_tuned"``: the λ of the best mean test mAP at ``iou``)."""
    if rule not in LAMBDA_RULES and not rule.startswith(PATH_END):
        raise ValueError(
            f"rule must be one of {sorted(LAMBDA_RULES)} or '{PATH_END}<λ>', got {rule!r}"
        )
    path = with_fit(path)
    keys = ["difficulty", "replicate"]
    maps = path[(path["metric"] == "map") & (path["l1"] > 0)]
    if rule == "random":
        picked = maps.groupby([*keys, "iou"], as_index=False)["value"].mean()
    else:
        if rule == "test_tuned":
            at = maps[np.isclose(maps["iou"], iou)]
            means = at.groupby(["difficulty", "l1"], as_index=False)["value"].mean()
            best = means.loc[means.groupby("difficulty")["value"].idxmax(), ["difficulty", "l1"]]
            flags = (
                maps[[*keys, "fit", "l1"]].drop_duplicates().merge(best, on=["difficulty", "l1"])
            )
        elif rule.startswith(PATH_END):
            flags = path_end_flags(path, float(rule.removeprefix(PATH_END)))
        else:
            flags = path[(path["metric"] == rule) & (path["value"] == 1)][[*keys, "fit", "l1"]]
        picked = path[path["metric"] == "map"].merge(flags, on=[*keys, "fit", "l1"])
        picked = picked.groupby([*keys, "iou"], as_index=False)["value"].mean()  # over fits
    is_ours = (scores["method"] == "ours") & (scores["metric"] == "map")
    ours = scores[is_ours].drop(columns="value").merge(picked, on=[*keys, "iou"])
    return pd.concat([scores[~is_ours], ours], ignore_index=True)
