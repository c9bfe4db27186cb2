"""A perfect CI test: d-separation in a known DAG (Markov + faithfulness hold by construction).

With the true collider DAG, Theorem 1 says Algorithm 1 recovers the task structure exactly, so
this oracle separates errors of the algorithm from errors of a statistical test.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import networkx as nx
import numpy as np

from specialist.ci.base import CIResult, CITest


class DSeparationOracle(CITest):
    """Answers ``X ⟂ Y | Z`` by d-separation in ``graph``; the data values are ignored.

    ``statistic`` is 1 (``pvalue`` 0) when X and Y are d-connected given Z, else 0 (``pvalue``
    1), so any ``alpha`` in (0, 1) reads the verdict correctly. The fitted variable names must
    be nodes of ``graph``; other nodes (e.g. actions) act as latent variables.

    Parameters
    ----------
    graph : a directed acyclic ``networkx.DiGraph``

    Backs
    -----
    fig2_band_set, fig3_structure
    """

    name = "oracle"

    def __init__(self, graph: nx.DiGraph) -> None:
        super().__init__()
        if not isinstance(graph, nx.DiGraph) or not nx.is_directed_acyclic_graph(graph):
            raise ValueError("graph must be a directed acyclic networkx.DiGraph")
        self.graph = graph

    def _fit(self, variables: Mapping[Hashable, np.ndarray]) -> None:
        missing = [v for v in variables if v not in self.graph]
        if missing:
            raise KeyError(
                f"DSeparationOracle: variable(s) {missing!r} are not nodes of the graph "
                f"({self.graph.number_of_nodes()} nodes)"
            )

    def _test(self, x: Hashable, y: Hashable, z: tuple[Hashable, ...]) -> CIResult:
        # sets, not bare nodes: our node names are tuples, which networkx could read as sets
        if nx.is_d_separator(self.graph, {x}, {y}, set(z)):
            return CIResult(statistic=0.0, pvalue=1.0)
        return CIResult(statistic=1.0, pvalue=0.0)
