"""Shared fixtures: one quick-profile run of every artefact and one book build per session, and
the grouping that lets ``pytest -n 2 --dist loadgroup`` (``make test``) run the files in two
workers without computing any expensive fixture twice."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from specialist.paths import BOOK_DIR, Workspace

#: the session fixtures behind the pipeline tests: every test that uses one runs in one worker
PIPELINE_FIXTURES = frozenset({"quick_workspace", "quick_outcomes", "built_site"})


def pytest_collection_modifyitems(config, items):
    """Group the tests for pytest-xdist's ``--dist loadgroup``: the tests that use the quick
    run or the built book form one group (the session fixtures run once), every other test
    goes with its file (its module fixtures, trained models included, are built once)."""
    for item in items:
        uses_pipeline = PIPELINE_FIXTURES & set(getattr(item, "fixturenames", ()))
        group = "pipeline" if uses_pipeline else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def quick_workspace(tmp_path_factory) -> Workspace:
    """The real notebooks, profiles and package, with results and the book in a temp folder."""
    root = tmp_path_factory.mktemp("pipeline")
    book = root / "book"
    shutil.copytree(BOOK_DIR, book, ignore=shutil.ignore_patterns("_build", "generated"))
    return Workspace(results=root / "results", book=book)


@pytest.fixture(scope="session")
def quick_outcomes(quick_workspace):
    from specialist.pipeline import cli

    return cli.reproduce(quick_workspace, profile="quick")


@pytest.fixture(scope="session")
def built_site(quick_workspace, quick_outcomes) -> Path:
    """Build the book from the quick run exactly as `make book` does (warnings are errors)."""
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [
        str(jb),
        "build",
        str(quick_workspace.book),
        "--builder",
        "html",
        "-W",
        "-n",
        "--keep-going",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        pytest.fail(f"jupyter-book build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")
    return quick_workspace.book / "_build" / "html"
