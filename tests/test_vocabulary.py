"""The claims vocabulary: one combination rule, one validating constructor, no hand-built entry."""

import ast
import json
from pathlib import Path

import pytest

from specialist import claims
from specialist.outputs import Outputs
from specialist.stats import Interval

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def iv(low, high, n=10):
    return Interval((low + high) / 2, low, high, n)


@pytest.mark.parametrize(
    ("outcomes", "verdict"),
    [
        (["agree", "agree"], "agrees"),
        (["disagree", "disagree"], "disagrees"),
        (["tie", "tie", "tie"], "inconclusive"),  # all ties: the data cannot decide
        (["agree", "tie"], "mixed"),  # the conditions disagree
        (["agree", "disagree"], "mixed"),
        (["disagree", "tie"], "mixed"),
        (["agree", "untestable"], "agrees"),  # untestable comparisons are left out
        (["untestable", "untestable"], "not testable here"),
        ([], "not testable here"),
    ],
)
def test_one_rule_combines_outcomes(outcomes, verdict):
    assert claims.combine(outcomes) == verdict


def test_outcomes_follow_the_interval_and_the_run_count():
    assert claims.outcome(iv(0.1, 0.3)) == "agree"
    assert claims.outcome(iv(-0.3, -0.1)) == "disagree"
    assert claims.outcome(iv(-0.1, 0.3)) == "tie"
    assert claims.outcome(iv(-0.3, -0.1), higher_is_effect=False) == "agree"
    assert claims.outcome(Interval(0.2, 0.2, 0.2, 1)) == "untestable"
    assert claims.conjoin(["agree", "agree"]) == "agree"
    assert claims.conjoin(["agree", "tie"]) == "tie"
    assert claims.conjoin(["agree", "tie", "disagree"]) == "disagree"
    assert claims.conjoin(["agree", "untestable"]) == "untestable"
    assert claims.tally(["agree", "tie", "agree"]) == "2 agree, 1 tie"
    assert claims.beats_chance(iv(0.01, 0.2)) and not claims.beats_chance(iv(-0.01, 0.2))
    with pytest.raises(ValueError, match="outcomes must be among"):
        claims.combine(["better"])


def test_one_chance_rule_for_every_comparison():
    ahead, behind, level = iv(0.1, 0.3), iv(-0.3, -0.1), iv(-0.1, 0.1)
    # both methods work: the interval decides
    assert claims.gated_outcome(ahead, True, True) == ("agree", "")
    # both at chance: no evidence, whatever the interval says
    assert claims.gated_outcome(ahead, False, False) == ("untestable", "both at chance")
    # a working method ahead of one at chance is evidence for it, either way round
    assert claims.gated_outcome(ahead, True, False) == ("agree", "")
    assert claims.gated_outcome(behind, False, True) == ("disagree", "")
    # a method "ahead" while at chance is not
    assert claims.gated_outcome(ahead, False, True) == ("untestable", "a ahead but at chance")
    assert claims.gated_outcome(behind, True, False) == ("untestable", "b ahead but at chance")
    # a tie with one working method is a tie
    assert claims.gated_outcome(level, True, False) == ("tie", "")
    assert claims.gated_outcome(Interval(0.2, 0.2, 0.2, 1), True, True)[0] == "untestable"
    # a claim stated for every setting: one contradiction decides, and the tally says so
    assert claims.universal(["agree", "disagree", "agree"]) == (
        "disagrees",
        "for every setting: 2 agree, 1 disagree",
    )
    assert claims.universal(["agree", "tie"], over="baseline")[0] == "inconclusive"


def _entry(**change):
    fields = dict(
        n_runs=10,
        chance="best constant: 0.75",
        given={"Ours": "the task variables g"},
        conditions="T = 20",
        attacks=[
            claims.attack("seed stream 1", "agrees", "+0.1"),
            claims.attack("Holm", "mixed", "+0.0"),
        ],  # fmt: skip
    )
    fields.update(change)
    verdict = fields.pop("verdict", "agrees")
    return claims.claim("Ours is better", verdict, "+0.2 [+0.1, +0.3]", **fields)


