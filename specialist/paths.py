"""Every path the package and the notebooks use.

Nothing is created at import time. The defaults point into the repository checkout;
:class:`Workspace` lets the runner (and the tests) work on another set of folders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
PROFILES_DIR = NOTEBOOKS_DIR / "params"
BOOK_DIR = REPO_ROOT / "book"
RESULTS_DIR = REPO_ROOT / "results"


_TAG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


@dataclass(frozen=True)
class Workspace:
    """Where the pipeline reads notebooks and profiles and writes results and the book.

    Parameters
    ----------
    notebooks : folder of jupytext ``<artefact>.py`` notebooks
    profiles : folder of ``<profile>.yaml`` parameter files
    results : root of ``<profile>/<artefact>/`` result folders
    book : the Jupyter Book source folder; executed notebooks go to ``book/generated``
    package : the source folder whose hash enters every cache key
    tag : the name of a tagged run (``reproduce --tag NAME``, :meth:`tagged`), or ``None``
    """

    notebooks: Path = NOTEBOOKS_DIR
    profiles: Path = PROFILES_DIR
    results: Path = RESULTS_DIR
    book: Path = BOOK_DIR
    package: Path = PACKAGE_DIR
    tag: str | None = None

    def tagged(self, tag: str) -> Workspace:
        """The workspace of a tagged run: results in ``<results>/tags/<tag>/`` and a book of
        its own in ``<results>/tags/<tag>/book`` (the caller copies the book's sources there),
        so a run with other values never replaces the published results or the book's pages.
        """
        if not isinstance(tag, str) or not _TAG.fullmatch(tag):
            raise ValueError(
                f"--tag must be lower-case letters, digits, '-' or '_' (starting with a letter "
                f"or digit), got {tag!r}"
            )
        root = self.results / "tags" / tag
        return Workspace(self.notebooks, self.profiles, root, root / "book", self.package, tag)

    @property
    def generated(self) -> Path:
        return self.book / "generated"

    def artefact_dir(self, profile: str, artefact: str) -> Path:
        return self.results / profile / artefact

    def failed_dir(self, profile: str, artefact: str) -> Path:
        return self.results / profile / "_failed" / artefact

    def staging_root(self, profile: str) -> Path:
        return self.results / profile / ".staging"

    def run_store(self, profile: str, artefact: str) -> Path:
        """Completed sweep runs of an artefact (resumable sweeps); never published."""
        return self.results / ".runs" / profile / artefact

    def lock_file(self, profile: str) -> Path:
        """The lock two ``reproduce`` commands on one profile take in turn."""
        return self.results / f".{profile}.lock"

    def interactive_dir(self, artefact: str) -> Path:
        """Where a notebook run by hand writes (its default ``output_dir``)."""
        return self.results / "interactive" / artefact
