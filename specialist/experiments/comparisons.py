"""Tables of paired comparisons, read as the claims page's verdicts.

Most paper claims in the book come down to a set of paired comparisons, one per condition,
baseline or link: each is an interval over runs (the same data sets for every method), read
by :func:`specialist.stats.verdict` as ``"better"``, ``"tie"`` (the interval covers 0) or
``"worse"``. This module builds such tables (:func:`compare`, a stack of
:func:`specialist.experiments.atlas.versus` tables), reads them as one verdict with the one
rule of :func:`specialist.outcomes.combine` (:func:`table_verdict`) and formats their key
numbers the same way on every page (:func:`difference_text`, :func:`mean_text`,
:func:`compare_text`, :func:`compare_where`). A claim that one method beats all the others
is a conjunction: :func:`per_condition` judges it condition by condition first.
:func:`slopes_verdict` reads the paired slope differences of
:func:`specialist.experiments.verdicts.slope_differences`; :func:`against_level` and
:func:`role_pattern` read rejection rates with Wilson intervals.

**Chance.** Every Layer 1 run also scores the best constant matrix
(:func:`specialist.experiments.layer1.best_constant`). With ``chance=`` every comparison goes
through the book's one chance rule (:func:`specialist.outcomes.gated_outcome`; whether a method
beats chance: :func:`chance_table`): two methods at chance are no evidence, nor is a method
found ahead while at chance; such a comparison's word is ``"untestable"``, its ``reason`` says
why, and the one combination rule leaves it out (a claim with nothing left is "not testable
here", :attr:`Reading.reason`).

The claims read from runs with these tables are in :mod:`specialist.experiments.readings`.

Backs
-----
fig3_structure, fig3_nonlinear, fig_colliders, fig_finite_sample
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import pandas as pd

from specialist import claims as vocab
from specialist.experiments.atlas import versus
from specialist.experiments.layer1_methods import CHANCE, METHOD_LABELS
from specialist.stats import Interval

#: the comparison words of a :func:`compare` table; "untestable": a method at chance
WORDS = ("better", "tie", "worse", vocab.UNTESTABLE)


def label(method: str) -> str:
    """The Layer 1 label of a method (its name if it has none)."""
    return METHOD_LABELS.get(method, method)


def outcomes_of(words: Iterable[str]) -> list[str]:
    """The :mod:`specialist.claims` outcomes of ``"better"``/``"tie"``/``"worse"`` words
    (``"untestable"`` passes through)."""
    return [vocab.from_word(w) for w in words]


def conjoin(words: Iterable[str]) -> str:
    """The word of "better than every one" from the words of the single comparisons.

    ``"better"`` if every word is ``"better"``, ``"worse"`` if any is ``"worse"`` (one
    method ahead is not offset by another one behind), ``"untestable"`` if any comparison is
    untestable (a method at chance) and none is worse, ``"tie"`` otherwise
    (:func:`specialist.outcomes.conjoin` on :func:`outcomes_of`).

    Raises
    ------
    ValueError
        If there is no word, or one that is not among :data:`WORDS`.
    """
    words = list(words)
    if not words or not set(words) <= set(WORDS):
        raise ValueError(f"need outcomes among {WORDS}; got {sorted(set(words))}")
    back = {
        vocab.AGREE: "better",
        vocab.DISAGREE: "worse",
        vocab.TIE: "tie",
        vocab.UNTESTABLE: vocab.UNTESTABLE,
    }
    return back[vocab.conjoin(outcomes_of(words))]


def compare(
    runs: pd.DataFrame,
    methods: Sequence[str],
    others: Sequence[str],
    metric: str = "accuracy",
    factors: Sequence[str] = (),
    chance: str | None = None,
    labels: Mapping[str, str] | None = None,
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
    chance
        The method of ``runs`` that is the chance reference (e.g. ``"best_constant"``), or
        ``None``. With it, every comparison goes through the book's one chance rule on
        ``metric`` at that condition (:func:`specialist.outcomes.gated_outcome`,
        :func:`chance_table`); an untestable one has ``verdict`` ``"untestable"`` and a
        ``reason``.
    labels
        Names of methods for readers in ``reason`` (default: the Layer 1 labels).

    Returns
    -------
    pandas.DataFrame
        :func:`specialist.experiments.atlas.versus` rows (``difference``, ``low``, ``high``,
        ``n_runs``, ``verdict`` and the factors) with a ``method`` column, ``other`` naming
        the method compared with, and ``reason`` (empty unless the row is untestable).
    """
    factors = list(factors)
    if not factors:
        runs = runs.assign(_all=0)
    keys = factors or ["_all"]
    parts = [versus(runs, m, others, metric, keys).assign(method=m) for m in methods]
    table = pd.concat(parts, ignore_index=True).assign(reason="")
    if chance is not None:
        chances = chance_table(runs, [*methods, *others], metric, keys, chance)
        table = _gate(table, chances, keys, labels)
    return table.drop(columns=["_all"]) if not factors else table