def test_the_constructor_validates_every_field():
    entry = _entry()
    assert [a.choice for a in entry.moved] == ["Holm"]
    assert claims.Claim.from_dict(json.loads(json.dumps(entry.to_dict()))) == entry
    bad = {
        "verdict": dict(verdict="holds"),
        "n_runs": dict(n_runs=0),
        "chance": dict(chance=""),
        "given": dict(given={}),
        "reason": dict(verdict="not testable here"),
        "attacks": dict(attacks=[claims.attack("seed stream 1", "agrees", "+0.1")]),
        "kind": dict(kind="guess"),
    }
    for field, change in bad.items():
        with pytest.raises(ValueError, match=field):
            _entry(**change)
    with pytest.raises(ValueError, match="attack verdict"):
        claims.attack("x", "better", "1")
    # an oracle check needs no runs; a claim that cannot be tested carries its reason and
    # needs no attack; a study beyond the paper needs none either
    assert _entry(kind="oracle", n_runs=None).n_runs is None
    untested = _entry(verdict="not testable here", reason="one model pair", attacks=[])
    assert untested.reason == "one model pair"
    assert _entry(verdict="beyond the paper", attacks=[]).is_paper_claim is False
    with pytest.raises(ValueError, match="reason"):
        _entry(reason="no reason to give")


def test_hand_built_entries_are_refused(tmp_path):
    hand = {"claim": "typed", "verdict": "agrees", "key_number": "1", "conditions": "c"}
    with pytest.raises(ValueError, match=r"specialist\.claims\.claim\(\)"):
        claims.Claim.from_dict(hand)
    with pytest.raises(ValueError, match="misses field"):
        claims.Claim.from_dict({"schema": claims.SCHEMA, **hand})
    out = Outputs(tmp_path)
    with pytest.raises(TypeError, match="hand-built entries are refused"):
        out.metrics(claims=[hand])
    out.metrics(claims=[_entry()])
    stored = json.loads((tmp_path / "metrics.json").read_text())["claims"][0]
    assert stored["schema"] == claims.SCHEMA and claims.Claim.from_dict(stored) == _entry()


def _verdict_argument(call: ast.Call) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == "verdict":
            return kw.value
    return call.args[1] if len(call.args) > 1 else None


def test_no_notebook_builds_a_claim_or_types_a_verdict_by_hand():
    """Claims come from specialist.claims.claim with a computed verdict, never a typed one.

    A dict literal with the fields of an entry is a hand-built claim; a string literal as the
    verdict of ``claims.claim`` or ``claims.attack`` is a verdict typed by hand (the named
    constants ``claims.BEYOND`` and ``claims.NOT_TESTABLE`` state what a design is, and are
    allowed).
    """
    for path in sorted(NOTEBOOKS.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            where = f"{path.name}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                assert not {"claim", "verdict"} <= keys, f"{where}: a claim built by hand"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("claim", "attack"):
                    arg = _verdict_argument(node)
                    assert not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)), (
                        f"{where}: a verdict typed by hand"
                    )
        assert "outputs.metrics(claims=[{" not in path.read_text().lower(), path.name


def test_the_vocabulary_is_a_leaf():
    """specialist.claims and specialist.outcomes import no study code (the runner and notebooks
    import them cheaply), and claims offers every outcome name."""
    from specialist import outcomes

    allowed = {"specialist.claims": {"specialist.outcomes"}, "specialist.outcomes": set()}
    for module in (claims, outcomes):
        source = Path(module.__file__).read_text()
        imported = {
            n.module
            for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.ImportFrom) and n.module
        }
        within = {m for m in imported if m.startswith("specialist")}
        assert within <= {"specialist.stats"} | allowed[module.__name__]
    for name in ("combine", "conjoin", "tally", "gated_outcome", "VERDICTS", "MIN_RUNS"):
        assert getattr(claims, name) is getattr(outcomes, name)
