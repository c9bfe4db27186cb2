"""Fisher-z partial-correlation test, with a multivariate (Wilks–Bartlett) extension.

All queries are answered from one correlation matrix ``R`` of every column of every variable,
computed once in :meth:`FisherZ.fit <specialist.ci.base.CITest.fit>`; a query only slices
``R`` and inverts a small matrix.

Scalar ``x`` and ``y`` (``p = q = 1``)
    The classic Fisher-z test of the partial correlation, exactly as causal-learn's
    ``CIT(data, "fisherz")``: with ``P`` the inverse of the correlation submatrix of
    ``(x, y, Z)``, ``r = -P_xy / sqrt(P_xx P_yy)`` (clipped into ``(-1, 1)``), the statistic is
    ``|z| = sqrt(n - dim Z - 3) |arctanh r|`` and the p-value is two-sided standard normal.
    ``dim Z`` counts columns, so a vector ``z`` is conditioned on column by column.

Vector ``x`` or ``y`` (``p`` or ``q > 1``)
    A test of all partial canonical correlations at once. The Schur complement of ``Σ_ZZ`` gives
    the partial covariance ``S`` of ``(X, Y)`` given ``Z`` (blocks ``Σ_XX|Z``, ``Σ_YY|Z``,
    ``Σ_XY|Z``); the partial canonical correlations ``ρ_j`` are the singular values of
    ``Σ_XX|Z^{-1/2} Σ_XY|Z Σ_YY|Z^{-1/2}``, and Wilks' statistic is

    ``Λ = Π_j (1 − ρ_j²) = det S / (det Σ_XX|Z det Σ_YY|Z) = det P_AA / (det P_XX det P_YY)``,

    with ``P`` the inverse correlation submatrix and ``A = X ∪ Y`` (the last form needs no second
    inversion). Bartlett's approximation ``−(n − 1 − dim Z − (p + q + 1)/2) ln Λ ~ χ²(p q)``
    gives the p-value; the statistic is that χ² value. For ``p = q = 1``, ``Λ = 1 − r²`` and
    both tests agree asymptotically; we use Fisher-z there, to match the literature and
    causal-learn.

A near-singular correlation submatrix (a variance inflation factor, the diagonal of ``P``, above
``max_vif``; since ``max VIF ≤ cond(R_sub) ≤ k² max VIF`` for a ``k × k`` correlation matrix,
this is a condition-number check) raises a ``ValueError`` naming the query: the usual cause is a
duplicated variable or one that is an exact linear function of others.

Batches
    Queries are answered in stacks of submatrices grouped by layout (columns of ``x``, ``y``
    and ``Z``), at most ``chunk_size`` queries per stack, so the memory a batch needs beyond its
    results does not grow with the number of queries. Every query is inverted at its own size
    (no padding), so its statistic and p-value are bit-identical whichever batch, chunk or entry
    point (:meth:`FisherZ.test() <specialist.ci.base.CITest.test>`, :meth:`FisherZ.test_many`,
    :meth:`FisherZ.test_columns`)
    answered it.

Backs
-----
tab2_runtime
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

import numpy as np
from scipy.special import ndtr
from scipy.stats import chi2

from specialist.ci.base import CIResult, CITest, Query, canonical_query, non_finite_error
from specialist.validate import check_int
from specialist.variables import display_name

Layout = tuple[int, int, int]  # (columns of x, columns of y, columns of z)

#: queries per stack of submatrices; a stack of 7 x 7 matrices (Algorithm 1 on scalar states)
#: and its inverse then take about 6 MB, and the per-stack overhead is negligible
CHUNK_SIZE = 8192


class FisherZ(CITest):
    """Partial-correlation CI test for linear-Gaussian data (Fisher-z, or Wilks–Bartlett).

    See the module docstring for the statistics. :meth:`test_many` answers all queries of one
    block layout with batched matrix inversions, :meth:`test_columns` does the same for scalar
    queries given as column indices (no per-query Python objects, for millions of queries);
    both give results bit-identical to calling :meth:`~specialist.ci.base.CITest.test` one
    query at a time (all three go
    through the same code, one query per matrix).

    Parameters
    ----------
    max_vif : float
        Largest accepted variance inflation factor ``1 / (1 − R²)`` of any column of a query
        on the others; above it the query is reported as (near-)singular.
    chunk_size : int >= 1
        Most queries inverted in one stack. Peak memory beyond the results is about
        ``3 · chunk_size · d² · 8`` bytes for ``d × d`` submatrices, whatever the number of
        queries; the results do not depend on it.

    Examples
    --------
    A chain ``x -> z -> y``: ``x`` and ``y`` are dependent, and independent given ``z``.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=2000)
    >>> z = x + rng.normal(size=2000)
    >>> y = z + rng.normal(size=2000)
    >>> test = FisherZ().fit({"x": x, "y": y, "z": z})
    >>> test.test("x", "y").pvalue < 1e-10
    True
    >>> print(f"{test.test('x', 'y', ['z']).pvalue:.2f}")
    0.71

    Backs
    -----
    fig3_structure, tab2_runtime
    """

    name = "fisherz"
    _checks_finite = True  # the column means computed in _fit reveal any NaN or inf

    def __init__(self, max_vif: float = 1e10, chunk_size: int = CHUNK_SIZE) -> None:
        super().__init__()
        if not max_vif > 1:
            raise ValueError(f"max_vif must be > 1, got {max_vif!r}")
        self.max_vif = float(max_vif)
        self.chunk_size = check_int("chunk_size", chunk_size, 1)
        self._columns: dict[Hashable, tuple[int, ...]] = {}
        self._first: dict[Hashable, int] = {}
        self._scalar = False

    # -- sufficient statistics -------------------------------------------------------------
    def _fit(self, variables: Mapping[Hashable, np.ndarray]) -> None:
        self._columns = {}  # until fit succeeds, the query fast path rejects every name
        columns, start = {}, 0
        for key, block in variables.items():
            columns[key] = tuple(range(start, start + block.shape[1]))
            start += block.shape[1]
        # column-major: the blocks are often strided column views (states[:, t]); copying
        # them into Fortran order and centring column by column is the fast layout here
        self._n = next(iter(variables.values())).shape[0]
        data = np.empty((self._n, start), order="F")
        # in blocks of rows (about 1 MB of the data, at least 4096 rows): the blocks are often
        # views into one row-major array, and a block of its rows stays in cache while every
        # variable's columns are copied from it (one pass over memory instead of one per column)
        step = max(4096, 2**20 // (8 * start))
        for row in range(0, self._n, step):
            rows = slice(row, row + step)
            for key, block in variables.items():
                data[rows, columns[key][0] : columns[key][-1] + 1] = block[rows]
        mean = data.mean(axis=0)
        if not np.all(np.isfinite(mean)):  # a NaN or inf anywhere makes its column mean so
            bad = int(np.flatnonzero(~np.isfinite(mean))[0])
            key = next(k for k, c in columns.items() if bad in c)
            if np.all(np.isfinite(data[:, bad])):
                raise ValueError(f"FisherZ: variable {key!r} has values too large to average")
            raise non_finite_error(key)
        data -= mean
        cov = data.T @ data / max(self._n - 1, 1)
        del data  # the largest array of a fit: free it before the correlation is formed
        std = np.sqrt(np.diag(cov))
        # relative tolerance: a constant column's computed spread is rounding noise, not 0
        flat = set(np.flatnonzero((std <= 1e-12 * np.abs(mean)) | (std == 0)).tolist())
        for key, cols in columns.items():
            if self._n < 2 or flat.intersection(cols):
                where = [j for j, c in enumerate(cols) if c in flat]
                raise ValueError(
                    f"FisherZ: variable {display_name(key)} is constant (column(s) {where} of "
                    f"{len(cols)}); "
                    "a constant variable has no correlation, drop it"
                )
        self._corr = np.clip(cov / std[:, None] / std[None, :], -1.0, 1.0)
        self._columns = columns
        self._first = {key: cols[0] for key, cols in columns.items()}
        self._scalar = all(len(cols) == 1 for cols in columns.values())
        # column -> the variable it belongs to, to name a query given by column indices
        self._owner = [key for key, cols in columns.items() for _ in cols]

    @property
    def column_queries(self) -> bool:
        """Whether queries may be given as column indices (scalar variables only)."""
        return self.scalar

    @property
    def scalar(self) -> bool:
        """Whether every fitted variable is one column (then :meth:`test_columns` applies)."""
        self.variables  # noqa: B018 - raises if not fitted
        return self._scalar

    def column_indices(self, keys: Iterable[Hashable]) -> np.ndarray:
        """Column of each fitted scalar variable in ``keys``, as used by :meth:`test_columns`.

        Raises a ``KeyError`` naming an unknown variable and a ``ValueError`` when a fitted
        variable has more than one column.
        """
        keys = list(keys)
        try:
            cols = [self._columns[key] for key in keys]
        except KeyError:
            for key in keys:
                self._check((key, key, ()))  # raises, naming the unknown variable
            raise
        wide = [key for key, c in zip(keys, cols, strict=True) if len(c) != 1]
        if wide:
            raise ValueError(
                f"FisherZ: variable {wide[0]!r} has {len(self._columns[wide[0]])} columns; "
                "column indices address scalar variables only (use test_many)"
            )
        return np.array([c[0] for c in cols], dtype=np.intp)

    # -- queries ---------------------------------------------------------------------------
    def _test(self, x: Hashable, y: Hashable, z: tuple[Hashable, ...]) -> CIResult:
        query = (x, y, z)
        layout = self._layout(query)
        if self._dof(layout) <= 0:
            raise self._too_few(query, layout)
        return self._answer(layout, [query])[0]

    def test_many(
        self, queries: Sequence[tuple[Hashable, Hashable, Iterable[Hashable]]]
    ) -> list[CIResult]:
        """Answer ``queries`` in order; uncached ones are grouped by layout and batched.

        Every query is validated, and its sample count checked, before any is computed.
        """
        # validate everything before any compute, so a bad query fails fast
        canonical = [canonical_query(x, y, z) for x, y, z in queries]
        cache = self._cache
        todo = [q for q in dict.fromkeys(canonical) if q not in cache]
        first = self._first
        try:  # every name must be fitted: one lookup each, the fast form of _check
            for x, y, z in todo:
                first[x], first[y], *map(first.__getitem__, z)
        except KeyError:
            for query in todo:
                super()._check(query)  # raises, naming the unknown variable
            raise
        groups: dict[Layout, list[Query]] = {}
        if self._scalar:  # every variable is one column: the layout is the size of z
            for query in todo:
                groups.setdefault((1, 1, len(query[2])), []).append(query)
        else:
            for query in todo:
                groups.setdefault(self._layout(query), []).append(query)
        bad = [group[0] for layout, group in groups.items() if self._dof(layout) <= 0]
        if bad:
            position = {q: i for i, q in enumerate(todo)}
            query = min(bad, key=position.__getitem__)  # the first one asked for
            raise self._too_few(query, self._layout(query))
        for layout, group in groups.items():
            self._cache.update(zip(group, self._answer(layout, group), strict=True))
        return [self._cache[q] for q in canonical]

    def test_columns(self, index, extra=None) -> tuple[np.ndarray, np.ndarray]:
        """Answer scalar queries given as column indices, in chunks; nothing is cached.

        The batch entry point for millions of queries (Algorithm 1 at large ``T``): no Python
        object is made per query, and at most ``chunk_size`` submatrices are held at once.
        Statistics and p-values are bit-identical to :meth:`~specialist.ci.base.CITest.test`
        on the same variables with the conditioning set in the order given
        (:meth:`~specialist.ci.base.CITest.test` orders it canonically: give it
        sorted by variable name to compare).

        Parameters
        ----------
        index : int array (P, 2 + w)
            Row ``j`` is the query ``x_j ⟂ y_j | Z_j``: the columns of ``x_j`` and ``y_j``
            (see :meth:`column_indices`), then up to ``w`` conditioning columns; a row with
            fewer is padded with ``-1`` at its end.
        extra : int array (E,), optional
            If given, every row is answered ``E`` times, with ``extra[e]`` conditioned on as
            well (placed first in ``Z``): query ``(e, j)`` is
            ``x_j ⟂ y_j | {extra[e]} ∪ Z_j``. This is Algorithm 1's shape (the band set of a
            segment pair does not depend on the task), and it keeps the index array as small
            as the number of pairs.

        Returns
        -------
        statistic, pvalue : float arrays, shape (P,), or (E, P) with ``extra``

        Raises
        ------
        ValueError
            Before any compute, naming the query: a malformed index (out-of-range column,
            padding before a column, ``x == y``, ``x`` or ``y`` in ``Z``, a repeated column),
            too few samples for a conditioning set; during compute, a (near-)singular query.
        """
        base, sizes, extra = self._check_columns(index, extra)
        n_rows = base.shape[0]
        n_extra = 1 if extra is None else extra.size
        stat = np.empty(n_extra * n_rows)
        pvalue = np.empty(n_extra * n_rows)
        plus = 0 if extra is None else 1
        for size in np.unique(sizes).tolist():  # one layout per conditioning-set size
            rows = np.flatnonzero(sizes == size)
            width = 2 + plus + size
            n_group = n_extra * rows.size  # queries (e, j) of this size, e-major
            for start in range(0, n_group, self.chunk_size):
                local = np.arange(start, min(start + self.chunk_size, n_group))
                e, r = np.divmod(local, rows.size)
                r = rows[r]
                idx = np.empty((local.size, width), dtype=np.intp)
                idx[:, :2] = base[r, :2]
                if extra is not None:
                    idx[:, 2] = extra[e]
                idx[:, 2 + plus :] = base[r, 2 : 2 + size]
                out = e * n_rows + r
                stat[out], pvalue[out] = self._statistics(
                    idx, (1, 1, width - 2), lambda i, idx=idx: self._query_of(idx[i])
                )
        shape = (n_rows,) if extra is None else (n_extra, n_rows)
        return stat.reshape(shape), pvalue.reshape(shape)

    def _check_columns(self, index, extra) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Validate :meth:`test_columns`' arguments; return them as arrays and the sizes of Z."""
        self.variables  # noqa: B018 - raises if not fitted
        if not self._scalar:
            raise ValueError(
                "FisherZ.test_columns needs every fitted variable to be one column; "
                "use test_many for vector variables"
            )
        n_cols = self._corr.shape[0]
        base = _as_index("index", index, 2)
        if base.shape[1] < 2:
            raise ValueError(
                f"index must have shape (P, 2 + w): columns x, y, then Z; got {base.shape}"
            )
        if extra is not None:
            extra = _as_index("extra", extra, 1)
            if extra.size == 0:
                raise ValueError("extra must hold at least one column index, got none")
            if extra.min() < 0 or extra.max() >= n_cols:
                raise ValueError(f"extra holds a column outside 0..{n_cols - 1}")
        xy, z = base[:, :2], base[:, 2:]
        present = z >= 0
        sizes = present.sum(axis=1)
        problems = [
            (
                np.any((xy < 0) | (xy >= n_cols), axis=1),
                f"x or y is not a column in 0..{n_cols - 1}",
            ),
            (
                np.any((z < -1) | (z >= n_cols), axis=1),
                f"a Z column is not -1 or in 0..{n_cols - 1}",
            ),
            (np.any(present[:, 1:] & ~present[:, :-1], axis=1), "padding -1 before a Z column"),
            (xy[:, 0] == xy[:, 1], "x and y are the same column"),
            (np.any((z == xy[:, :1]) | (z == xy[:, 1:]), axis=1), "Z contains x or y"),
        ]
        ordered = np.sort(z, axis=1)
        problems.append(
            (
                np.any((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0), axis=1),
                "a Z column is repeated",
            )
        )
        if extra is not None:
            hits = (base[None, :, :] == extra[:, None, None]).any(axis=2).any(axis=0)
            problems.append((hits, "an extra column is also x, y or in Z"))
        for rows, what in problems:
            if rows.any():
                j = int(np.flatnonzero(rows)[0])
                raise ValueError(f"FisherZ.test_columns: index row {j} {base[j].tolist()}: {what}")
        dof = self._n - (sizes + (extra is not None)) - 3
        if np.any(dof <= 0):
            j = int(np.flatnonzero(dof <= 0)[0])
            cols = (
                base[j, : 2 + sizes[j]]
                if extra is None
                else np.r_[base[j, :2], extra[0], base[j, 2 : 2 + sizes[j]]]
            )
            raise self._too_few(self._query_of(cols), (1, 1, cols.size - 2))
        return base, sizes, extra

    def _query_of(self, columns: np.ndarray) -> Query:
        """The query ``(x, y, z)`` by variable names, from a row of column indices."""
        owner = self._owner
        names = [owner[c] for c in columns.tolist() if c >= 0]
        return names[0], names[1], tuple(names[2:])

    def _layout(self, query: Query) -> Layout:
        x, y, z = query
        if self._scalar:  # every variable is one column (Algorithm 1 on scalar states)
            return 1, 1, len(z)
        cols = self._columns
        return len(cols[x]), len(cols[y]), sum(len(cols[v]) for v in z)

    def _dof(self, layout: Layout) -> float:
        p, q, m = layout
        return self._n - m - 3 if p == q == 1 else self._n - 1 - m - (p + q + 1) / 2

    def _too_few(self, query: Query, layout: Layout) -> ValueError:
        p, q, m = layout
        need = "n - dim Z - 3 > 0" if p == q == 1 else "n - 1 - dim Z - (p + q + 1)/2 > 0"
        return ValueError(
            f"FisherZ: n = {self._n} samples are too few for {query!r} "
            f"(p = {p}, q = {q}, dim Z = {m} columns); need {need}"
        )

    def _answer(self, layout: Layout, group: list[Query]) -> list[CIResult]:
        """Statistics of queries sharing one layout, in stacks of ``chunk_size``."""
        p, q, m = layout
        cols, first = self._columns, self._first
        out: list[CIResult] = []
        for start in range(0, len(group), self.chunk_size):
            part = group[start : start + self.chunk_size]
            if self._scalar:
                rows = [[first[x], first[y], *map(first.__getitem__, z)] for x, y, z in part]
            else:
                rows = [cols[x] + cols[y] + sum((cols[v] for v in z), ()) for x, y, z in part]
            idx = np.array(rows, dtype=np.intp).reshape(len(part), p + q + m)
            stat, pvalues = self._statistics(idx, layout, part.__getitem__)
            out += map(CIResult._make, zip(stat.tolist(), pvalues.tolist(), strict=True))
        return out

    def _statistics(
        self, idx: np.ndarray, layout: Layout, query_of: Callable[[int], Query]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Statistics and p-values of one stack: row ``i`` of ``idx`` holds the columns of
        ``x``, ``y`` and ``z`` of one query of ``layout`` (``query_of(i)`` names it)."""
        p, q, _ = layout
        dof = self._dof(layout)
        prec = self._invert(self._corr[idx[:, :, None], idx[:, None, :]], query_of)
        if p == q == 1:
            r = -prec[:, 0, 1] / np.sqrt(np.abs(prec[:, 0, 0] * prec[:, 1, 1]))
            # |r| = 1 happens with tiny n or deterministic relations; causal-learn clips likewise
            r = np.clip(r, -(1 - np.finfo(float).eps), 1 - np.finfo(float).eps)
            stat = np.sqrt(dof) * np.abs(np.arctanh(r))
            return stat, 2 * ndtr(-stat)  # two-sided normal tail; ndtr is the lean norm.cdf
        a = p + q
        log_lambda = (
            np.linalg.slogdet(prec[:, :a, :a])[1]
            - np.linalg.slogdet(prec[:, :p, :p])[1]
            - np.linalg.slogdet(prec[:, p:a, p:a])[1]
        )
        # Λ ≤ 1 in exact arithmetic; rounding must not produce a negative statistic
        stat = -dof * np.minimum(log_lambda, 0.0)
        return stat, chi2.sf(stat, p * q)

    def _invert(self, sub: np.ndarray, query_of: Callable[[int], Query]) -> np.ndarray:
        """Batched inverse of correlation submatrices, refusing (near-)singular ones."""
        try:
            prec = np.linalg.inv(sub)
        except np.linalg.LinAlgError:
            # one singular matrix fails the whole stack: find it to name it
            for i, matrix in enumerate(sub):
                try:
                    np.linalg.inv(matrix)
                except np.linalg.LinAlgError:
                    raise self._singular(query_of(i), None) from None
            raise
        vif = np.diagonal(prec, axis1=1, axis2=2)
        bad = ~np.all(np.isfinite(prec), axis=(1, 2)) | np.any(
            (vif > self.max_vif) | (vif < 1 - 1e-6), axis=1
        )
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self._singular(query_of(i), float(np.nanmax(vif[i])))
        return prec

    def _singular(self, query: Query, vif: float | None) -> ValueError:
        x, y, z = query
        how = "singular" if vif is None else f"near-singular (variance inflation factor {vif:.3g})"
        return ValueError(
            f"FisherZ: the correlation matrix of x={x!r}, y={y!r}, z={list(z)!r} is {how}; "
            "a variable is (nearly) duplicated, a linear function of the others, or (nearly) "
            "constant. Remove the redundant variable(s) from the query or the data."
        )


def _as_index(name: str, value, ndim: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim != ndim or not (arr.dtype.kind in "iu" or arr.size == 0):
        shape = "(P, 2 + w)" if ndim == 2 else "(E,)"
        raise ValueError(
            f"{name} must be an integer array of shape {shape}, got dtype {arr.dtype} "
            f"and shape {arr.shape}"
        )
    return arr.astype(np.intp, copy=False)
