"""The claims page's entries and their one constructor (the verdict vocabulary they use is
:mod:`specialist.outcomes`).

A leaf module: it imports nothing from ``specialist.experiments`` (only the
:class:`~specialist.stats.Interval` type), so the runner, the book side and every notebook use
it without importing any study's code.

The outcomes and verdicts (:data:`~specialist.outcomes.VERDICTS`, :func:`~specialist.outcomes.combine`, …)
are those of :mod:`specialist.outcomes`; every one of their names is also available here
(``claims.combine``).

Entries
-------
An artefact's ``metrics.json`` holds a ``claims`` list of :class:`Claim` records, each made
by :func:`claim` (which validates every field) and stored with :meth:`Claim.to_dict`; the
runner reads them back with :meth:`Claim.from_dict`, which refuses an entry that was not made
this way. ``specialist.outputs.Outputs.metrics`` refuses a ``claims`` item that is not a
:class:`Claim`.

Backs
-----
fig2_band_set, fig3_structure, fig3_conditions, fig3_nonlinear, fig_colliders,
fig_finite_sample, fig_scaling, tab2_runtime, fig4_sportshhi, fig5_l1_ablation, fig5_l1_path,
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from specialist.outcomes import (
    AGREE,
    AGREES,
    BEYOND,
    DISAGREE,
    DISAGREES,
    INCONCLUSIVE,
    MIN_RUNS,
    MIXED,
    NOT_TESTABLE,
    OUTCOMES,
    TIE,
    UNTESTABLE,
    VERDICTS,
    beats_chance,
    combine,
    conjoin,
    explain,
    from_word,
    gated_outcome,
    outcome,
    tally,
    universal,
)

#: this module's names and the vocabulary of :mod:`specialist.outcomes` it makes available
__all__ = [
    "AGREE",
    "AGREES",
    "Attack",
    "BEYOND",
    "Claim",
    "DISAGREE",
    "Effect",
    "DISAGREES",
    "FIELDS",
    "INCONCLUSIVE",
    "KINDS",
    "MIN_ATTACKS",
    "MIN_RUNS",
    "MIXED",
    "NOT_TESTABLE",
    "OUTCOMES",
    "SCHEMA",
    "TIE",
    "UNTESTABLE",
    "VERDICTS",
    "attack",
    "attacks_frame",
    "beats_chance",
    "claim",
    "combine",
    "effect",
    "conjoin",
    "explain",
    "from_word",
    "gated_outcome",
    "outcome",
    "robustness_sentence",
    "tally",
    "universal",
]

#: how a claim is checked (by data with intervals over runs, by an exact oracle, by a proof,
#: by a wall-time measurement against a stated allowance)
KINDS = ("empirical", "oracle", "proof", "timing")
#: the version of the stored form (:meth:`Claim.to_dict`); the runner refuses any other
SCHEMA = "specialist.claim/1"
#: the columns of the claims table, in order
FIELDS = (
    "claim",
    "verdict",
    "key_number",
    "n_runs",
    "chance",
    "given",
    "conditions",
    "attacks",
)
#: the fewest attacks a paper claim must record (:func:`claim`)
MIN_ATTACKS = 2


@dataclass(frozen=True)
class Attack:
    """One of our own defensible choices, changed, and the verdict under it."""

    choice: str
    verdict: str
    key_number: str

    def __post_init__(self):
        _check_text("attack choice", self.choice)
        _check_text("attack key_number", self.key_number)
        if self.verdict not in VERDICTS:
            raise ValueError(f"attack verdict must be one of {VERDICTS}, got {self.verdict!r}")

    def text(self) -> str:
        """``"λ = 100: inconclusive (…)"``."""
        return f"{self.choice}: {self.verdict} ({self.key_number})"


def attack(choice: str, verdict: str, key_number: str) -> Attack:
    """An :class:`Attack`, checked (the verdict is one of :data:`~specialist.outcomes.VERDICTS`)."""
    return Attack(choice, verdict, key_number)


@dataclass(frozen=True)
class Effect:
    """The one number a claim is decided on, with its interval, for the claims page's summary
    figure: ``estimate`` and ``[low, high]`` in the units of ``label``, a difference oriented so
    that values above 0 go the paper's way ("Ours − CCA, MCC")."""

    label: str
    estimate: float
    low: float
    high: float

    def __post_init__(self):
        import math

        _check_text("effect label", self.label)
        values = (self.estimate, self.low, self.high)
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise ValueError(f"claims field 'effect' needs finite numbers, got {values!r}")
        if not self.low <= self.estimate <= self.high:
            raise ValueError(
                "claims field 'effect' must satisfy low <= estimate <= high, got "
                f"{self.low!r} <= {self.estimate!r} <= {self.high!r}"
            )

    def text(self, digits: int = 2) -> str:
        """``"Ours − CCA, MCC: +0.64 [+0.40, +0.87]"``."""
        f = f"{{:+.{digits}f}}"
        return (
            f"{self.label}: {f.format(self.estimate)} [{f.format(self.low)}, {f.format(self.high)}]"
        )

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "estimate": float(self.estimate),
            "low": float(self.low),
            "high": float(self.high),
        }


