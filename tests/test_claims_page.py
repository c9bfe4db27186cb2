"""The claims page's parts: the effect record, the one-line key number, the strongest
counter-evidence, the summary sentences and the summary figure."""

import pytest

from specialist import claims
from specialist.site import claims_page as cp
from specialist.stats import Interval


def _claim(verdict=claims.AGREES, attacks=None, effect=None, kind="empirical", n_runs=10):
    if attacks is None:
        attacks = [
            claims.attack("seed stream 1", verdict, "k1"),
            claims.attack("λ = 3", verdict, "k2"),
        ]
    return claims.claim(
        "Ours beats the baseline (Fig. 9a): read on MCC", verdict,
        "Ours − B +0.30 [+0.10, +0.50]; accuracy +0.10 [0.00, +0.20]",
        n_runs=n_runs if kind == "empirical" else None, chance="best constant: 0.00",
        given={"Ours": "g"}, conditions="ten data sets", attacks=attacks, kind=kind,
        reason="too few runs" if verdict == claims.NOT_TESTABLE else "", effect=effect,
    )  # fmt: skip


def _fields(entry: claims.Claim) -> dict:
    """``claims.claim``'s arguments that rebuild ``entry``."""
    d = dict(entry.__dict__)
    return dict(text=d.pop("claim"), verdict=d.pop("verdict"), key_number=d.pop("key_number"), **d)


def test_effect_round_trips_and_refuses_an_inverted_interval():
    e = claims.effect("Ours − B, MCC", Interval(0.3, 0.1, 0.5, 10))
    entry = _claim(effect=e)
    back = claims.Claim.from_dict(entry.to_dict())
    assert back.effect == e and back.effect.text() == "Ours − B, MCC: +0.30 [+0.10, +0.50]"
    old = entry.to_dict()
    del old["effect"]  # entries stored before the field existed still read
    assert claims.Claim.from_dict(old).effect is None
    own = claims.claim(**{**_fields(entry), "counter": "the linear control ties it"})
    assert claims.Claim.from_dict(own.to_dict()).counter == "the linear control ties it"
    assert "the run's own: the linear control ties it" in cp.counter_evidence(own)
    with pytest.raises(ValueError, match="'counter' must be a string"):
        claims.claim(**{**_fields(entry), "counter": 3})
    with pytest.raises(ValueError, match="low <= estimate <= high"):
        claims.Effect("x", 0.6, 0.1, 0.5)
    with pytest.raises(ValueError, match="finite"):
        claims.Effect("x", float("nan"), 0.1, 0.5)
    with pytest.raises(ValueError, match="'effect' must be an Effect"):
        _claim(effect=(0.3, 0.1, 0.5))


def test_one_line_key_number_and_short_title():
    assert cp.one_line(_claim()) == "Ours − B +0.30 [+0.10, +0.50]"  # the first clause
    e = claims.Effect("Ours − B, MCC", 0.3, 0.1, 0.5)
    assert cp.one_line(_claim(effect=e)) == "Ours − B, MCC: +0.30 [+0.10, +0.50]"
    assert cp.short_title("Theorem 1: g_i is relevant iff …") == "Theorem 1"
    assert (
        cp.short_title("Beyond the paper: how Ours (each rule) fares (an atlas)")
        == "how Ours fares"
    )
    assert cp.short_title("Ours beats CCA (Fig. 3a)") == "Ours beats CCA"
    long = "word " * 40
    assert len(cp.short_title(long, 30)) <= 31 and cp.short_title(long, 30).endswith("…")
    cut = cp.middle_cut("Ours recovers which segments serve which task better than Group Lasso", 50)
    assert cut.startswith("Ours recovers") and cut.endswith("Group Lasso") and "…" in cut


