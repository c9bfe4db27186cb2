"""The d-separation oracle, the CITest base class and the test-name resolver."""

import networkx as nx
import numpy as np
import pytest

from specialist.ci import (
    TESTS,
    CIResult,
    CITest,
    DSeparationOracle,
    canonical_query,
    get_test,
)


def fitted(edges, observed=None, n=3):
    g = nx.DiGraph(edges)
    names = observed if observed is not None else list(g)
    return DSeparationOracle(g).fit({v: np.zeros(n) for v in names})


def dependent(oracle, x, y, z=()):
    return oracle.test(x, y, z).pvalue < 0.05


def test_chain_is_blocked_by_its_middle():
    o = fitted([("a", "b"), ("b", "c")])
    assert dependent(o, "a", "c")
    assert not dependent(o, "a", "c", ["b"])


def test_fork_is_blocked_by_its_root():
    o = fitted([("b", "a"), ("b", "c")])
    assert dependent(o, "a", "c")
    assert not dependent(o, "a", "c", ["b"])


def test_collider_is_opened_by_itself_or_a_descendant():
    o = fitted([("a", "c"), ("b", "c"), ("c", "d")])
    assert not dependent(o, "a", "b")
    assert dependent(o, "a", "b", ["c"])
    assert dependent(o, "a", "b", ["d"])


def test_result_encodes_the_verdict_in_statistic_and_pvalue():
    o = fitted([("a", "b")])
    assert o.test("a", "b") == CIResult(statistic=1.0, pvalue=0.0)
    o = fitted([("a", "c"), ("b", "c")])
    assert o.test("a", "b") == CIResult(statistic=0.0, pvalue=1.0)


def test_unobserved_nodes_act_as_latents():
    # h is hidden: a <- h -> b stays open because h cannot be conditioned on
    o = fitted([("h", "a"), ("h", "b")], observed=["a", "b"])
    assert dependent(o, "a", "b")
    with pytest.raises(KeyError, match="unknown variable"):
        o.test("a", "b", ["h"])


def test_tuple_node_names_work():
    o = fitted([(("s", 0), ("s", 1)), (("s", 1), ("s", 2))])
    assert not dependent(o, ("s", 0), ("s", 2), [("s", 1)])
    assert dependent(o, ("s", 0), ("s", 2))


def test_fit_rejects_variables_that_are_not_nodes():
    with pytest.raises(KeyError, match="not nodes of the graph"):
        DSeparationOracle(nx.DiGraph([("a", "b")])).fit({"a": np.zeros(2), "zz": np.zeros(2)})


def test_graph_must_be_a_dag():
    with pytest.raises(ValueError, match="directed acyclic"):
        DSeparationOracle(nx.DiGraph([("a", "b"), ("b", "a")]))
    with pytest.raises(ValueError, match="directed acyclic"):
        DSeparationOracle(nx.Graph([("a", "b")]))


class CountingOracle(DSeparationOracle):
    def __init__(self, graph):
        super().__init__(graph)
        self.calls = 0

    def _test(self, x, y, z):
        self.calls += 1
        return super()._test(x, y, z)


def test_symmetric_queries_are_served_from_the_cache():
    g = nx.DiGraph([("a", "c"), ("b", "c"), ("c", "d"), ("e", "a")])
    o = CountingOracle(g).fit({v: np.zeros(2) for v in g})
    first = o.test("a", "b", ["c", "e"])
    again = o.test("b", "a", ["e", "c", "e"])
    assert again is first
    assert o.calls == 1
    assert canonical_query("a", "b", ["c", "e"]) == canonical_query("b", "a", ("e", "c"))
    o.test("a", "b", ["c"])
    assert o.calls == 2
    # refitting clears the cache: answers may depend on the data for other tests
    o.fit({v: np.zeros(2) for v in g})
    o.test("a", "b", ["c", "e"])
    assert o.calls == 3


def test_test_many_answers_in_order():
    o = fitted([("a", "c"), ("b", "c")])
    results = o.test_many([("a", "b", ()), ("a", "b", ["c"])])
    assert [r.pvalue for r in results] == [1.0, 0.0]


def test_canonical_query_rejects_degenerate_queries():
    with pytest.raises(ValueError, match="different variables"):
        canonical_query("a", "a")
    with pytest.raises(ValueError, match="must not contain x or y"):
        canonical_query("a", "b", ["a"])


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"a": np.zeros(3), "b": np.zeros(4)}, "has 4 samples, others have 3"),
        ({"a": np.zeros(3), "b": np.array([0.0, np.nan, 1.0])}, "NaN"),
        ({"a": np.zeros(3), "b": np.array([0.0, np.inf, 1.0])}, "infinite"),
        ({"a": np.zeros((3, 2, 2)), "b": np.zeros(3)}, "1-D or 2-D"),
        ({}, "non-empty mapping"),
    ],
)
def test_base_fit_rejects_bad_data(variables, message):
    with pytest.raises(ValueError, match=message):
        DSeparationOracle(nx.DiGraph([("a", "b")])).fit(variables)


def test_query_before_fit_is_an_error():
    with pytest.raises(RuntimeError, match="not fitted"):
        DSeparationOracle(nx.DiGraph([("a", "b")])).test("a", "b")


def test_get_test_passes_instances_through():
    o = DSeparationOracle(nx.DiGraph([("a", "b")]))
    assert get_test(o) is o


def test_get_test_builds_a_fresh_registered_test():
    from specialist.ci import FisherZ

    a, b = get_test("fisherz"), get_test("fisherz")
    assert isinstance(a, FisherZ) and a is not b


def test_every_name_the_paper_uses_is_implemented():
    # fisherz (linear-Gaussian) and cmi (neural) are the paper's two tests
    assert {"fisherz", "cmi"} <= set(TESTS)
    for name in ("fisherz", "cmi"):
        assert type(get_test(name)).name == name


def test_get_test_lists_accepted_names_for_an_unknown_one():
    with pytest.raises(ValueError, match="unknown CI test 'kci'; accepted names: ") as err:
        get_test("kci")
    assert "fisherz" in str(err.value) and "cmi" in str(err.value)
    with pytest.raises(TypeError, match="test name or a CITest"):
        get_test(3)


class _Constant(CITest):
    name = "constant"

    def _test(self, x, y, z):
        return CIResult(0.0, 0.5)


def test_registering_a_test_is_one_entry(monkeypatch):
    monkeypatch.setitem(TESTS, "constant", _Constant)
    first, second = get_test("constant"), get_test("constant")
    assert isinstance(first, _Constant)
    assert first is not second  # a fresh test per call: fitted state is never shared
