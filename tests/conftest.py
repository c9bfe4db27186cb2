"""Shared fixtures: one quick-profile run of every artefact and one book build per session.

``make test`` runs the tests marked ``pipeline`` (those that use these fixtures) in one process,
so that neither the quick run nor the book is computed twice, and every other test in a second
process beside it (one per core)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from specialist.paths import BOOK_DIR, Workspace


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
