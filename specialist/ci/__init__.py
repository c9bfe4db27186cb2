"""Conditional-independence tests behind one interface (:class:`~specialist.ci.base.CITest`).

:func:`get_test` turns a test name (as used by ``discover_task_structure(test=...)``) into a
fresh test; a :class:`~specialist.ci.base.CITest` instance passes through unchanged.

Backs
-----
fig2_band_set
"""

from __future__ import annotations

from collections.abc import Callable

from specialist.ci.base import CIResult, CITest, canonical_query
from specialist.ci.cmi import NeuralCMI
from specialist.ci.fisherz import FisherZ
from specialist.ci.oracle import DSeparationOracle

#: name -> factory of a data-driven test; registering a new test is one line here
TESTS: dict[str, Callable[[], CITest]] = {"fisherz": FisherZ, "cmi": NeuralCMI}

#: names the paper uses whose implementation is still to come -> what adds it


def get_test(test: str | CITest) -> CITest:
    """Resolve ``test``: a :class:`~specialist.ci.base.CITest` passes through, a registered
    name gives a new test.

    Raises ``ValueError`` for an unknown name. Graph-based tests (:class:`~specialist.ci.oracle.DSeparationOracle`)
    need their graph, so
    they are passed as instances.

    Backs
    -----
    fig3_structure, tab2_runtime
    """
    if isinstance(test, CITest):
        return test
    if not isinstance(test, str):
        raise TypeError(f"test must be a test name or a CITest instance, got {test!r}")
    if test in TESTS:
        return TESTS[test]()
    accepted = sorted(TESTS)
    raise ValueError(
        f"unknown CI test {test!r}; accepted names: {', '.join(accepted)}, "
        "or a CITest instance such as DSeparationOracle(graph)"
    )


__all__ = [
    "CIResult",
    "CITest",
    "DSeparationOracle",
    "FisherZ",
    "NeuralCMI",
    "TESTS",
    "canonical_query",
    "get_test",
]
