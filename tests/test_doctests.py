"""The docstring examples of the headline functions run, and print what they show.

``make test`` runs them through this file (stdlib ``doctest``, no pytest option needed); the
same modules' examples also run at the core's lower dependency bounds in
``tests/test_install.py``.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

#: the modules whose docstring examples are tested (each has at least one)
DOCTEST_MODULES = (
    "specialist.structure",
    "specialist.ci.fisherz",
    "specialist.data.sportshhi.evaluation",
    "specialist.metrics",
)
#: the headline objects that must carry an example
WITH_EXAMPLES = {
    "specialist.structure.discover_task_structure",
    "specialist.structure.band_set",
    "specialist.ci.fisherz.FisherZ",
    "specialist.data.sportshhi.evaluation.evaluate_map",
    "specialist.metrics.matthews_mcc",
}


@pytest.mark.parametrize("name", DOCTEST_MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    assert tests, f"{name} has no docstring example"
    report = []
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_the_headline_functions_have_examples():
    found = set()
    for name in DOCTEST_MODULES:
        tests = doctest.DocTestFinder().find(importlib.import_module(name))
        found |= {t.name for t in tests if t.examples}
    assert WITH_EXAMPLES <= found, WITH_EXAMPLES - found
