"""The verdict vocabulary of the claims page, and the one constructor of its entries.

A leaf module: it imports nothing from ``specialist.experiments`` (only the
:class:`~specialist.stats.Interval` type), so the runner, the book side and every notebook use
it without importing any study's code.

Verdicts
--------
Every paper claim is decided by a set of paired comparisons (one per condition, baseline or
link), each read from its interval as an *outcome* (:func:`outcome`):

* ``"agree"``: the interval lies on the side of the paper's effect;
* ``"disagree"``: it lies on the other side;
* ``"tie"``: it covers 0 (the data cannot tell);
* ``"untestable"``: the comparison cannot be evidence, e.g. a method that does not beat the
  chance level on the same data (an ordering among methods at chance says nothing); its
  reason is given where it is made.

:func:`combine` reads the outcomes as one verdict (:data:`VERDICTS`):

* **agrees**: every tested comparison agrees;
* **disagrees**: every tested comparison disagrees;

(a claim stated for *every* setting is first a conjunction, :func:`universal`: one setting
that contradicts it makes it disagree, and its tally says "for every setting: …");

* **mixed**: the tested comparisons (conditions) disagree with each other: at least two of
  agree / disagree / tie occur. :func:`tally` says which, and the claims page shows it;
* **inconclusive**: every tested comparison is a tie: the run shows neither the effect nor
  its absence;
* **not testable here**: no comparison could be tested; the entry carries the reason;
* **beyond the paper**: a study the paper makes no claim about (no verdict on the paper).

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
fig_finite_sample, tab2_runtime, fig4_sportshhi, fig5_l1_ablation, fig5_l1_path,
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from specialist.stats import Interval

#: the verdicts of the claims page
VERDICTS = (
    "agrees",
    "disagrees",
    "mixed",
    "inconclusive",
    "not testable here",
    "beyond the paper",
)
AGREES, DISAGREES, MIXED, INCONCLUSIVE, NOT_TESTABLE, BEYOND = VERDICTS
#: the outcomes of one paired comparison
OUTCOMES = ("agree", "disagree", "tie", "untestable")
AGREE, DISAGREE, TIE, UNTESTABLE = OUTCOMES
#: how a claim is checked (by data with intervals over runs, by an exact oracle, by a proof)
KINDS = ("empirical", "oracle", "proof")
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
#: the fewest runs behind a comparison for it to count (the coverage of the book's paired
#: interval is verified at 5 and 10 runs in ``tests/test_stats_coverage.py``, not below, and
#: with fewer, as the quick profile's 2, an interval can have no width and call any gap an effect)
MIN_RUNS = 5


def outcome(iv: Interval, *, higher_is_effect: bool = True, min_runs: int = MIN_RUNS) -> str:
    """The outcome of one paired comparison from its interval.

    Parameters
    ----------
    iv
        The paired interval (:func:`specialist.stats.paired_interval`) of ``a - b``, where
        the paper's effect is ``a - b > 0`` (or ``< 0`` with ``higher_is_effect=False``).
    min_runs
        Below this many runs the interval's coverage is not verified (:data:`MIN_RUNS`):
        ``"untestable"``.

    Returns
    -------
    str
        ``"agree"``, ``"disagree"``, ``"tie"`` (the interval covers 0) or ``"untestable"``.
    """
    if iv.n < min_runs:
        return UNTESTABLE
    if iv.covers_zero:
        return TIE
    above = iv.low > 0
    return AGREE if above == higher_is_effect else DISAGREE


def from_word(word: str, agree: str = "better", disagree: str = "worse") -> str:
    """Translate a comparison word (e.g. :func:`specialist.stats.verdict`'s ``"better"``,
    ``"tie"``, ``"worse"``) to an outcome; ``"untestable"`` passes through."""
    table = {agree: AGREE, disagree: DISAGREE, "tie": TIE, UNTESTABLE: UNTESTABLE}
    if word not in table:
        raise ValueError(f"comparison word must be one of {sorted(table)}, got {word!r}")
    return table[word]


def _check_outcomes(outcomes: Iterable[str]) -> list[str]:
    outcomes = list(outcomes)
    unknown = sorted(set(outcomes) - set(OUTCOMES))
    if unknown:
        raise ValueError(f"outcomes must be among {OUTCOMES}; got {unknown}")
    return outcomes


def combine(outcomes: Iterable[str]) -> str:
    """One verdict from the outcomes of the comparisons behind a claim (the one rule).

    Untestable comparisons are left out (their reasons belong in the entry); of the rest:
    all agree → ``agrees``; all disagree → ``disagrees``; all tie → ``inconclusive``; any
    other set (the conditions disagree) → ``mixed``; none left → ``not testable here``.

    Raises
    ------
    ValueError
        If an outcome is not one of :data:`OUTCOMES`.
    """
    tested = [o for o in _check_outcomes(outcomes) if o != UNTESTABLE]
    if not tested:
        return NOT_TESTABLE
    kinds = set(tested)
    if kinds == {AGREE}:
        return AGREES
    if kinds == {DISAGREE}:
        return DISAGREES
    if kinds == {TIE}:
        return INCONCLUSIVE
    return MIXED


def conjoin(outcomes: Iterable[str]) -> str:
    """The outcome of a conjunction ("better than every one") from its single outcomes.

    ``agree`` if every outcome agrees, ``disagree`` if any disagrees (one method ahead is not
    offset by another one behind), ``untestable`` if any is untestable and none disagrees,
    ``tie`` otherwise.
    """
    words = set(_check_outcomes(outcomes))
    if not words:
        raise ValueError("conjoin needs at least one outcome")
    if words == {AGREE}:
        return AGREE
    if DISAGREE in words:
        return DISAGREE
    return UNTESTABLE if UNTESTABLE in words else TIE


def universal(outcomes: Iterable[str], over: str = "setting") -> tuple[str, str]:
    """The verdict and tally of a claim stated for *every* setting (or baseline, …).

    Such a claim is a conjunction (:func:`conjoin`) before :func:`combine`: one contradicting
    setting makes it disagree, one undecided setting leaves it inconclusive. The tally says
    so: ``"for every setting: 2 agree, 4 disagree"``.
    """
    outcomes = _check_outcomes(outcomes)
    if not outcomes:
        return NOT_TESTABLE, "no comparison"
    return combine([conjoin(outcomes)]), f"for every {over}: {tally(outcomes)}"


def tally(outcomes: Iterable[str]) -> str:
    """``"2 agree, 1 tie"``: how many comparisons gave each outcome (in :data:`OUTCOMES` order)."""
    outcomes = _check_outcomes(outcomes)
    parts = [f"{outcomes.count(o)} {o}" for o in OUTCOMES if outcomes.count(o)]
    return ", ".join(parts) if parts else "no comparison"


def beats_chance(iv: Interval) -> bool:
    """Whether a method's paired interval against its chance reference lies above 0 (over
    at least :data:`MIN_RUNS` runs)."""
    return iv.n >= MIN_RUNS and iv.low > 0


def gated_outcome(
    iv: Interval, a_beats: bool, b_beats: bool, *, higher_is_effect: bool = True
) -> tuple[str, str]:
    """The outcome of a comparison ``a - b`` where a method at chance cannot decide it.

    The one chance rule of the book. ``a_beats`` / ``b_beats``: whether each method beats its
    chance reference on the same data (:func:`beats_chance`).

    * both at chance: ``"untestable"`` (an order between two useless methods is no evidence);
    * the interval puts one method ahead: the outcome counts only if *that* method beats
      chance (a method ahead of one at chance is evidence for it; a method "ahead" while
      itself at chance is not), else ``"untestable"``;
    * a tie counts as a tie (one of the two works, and it is not shown ahead).

    Returns ``(outcome, reason)``; ``reason`` names what made it untestable (``""``
    otherwise) with ``"a"``/``"b"`` standing for the two methods, for callers to name.
    """
    word = outcome(iv, higher_is_effect=higher_is_effect)
    if word == UNTESTABLE:
        return UNTESTABLE, f"fewer than {MIN_RUNS} runs"
    if not a_beats and not b_beats:
        return UNTESTABLE, "both at chance"
    if word == TIE:
        return TIE, ""
    a_ahead = iv.low > 0
    if (a_ahead and not a_beats) or (not a_ahead and not b_beats):
        return UNTESTABLE, ("a" if a_ahead else "b") + " ahead but at chance"
    return word, ""


def explain(why: str, a: str, b: str, reference: str = "chance") -> str:
    """A reader's sentence for a :func:`gated_outcome` reason, naming the two methods.

    ``"Ours and CCA do not beat the best constant"``, ``"CCA is ahead but does not beat the
    best constant"``, ``"fewer than 5 runs"``, or ``""`` when the comparison counted.
    """
    if not why:
        return ""
    if why == "both at chance":
        return f"{a} and {b} do not beat {reference}"
    if why.startswith(("a ahead", "b ahead")):
        return f"{a if why[0] == 'a' else b} is ahead but does not beat {reference}"
    return why


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
    """An :class:`Attack`, checked (the verdict is one of :data:`VERDICTS`)."""
    return Attack(choice, verdict, key_number)


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
) -> Claim:
    """The one constructor of a claims entry; every field is checked.

    Parameters
    ----------
    text
        The claim, in words (the paper's, or ours for a study beyond the paper).
    verdict
        One of :data:`VERDICTS` (from :func:`combine`, never typed by hand).
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
        ``"empirical"`` (intervals over runs), ``"oracle"`` (exact check against the truth)
        or ``"proof"``.
    tally
        The outcomes behind the verdict (:func:`tally`), shown on the claims page.
    theory
        Labels of the Theory page's results the claim rests on.

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