def test_counter_evidence_names_the_attack_farthest_from_the_verdict():
    held = _claim()
    assert cp.counter_evidence(held) == "none of our 2 attacks moves the verdict"
    moved = _claim(attacks=[claims.attack("λ = 3", claims.INCONCLUSIVE, "k"),
                            claims.attack("seed stream 1", claims.DISAGREES, "k"),
                            claims.attack("metric", claims.AGREES, "k")])  # fmt: skip
    text = cp.counter_evidence(moved)
    assert text.startswith("under seed stream 1: disagrees") and "1 more attack that moves" in text
    untested = _claim(
        claims.NOT_TESTABLE, attacks=[claims.attack("n = 1,000", claims.NOT_TESTABLE, "k")]
    )
    assert cp.counter_evidence(untested) == "no attack of 1 makes it testable"
    # against the paper first when the main verdict is neither agrees nor disagrees
    both = _claim(claims.NOT_TESTABLE, attacks=[claims.attack("n = 1,000", claims.AGREES, "k"),
                                                claims.attack("σ = 1", claims.DISAGREES, "k")])  # fmt: skip
    assert cp.counter_evidence(both).startswith("under σ = 1: disagrees")
    # a main comparison against the paper is named even when the verdict is not testable
    against = claims.Effect("Ours − B, MCC", -0.35, -0.60, -0.09)
    text = cp.counter_evidence(_claim(claims.NOT_TESTABLE, attacks=[], effect=against))
    assert text.startswith("the main comparison lies against the paper: Ours − B, MCC: -0.35")
    assert cp.checked_by(_claim(kind="oracle")).startswith("exact check")
    assert cp.checked_by(_claim(n_runs=2)) == "2 runs (fewer than 5: decides nothing)"


def test_summary_counts_every_verdict_and_the_moved_claims(tmp_path):
    def row(entry, k):
        return cp.Row(entry, artefact="a", figure="Fig. 9", profile="paper", theory=(), number=k)

    moved = _claim(attacks=[claims.attack("λ = 3", claims.DISAGREES, "k"),
                            claims.attack("seed stream 1", claims.AGREES, "k")])  # fmt: skip
    rows = [row(_claim(), 1), row(moved, 2), row(_claim(claims.DISAGREES), 3),
            row(_claim(claims.NOT_TESTABLE, attacks=[]), 4)]  # fmt: skip
    text = " ".join(cp.summary_sentences(rows))
    assert text.startswith(
        "Of the paper's 4 claims examined here, 2 agree, 1 disagrees and 1 is not testable here; "
        "0 entries go beyond the paper (paper profile)."
    ), text
    assert "Disagree: Ours beats the baseline (Fig. 9)." in text
    assert "move the verdict of 1 of the 3 claims with a decided verdict and attacks: Ours" in text
    effect = claims.Effect("Ours − B, MCC", 0.3, 0.1, 0.5)
    rows[0] = row(_claim(effect=effect), 1)
    png, svg = cp.draw_summary(rows, tmp_path / "summary")
    assert png.stat().st_size > 10_000 and "Ours − B, MCC" in svg.read_text()


def test_the_figure_shows_the_part_that_decides_a_conjunction():
    import pandas as pd

    from specialist.experiments.comparisons import effect_of

    parts = pd.DataFrame(
        [{"method": "ours", "other": "cca", "difference": -0.10, "low": -0.15, "high": -0.05,
          "verdict": claims.DISAGREE},
         {"method": "ours", "other": "group_lasso", "difference": 0.40, "low": -0.60, "high": 1.40,
          "verdict": claims.TIE}]
    )  # fmt: skip
    e = effect_of(parts, "MCC")
    assert e.estimate == -0.10 and "part 1 of 2" in e.label  # the disagreeing part, not the widest
    parts.loc[0, "verdict"] = claims.AGREE
    parts.loc[0, ["difference", "low", "high"]] = [0.3, 0.2, 0.4]
    assert effect_of(parts, "MCC").estimate == 0.40  # a tie decides over an agreeing part
