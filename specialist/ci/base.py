"""One interface for every conditional-independence (CI) test.

A test is *fitted* once on a dataset of named variables (each an ``(n, d)`` block), which is
where a subclass computes its sufficient statistics (e.g. one covariance matrix), and then
answers queries ``X ⟂ Y | Z`` by variable name. Queries are canonicalised (``x``/``y``
ordered, ``z`` sorted and de-duplicated) so that a repeated query is served from a cache.
:meth:`CITest.test_many` is the batch entry point Algorithm 1 uses; tests that gain from
batching (neural CMI, whose critics train together) override it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

Query = tuple[Hashable, Hashable, tuple[Hashable, ...]]


class CIResult(NamedTuple):
    """Outcome of one CI test: a statistic (larger = more dependent) and its p-value.

    A named tuple rather than a dataclass: Algorithm 1 creates one per test, and tuples are
    several times cheaper to create.
    """

    statistic: float
    pvalue: float


def _sort_key(v: Hashable) -> tuple[str, str]:
    return (type(v).__name__, repr(v))


def canonical_query(x: Hashable, y: Hashable, z: Iterable[Hashable] = ()) -> Query:
    """The cache key of ``X ⟂ Y | Z``: symmetric in x, y and independent of z's order."""
    z_set = set(z)
    if x == y:
        raise ValueError(f"x and y must be different variables, got {x!r} twice")
    if x in z_set or y in z_set:
        raise ValueError(f"the conditioning set z must not contain x or y (x={x!r}, y={y!r})")
    try:  # names of one kind (e.g. ("s", 3) tuples) sort natively, which is much faster
        if y < x:
            x, y = y, x
        return x, y, tuple(sorted(z_set))
    except TypeError:  # mixed kinds: order by type name, then repr
        x, y = sorted((x, y), key=_sort_key)
        return x, y, tuple(sorted(z_set, key=_sort_key))


def non_finite_error(key: Hashable) -> ValueError:
    return ValueError(f"variable {key!r} contains NaN or infinite values")


class CITest(ABC):
    """Base class: subclasses implement :meth:`_fit` (optional) and :meth:`_test`."""

    name: str = "ci-test"

    def __init__(self) -> None:
        self._variables: dict[Hashable, np.ndarray] | None = None
        self._cache: dict[Query, CIResult] = {}

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, variables: Mapping[Hashable, np.ndarray]) -> CITest:
        """Bind the test to a dataset: ``{name: array of shape (n,) or (n, d)}``.

        All blocks must have the same number of rows ``n`` and finite values.
        """
        if not isinstance(variables, Mapping) or len(variables) == 0:
            raise ValueError("variables must be a non-empty mapping {name: (n, d) array}")
        blocks: dict[Hashable, np.ndarray] = {}
        n = None
        for key, value in variables.items():
            arr = np.asarray(value, dtype=float)
            if arr.ndim == 1:
                arr = arr[:, None]
            if arr.ndim != 2:
                raise ValueError(
                    f"variable {key!r} must be a 1-D or 2-D array (n,) or (n, d), "
                    f"got shape {arr.shape}"
                )
            if n is None:
                n = arr.shape[0]
            elif arr.shape[0] != n:
                raise ValueError(f"variable {key!r} has {arr.shape[0]} samples, others have {n}")
            if not self._checks_finite and not np.all(np.isfinite(arr)):
                raise non_finite_error(key)
            blocks[key] = arr
        self._variables = blocks
        self._cache = {}
        self._fit(blocks)
        return self

    #: a subclass whose ``_fit`` detects NaN/inf itself (cheaply, on its own statistics) sets
    #: this and raises :func:`non_finite_error`; the base class then skips its own check
    _checks_finite = False

    #: smallest p-value the test can return (0 for tests with a continuous null distribution;
    #: ``1 / (B + 1)`` for a permutation test with ``B`` permutations)
    min_pvalue: float = 0.0

    def check_resolution(self, threshold: float, context: str = "") -> None:
        """Raise a ``ValueError`` if no p-value of this test can fall below ``threshold``.

        Called by Algorithm 1 before fitting, with the smallest threshold its decision rule
        and correction use. Tests with a continuous null always pass; permutation tests
        override :meth:`_resolution_error` to name the parameter and the value needed.
        """
        if self.min_pvalue > 0 and not self.min_pvalue < threshold:
            raise self._resolution_error(threshold, context)

    def _resolution_error(self, threshold: float, context: str) -> ValueError:
        """The ``ValueError`` :meth:`check_resolution` raises (a permutation test names the
        parameter and the value that would reach ``threshold``)."""
        return ValueError(
            f"{type(self).__name__}: its smallest p-value {self.min_pvalue:.4g} cannot fall "
            f"below the threshold {threshold:.4g}" + (f" of {context}" if context else "")
        )

    def _fit(self, variables: Mapping[Hashable, np.ndarray]) -> None:  # noqa: B027
        """Compute sufficient statistics once per dataset (default: nothing)."""

    @property
    def variables(self) -> tuple[Hashable, ...]:
        if self._variables is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted: call .fit(variables) first")
        return tuple(self._variables)

    # -- declared capabilities -------------------------------------------------------------
    @property
    def column_queries(self) -> bool:
        """Whether this fitted test also answers batches of scalar queries given as column
        indices (:meth:`column_indices`, :meth:`test_columns`), which Algorithm 1 uses for its
        millions of queries at large ``T``. The base class does not: it answers one query at a
        time (:meth:`test`), which every test supports."""
        return False

    def column_indices(self, keys) -> np.ndarray:
        """The column of each fitted scalar variable in ``keys`` (tests with
        ``column_queries`` only)."""
        raise NotImplementedError(f"{type(self).__name__} does not answer column queries")

    def test_columns(self, index, extra=None) -> tuple[np.ndarray, np.ndarray]:
        """Answer scalar queries given as column indices (tests with ``column_queries``
        only): ``index`` ``(Q, 2 + c)`` holds x, y and the conditioning columns (-1: none),
        ``extra`` columns conditioned on in every query; returns statistics and p-values."""
        raise NotImplementedError(f"{type(self).__name__} does not answer column queries")

    # -- queries ---------------------------------------------------------------------------
    def test(self, x: Hashable, y: Hashable, z: Iterable[Hashable] = ()) -> CIResult:
        """Test ``X ⟂ Y | Z``; cached on the canonical query."""
        query = self._check(canonical_query(x, y, z))
        if query not in self._cache:
            self._cache[query] = self._test(*query)
        return self._cache[query]

    def pvalue(self, x: Hashable, y: Hashable, z: Iterable[Hashable] = ()) -> float:
        return self.test(x, y, z).pvalue

    def test_many(self, queries: Sequence[tuple[Hashable, Hashable, Iterable[Hashable]]]):
        """Answer a batch of queries (in order). Subclasses may override to batch work."""
        return [self.test(x, y, z) for x, y, z in queries]

    def _check(self, query: Query) -> Query:
        known = set(self.variables)
        unknown = [v for v in (query[0], query[1], *query[2]) if v not in known]
        if unknown:
            raise KeyError(
                f"{type(self).__name__}: unknown variable(s) {unknown!r}; "
                f"fitted variables are {sorted(known, key=_sort_key)!r}"
            )
        return query

    @abstractmethod
    def _test(self, x: Hashable, y: Hashable, z: tuple[Hashable, ...]) -> CIResult:
        """Return the statistic and p-value of ``X ⟂ Y | Z`` (query is canonical)."""
