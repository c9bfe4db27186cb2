"""The outcome of one paired comparison and the one rule that reads a claim's outcomes as a
verdict: the vocabulary every verdict of the book is written in.

A leaf module: it imports nothing from ``specialist`` but the
:class:`~specialist.stats.Interval` type. :mod:`specialist.claims` builds the claims page's
entries from it and makes every name here available too.

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

Backs
-----
fig2_band_set, fig3_structure, fig3_conditions, fig3_nonlinear, fig_colliders,
fig_finite_sample, fig_scaling, tab2_runtime, fig4_sportshhi, fig5_l1_ablation, fig5_l1_path,
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

from collections.abc import Iterable

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
