"""Fisher-z partial-correlation test, with a multivariate (Wilks–Bartlett) extension.

All queries are answered from one correlation matrix ``R`` of every column of every variable,
computed once in :meth:`FisherZ.fit`; a query only slices ``R`` and inverts a small matrix.

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
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np
from scipy.special import ndtr
from scipy.stats import chi2

from specialist.ci.base import CIResult, CITest, Query, canonical_query, non_finite_error

Layout = tuple[int, int, int]  # (columns of x, columns of y, columns of z)


class FisherZ(CITest):
    """Partial-correlation CI test for linear-Gaussian data (Fisher-z, or Wilks–Bartlett).

    See the module docstring for the statistics. :meth:`test_many` answers all queries of one
    block layout with one batched matrix inversion; its results are identical to calling
    :meth:`test` one query at a time (both go through the same code).
    Backs: fig3_structure, tab2_runtime.

    Parameters
    ----------
    max_vif : float
        Largest accepted variance inflation factor ``1 / (1 − R²)`` of any column of a query
        on the others; above it the query is reported as (near-)singular.
    """

    name = "fisherz"
    _checks_finite = True  # the column means computed in _fit reveal any NaN or inf

    def __init__(self, max_vif: float = 1e10) -> None:
        super().__init__()
        if not max_vif > 1:
            raise ValueError(f"max_vif must be > 1, got {max_vif!r}")
        self.max_vif = float(max_vif)
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
        for key, block in variables.items():
            data[:, columns[key][0] : columns[key][-1] + 1] = block
        mean = data.mean(axis=0)
        if not np.all(np.isfinite(mean)):  # a NaN or inf anywhere makes its column mean so
            bad = int(np.flatnonzero(~np.isfinite(mean))[0])
            key = next(k for k, c in columns.items() if bad in c)
            if np.all(np.isfinite(data[:, bad])):
                raise ValueError(f"FisherZ: variable {key!r} has values too large to average")
            raise non_finite_error(key)
        data -= mean
        cov = data.T @ data / max(self._n - 1, 1)
        std = np.sqrt(np.diag(cov))
        # relative tolerance: a constant column's computed spread is rounding noise, not 0
        flat = set(np.flatnonzero((std <= 1e-12 * np.abs(mean)) | (std == 0)).tolist())
        for key, cols in columns.items():
            if self._n < 2 or flat.intersection(cols):
                where = [j for j, c in enumerate(cols) if c in flat]
                raise ValueError(
                    f"FisherZ: variable {key!r} is constant (column(s) {where} of {len(cols)}); "
                    "a constant variable has no correlation, drop it"
                )
        self._corr = np.clip(cov / std[:, None] / std[None, :], -1.0, 1.0)
        # scalar queries of different |Z| share one batch: a query is padded with distinct
        # dummy variables, independent of everything with unit variance (identity rows), which
        # leave the partial correlation of x and y unchanged; dof still uses the true |Z|
        k = self._corr.shape[0]
        self._padded = np.eye(2 * k)
        self._padded[:k, :k] = self._corr
        self._columns = columns
        self._first = {key: cols[0] for key, cols in columns.items()}
        self._scalar = all(len(cols) == 1 for cols in columns.values())

    # -- queries ---------------------------------------------------------------------------
    def _test(self, x: Hashable, y: Hashable, z: tuple[Hashable, ...]) -> CIResult:
        query = (x, y, z)
        return self._answer(self._layout(query), [query])[0]

    def test_many(
        self, queries: Sequence[tuple[Hashable, Hashable, Iterable[Hashable]]]
    ) -> list[CIResult]:
        """Answer ``queries`` in order; uncached ones are grouped by layout and batched."""
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
        if self._scalar:  # one padded batch whatever |Z| (see _answer)
            groups = {(1, 1, -1): todo} if todo else {}
        else:
            for query in todo:
                groups.setdefault(self._layout(query), []).append(query)
        for layout, group in groups.items():
            self._cache.update(zip(group, self._answer(layout, group), strict=True))
        return [self._cache[q] for q in canonical]

    def _layout(self, query: Query) -> Layout:
        x, y, z = query
        if self._scalar:  # every variable is one column (Algorithm 1 on scalar states):
            return 1, 1, -1  # one padded batch whatever |Z| (see _answer)
        cols = self._columns
        return len(cols[x]), len(cols[y]), sum(len(cols[v]) for v in z)

    def _answer(self, layout: Layout, group: list[Query]) -> list[CIResult]:
        """Statistics of queries sharing one layout, from one stack of submatrices."""
        p, q, m = layout
        fisher = p == q == 1
        if m < 0:  # the padded scalar batch
            sizes = np.array([len(z) for _, _, z in group])
            dof = self._n - sizes - 3
        else:
            sizes = np.array([m])
            dof = self._n - m - 3 if fisher else self._n - 1 - m - (p + q + 1) / 2
        if np.any(dof <= 0):
            bad = int(np.argmax(np.atleast_1d(dof) <= 0)) if m < 0 else 0
            need = "n - dim Z - 3 > 0" if fisher else "n - 1 - dim Z - (p + q + 1)/2 > 0"
            raise ValueError(
                f"FisherZ: n = {self._n} samples are too few for {group[bad]!r} "
                f"(p = {p}, q = {q}, dim Z = {sizes[bad]} columns); need {need}"
            )
        if m < 0:
            first, width = self._first, int(sizes.max())
            dummies = list(range(self._corr.shape[0], self._corr.shape[0] + width))
            idx = np.array(
                [
                    [first[x], first[y], *map(first.__getitem__, z), *dummies[len(z) :]]
                    for x, y, z in group
                ]
            )
            prec = self._invert(self._padded[idx[:, :, None], idx[:, None, :]], group)
        else:
            cols = self._columns
            idx = np.array([cols[x] + cols[y] + sum((cols[v] for v in z), ()) for x, y, z in group])
            prec = self._invert(self._corr[idx[:, :, None], idx[:, None, :]], group)
        if fisher:
            r = -prec[:, 0, 1] / np.sqrt(np.abs(prec[:, 0, 0] * prec[:, 1, 1]))
            # |r| = 1 happens with tiny n or deterministic relations; causal-learn clips likewise
            r = np.clip(r, -(1 - np.finfo(float).eps), 1 - np.finfo(float).eps)
            stat = np.sqrt(dof) * np.abs(np.arctanh(r))
            pvalues = 2 * ndtr(-stat)  # two-sided normal tail; ndtr is the lean norm.cdf
        else:
            a = p + q
            log_lambda = (
                np.linalg.slogdet(prec[:, :a, :a])[1]
                - np.linalg.slogdet(prec[:, :p, :p])[1]
                - np.linalg.slogdet(prec[:, p:a, p:a])[1]
            )
            # Λ ≤ 1 in exact arithmetic; rounding must not produce a negative statistic
            stat = -dof * np.minimum(log_lambda, 0.0)
            pvalues = chi2.sf(stat, p * q)
        return list(map(CIResult._make, zip(stat.tolist(), pvalues.tolist(), strict=True)))

    def _invert(self, sub: np.ndarray, group: list[Query]) -> np.ndarray:
        """Batched inverse of correlation submatrices, refusing (near-)singular ones."""
        try:
            prec = np.linalg.inv(sub)
        except np.linalg.LinAlgError:
            # one singular matrix fails the whole stack: find it to name it
            for i, matrix in enumerate(sub):
                try:
                    np.linalg.inv(matrix)
                except np.linalg.LinAlgError:
                    raise self._singular(group[i], None) from None
            raise
        vif = np.diagonal(prec, axis1=1, axis2=2)
        bad = ~np.all(np.isfinite(prec), axis=(1, 2)) | np.any(
            (vif > self.max_vif) | (vif < 1 - 1e-6), axis=1
        )
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self._singular(group[i], float(np.nanmax(vif[i])))
        return prec

    def _singular(self, query: Query, vif: float | None) -> ValueError:
        x, y, z = query
        how = "singular" if vif is None else f"near-singular (variance inflation factor {vif:.3g})"
        return ValueError(
            f"FisherZ: the correlation matrix of x={x!r}, y={y!r}, z={list(z)!r} is {how}; "
            "a variable is (nearly) duplicated, a linear function of the others, or (nearly) "
            "constant. Remove the redundant variable(s) from the query or the data."
        )
