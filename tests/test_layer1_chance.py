"""The chance level of Layer 1 (the best constant matrix) and the oracle readings of Fig. 2:
verdicts that move with the numbers."""

import numpy as np
import pandas as pd
import pytest

from specialist import claims
from specialist.experiments import dsep, layer1, verdicts
from specialist.labels import INFORMATION


def test_best_constant_is_the_more_accurate_constant_and_scores_mcc_zero():
    sparse = np.zeros((5, 2), bool)
    sparse[[0, 3], 0] = True
    assert not layer1.best_constant(sparse).any()
    assert layer1.best_constant(~sparse).all()
    scores = layer1.chance_scores(sparse)
    assert scores["best_constant:accuracy"] == pytest.approx(0.8)
    assert scores["best_constant:mcc"] == 0.0


def test_every_method_says_what_it_is_given():
    assert set(layer1.METHOD_GIVEN) == set(layer1.METHOD_LABELS)
    assert all(set(keys) <= set(INFORMATION) for keys in layer1.METHOD_GIVEN.values())
    assert layer1.legend_label("ours") == "Ours (given g)"
    assert layer1.legend_label("best_constant") == "Best constant (given the base rate)"


def test_ordering_link_with_a_method_at_chance_is_untestable():
    rng = np.random.default_rng(0)
    rows = []
    for s in range(8):
        shift = rng.normal(0, 0.02)
        for m, acc in {"cca": 0.7, "group_lasso": 0.8, "pair_test": 0.85, "ours": 0.9,
                       "best_constant": 0.75}.items():  # fmt: skip
            rows.append({"seed": s, "method": m, "accuracy": acc + shift + rng.normal(0, 0.005)})
    runs = pd.DataFrame(rows)
    chain = verdicts.chain_for("pair_test")
    # without the chance reference the chain holds, link by link
    assert verdicts.ordering(runs, "accuracy", chain)["holds"]
    # CCA at chance, Group Lasso above it and ahead: the link counts (a working method ahead
    # of one at chance is evidence for it)
    gated = verdicts.ordering(runs, "accuracy", chain, "best_constant")
    assert gated["holds"] and gated["at_chance"] == ["cca"] and gated["untestable"] == []
    # CCA and Group Lasso both at chance: their link is no evidence
    low = runs.assign(
        accuracy=np.where(
            runs["method"] == "group_lasso", runs["accuracy"] - 0.05, runs["accuracy"]
        )  # fmt: skip
    )
    gated = verdicts.ordering(low, "accuracy", chain, "best_constant")
    assert not gated["holds"] and gated["at_chance"] == ["cca", "group_lasso"]
    assert gated["untestable"] == [("cca", "group_lasso")]
    text = verdicts.ordering_sentence(low, "accuracy", "accuracy", "pair_test")
    assert "cannot be tested in full: CCA, Group Lasso does not beat the best constant" in text
    # a method found ahead while at chance is no evidence either: CCA "ahead" of Group Lasso
    swapped = low.assign(
        accuracy=np.where(low["method"] == "cca", low["accuracy"] + 0.03, low["accuracy"])
    )
    gated = verdicts.ordering(swapped, "accuracy", chain, "best_constant")
    assert gated["untestable"] == [("cca", "group_lasso")] and gated["reversed"] == []


def _check(first_wrong: dict[tuple[int, float], int]) -> pd.DataFrame:
    """A representative_check-like table: the first state wrong as given, the rest exact."""
    rows = []
    for (L, p), wrong in first_wrong.items():
        for j in range(L):
            n = wrong if j == 0 else 0
            rows.append({"test": "pair", "segment_length": L, "position": j,
                         "position_name": dsep.position_name(j, L), "p_disconnect": p,
                         "n_structures": 10, "n_queries": 100, "n_wrong": n,
                         "wrong_fraction": n / 100, "structures_with_error": min(n, 10)})  # fmt: skip
    return pd.DataFrame(rows)


def test_oracle_readings_follow_the_wrong_verdicts():
    exact = _check({(2, 0.0): 0, (2, 1.0): 0})
    assert dsep.theorem1_reading(exact)[0] == claims.AGREES
    assert dsep.corollary1_reading(exact)[0] == claims.AGREES
    # the first state fails on connected sequences only: Theorem 1 (last state) still agrees,
    # Corollary 1 holds in one setting and fails in the other: stated for every sequence, one
    # counterexample contradicts it, and the tally shows where it holds
    first = _check({(2, 0.0): 12, (2, 1.0): 0})
    assert dsep.theorem1_reading(first)[0] == claims.AGREES
    verdict, key, tally = dsep.corollary1_reading(first)
    assert verdict == claims.DISAGREES and tally == "for every setting: 1 agree, 1 disagree"
    assert "fails in 1 of 2 settings (L = 2, p_disconnect = 0)" in key
    everywhere = _check({(2, 0.0): 12, (2, 1.0): 3})
    assert dsep.corollary1_reading(everywhere)[0] == claims.DISAGREES
    # a wrong verdict of the last state contradicts Theorem 1
    broken = exact.copy()
    broken.loc[broken["position"] == 1, "n_wrong"] = 1
    assert dsep.theorem1_reading(broken)[0] == claims.DISAGREES
