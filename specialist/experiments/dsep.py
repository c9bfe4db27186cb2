"""Which state of a segment can stand in for it? A d-separation check of Corollary 1.

Theorem 1 of the paper tests the *representative* states of two segments, ``s_{r_k}`` and
``s_{r_v}``, given the band set: the two neighbours of each representative plus the task
``g_i``. The paper's representative is the segment's last state (0-based step
``(k + 1) L - 1``); its Corollary 1, as summarised, says that *any* state of a segment can stand
in for it. This module checks that claim without statistics: with the d-separation oracle on the
true collider DAG (a perfect CI test), it compares the verdict of every (task, segment pair)
query with the truth "``g_i`` relevant to both segments", for every within-segment position
``j = 0 .. L - 1`` used as the representative of every segment (step ``k L + j``), over random
structures (:func:`~specialist.simulate.collider.random_structure`).

What d-separation predicts (0-based; the proof is in the docstring of :func:`query_verdicts`):
the band set blocks every temporal path, and the only open paths run through the conditioned
collider ``g_i``, reached from ``s_r`` either through its own action (``s_r -> a_r -> g_i``) or,
when step ``r - 1 -> r`` is connected, through the previous action (``s_r <- a_{r-1} -> g_i``).
For ``j >= 1`` step ``r - 1`` lies in the same segment, so both routes say "the segment serves
``g_i``" and the verdict is exact. For a segment's *first* state (``j = 0``) step ``r - 1`` is
the last step of the previous segment: when that segment serves ``g_i``, the path is open
although the tested segment may not serve ``g_i``, and the test answers "dependent" wrongly.
Disconnecting the step removes the edge ``a_{r-1} -> s_r`` and with it the error.

:func:`local_test_check` does the same for the single-entry "local test"
``s_r ⟂ g_i | {s_{r-1}, s_{r+1}}`` against "``g_i`` relevant to segment ``k``", which fails in
the same way for the same reason. All functions are module-level (picklable), deterministic in
``seed``, and validate their arguments before any query.

Backs
-----
fig2_band_set
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real

import numpy as np
import pandas as pd

from specialist.ci import DSeparationOracle
from specialist.simulate.collider import ColliderStructure, random_structure
from specialist.validate import check_choice, check_int, n_segments
from specialist.variables import state, task

#: the two checks: Theorem 1's pair test and the single-entry local test
TESTS = ("pair", "local")


def position_name(position: int, segment_length: int) -> str:
    """``"first"``, ``"middle"`` or ``"last"`` for a 0-based position within a segment.

    The last position (``segment_length - 1``) is the paper's representative.

    Backs
    -----
    fig2_band_set
    """
    segment_length = check_int("segment_length", segment_length, 2)
    position = _check_position(position, segment_length)
    if position == segment_length - 1:
        return "last"
    return "first" if position == 0 else "middle"


def _check_position(position, segment_length: int) -> int:
    position = check_int("position", position, 0)
    if position >= segment_length:
        raise ValueError(
            f"position must be a within-segment position in 0..{segment_length - 1} "
            f"(segment_length={segment_length}), got {position}"
        )
    return position


def _neighbours(steps: Sequence[int], n_steps: int) -> list[int]:
    """The band of some representative steps: their neighbours ``r - 1``, ``r + 1``.

    Indices outside ``0 .. n_steps - 1`` are dropped and duplicates merged, as in paper eq. 4;
    with the last position this is :func:`specialist.structure.band_set`. Representatives of
    different segments are ``>= L >= 2`` steps apart, so the band never contains one of them.
    """
    return sorted({t for r in steps for t in (r - 1, r + 1) if 0 <= t < n_steps})


def _fitted_oracle(structure: ColliderStructure) -> DSeparationOracle:
    # the oracle ignores the values; one placeholder row per observed variable (actions latent)
    names = [state(t) for t in range(structure.n_steps)]
    names += [task(i) for i in range(structure.n_tasks)]
    return DSeparationOracle(structure.graph()).fit({name: np.zeros(1) for name in names})


#: whose neighbours make the band of the pair test: the standing-in state's own ("own"), or the
#: segment's last state's, as in the paper's Z_band ("paper"; a standing-in state inside that
#: band cannot be tested, and its queries are dropped)
BANDS = ("own", "paper")


def _verdicts(
    structure: ColliderStructure, position: int, test: str, band: str = "own"
) -> list[tuple]:
    """(task, k, v, x, y, z, dependent, truth) per query; ``v = -1`` for the local test."""
    L, T, M = structure.segment_length, structure.n_steps, structure.n_tasks
    K = structure.n_segments
    reps = [k * L + position for k in range(K)]
    centres = reps if band == "own" else [k * L + L - 1 for k in range(K)]
    assignment = structure.assignment
    if test == "pair":
        pairs = [(k, v) for k in range(K) for v in range(k + 1, K)]
        bands = {
            (k, v): _neighbours((centres[k], centres[v]), T) for k, v in pairs
        }  # fmt: skip
        # a representative inside its own conditioning set cannot be tested
        pairs = [
            (k, v) for k, v in pairs if reps[k] not in bands[k, v] and reps[v] not in bands[k, v]
        ]
        bands = {kv: [state(t) for t in bands[kv]] for kv in pairs}
        keys = [(i, k, v) for i in range(M) for k, v in pairs]
        queries = [(state(reps[k]), state(reps[v]), [*bands[k, v], task(i)]) for i, k, v in keys]
        truth = [bool(assignment[k, i] and assignment[v, i]) for i, k, v in keys]
    else:
        keys = [(i, k, -1) for i in range(M) for k in range(K)]
        queries = [
            (state(reps[k]), task(i), [state(t) for t in _neighbours((reps[k],), T)])
            for i, k, _ in keys
        ]
        truth = [bool(assignment[k, i]) for i, k, _ in keys]
    if not queries:
        return []
    results = _fitted_oracle(structure).test_many(queries)
    return [
        (*key, x, y, tuple(z), r.pvalue < 0.5, t)
        for key, (x, y, z), r, t in zip(keys, queries, results, truth, strict=True)
    ]


def query_verdicts(structure: ColliderStructure, position: int, test: str = "pair") -> pd.DataFrame:
    """The oracle's verdict on every query of one structure, with the truth it should match.

    Every segment ``k`` is represented by its step ``r_k = k L + position``. ``test="pair"``
    asks Theorem 1's question for every task ``i`` and segment pair ``k < v``:
    ``s_{r_k} ⟂ s_{r_v} | {r_k ± 1, r_v ± 1} ∪ {g_i}`` (neighbours outside the sequence dropped),
    against the truth "``g_i`` relevant to both ``k`` and ``v``". ``test="local"`` asks
    ``s_{r_k} ⟂ g_i | {s_{r_k - 1}, s_{r_k + 1}}`` against "``g_i`` relevant to ``k``".

    Why only the first position can fail (d-separation in the collider DAG; actions latent).
    A path leaving ``s_r`` through a conditioned neighbour ``s_{r ± 1}`` is blocked there
    (a non-collider), except ``s_r -> s_{r+1} <- a_r``, which continues like the direct edge
    ``s_r -> a_r``. From an action the path can only go on into a task: an unconditioned task
    (a collider without descendants) blocks it, ``g_i`` lets it through. So ``s_r`` reaches
    ``g_i`` iff step ``r`` serves ``g_i`` or (step ``r - 1 -> r`` is connected and step
    ``r - 1`` serves ``g_i``), and two representatives are d-connected given the band iff both
    reach ``g_i``. For ``position >= 1`` step ``r - 1`` is in the same segment and the verdict
    equals the truth; for ``position = 0`` the previous segment's last action can open
    ``s_r <- a_{r-1} -> g_i`` (false "dependent" verdicts, never false "independent" ones).

    Parameters
    ----------
    structure : a :class:`~specialist.simulate.collider.ColliderStructure` (collider roles)
    position : 0-based step within each segment, ``0 .. L - 1``; ``L - 1`` is the paper's
    test : ``"pair"`` (Theorem 1) or ``"local"`` (single segment x task entry)

    Returns
    -------
    DataFrame
        One row per query: ``task``, ``k``, ``v`` (-1 for the local test), ``x``, ``y``, ``z``
        (variable names, 0-based), ``dependent`` (oracle verdict), ``truth`` and ``wrong``.

    Backs
    -----
    fig2_band_set
    """
    if not isinstance(structure, ColliderStructure):
        raise TypeError(
            f"structure must be a ColliderStructure (see random_structure), got {structure!r}"
        )
    position = _check_position(position, structure.segment_length)
    check_choice("test", test, TESTS)
    rows = _verdicts(structure, position, test)
    df = pd.DataFrame(rows, columns=["task", "k", "v", "x", "y", "z", "dependent", "truth"])
    df["wrong"] = df["dependent"] != df["truth"]
    return df


def _check_settings(n_structures, segment_lengths, n_steps, n_tasks, p_disconnect, seed):
    n_structures = check_int("n_structures", n_structures, 1)
    n_steps = check_int("n_steps", n_steps, 4)
    n_tasks = check_int("n_tasks", n_tasks, 1)
    seed = check_int("seed", seed, 0)
    if isinstance(segment_lengths, str | bytes) or not isinstance(segment_lengths, Sequence):
        raise ValueError(
            f"segment_lengths must be a sequence of integers >= 2, got {segment_lengths!r}"
        )
    if len(segment_lengths) == 0:
        raise ValueError("segment_lengths must hold at least one segment length")
    lengths = []
    for L in segment_lengths:
        L = check_int("segment_lengths", L, 2)
        n_segments(n_steps, L)  # n_steps a multiple of L, at least two segments
        lengths.append(L)
    if isinstance(p_disconnect, str | bytes) or not isinstance(p_disconnect, Sequence):
        raise ValueError(f"p_disconnect must be a sequence of probabilities, got {p_disconnect!r}")
    if len(p_disconnect) == 0:
        raise ValueError("p_disconnect must hold at least one probability")
    probs = []
    for p in p_disconnect:
        if isinstance(p, bool) or not isinstance(p, Real) or not 0.0 <= p <= 1.0:
            raise ValueError(f"p_disconnect values must be probabilities in [0, 1], got {p!r}")
        probs.append(float(p))
    if len(set(lengths)) != len(lengths) or len(set(probs)) != len(probs):
        raise ValueError("segment_lengths and p_disconnect must not repeat a value")
    return n_structures, lengths, n_steps, n_tasks, probs, seed


def _check(test, n_structures, segment_lengths, n_steps, n_tasks, p_disconnect, seed, band="own"):
    n_structures, lengths, n_steps, n_tasks, probs, seed = _check_settings(
        n_structures, segment_lengths, n_steps, n_tasks, p_disconnect, seed
    )
    rows = []
    for L in lengths:
        for p in probs:
            # one stream per (seed, L, p); every position is checked on the same structures
            rng = np.random.default_rng([seed, L, round(p * 1_000_000)])
            structures = [
                random_structure(n_steps, n_tasks, L, p, rng) for _ in range(n_structures)
            ]
            for position in range(L):
                n_queries = n_false_dep = n_false_indep = n_bad = 0
                entries = np.zeros(4, dtype=int)  # entries, wrong, false positives, negatives
                for s in structures:
                    verdicts = _verdicts(s, position, test, band)
                    fd = sum(1 for *_, dep, truth in verdicts if dep and not truth)
                    fi = sum(1 for *_, dep, truth in verdicts if truth and not dep)
                    n_queries += len(verdicts)
                    n_false_dep += fd
                    n_false_indep += fi
                    n_bad += (fd + fi) > 0
                    if test == "pair":
                        entries += _entry_errors(s, verdicts)
                rows.append(
                    {
                        "test": test,
                        "segment_length": L,
                        "position": position,
                        "position_name": position_name(position, L),
                        "p_disconnect": p,
                        "n_structures": n_structures,
                        "n_queries": n_queries,
                        "n_wrong": n_false_dep + n_false_indep,
                        "wrong_fraction": (
                            (n_false_dep + n_false_indep) / n_queries if n_queries else np.nan
                        ),
                        "n_false_dependent": n_false_dep,
                        "n_false_independent": n_false_indep,
                        "structures_with_error": n_bad,
                        # Algorithm 1's segment x task entries (paper's rule: any dependent
                        # pair marks the segment): share wrong, false-positive rate
                        "entry_wrong_fraction": (entries[1] / entries[0] if entries[0] else np.nan),
                        "entry_false_positive_rate": (
                            entries[2] / entries[3] if entries[3] else np.nan
                        ),
                    }
                )
    return pd.DataFrame(rows)


def _entry_errors(structure: ColliderStructure, verdicts: list[tuple]) -> np.ndarray:
    """``[entries, wrong, false positives, true negatives]`` of Algorithm 1's segment x task
    matrix built from one structure's pair verdicts with the paper's rule (entry ``(k, i)``
    is marked if any tested pair of ``k`` is dependent given ``g_i``)."""
    K, M = structure.n_segments, structure.n_tasks
    marked = np.zeros((K, M), dtype=bool)
    for i, k, v, *_, dependent, _ in verdicts:
        if dependent:
            marked[k, i] = marked[v, i] = True
    truth = np.asarray(structure.assignment, dtype=bool)
    return np.array(
        [truth.size, int((marked != truth).sum()), int((marked & ~truth).sum()),
         int((~truth).sum())]
    )  # fmt: skip


def representative_check(
    n_structures: int,
    segment_lengths: Sequence[int] = (2, 3),
    n_steps: int = 12,
    n_tasks: int = 3,
    p_disconnect: Sequence[float] = (0.0, 0.5, 1.0),
    seed: int = 0,
    band: str = "own",
) -> pd.DataFrame:
    """Theorem 1's test with every within-segment position as the representative, by oracle.

    For each segment length ``L`` and disconnection probability, draws ``n_structures``
    random structures (:func:`~specialist.simulate.collider.random_structure`: every task on
    2 to ``K`` segments), and for each position ``j = 0 .. L - 1`` compares the oracle's
    verdict on ``s_{kL+j} ⟂ s_{vL+j} | band ∪ {g_i}`` (band = the two neighbours of each
    representative, clipped to ``0 .. T - 1``; with ``band="paper"`` the neighbours of each
    segment's last state, as in the paper's Z_band, and a representative inside that band is
    not tested: ``n_queries`` 0) with "``g_i`` relevant to both ``k`` and ``v``", for every
    task and segment pair (see :func:`query_verdicts`).

    Parameters
    ----------
    n_structures : structures per (L, p_disconnect), >= 1; all positions share them
    segment_lengths : distinct segment lengths ``L >= 2``, each dividing ``n_steps`` into
        at least two segments
    n_steps : sequence length ``T`` (default 12: 6 segments of 2 or 4 of 3)
    n_tasks : number of tasks ``M >= 1``
    p_disconnect : distinct probabilities in [0, 1] that a step ``t -> t+1`` is disconnected
    seed : int >= 0; the same seed gives the same structures and table

    Returns
    -------
    DataFrame
        One row per (``segment_length``, ``position``, ``p_disconnect``): ``test`` ("pair"),
        ``position_name`` (first / middle / last; last is the paper's), ``n_structures``,
        ``n_queries``, ``n_wrong``, ``wrong_fraction``, ``n_false_dependent``,
        ``n_false_independent`` and ``structures_with_error`` (structures with at least one
        wrong verdict).

    Backs
    -----
    fig2_band_set
    """
    check_choice("band", band, BANDS)
    return _check(
        "pair", n_structures, segment_lengths, n_steps, n_tasks, p_disconnect, seed, band
    ).assign(band=band)


def local_test_check(
    n_structures: int,
    segment_lengths: Sequence[int] = (2, 3),
    n_steps: int = 12,
    n_tasks: int = 3,
    p_disconnect: Sequence[float] = (0.0, 0.5, 1.0),
    seed: int = 0,
) -> pd.DataFrame:
    """The single-entry local test ``s_r ⟂ g_i | {s_{r-1}, s_{r+1}}`` at every position.

    Same structures (same ``seed``) and same columns as :func:`representative_check`, with
    ``test = "local"``: each query asks whether ``g_i`` is relevant to segment ``k``, using the
    step ``r = kL + position`` and its two neighbours (clipped to ``0 .. T - 1``), and the
    truth is "``g_i`` relevant to ``k``".

    Backs
    -----
    fig2_band_set
    """
    return _check("local", n_structures, segment_lengths, n_steps, n_tasks, p_disconnect, seed)


def _settings_outcomes(check: pd.DataFrame, positions) -> tuple[list[str], list[str]]:
    """Per (L, p_disconnect) setting of the pair test: the outcome of "no wrong verdict at
    every position kept by ``positions``" (a conjunction over positions), and its label."""
    from specialist import claims as vocab

    pair = check[check["test"] == "pair"]
    outcomes, names = [], []
    for (L, p), part in pair.groupby(["segment_length", "p_disconnect"], sort=True):
        kept = part[[positions(int(r.position), int(L)) for r in part.itertuples()]]
        if kept.empty:
            continue
        words = [
            vocab.UNTESTABLE if q == 0 else vocab.AGREE if n == 0 else vocab.DISAGREE
            for n, q in zip(kept["n_wrong"], kept["n_queries"], strict=True)
        ]
        outcomes.append(vocab.conjoin(words))
        names.append(f"L = {int(L)}, p_disconnect = {p:g}")
    return outcomes, names


def theorem1_reading(check: pd.DataFrame) -> tuple[str, str, str]:
    """Theorem 1 read from a :func:`representative_check` table: ``(verdict, key, tally)``.

    One exact comparison per (L, p_disconnect) setting: "agree" if the paper's representative
    (a segment's last state) gives no wrong oracle verdict on any structure, "disagree"
    otherwise. The theorem is stated for every sequence, so the settings are a conjunction
    (:func:`specialist.outcomes.universal`: one counterexample contradicts it); the tally keeps
    the per-setting outcomes.

    Backs
    -----
    fig2_band_set
    """
    from specialist import claims as vocab

    outcomes, _ = _settings_outcomes(check, lambda j, L: j == L - 1)
    verdict, tally = vocab.universal(outcomes)
    pair = check[(check["test"] == "pair") & (check["position"] == check["segment_length"] - 1)]
    key = (
        f"{int(pair['n_wrong'].sum())} wrong verdicts in {int(pair['n_queries'].sum())} "
        f"queries (last state, {int(pair['n_structures'].sum())} structures)"
    )
    return verdict, key, tally


def corollary1_reading(check: pd.DataFrame) -> tuple[str, str, str]:
    """Corollary 1 ("any state can stand in") read from a :func:`representative_check` table.

    Per (L, p_disconnect) setting a conjunction over every within-segment position ("agree"
    if none gives a wrong verdict, "disagree" if one does). The corollary, as summarised, is
    stated for every sequence, so the settings are a conjunction too
    (:func:`specialist.outcomes.universal`): one setting with a wrong verdict contradicts it, and
    the tally shows where it holds (e.g. every step disconnected) and where it fails.
    Returns ``(verdict, key, tally)``.

    Backs
    -----
    fig2_band_set
    """
    from specialist import claims as vocab

    outcomes, names = _settings_outcomes(check, lambda j, L: True)
    verdict, tally = vocab.universal(outcomes)
    pair = check[check["test"] == "pair"]
    first = pair[(pair["position"] == 0) & (pair["n_queries"] > 0)]
    fails = [n for n, o in zip(names, outcomes, strict=True) if o == vocab.DISAGREE]
    untested = [n for n, o in zip(names, outcomes, strict=True) if o == vocab.UNTESTABLE]
    if first.empty:
        head = "the first state cannot stand in (it lies in its own band)"
    else:
        worst = first.loc[first["wrong_fraction"].idxmax()]
        head = (
            f"first state wrong in up to {worst['wrong_fraction']:.1%} of queries (L = "
            f"{int(worst['segment_length'])}, p_disconnect = {worst['p_disconnect']:g})"
        )
    key = (
        f"{head}; fails in {len(fails)} of {len(names)} settings"
        + (f" ({'; '.join(fails)})" if fails else "")
        + (f"; untestable in {len(untested)} (a state inside its band)" if untested else "")
    )
    return verdict, key, tally
