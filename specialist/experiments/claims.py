"""Entries of the claims page, computed from a run's paired intervals.

An artefact tells the claims page what it found through a ``claims`` list in its
``metrics.json``: one entry per claim, with the fields ``claim``, ``verdict``, ``key_number``
and ``conditions`` (:data:`FIELDS`). This module turns the intervals a notebook
already computes into those fields, so that no verdict and no number is typed by hand.

Most paper claims in the book come down to a set of paired comparisons, one per condition,
baseline or link: each is an interval over runs (the same data sets for every method), read
by :func:`specialist.stats.verdict` as ``"better"``, ``"tie"`` (the interval covers 0) or
``"worse"``. :func:`combine` reads such a set as one verdict of the claims page:

* **agrees**: every comparison shows the paper's effect;
* **disagrees**: none does, and at least one shows the opposite;
* **mixed**: some do and some do not, or every comparison is a tie (the run shows neither
  the effect nor its absence, as in :func:`specialist.experiments.layer2.claim_verdict`);
* **not testable here**: there is nothing to compare, or fewer than two runs per comparison
  (a bootstrap interval over one run has no width, so it cannot tell an effect from noise).

Helpers format the key numbers the same way on every page: :func:`difference_text` for a
paired difference, :func:`mean_text` for a mean, :func:`compare_text` and
:func:`compare_where` for the tables of :func:`compare` (a stack of
:func:`specialist.experiments.atlas.versus` tables). A claim that one method beats all the
others is a conjunction: :func:`conjoin` and :func:`per_condition` judge it condition by
condition before :func:`combine` reads the conditions. :func:`slopes_verdict` reads the
paired slope differences of :func:`specialist.experiments.verdicts.degradation_sentence`;
:func:`against_level` and :func:`role_pattern` read rejection rates with Wilson intervals.
:func:`entry` builds one entry and checks it.

Backs
-----
fig3_structure, fig3_conditions, fig3_nonlinear, fig_colliders, fig_finite_sample,
fig6_gan_edits
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import pandas as pd

from specialist.experiments.atlas import versus
from specialist.experiments.verdicts import label
from specialist.stats import Interval, verdict

#: the verdicts of the claims page (the runner checks every entry against these)
VERDICTS = ("agrees", "disagrees", "mixed", "not testable here", "beyond the paper")
AGREES, DISAGREES, MIXED, NOT_TESTABLE, BEYOND = VERDICTS
#: the fields of one entry, in the order of the claims table
FIELDS = ("claim", "verdict", "key_number", "conditions")


def combine(outcomes: Iterable[str], agree: str = "better", disagree: str = "worse") -> str:
    """One claims-page verdict from the outcomes of several paired comparisons.

    Parameters
    ----------
    outcomes
        One outcome per comparison, each ``agree``, ``disagree`` or ``"tie"`` (the words of
        :func:`specialist.stats.verdict`).
    agree, disagree
        The outcomes that show the paper's effect and its opposite.

    Returns
    -------
    str
        ``"agrees"`` if every outcome is ``agree``; ``"disagrees"`` if none is and at least
        one is ``disagree``; ``"not testable here"`` if there is no outcome; ``"mixed"``
        otherwise (some agree, or all are ties).

    Raises
    ------
    ValueError
        If an outcome is not one of the three words.
    """
    outcomes = list(outcomes)
    unknown = sorted(set(outcomes) - {agree, disagree, "tie"})
    if unknown:
        raise ValueError(f"outcomes must be {agree!r}, {disagree!r} or 'tie'; got {unknown}")
    if not outcomes:
        return NOT_TESTABLE
    if all(o == agree for o in outcomes):
        return AGREES
    if agree not in outcomes and disagree in outcomes:
        return DISAGREES
    return MIXED


def conjoin(outcomes: Iterable[str]) -> str:
    """The outcome of "better than every one" from the outcomes of the single comparisons.

    ``"better"`` if every outcome is ``"better"``, ``"worse"`` if any is ``"worse"`` (one
    method ahead is not offset by another one behind), ``"tie"`` otherwise.

    Raises
    ------
    ValueError
        If there is no outcome, or one that is not ``"better"``, ``"tie"`` or ``"worse"``.
    """
    words = set(outcomes)
    if not words or not words <= {"better", "tie", "worse"}:
        raise ValueError(f"need outcomes among 'better', 'tie', 'worse'; got {sorted(words)}")
    if words == {"better"}:
        return "better"
    return "worse" if "worse" in words else "tie"


def compare(
    runs: pd.DataFrame,
    methods: Sequence[str],
    others: Sequence[str],
    metric: str = "accuracy",
    factors: Sequence[str] = (),
) -> pd.DataFrame:
    """Paired differences ``method − other`` for every method, other method and condition.

    Parameters
    ----------
    runs
        Long-format runs, one row per (data set, method); ``seed`` identifies the data set.
    methods, others
        The methods whose differences are taken, and the methods they are compared with.
    metric
        The column compared.
    factors
        The columns that define a condition (one comparison per condition); empty: one
        condition, all of ``runs``.

    Returns
    -------
    pandas.DataFrame
        :func:`specialist.experiments.atlas.versus` rows (``difference``, ``low``, ``high``,
        ``n_runs``, ``verdict`` and the factors) with a ``method`` column, ``other`` naming
        the method compared with.
    """
    factors = list(factors)
    if not factors:
        runs = runs.assign(_all=0)
    parts = [versus(runs, m, others, metric, factors or ["_all"]).assign(method=m) for m in methods]
    table = pd.concat(parts, ignore_index=True)
    return table.drop(columns=["_all"]) if not factors else table


def table_verdict(table: pd.DataFrame) -> str:
    """The verdict of a :func:`compare` table (:func:`combine` over its rows).

    ``"not testable here"`` if a comparison rests on fewer than two runs: its interval has no
    width and would call any difference an effect.
    """
    if table.empty or int(table["n_runs"].min()) < 2:
        return NOT_TESTABLE
    return combine(table["verdict"])


def interval(row: Mapping) -> Interval:
    """The :class:`~specialist.stats.Interval` of one :func:`compare` row."""
    return Interval(
        float(row["difference"]), float(row["low"]), float(row["high"]), int(row["n_runs"])
    )


def difference_text(name: str, iv: Interval, outcome: str, digits: int = 2) -> str:
    """``"Ours − CCA +0.17 [+0.10, +0.25] (better)"``: a named difference and its outcome."""
    return f"{name} {iv.text(digits)} ({outcome})"


def mean_text(iv: Interval, digits: int = 2) -> str:
    """``"0.82 [0.79, 0.85]"``: a mean with its interval, unsigned."""
    f = f"{{:.{digits}f}}"
    return f"{f.format(iv.estimate)} [{f.format(iv.low)}, {f.format(iv.high)}]"


def _name(method: str, labels: Mapping[str, str] | None) -> str:
    return (labels or {}).get(method, label(method))


def compare_text(
    table: pd.DataFrame,
    at: Mapping | None = None,
    labels: Mapping[str, str] | None = None,
    digits: int = 2,
) -> str:
    """The differences of a :func:`compare` table at one condition, for a key number.

    Parameters
    ----------
    table
        A :func:`compare` table.
    at
        ``{factor: value}``: the condition shown (every row if ``None``).
    labels
        Names of methods for readers (default: the Layer 1 labels).
    digits
        Decimals of the numbers.

    Returns
    -------
    str
        ``"Ours − CCA +0.17 [+0.10, +0.25] (better); Ours − Group Lasso …"``.
    """
    rows = table
    for factor, value in (at or {}).items():
        rows = rows[rows[factor] == value]
    if rows.empty:
        raise ValueError(f"no comparison at {dict(at or {})}")
    return "; ".join(
        difference_text(
            f"{_name(r['method'], labels)} − {_name(r['other'], labels)}",
            interval(r),
            r["verdict"],
            digits,
        )
        for _, r in rows.iterrows()
    )


def compare_where(
    table: pd.DataFrame,
    factor: str,
    name: str | None = None,
    labels: Mapping[str, str] | None = None,
    fmt: Callable = str,
    group: Sequence[str] = ("method", "other"),
) -> str:
    """The outcome of every comparison of a table at each level of ``factor``.

    Parameters
    ----------
    table
        A :func:`compare` or :func:`per_condition` table.
    factor, name
        The column whose levels are listed, and its name for readers.
    labels
        Names of methods for readers (default: the Layer 1 labels).
    fmt
        Formats a level of ``factor``.
    group
        The columns that identify one comparison; their values, joined by "vs", title it
        (empty: the whole table is one comparison, untitled).

    Returns
    -------
    str
        ``"Ours vs CCA (T = 8, 20): better, better; Ours vs SelTask (sees g) (T = 8, 20):
        tie, worse"``, which names the conditions a verdict holds under.
    """
    name = name or factor
    parts = []
    groups = table.groupby(list(group), sort=False) if group else [((), table)]
    for keys, rows in groups:
        keys = keys if isinstance(keys, tuple) else (keys,)
        rows = rows.sort_values(factor)
        levels = f"{name} = " + ", ".join(fmt(v) for v in rows[factor])
        title = " vs ".join(_name(k, labels) for k in keys)
        head = f"{title} ({levels})" if title else levels
        parts.append(f"{head}: " + ", ".join(rows["verdict"]))
    return "; ".join(parts)


def per_condition(table: pd.DataFrame, factors: Sequence[str]) -> pd.DataFrame:
    """Does a method beat *every* method it is compared with, condition by condition?

    A claim such as "Ours beats the baselines" is a conjunction (:func:`conjoin`): at one
    condition it holds when every comparison of the condition is ``"better"``, and it is
    contradicted as soon as one is ``"worse"``.

    Parameters
    ----------
    table
        A :func:`compare` table.
    factors
        The columns that define a condition.

    Returns
    -------
    pandas.DataFrame
        One row per condition: the factors, ``verdict`` (``"better"`` if every comparison is
        better, ``"worse"`` if any is worse, ``"tie"`` otherwise) and ``n_runs`` (the fewest
        runs behind a comparison), ready for :func:`table_verdict` and :func:`compare_where`.
    """
    rows = []
    for keys, part in table.groupby(list(factors), sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        rows.append(
            {
                **dict(zip(factors, keys, strict=True)),
                "verdict": conjoin(part["verdict"]),
                "n_runs": int(part["n_runs"].min()),
            }
        )
    return pd.DataFrame(rows)


def slopes_verdict(differences: Mapping[str, Interval]) -> str:
    """The verdict on "``reference`` degrades most slowly" from its slope differences.

    ``differences``: :func:`specialist.experiments.verdicts.slope_differences`.

    "Most slowly" is a conjunction over the other methods (:func:`conjoin`): ``"agrees"`` if
    every difference lies above 0, ``"disagrees"`` if one lies below 0, ``"mixed"`` if some
    are ties and none is below; ``"not testable here"`` with fewer than two replicates.
    """
    if not differences or min(iv.n for iv in differences.values()) < 2:
        return NOT_TESTABLE
    return combine([conjoin(verdict(iv) for iv in differences.values())])


def against_level(low: float, high: float, level: float) -> str:
    """Where a rate's interval ``[low, high]`` lies against a level (e.g. the test's α).

    Returns ``"above"`` if ``low > level``, ``"below"`` if ``high < level``, and ``"at"`` if
    the interval covers ``level`` (the rate cannot be told apart from it).
    """
    if not low <= high:
        raise ValueError(f"need low <= high, got [{low}, {high}]")
    if low > level:
        return "above"
    return "below" if high < level else "at"


def role_pattern(
    rates: pd.DataFrame,
    level: float,
    dependent: Iterable[str],
    x: str = "n_samples",
    role: str = "task_role",
) -> pd.DataFrame:
    """Does a table of rejection rates show dependence exactly for the ``dependent`` roles?

    Parameters
    ----------
    rates
        One row per (role, ``x``) with the Wilson interval ``low``, ``high`` of the rate at
        which a test declared dependence (:func:`specialist.plotting.plot_rates_wilson`).
    level
        The test's level α: a rate whose interval lies above it shows dependence.
    dependent
        The roles expected to be dependent; every other role is expected not to be (its
        rate's interval is not above ``level``).

    Returns
    -------
    pandas.DataFrame
        One row per value of ``x``: a column per role with :func:`against_level`'s word and
        ``as_predicted`` (bool).
    """
    dependent = set(dependent)
    unknown = dependent - set(rates[role])
    if unknown:
        raise ValueError(f"roles {sorted(unknown)} not in the rates")
    words = rates.assign(
        where=[
            against_level(lo, hi, level) for lo, hi in zip(rates["low"], rates["high"], strict=True)
        ]
    ).pivot(index=x, columns=role, values="where")
    expected = [(r, r in dependent) for r in words.columns]
    words["as_predicted"] = [
        all((row[r] == "above") == dep for r, dep in expected) for _, row in words.iterrows()
    ]
    words.columns.name = None
    return words.reset_index()


def entry(claim: str, verdict: str, key_number: str, conditions: str) -> dict[str, str]:
    """One entry of an artefact's ``claims`` list, checked.

    Raises
    ------
    ValueError
        If ``verdict`` is not one of :data:`VERDICTS` or a field is empty.
    """
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    fields = dict(zip(FIELDS, (claim, verdict, key_number, conditions), strict=True))
    empty = [k for k, v in fields.items() if not isinstance(v, str) or not v.strip()]
    if empty:
        raise ValueError(f"empty claims field(s): {empty}")
    return fields