def effect(label: str, interval) -> Effect:
    """An :class:`Effect` from a :class:`~specialist.stats.Interval` (or anything with
    ``estimate``, ``low`` and ``high``), checked."""
    return Effect(label, float(interval.estimate), float(interval.low), float(interval.high))


@dataclass(frozen=True)
class Claim:
    """One entry of the claims page; make it with :func:`claim`, never by hand."""

    claim: str
    verdict: str
    key_number: str
    n_runs: int | None
    chance: str
    given: dict[str, str]
    conditions: str
    attacks: tuple[Attack, ...] = ()
    reason: str = ""
    kind: str = "empirical"
    tally: str = ""
    theory: tuple[str, ...] = field(default=())
    effect: Effect | None = None
    counter: str = ""

    @property
    def is_paper_claim(self) -> bool:
        return self.verdict != BEYOND

    @property
    def moved(self) -> list[Attack]:
        """The attacks under which the verdict differs from the main one (none for a study
        beyond the paper: it has no paper verdict to move)."""
        if not self.is_paper_claim:
            return []
        return [a for a in self.attacks if a.verdict != self.verdict]

    def to_dict(self) -> dict:
        """The stored form (``metrics.json``), marked with :data:`SCHEMA`."""
        return {
            "schema": SCHEMA,
            "claim": self.claim,
            "verdict": self.verdict,
            "key_number": self.key_number,
            "n_runs": self.n_runs,
            "chance": self.chance,
            "given": dict(self.given),
            "conditions": self.conditions,
            "attacks": [
                {"choice": a.choice, "verdict": a.verdict, "key_number": a.key_number}
                for a in self.attacks
            ],
            "reason": self.reason,
            "kind": self.kind,
            "tally": self.tally,
            "theory": list(self.theory),
            "effect": None if self.effect is None else self.effect.to_dict(),
            "counter": self.counter,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Claim:
        """Read a stored entry back, validating it as :func:`claim` does.

        Raises
        ------
        ValueError
            If the entry lacks the schema mark (it was typed by hand, not made by
            :func:`claim`), misses a field, or fails a check of :func:`claim`.
        """
        if not isinstance(data, Mapping) or data.get("schema") != SCHEMA:
            raise ValueError(
                f"a claims entry must be made by specialist.claims.claim() (schema {SCHEMA!r}); "
                "this one was not"
            )
        missing = [k for k in FIELDS if k not in data]
        if missing:
            raise ValueError(f"claims entry misses field(s) {missing}")
        attacks = data["attacks"]
        eff = data.get("effect")
        if eff is not None and not isinstance(eff, Mapping):
            raise ValueError("claims entry field 'effect' must be a record or null")
        if not isinstance(attacks, list) or not all(isinstance(a, Mapping) for a in attacks):
            raise ValueError("claims entry field 'attacks' must be a list of records")
        return claim(
            data["claim"],
            data["verdict"],
            data["key_number"],
            n_runs=data["n_runs"],
            chance=data["chance"],
            given=data["given"],
            conditions=data["conditions"],
            attacks=[
                attack(a.get("choice"), a.get("verdict"), a.get("key_number")) for a in attacks
            ],
            reason=data.get("reason", ""),
            kind=data.get("kind", "empirical"),
            tally=data.get("tally", ""),
            theory=data.get("theory", ()),
            effect=None if eff is None else Effect(**eff),
            counter=data.get("counter", ""),
        )


def _check_text(name: str, value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"claims field {name!r} must be a non-empty string, got {value!r}")
    return value


def claim(
    text: str,
    verdict: str,
    key_number: str,
    *,
    n_runs: int | None,
    chance: str,
    given: Mapping[str, str],
    conditions: str,
    attacks: Sequence[Attack] = (),
    reason: str = "",
    kind: str = "empirical",
    tally: str = "",
    theory: Sequence[str] = (),
    effect: Effect | None = None,
    counter: str = "",
) -> Claim:
    """The one constructor of a claims entry; every field is checked.

    Parameters
    ----------
    text
        The claim, in words (the paper's, or ours for a study beyond the paper).
    verdict
        One of :data:`~specialist.outcomes.VERDICTS` (from :func:`~specialist.outcomes.combine`, never typed by hand).
    key_number
        The number the verdict rests on, with its interval.
    n_runs
        Independent runs (data sets, seeds, plays) behind ``key_number``; ``None`` only for an
        oracle or proof check (``kind``).
    chance
        What a trivial reference scores on the same data (e.g. "best constant: accuracy
        0.75"), or, for a claim with no score, why there is none.
    given
        For each compared method (its label), what it uses beyond the observations ("the task
        variables g", "task labels as supervision", "the true structure", "nothing").
    conditions
        The conditions the verdict holds under and the settings behind it.
    attacks
        Our own defensible alternative choices, each changed and run (:func:`attack`); a
        paper claim with a tested verdict records at least :data:`MIN_ATTACKS`.
    reason
        Why a claim is ``"not testable here"`` (required for that verdict, and only for it).
    kind
        ``"empirical"`` (intervals over runs), ``"oracle"`` (exact check against the truth),
        ``"proof"`` or ``"timing"`` (a wall time against a stated allowance; ``n_runs`` counts
        its repeats).
    tally
        The outcomes behind the verdict (:func:`~specialist.outcomes.tally`), shown on the claims page.
    theory
        Labels of the Theory page's results the claim rests on.
    effect
        The number the verdict is decided on, with its interval (:func:`effect`), drawn in
        the claims page's summary figure; ``None`` where the claim rests on an exact check or
        on no single interval.
    counter
        The strongest evidence against the claim that the run itself finds (beyond the
        attacks), in words; shown on the claims page.

    Raises
    ------
    ValueError
        Naming the field and what is accepted.
    """
    _check_text("claim", text)
    _check_text("key_number", key_number)
    _check_text("chance", chance)
    _check_text("conditions", conditions)
    if verdict not in VERDICTS:
        raise ValueError(f"claims field 'verdict' must be one of {VERDICTS}, got {verdict!r}")
    if kind not in KINDS:
        raise ValueError(f"claims field 'kind' must be one of {KINDS}, got {kind!r}")
    if n_runs is None:
        if kind == "empirical":
            raise ValueError("claims field 'n_runs' is required for an empirical claim")
    elif isinstance(n_runs, bool) or not isinstance(n_runs, int) or n_runs < 1:
        raise ValueError(f"claims field 'n_runs' must be an integer >= 1 or None, got {n_runs!r}")
    if not isinstance(given, Mapping) or not given:
        raise ValueError(
            f"claims field 'given' must map each compared method to what it is given, got {given!r}"
        )
    for name, what in given.items():
        _check_text("given (method)", name)
        _check_text(f"given[{name!r}]", what)
    if verdict == NOT_TESTABLE:
        _check_text("reason", reason)
    elif reason:
        raise ValueError(f"claims field 'reason' is only for 'not testable here', got {verdict!r}")
    attacks = tuple(attacks)
    if not all(isinstance(a, Attack) for a in attacks):
        raise ValueError(
            "claims field 'attacks' must hold Attack records (specialist.claims.attack)"
        )
    tested = verdict not in (BEYOND, NOT_TESTABLE)
    if tested and len(attacks) < MIN_ATTACKS:
        raise ValueError(
            f"a paper claim records at least {MIN_ATTACKS} attacks (our own alternative "
            f"choices, changed and run); got {len(attacks)}"
        )
    if not isinstance(tally, str):
        raise ValueError(f"claims field 'tally' must be a string, got {tally!r}")
    theory = tuple(theory)
    if not all(isinstance(t, str) and t for t in theory):
        raise ValueError(f"claims field 'theory' must be labels (strings), got {theory!r}")
    if not isinstance(counter, str):
        raise ValueError(f"claims field 'counter' must be a string, got {counter!r}")
    if effect is not None and not isinstance(effect, Effect):
        raise ValueError(
            f"claims field 'effect' must be an Effect (specialist.claims.effect), got {effect!r}"
        )
    return Claim(
        claim=text,
        verdict=verdict,
        key_number=key_number,
        n_runs=n_runs,
        chance=chance,
        given=dict(given),
        conditions=conditions,
        attacks=attacks,
        reason=reason,
        kind=kind,
        tally=tally,
        theory=theory,
        effect=effect,
        counter=counter,
    )


def robustness_sentence(entry: Claim) -> str:
    """``"Theorem 1: agrees; no attack moves the verdict."`` or the attacks that move it.

    Backs
    -----
    fig6_gan_edits
    """
    head = entry.claim.split(":")[0] if ":" in entry.claim[:40] else entry.claim
    if not entry.attacks:
        return f"{head}: {entry.verdict}; no attack recorded."
    if not entry.moved:
        return f"{head}: {entry.verdict}; no attack moves the verdict."
    return (
        f"{head}: {entry.verdict}; the verdict moves under "
        + "; ".join(f"{a.choice} ({a.verdict})" for a in entry.moved)
        + "."
    )


def attacks_frame(entries: Sequence[Claim]):
    """A table of every attack of ``entries`` (and the main verdict): one row per choice.

    Columns ``claim``, ``choice`` (``"main"`` for the entry itself), ``verdict``,
    ``key_number`` and ``moved`` (the verdict differs from the main one).
    """
    import pandas as pd

    rows = []
    for e in entries:
        rows.append(dict(claim=e.claim, choice="main", verdict=e.verdict,
                         key_number=e.key_number, moved=False))  # fmt: skip
        rows.extend(
            dict(
                claim=e.claim,
                choice=a.choice,
                verdict=a.verdict,
                key_number=a.key_number,
                moved=a in e.moved,
            )  # fmt: skip
            for a in e.attacks
        )
    return pd.DataFrame(rows, columns=["claim", "choice", "verdict", "key_number", "moved"])
