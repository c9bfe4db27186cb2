"""FisherZ: agreement with causal-learn, calibration under the null, power, batching, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from causallearn.utils.cit import CIT
from scipy.stats import chi2, kstest

from specialist.ci.fisherz import FisherZ


def linear_gaussian(n: int, k: int, seed: int) -> np.ndarray:
    """Columns of a random linear SEM (lower-triangular, about half the edges present)."""
    rng = np.random.default_rng(seed)
    weights = np.tril(rng.normal(size=(k, k)) * (rng.random((k, k)) < 0.5), -1)
    noise = rng.normal(size=(n, k))
    # x = W x + e  =>  x = (I - W)^{-1} e
    return noise @ np.linalg.inv(np.eye(k) - weights).T


def all_queries(k: int, max_z: int) -> list[tuple[int, int, tuple[int, ...]]]:
    out = []
    for x, y in itertools.combinations(range(k), 2):
        rest = [v for v in range(k) if v not in (x, y)]
        for size in range(max_z + 1):
            out += [(x, y, z) for z in itertools.combinations(rest, size)]
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pvalues_match_causal_learn(seed):
    data = linear_gaussian(n=300 + 200 * seed, k=7, seed=seed)
    ours = FisherZ().fit({j: data[:, j] for j in range(7)})
    theirs = CIT(data, "fisherz")
    queries = all_queries(7, max_z=3)
    expected = [theirs(x, y, list(z)) for x, y, z in queries]
    got = [r.pvalue for r in ours.test_many(queries)]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-8)
    assert any(p < 1e-3 for p in expected) and any(p > 0.1 for p in expected)  # both regimes


def test_vector_z_with_scalar_xy_is_fisher_z_on_its_columns():
    data = linear_gaussian(n=400, k=5, seed=3)
    ours = FisherZ().fit({"x": data[:, 0], "y": data[:, 1], "z": data[:, 2:5]})
    expected = CIT(data, "fisherz")(0, 1, [2, 3, 4])
    assert ours.pvalue("x", "y", ["z"]) == pytest.approx(expected, abs=1e-8)


def test_vector_statistic_is_bartlett_on_partial_canonical_correlations():
    rng = np.random.default_rng(4)
    n = 400
    z = rng.normal(size=(n, 2))
    x = z @ rng.normal(size=(2, 3)) + rng.normal(size=(n, 3))
    y = z @ rng.normal(size=(2, 2)) + 0.2 * x[:, :2] + rng.normal(size=(n, 2))
    # reference: residualise on (1, z) by least squares, canonical correlations by QR + SVD
    design = np.column_stack([np.ones(n), z])

    def residual_basis(a):
        res = a - design @ np.linalg.lstsq(design, a, rcond=None)[0]
        return np.linalg.qr(res)[0]

    rho = np.linalg.svd(residual_basis(x).T @ residual_basis(y), compute_uv=False)
    stat = -(n - 1 - 2 - (3 + 2 + 1) / 2) * np.sum(np.log1p(-(rho**2)))
    result = FisherZ().fit({"x": x, "y": y, "z": z}).test("x", "y", ["z"])
    assert result.statistic == pytest.approx(stat, rel=1e-9)
    assert result.pvalue == pytest.approx(chi2.sf(stat, 6), abs=1e-12)


def null_pvalues(d: int, reps: int = 300, n: int = 500) -> np.ndarray:
    """x and y both depend on z, but are independent given z."""
    rng = np.random.default_rng(100 + d)
    out = []
    for _ in range(reps):
        z = rng.normal(size=(n, d))
        x = z @ rng.normal(size=(d, d)) + rng.normal(size=(n, d))
        y = z @ rng.normal(size=(d, d)) + rng.normal(size=(n, d))
        out.append(FisherZ().fit({"x": x, "y": y, "z": z}).pvalue("x", "y", ["z"]))
    return np.array(out)


@pytest.mark.parametrize("d", [1, 3])
def test_pvalues_uniform_under_null(d):
    pvalues = null_pvalues(d)
    assert kstest(pvalues, "uniform").pvalue > 0.01


@pytest.mark.parametrize("d", [1, 3])
def test_pvalues_small_under_alternative(d):
    rng = np.random.default_rng(200 + d)
    n = 500
    x = rng.normal(size=(n, d))
    y = 0.5 * x @ rng.normal(size=(d, d)) + rng.normal(size=(n, d))
    z = rng.normal(size=(n, 2))
    test = FisherZ().fit({"x": x, "y": y, "z": z})
    assert test.pvalue("x", "y") < 1e-6
    assert test.pvalue("x", "y", ["z"]) < 1e-6


def test_conditioning_on_common_cause_removes_dependence():
    rng = np.random.default_rng(5)
    z = rng.normal(size=2000)
    x = z + 0.5 * rng.normal(size=2000)
    y = -z + 0.5 * rng.normal(size=2000)
    test = FisherZ().fit({"x": x, "y": y, "z": z})
    assert test.pvalue("x", "y") < 1e-10
    assert test.pvalue("x", "y", ["z"]) > 0.05


def mixed_dataset() -> dict:
    rng = np.random.default_rng(6)
    data = linear_gaussian(n=600, k=8, seed=6)
    variables = {("s", t): data[:, t] for t in range(6)}
    variables[("g", 0)] = data[:, 6:8]
    variables[("v", 0)] = data[:, :3] @ rng.normal(size=(3, 3)) + rng.normal(size=(600, 3))
    return variables


def test_test_many_equals_sequential_tests_exactly():
    variables = mixed_dataset()
    names = list(variables)
    queries = [
        (x, y, tuple(z))
        for x, y in itertools.permutations(names, 2)
        for size in range(3)
        for z in itertools.combinations([v for v in names if v not in (x, y)], size)
    ]
    batched = FisherZ().fit(variables).test_many(queries)
    sequential = FisherZ().fit(variables)
    assert batched == [sequential.test(x, y, z) for x, y, z in queries]  # exact equality


def test_test_many_uses_and_fills_the_cache():
    test = FisherZ().fit(mixed_dataset())
    first = test.test(("s", 0), ("s", 1), [("s", 2)])
    [again, new] = test.test_many([(("s", 1), ("s", 0), [("s", 2)]), (("s", 3), ("s", 4), [])])
    assert again is first
    assert test.test(("s", 4), ("s", 3)) is new


def test_cache_is_canonical():
    test = FisherZ().fit(mixed_dataset())
    z = [("s", 2), ("g", 0), ("s", 5)]
    assert test.test(("s", 0), ("v", 0), z) is test.test(("v", 0), ("s", 0), z[::-1])


def test_duplicated_variable_is_reported_as_singular():
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(2, 200))
    test = FisherZ().fit({"a": a, "a_copy": a.copy(), "b": b})
    with pytest.raises(ValueError, match=r"(?s)'a_copy'.*singular.*duplicated"):
        test.test("a", "b", ["a_copy"])
    with pytest.raises(ValueError, match="singular"):
        test.test_many([("a", "b", []), ("b", "a_copy", ["a"])])


def test_near_duplicate_vector_column_is_reported():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(200, 3))
    x[:, 2] = x[:, 0] + 1e-7 * rng.normal(size=200)
    test = FisherZ().fit({"x": x, "y": rng.normal(size=200)})
    with pytest.raises(ValueError, match="near-singular"):
        test.test("x", "y")


@pytest.mark.parametrize("value", [0.0, 0.1, 1e6])
def test_constant_column_is_rejected_at_fit(value):
    rng = np.random.default_rng(9)
    block = np.column_stack([rng.normal(size=100), np.full(100, value)])
    with pytest.raises(ValueError, match=r"variable w is constant \(column\(s\) \[1\]"):
        FisherZ().fit({"v": rng.normal(size=100), "w": block})


def test_too_few_samples():
    rng = np.random.default_rng(10)
    test = FisherZ().fit({k: rng.normal(size=6) for k in "abcde"})
    assert 0 <= test.pvalue("a", "b", ["c", "d"]) <= 1  # n - |Z| - 3 = 1
    with pytest.raises(ValueError, match=r"too few.*n - dim Z - 3 > 0"):
        test.test("a", "b", ["c", "d", "e"])


def test_unknown_variable():
    test = FisherZ().fit({"a": np.arange(10.0), "b": np.arange(10.0) ** 2})
    with pytest.raises(KeyError, match="unknown variable"):
        test.test("a", "nope")
    with pytest.raises(KeyError, match="unknown variable"):
        test.test_many([("a", "b", []), ("a", "b", ["nope"])])


# -- column-index batches and chunking ------------------------------------------------------


def scalar_test(n: int = 400, k: int = 9, seed: int = 11, **kwargs) -> FisherZ:
    data = linear_gaussian(n=n, k=k, seed=seed)
    return FisherZ(**kwargs).fit({("s", j): data[:, j] for j in range(k)})


def padded_rows(k: int, max_z: int) -> np.ndarray:
    """Every (x < y, z ascending) query up to |z| = max_z, z padded with -1."""
    rows = [
        [x, y, *z, *[-1] * (max_z - len(z))]
        for x, y, z in all_queries(k, max_z)
        if x < y and list(z) == sorted(z)
    ]
    return np.array(rows)


def as_query(row) -> tuple:
    return ("s", int(row[0])), ("s", int(row[1])), [("s", int(c)) for c in row[2:] if c >= 0]


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 8192])
def test_columns_equal_test_many_and_test_exactly(chunk_size):
    index = padded_rows(9, max_z=3)  # |z| from 0 to 3: four layouts, several chunks each
    test = scalar_test(chunk_size=chunk_size)
    stat, pvalue = test.test_columns(index)
    queries = [as_query(row) for row in index]
    many = scalar_test().test_many(queries)  # default chunk size: other chunk boundaries
    single = scalar_test()
    assert np.array_equal(pvalue, [r.pvalue for r in many])  # exact, bit for bit
    assert np.array_equal(stat, [r.statistic for r in many])
    assert np.array_equal(pvalue, [single.test(*q).pvalue for q in queries])
    assert np.ptp(pvalue) > 0.5  # both regimes present


def test_columns_with_extra_is_the_product_in_extra_major_order():
    data = linear_gaussian(n=400, k=9, seed=11)
    # Algorithm 1's naming: task names sort before state names, so the canonical z of test()
    # has the extra column first, as test_columns places it
    variables = {("s", j): data[:, j] for j in range(7)}
    variables.update({("g", i): data[:, 7 + i] for i in range(2)})
    test = FisherZ(chunk_size=5).fit(variables)
    extra = test.column_indices([("g", 0), ("g", 1)])
    index = padded_rows(7, max_z=2)
    stat, pvalue = test.test_columns(index, extra=extra)
    assert pvalue.shape == stat.shape == (2, len(index))
    reference = FisherZ().fit(variables)
    for i in range(2):
        for j, row in enumerate(index):
            x, y, z = as_query(row)
            expected = reference.test(x, y, [("g", i), *z])
            assert pvalue[i, j] == expected.pvalue and stat[i, j] == expected.statistic


def test_chunking_does_not_change_test_many():
    variables = mixed_dataset()  # vector variables: the layout-grouped path
    names = list(variables)
    queries = [
        (x, y, tuple(z))
        for x, y in itertools.combinations(names, 2)
        for size in range(3)
        for z in itertools.combinations([v for v in names if v not in (x, y)], size)
    ]
    whole = FisherZ().fit(variables).test_many(queries)
    assert FisherZ(chunk_size=3).fit(variables).test_many(queries) == whole
    assert FisherZ(chunk_size=1).fit(variables).test_many(queries) == whole


def test_scalar_test_many_equals_sequential_tests_exactly():
    test = scalar_test()
    queries = [as_query(row) for row in padded_rows(9, max_z=3)]
    batched = scalar_test(chunk_size=10).test_many(queries)
    assert batched == [test.test(*q) for q in queries]


def test_column_indices():
    rng = np.random.default_rng(12)
    test = FisherZ().fit({"a": rng.normal(size=50), "b": rng.normal(size=(50, 2))})
    assert test.column_indices(["a"]).tolist() == [0]
    assert not test.scalar
    assert scalar_test(k=4).column_indices([("s", 3), ("s", 1)]).tolist() == [3, 1]
    with pytest.raises(ValueError, match="'b' has 2 columns"):
        test.column_indices(["b"])
    with pytest.raises(KeyError, match="unknown variable"):
        test.column_indices(["nope"])
    with pytest.raises(ValueError, match="one column; use test_many"):
        test.test_columns(np.array([[0, 1]]))


def test_columns_errors_name_the_query():
    rng = np.random.default_rng(13)
    a, b = rng.normal(size=(2, 200))
    test = FisherZ().fit({"a": a, "a_copy": a.copy(), "b": b, "c": rng.normal(size=200)})
    with pytest.raises(ValueError, match=r"x='a', y='b', z=\['a_copy'\] is singular"):
        test.test_columns(np.array([[0, 2, 3], [0, 2, 1]]))
    with pytest.raises(ValueError, match=r"x='a', y='b', z=\['a_copy', 'c'\] is singular"):
        test.test_columns(np.array([[0, 2, 3]]), extra=np.array([1]))
    few = FisherZ().fit({k: rng.normal(size=6) for k in "abcde"})
    assert 0 <= few.test_columns(np.array([[0, 1, 2, 3]]))[1][0] <= 1  # n - |Z| - 3 = 1
    with pytest.raises(ValueError, match=r"too few for \('a', 'b', \('e', 'c', 'd'\)\)"):
        few.test_columns(np.array([[0, 1, 2, 3]]), extra=np.array([4]))


@pytest.mark.parametrize(
    ("index", "extra", "message"),
    [
        ([[0, 0, 1]], None, "x and y are the same column"),
        ([[0, 1, 1]], None, "Z contains x or y"),
        ([[0, 1, 2, 2]], None, "a Z column is repeated"),
        ([[0, 1, -1, 2]], None, "padding -1 before a Z column"),
        ([[0, 9, 2]], None, "x or y is not a column"),
        ([[0, 1, -2]], None, "a Z column is not -1"),
        ([[0, 1, 2]], [2], "an extra column is also x, y or in Z"),
        ([[0, 1, 2]], [9], "extra holds a column outside"),
        ([[0.0, 1.0]], None, "integer array"),
        ([0, 1], None, "integer array"),
        ([[0]], None, r"shape \(P, 2 \+ w\)"),
    ],
)
def test_columns_rejects_malformed_index(index, extra, message):
    test = scalar_test(k=5)
    with pytest.raises(ValueError, match=message):
        test.test_columns(np.array(index), extra=None if extra is None else np.array(extra))


def test_chunk_size_is_validated():
    with pytest.raises(ValueError, match="chunk_size must be an integer >= 1"):
        FisherZ(chunk_size=0)