def chance_table(
    runs: pd.DataFrame,
    methods: Sequence[str],
    metric: str = "accuracy",
    factors: Sequence[str] = (),
    chance: str = CHANCE,
) -> pd.DataFrame:
    """Does each method beat the chance reference, condition by condition (paired)?

    Returns
    -------
    pandas.DataFrame
        One row per (condition, method): the factors, ``method``, the paired difference
        ``method − chance`` (``difference``, ``low``, ``high``, ``n_runs``) and ``beats``
        (:func:`specialist.outcomes.beats_chance`: its interval lies above 0).
    """
    factors = list(factors)
    if not factors:
        runs = runs.assign(_all=0)
    keys = factors or ["_all"]
    parts = [
        versus(runs, m, [chance], metric, keys).assign(method=m)
        for m in dict.fromkeys(methods)
        if m != chance
    ]
    table = pd.concat(parts, ignore_index=True).drop(columns=["other", "verdict"])
    table["beats"] = [vocab.beats_chance(interval(r)) for _, r in table.iterrows()]
    return table.drop(columns=["_all"]) if not factors else table


def _gate(
    table: pd.DataFrame,
    chances: pd.DataFrame,
    keys: Sequence[str],
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Apply the book's one chance rule (:func:`specialist.outcomes.gated_outcome`) per row."""
    beats = {(*(r[k] for k in keys), r["method"]): bool(r["beats"]) for _, r in chances.iterrows()}
    table = table.copy()
    for i, r in table.iterrows():
        at = tuple(r[k] for k in keys)
        a, b = r["method"], r["other"]
        word, why = vocab.gated_outcome(interval(r), beats[(*at, a)], beats[(*at, b)])
        if word == vocab.UNTESTABLE:
            table.at[i, "verdict"] = vocab.UNTESTABLE
            table.at[i, "reason"] = vocab.explain(
                why, _name(a, labels), _name(b, labels), "the best constant there"
            )
    return table


def table_verdict(table: pd.DataFrame) -> str:
    """The verdict of a :func:`compare` table (:func:`specialist.outcomes.combine` over its rows).

    ``"not testable here"`` if a comparison rests on fewer than two runs: its interval has no
    width and would call any difference an effect. Untestable rows (a method at chance) are
    left out by the rule; if every row is untestable the verdict is ``"not testable here"``.
    """
    if table.empty or int(table["n_runs"].min()) < vocab.MIN_RUNS:
        return vocab.NOT_TESTABLE
    return vocab.combine(outcomes_of(table["verdict"]))


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
            r["verdict"] + (f": {r['reason']}" if r.get("reason") else ""),
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

    "Most slowly" is a conjunction over the other methods (:func:`specialist.outcomes.conjoin`):
    ``"agrees"`` if every difference lies above 0, ``"disagrees"`` if one lies below 0,
    ``"inconclusive"`` if some are ties and none is below; ``"not testable here"`` with fewer
    than two replicates.
    """
    if not differences or min(iv.n for iv in differences.values()) < vocab.MIN_RUNS:
        return vocab.NOT_TESTABLE
    return vocab.combine([vocab.conjoin(vocab.outcome(iv) for iv in differences.values())])


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


def chance_text(
    runs: pd.DataFrame, metrics: Sequence[str] = ("accuracy", "mcc"), chance: str = CHANCE
) -> str:
    """``"best constant (given the base rate): accuracy 0.75 [0.73, 0.77], MCC 0.00 …"``:
    the chance reference's mean score on ``runs``, for a claims entry's ``chance`` field."""
    from specialist.stats import mean_interval

    part = runs[runs["method"] == chance]
    if part.empty:
        raise ValueError(f"chance reference {chance!r} not in the runs")
    shown = ", ".join(
        f"{m.upper() if m == 'mcc' else m} "
        f"{mean_text(mean_interval(part[m], bounds=(0.5, 1) if m == 'accuracy' else (-1, 1)))}"
        for m in metrics
    )
    return f"{label(chance)} (given the base rate, same data sets): {shown}"


def effect_of(table: pd.DataFrame, measure: str = ""):
    """The comparison a verdict rests on, for the claims page's summary figure: the table's
    only difference (columns ``method``, ``other``, ``difference``, ``low``, ``high``), or,
    for a conjunction, the part that decides it: one that disagrees (the lowest upper bound),
    else one that ties or cannot be tested (the lowest lower bound), else the weakest of those
    that agree (the lowest lower bound), labelled "part k of n"; ``None`` when the table holds
    no interval."""
    from specialist.claims import AGREE, DISAGREE, Effect

    if table.empty or not {"difference", "low", "high"} <= set(table.columns):
        return None
    t = table.dropna(subset=["difference", "low", "high"]).reset_index(drop=True)
    if t.empty:
        return None
    words = t["verdict"] if "verdict" in t else pd.Series([AGREE] * len(t))
    against = t[words == DISAGREE]
    if not against.empty:
        k = against["high"].idxmin()
    else:
        open_ = t[words != AGREE]
        k = (open_ if not open_.empty else t)["low"].idxmin()
    row = t.loc[k]
    text = f"{label(row['method'])} − {label(row['other'])}"
    if measure:
        text += f", {measure}"
    if len(t) > 1:
        text += f" (part {k + 1} of {len(t)})"
    return Effect(text, float(row["difference"]), float(row["low"]), float(row["high"]))


def measure_name(metric: str) -> str:
    """A metric's name in words ("mcc" → "MCC")."""
    return {"mcc": "MCC", "accuracy": "accuracy", "f1": "F1"}.get(metric, metric)
